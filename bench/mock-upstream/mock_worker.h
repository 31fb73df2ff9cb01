// One thread of the mock upstream: an epoll loop that owns an SO_REUSEPORT listener, its
// connections and a timer heap (time to first token, gaps between chunks), so thousands of
// slow streams need no thread of their own.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "mock_settings.h"

namespace plinth::bench {

struct MockResponses;

// One worker's counters. Written by that worker only, read by /stats from any thread.
struct alignas(64) MockCounters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> streams{0};
  std::atomic<uint64_t> chunks{0};
  std::atomic<uint64_t> aborted_streams{0};  // client left before the stream ended
  std::atomic<int64_t> active_streams{0};
  std::atomic<int64_t> connections{0};
};

class MockWorker {
 public:
  // Takes ownership of `listen_fd`. `settings` and `responses` must outlive the worker;
  // `stats_json` answers GET /stats.
  MockWorker(int listen_fd, const MockSettings& settings, const MockResponses& responses,
             std::function<std::string()> stats_json);
  ~MockWorker();

  void run();   // serves until stop()
  void stop();  // thread-safe
  const MockCounters& counters() const;

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace plinth::bench
