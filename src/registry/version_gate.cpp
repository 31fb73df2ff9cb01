#include "registry/version_gate.h"

#include <vector>

namespace plinth::registry {

VersionGate::Ticket VersionGate::enter(std::function<void()> on_cut) {
  std::lock_guard lock(mutex_);
  if (cut_.load(std::memory_order_relaxed)) return 0;
  const Ticket t = next_++;
  running_.emplace(t, std::move(on_cut));
  return t;
}

void VersionGate::leave(Ticket ticket) {
  if (ticket == 0) return;
  std::lock_guard lock(mutex_);
  running_.erase(ticket);
}

void VersionGate::cut_all() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mutex_);
    cut_.store(true, std::memory_order_release);
    for (auto& [ticket, fn] : running_) callbacks.push_back(std::move(fn));
    running_.clear();
  }
  // Outside the lock: a callback may post work that ends up calling leave().
  for (auto& fn : callbacks) fn();
}

void VersionGate::reopen() {
  std::lock_guard lock(mutex_);
  cut_.store(false, std::memory_order_release);
}

std::size_t VersionGate::running() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

}  // namespace plinth::registry
