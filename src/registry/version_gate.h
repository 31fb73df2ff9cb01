// VersionGate: lets the control plane cut every request running on one model version at once
// (force offline). One gate per version, shared by every snapshot that routes to it, so a
// request admitted under an older snapshot is cut too. Requests enter with a callback that
// cancels them on their own thread; the gate never touches a request's state itself.
// Requests register in one of several shards chosen by thread, so io threads entering the
// same version do not contend on one lock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace plinth::registry {

class VersionGate {
 public:
  using Ticket = std::uint64_t;  // 0 = not admitted

  bool is_cut() const { return cut_.load(std::memory_order_acquire); }

  // Registers a running request; `on_cut` runs (on the cutting thread) if the version is cut
  // before leave(). Returns 0, registering nothing, when the version is already cut.
  Ticket enter(std::function<void()> on_cut);
  void leave(Ticket ticket);

  // Marks the version cut and runs every registered callback. New enter() calls fail until
  // reopen().
  void cut_all();
  void reopen();

  std::size_t running() const;

 private:
  static constexpr std::size_t kShards = 8;
  struct Shard {
    mutable std::mutex mutex;
    std::uint64_t next = 1;
    std::unordered_map<Ticket, std::function<void()>> running;
  };

  std::atomic<bool> cut_{false};
  std::array<Shard, kShards> shards_;
};

}  // namespace plinth::registry
