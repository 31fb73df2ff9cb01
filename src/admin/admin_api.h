// AdminApi: serves /admin/v1. Matches the route, authenticates the key (the gateway's own
// Authenticate stage), authorises it (authorize.h), then runs the route's handler on the
// control-plane thread: store calls are synchronous and must never block an io thread.
// Answers in the OpenAI error shape, with ETag on single records.
#pragma once

#include "admin/admin_request.h"
#include "core/task.h"
#include "http/server.h"
#include "registry/snapshot.h"

#include <memory>

namespace plinth::admin {

class AdminApi {
 public:
  AdminApi(registry::RegistryService& service, registry::CallStatsCollector& call_stats,
           const registry::SnapshotHolder& snapshots);
  ~AdminApi();

  static bool owns(std::string_view target) { return target.starts_with("/admin/"); }

  Task<void> handle(const http::HttpRequest& request, http::ResponseWriter& writer);

  // Waits for the handler running on the control thread, if any, and accepts no more. Call
  // once the server has stopped, before the io threads' contexts are destroyed.
  void stop();

 private:
  struct ControlThread;  // one thread that runs every handler, one at a time

  AdminContext ctx_;
  const registry::SnapshotHolder& snapshots_;
  std::unique_ptr<ControlThread> control_;
};

}  // namespace plinth::admin
