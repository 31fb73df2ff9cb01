#include "registry/version_gate.h"

#include <thread>
#include <vector>

namespace plinth::registry {

namespace {

// A ticket carries its shard in the low bits.
constexpr unsigned kShardBits = 3;

std::size_t this_thread_shard(std::size_t shards) {
  thread_local const std::size_t shard = std::hash<std::thread::id>{}(std::this_thread::get_id());
  return shard % shards;
}

}  // namespace

VersionGate::Ticket VersionGate::enter(std::function<void()> on_cut) {
  static_assert(kShards <= (1u << kShardBits));
  const std::size_t s = this_thread_shard(kShards);
  Shard& shard = shards_[s];
  std::lock_guard lock(shard.mutex);
  // Checked under the shard's lock: cut_all() sets the flag before it takes the shards' locks,
  // so a request either sees the cut here or is in the map when cut_all() sweeps it.
  if (cut_.load(std::memory_order_acquire)) return 0;
  const Ticket t = (shard.next++ << kShardBits) | s;
  shard.running.emplace(t, std::move(on_cut));
  return t;
}

void VersionGate::leave(Ticket ticket) {
  if (ticket == 0) return;
  Shard& shard = shards_[ticket & ((1u << kShardBits) - 1)];
  std::lock_guard lock(shard.mutex);
  shard.running.erase(ticket);
}

void VersionGate::cut_all() {
  cut_.store(true, std::memory_order_release);
  std::vector<std::function<void()>> callbacks;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (auto& [ticket, fn] : shard.running) callbacks.push_back(std::move(fn));
    shard.running.clear();
  }
  // Outside the locks: a callback may post work that ends up calling leave().
  for (auto& fn : callbacks) fn();
}

void VersionGate::reopen() { cut_.store(false, std::memory_order_release); }

std::size_t VersionGate::running() const {
  std::size_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.running.size();
  }
  return n;
}

}  // namespace plinth::registry
