// What an admin handler receives and returns, and the services it works with. Handlers are
// plain synchronous functions: the admin API runs them on the control-plane thread, never on
// an io thread, because the store is synchronous.
#pragma once

#include "admin/router.h"
#include "core/result.h"
#include "registry/call_stats_collector.h"
#include "registry/service.h"
#include "store/records.h"

#include <optional>
#include <string>

namespace plinth::admin {

struct AdminRequest {
  PathParams params;
  std::string query;  // raw, without '?'
  std::string body;
  std::optional<store::Revision> if_match;
  std::string actor;  // the admin key's id: who to record in the history

  const std::string& param(const std::string& name) const;
  // The decoded value of a query parameter; nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct AdminResponse {
  int status = 200;
  std::string body;
  store::Revision etag = 0;  // sent as ETag: "<revision>" when > 0
};

struct AdminContext {
  registry::RegistryService& service;
  registry::CallStatsCollector& call_stats;
};

using AdminHandler = Result<AdminResponse> (*)(AdminContext&, const AdminRequest&);

}  // namespace plinth::admin
