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
  ex.request.upstream_model = route->upstream_model;
  return {};
}

}  // namespace plinth::gateway
