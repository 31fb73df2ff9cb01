// AdminApi: serves /admin/v1. Matches the route, authenticates the key (the gateway's own
// Authenticate stage), authorises it (authorize.h), then runs the route's handler on the
// control-plane thread: store calls are synchronous and must never block an io thread.
// Answers in the OpenAI error shape, with ETag on single records. Every call is logged as one
// JSON line (type "admin") on the access log: who (key id), what, the status.
#pragma once

#include "admin/admin_request.h"
#include "admin/router.h"
#include "core/task.h"
#include "http/server.h"
#include "registry/snapshot.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace plinth {
class LineLog;
}
namespace plinth::gateway {
struct Exchange;
}

namespace plinth::admin {

class AdminApi {
 public:
  // `access_logger`: where each call's line goes; none when null.
  AdminApi(registry::RegistryService& service, registry::CallStatsCollector& call_stats,
           const registry::SnapshotHolder& snapshots,
           std::shared_ptr<LineLog> access_log);
  ~AdminApi();

  static bool owns(std::string_view target) { return target.starts_with("/admin/"); }

  Task<void> handle(const http::HttpRequest& request, http::ResponseWriter& writer);

  // Waits for the handler running on the control thread, if any, and accepts no more. Call
  // once the server has stopped, before the io threads' contexts are destroyed.
  void stop();

 private:
  Status admit(const http::HttpRequest& request, const MatchResult& matched,
               std::string_view path, gateway::Exchange& ex, AdminRequest& admin_request) const;

  struct ControlThread;  // one thread that runs every handler, one at a time

  AdminContext ctx_;
  const registry::SnapshotHolder& snapshots_;
  std::shared_ptr<LineLog> access_log_;
  std::unique_ptr<ControlThread> control_;
};

// The admin call's log line (no trailing newline). Exposed for tests.
std::string admin_log_line(const http::HttpRequest& request, std::string_view path,
                           const tenancy::Principal* principal, int status,
                           std::int64_t latency_us, const Error* error);

}  // namespace plinth::admin
