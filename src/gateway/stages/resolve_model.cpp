#include "gateway/stages/resolve_model.h"

#include <fmt/format.h>

namespace plinth::gateway {

Status ResolveModel::on_request(Exchange& ex) const {
  const registry::ModelRoute* route = ex.snapshot->find_model(ex.request.public_model);
  if (!route) {
    return Error{ErrorCode::kModelNotFound,
                 fmt::format("The model '{}' does not exist or you do not have access to it",
                             ex.request.public_model.substr(0, 200)),
                 "model"};
  }
  ex.route = route;
  registry::Caller caller;
  if (!route->plan.canaries.empty()) {  // only canaries look at who is calling
    if (ex.principal) {
      caller.tenant = ex.principal->tenant;
      caller.project = ex.principal->project;
      caller.user = ex.principal->user;
      caller.groups = ex.principal->groups;
      caller.key_id = ex.principal->key_id;
    }
    caller.end_user = ex.request.user;  // the OpenAI `user` field
  }
  const std::string_view chosen = registry::choose_version(route->plan, caller);
  const registry::VersionRoute* version = chosen.empty() ? nullptr : route->version(chosen);
  if (!version) {
    return Error{ErrorCode::kUnavailable,
                 fmt::format("The model '{}' has no version in service", route->name)};
  }
  ex.version = version;
  ex.provider = version->pick();
  if (!ex.provider) {
    return Error{ErrorCode::kUnavailable,
                 fmt::format("Version '{}' of model '{}' has no endpoint with a weight above 0",
                             version->name, route->name)};
  }
  ex.request.upstream_model = version->upstream_model;
  return {};
}

}  // namespace plinth::gateway
