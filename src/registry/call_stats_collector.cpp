#include "registry/call_stats_collector.h"

#include <atomic>

namespace plinth::registry {

namespace {

void add_into(store::CallStats& into, const store::CallStats& from) {
  into.calls += from.calls;
  into.errors += from.errors;
  into.latency_ms_sum += from.latency_ms_sum;
  for (std::size_t i = 0; i < into.latency_buckets.size(); ++i) {
    into.latency_buckets[i] += from.latency_buckets[i];
  }
  into.tokens_in += from.tokens_in;
  into.tokens_out += from.tokens_out;
}

}  // namespace

CallStatsCollector::CallStatsCollector() : id_([] {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}()) {}

CallStatsCollector::Shard& CallStatsCollector::local_shard() {
  // One shard per (collector, thread). A server has one collector; tests make several.
  thread_local std::map<std::uint64_t, std::shared_ptr<Shard>> mine;
  auto& shard = mine[id_];
  if (!shard) {
    shard = std::make_shared<Shard>();
    std::lock_guard lock(shards_mutex_);
    shards_.push_back(shard);
  }
  return *shard;
}

void CallStatsCollector::record(store::VersionId version, store::UnixMillis at_ms,
                                std::int64_t latency_ms, std::int64_t tokens_in,
                                std::int64_t tokens_out, bool error) {
  const store::UnixMillis minute = at_ms - at_ms % 60'000;
  Shard& shard = local_shard();
  std::lock_guard lock(shard.mutex);
  store::CallStats& b = shard.buckets[{version, minute}];
  b.version_id = version;
  b.window_start = minute;
  b.record_call(latency_ms, tokens_in, tokens_out, error);
}

Status CallStatsCollector::flush(store::Store& store) {
  std::lock_guard flush_lock(flush_mutex_);
  std::vector<std::shared_ptr<Shard>> shards;
  {
    std::lock_guard lock(shards_mutex_);
    shards = shards_;
  }
  for (const auto& shard : shards) {
    std::map<Key, store::CallStats> taken;
    {
      std::lock_guard lock(shard->mutex);
      taken.swap(shard->buckets);
    }
    for (const auto& [key, stats] : taken) {
      auto [it, fresh] = unwritten_.try_emplace(key, stats);
      if (!fresh) add_into(it->second, stats);
    }
  }
  if (unwritten_.empty()) return {};
  std::vector<store::CallStats> batch;
  batch.reserve(unwritten_.size());
  for (const auto& [key, stats] : unwritten_) batch.push_back(stats);
  Status written = store.add_call_stats(batch);
  if (written) unwritten_.clear();
  return written;
}

}  // namespace plinth::registry
