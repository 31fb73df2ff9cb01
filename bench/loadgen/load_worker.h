// One load-generator thread: an epoll loop that keeps its share of the load going, open loop
// (requests due on a fixed schedule, new keep-alive connections when all are busy) or closed
// loop (each connection sends its next request when the last one ends).
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <string>

#include "run_stats.h"

namespace plinth::bench {

struct LoadPlan {
  bool open_loop = false;
  double rate = 0;                 // open: this worker's requests per second
  int64_t schedule_offset_ns = 0;  // open: where this worker's slots fall between others'
  int64_t connections = 0;
  int64_t max_connections = 0;
  bool reuse_oldest = false;  // open: idle connections are taken first in, first out
  int64_t start_ns = 0;    // load starts (warm-up begins)
  int64_t measure_ns = 0;  // requests started from here on are measured
  int64_t end_ns = 0;      // no request starts after this
  int64_t timeout_ns = 0;
  bool stream = false;
  double abort_fraction = 0;
  int64_t expect_chunks = -1;
  sockaddr_in address{};
  const std::string* request = nullptr;  // the bytes of every request
};

class LoadWorker {
 public:
  explicit LoadWorker(const LoadPlan& plan);
  ~LoadWorker();
  LoadWorker(const LoadWorker&) = delete;
  LoadWorker& operator=(const LoadWorker&) = delete;

  // Runs the plan: until end_ns, then until requests in flight end or time out.
  RunStats run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace plinth::bench
