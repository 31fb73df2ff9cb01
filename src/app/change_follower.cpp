#include "app/change_follower.h"

#include "store/postgres_store.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace plinth::app {

namespace {
constexpr auto kTick = std::chrono::milliseconds(250);
constexpr int kTicksPerRevisionCheck = 4;  // once a second
constexpr int kTicksPerStatsFlush = 8;     // every 2 seconds
}  // namespace

ChangeFollower::ChangeFollower(registry::RegistryService& service,
                               registry::CallStatsCollector& call_stats)
    : service_(service), call_stats_(call_stats), thread_([this] { run(); }) {}

ChangeFollower::~ChangeFollower() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (Status s = call_stats_.flush(service_.store()); !s) {
    spdlog::warn("call statistics not written at exit: {}", s.error().message);
  }
}

void ChangeFollower::run() {
  auto* pg = dynamic_cast<store::PostgresStore*>(&service_.store());
  bool listening = false;
  bool warned = false;  // once per outage, not every tick
  for (int tick = 1;; ++tick) {
    std::vector<store::Revision> notified;
    if (pg) {
      if (!listening) {
        Status s = pg->listen();
        listening = s.ok();
        if (!s && !warned) {
          spdlog::warn("cannot listen for store changes (retrying; revisions are still "
                       "checked every second): {}",
                       s.error().message);
        }
        warned = !s.ok();
      }
      if (listening) {
        // Waits on the socket instead of the condition variable.
        auto got = pg->poll_notifications(kTick);
        if (got) {
          notified = std::move(got).value();
        } else {
          listening = false;  // reconnect next tick; the revision check catches up
        }
      }
    }
    {
      std::unique_lock lock(mutex_);
      if (!listening) wake_.wait_for(lock, kTick, [this] { return stopping_; });
      if (stopping_) return;
    }
    if (!notified.empty()) {
      if (Status s = service_.reload_if_behind(notified.back()); !s) {
        spdlog::warn("reload after a store change failed: {}", s.error().message);
      }
    }
    if (tick % kTicksPerRevisionCheck == 0) {
      auto revision = service_.store().revision();
      if (revision) {
        if (Status s = service_.reload_if_behind(*revision); !s) {
          spdlog::warn("reload failed: {}", s.error().message);
        }
      }
    }
    if (tick % kTicksPerStatsFlush == 0) {
      if (Status s = call_stats_.flush(service_.store()); !s) {
        spdlog::warn("call statistics not written yet: {}", s.error().message);
      }
    }
  }
}

}  // namespace plinth::app
