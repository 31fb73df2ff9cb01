// The mock upstream: an OpenAI-compatible model server for benchmarks that costs next to
// nothing per request. N threads, each an epoll loop owning an SO_REUSEPORT listener; bodies
// are built at start; delays (time to first token, gaps between chunks) are timers in the
// loop, never sleeping threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mock_settings.h"

namespace plinth::bench {

class MockWorker;
struct MockResponses;

class MockServer {
 public:
  // Binds every listener, then starts the threads. Returns nullptr and sets *error when the
  // settings are wrong or the address cannot be bound.
  static std::unique_ptr<MockServer> start(const MockSettings& settings, std::string* error);
  ~MockServer();  // stops and joins the threads

  uint16_t port() const { return port_; }

  // {requests, streams, chunks, aborted_streams, active_streams, connections, cpu_user_s,
  // cpu_sys_s, threads, uptime_s}. Thread-safe.
  std::string stats_json() const;

  void stop();

 private:
  MockServer();

  MockSettings settings_;
  std::unique_ptr<const MockResponses> responses_;  // outlives the workers
  uint16_t port_ = 0;
  int64_t started_ns_ = 0;
  std::vector<std::unique_ptr<MockWorker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace plinth::bench
