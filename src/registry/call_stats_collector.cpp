#include "registry/call_stats_collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
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
  // An upstream's usage is untrusted: negative counts would make the whole bucket invalid.
  b.record_call(std::max<std::int64_t>(latency_ms, 0), std::max<std::int64_t>(tokens_in, 0),
                std::max<std::int64_t>(tokens_out, 0), error);
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
  if (written) {
    unwritten_.clear();
    return written;
  }
  const ErrorCode code = written.error().code;
  if (code != ErrorCode::kNotFound && code != ErrorCode::kInvalidRequest &&
      code != ErrorCode::kConflict) {
    return written;  // the store is away: keep everything for the next flush
  }
  // The store refused some bucket (say, of a version deleted while its last calls ran): write
  // the buckets one by one and drop those it refuses, so one cannot hold back the others.
  std::size_t dropped = 0;
  for (auto it = unwritten_.begin(); it != unwritten_.end();) {
    const store::CallStats one[] = {it->second};
    Status s = store.add_call_stats(one);
    const bool refused = !s && (s.error().code == ErrorCode::kNotFound ||
                                s.error().code == ErrorCode::kInvalidRequest ||
                                s.error().code == ErrorCode::kConflict);
    if (s || refused) {
      dropped += refused ? 1 : 0;
      it = unwritten_.erase(it);
    } else {
      return s;
    }
  }
  if (dropped > 0) {
    spdlog::warn("call statistics: dropped {} buckets the store refused ({})", dropped,
                 written.error().message);
  }
  return {};
}

}  // namespace plinth::registry
