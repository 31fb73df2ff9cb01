#include "gateway/terminals.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace plinth::gateway {

Task<void> ListModels::respond(Exchange& ex, const Pipeline&, http::ResponseWriter& writer,
                               Cancel&) const {
  constexpr std::string_view kPrefix = "/v1/models/";
  if (ex.path.size() > kPrefix.size() && ex.path.starts_with(kPrefix)) {
    const std::string_view id = ex.path.substr(kPrefix.size());
    const registry::ModelRoute* m = ex.snapshot->find_model(id);
    if (!m) {
      const Error error{ErrorCode::kModelNotFound,
                        fmt::format("The model '{}' does not exist", id.substr(0, 200)), "model"};
      co_await send_error(ex, writer, error);
      co_return;
    }
    ex.route = m;
    boost::json::object body;
    body["id"] = m->name;
    body["object"] = "model";
    body["created"] = m->created;
    body["owned_by"] = m->owned_by;
    co_await send_json(ex, writer, 200, boost::json::serialize(body));
    co_return;
  }
  co_await send_json(ex, writer, 200, ex.snapshot->models_json());
}

Task<void> FixedError::respond(Exchange& ex, const Pipeline&, http::ResponseWriter& writer,
                               Cancel&) const {
  std::string message =
      code_ == ErrorCode::kMethodNotAllowed
          ? fmt::format("method {} is not allowed on {}", ex.method.substr(0, 16),
                        ex.path.substr(0, 200))
          : fmt::format("no route for {} {}", ex.method.substr(0, 16), ex.path.substr(0, 200));
  const Error error{code_, std::move(message)};
  co_await send_error(ex, writer, error);
}

}  // namespace plinth::gateway
