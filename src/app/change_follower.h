// ChangeFollower: a background thread that keeps this replica's snapshot in step with the
// store and writes the per-version call statistics. With PostgreSQL it LISTENs for the change
// notifications other replicas send (reloading within a second of a commit); with any store
// it also compares revisions once a second, which catches missed notifications and changes
// made by another process on the same SQLite file.
#pragma once

#include "registry/call_stats_collector.h"
#include "registry/service.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace plinth::app {

class ChangeFollower {
 public:
  ChangeFollower(registry::RegistryService& service, registry::CallStatsCollector& call_stats);
  ~ChangeFollower();  // stops the thread, after a last flush of the statistics

 private:
  void run();

  registry::RegistryService& service_;
  registry::CallStatsCollector& call_stats_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace plinth::app
