// CallStatsCollector: per-version call statistics gathered on the data plane and written to
// the store in batches (DESIGN.md §2: the data plane never waits on the database). Each io
// thread adds into its own shard (an uncontended lock); flush() drains every shard, merges
// the buckets by (version, minute) and adds them to the store in one atomic write. Buckets a
// failed write could not store are kept for the next flush.
#pragma once

#include "store/store.h"

#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace plinth::registry {

class CallStatsCollector {
 public:
  CallStatsCollector();

  // One finished call of a store version. `at_ms`: when it finished (unix milliseconds).
  void record(store::VersionId version, store::UnixMillis at_ms, std::int64_t latency_ms,
              std::int64_t tokens_in, std::int64_t tokens_out, bool error);

  // Writes everything recorded so far. Thread-safe; one flush at a time.
  Status flush(store::Store& store);

 private:
  using Key = std::pair<store::VersionId, store::UnixMillis>;
  struct Shard {
    std::mutex mutex;
    std::map<Key, store::CallStats> buckets;
  };
  Shard& local_shard();

  // Identifies this collector in each thread's shard table (an address could be reused by a
  // later collector, which would then miss the shard).
  const std::uint64_t id_;

  std::mutex shards_mutex_;
  std::vector<std::shared_ptr<Shard>> shards_;
  std::mutex flush_mutex_;
  std::map<Key, store::CallStats> unwritten_;  // under flush_mutex_
};

}  // namespace plinth::registry
