// Samples the mock upstream's /stats around a run, so the report can show how busy the mock
// was: a benchmark result is only about the system under test if the mock had room to spare.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "../common/net.h"

namespace plinth::bench {

struct UpstreamSample {
  double requests = 0;
  double streams = 0;
  double chunks = 0;
  double aborted_streams = 0;
  double active_streams = 0;
  double connections = 0;
  double cpu_user_s = 0;
  double cpu_sys_s = 0;
  double threads = 1;
};

// Reads the members of a /stats body; missing ones stay 0 (threads 1).
inline UpstreamSample parse_upstream_sample(std::string_view json) {
  UpstreamSample s;
  auto number = [&](std::string_view key, double* out) {
    const std::string quoted = "\"" + std::string(key) + "\":";
    const size_t at = json.find(quoted);
    if (at == std::string_view::npos) return;
    const char* first = json.data() + at + quoted.size();
    std::from_chars(first, json.data() + json.size(), *out);
  };
  number("requests", &s.requests);
  number("streams", &s.streams);
  number("chunks", &s.chunks);
  number("aborted_streams", &s.aborted_streams);
  number("active_streams", &s.active_streams);
  number("connections", &s.connections);
  number("cpu_user_s", &s.cpu_user_s);
  number("cpu_sys_s", &s.cpu_sys_s);
  number("threads", &s.threads);
  return s;
}

// GETs the URL (blocking, 2 s timeout) and parses it; nullopt with *error on failure.
std::optional<UpstreamSample> sample_upstream(const HttpUrl& url, std::string* error);

}  // namespace plinth::bench
