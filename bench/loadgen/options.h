// What a load-generator run is asked to do (flags), and the target it resolves to.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../common/net.h"

namespace plinth::bench {

struct LoadOptions {
  std::string mode = "closed";  // "open" or "closed"
  double rate = 0;              // open: requests per second
  double duration_s = 10;
  double warmup_s = 0;
  int64_t connections = 64;         // closed: connections; open: opened before the start
  int64_t max_connections = 10000;  // open: the most it opens when all are busy
  std::string reuse = "newest";      // open: which idle connection takes a request
  int64_t threads = 1;
  std::string url;
  std::string method = "POST";
  std::string body_file;
  int64_t body_bytes = -1;
  std::vector<std::string> headers;
  bool stream = false;
  double abort_fraction = 0;
  int64_t expect_chunks = -1;  // chunks per stream, when the stream's own count can't be trusted
  double timeout_s = 30;
  std::string model = "mock";
  std::string out;
  std::string upstream_stats;  // URL of the mock's /stats, sampled around the measurement
};

// Everything a worker needs to send requests: built once from the options.
struct LoadTarget {
  HttpUrl url;
  sockaddr_in address{};
  std::string request;  // the bytes of every request
  size_t body_bytes = 0;
};

// Parses the flags into *options. Returns "" or what was wrong; sets *help for --help.
std::string parse_load_options(int argc, char** argv, LoadOptions* options, bool* help);

// Checks the options together and builds the target (reads --body-file, resolves the host).
std::optional<LoadTarget> build_target(const LoadOptions& options, std::string* error);

}  // namespace plinth::bench
