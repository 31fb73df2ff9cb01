#include "admin/admin_api.h"

#include "admin/authorize.h"
#include "admin/handlers.h"
#include "admin/routes.h"
#include "core/ascii.h"
#include "gateway/exchange.h"
#include "gateway/openai_error.h"
#include "gateway/router.h"
#include "gateway/stages/authenticate.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <array>
#include <charconv>

namespace plinth::admin {

namespace asio = boost::asio;

struct AdminApi::ControlThread {
  asio::thread_pool pool{1};
  ~ControlThread() { pool.join(); }
};

namespace {

constexpr std::array<AdminHandler, static_cast<std::size_t>(Route::kCount)> kHandlers = {
    nullptr,  // kOpenApi: served without a key, below
    list_models,    create_model,    get_model,      patch_model,     delete_model,
    list_versions,  create_version,  get_version,    delete_version,  list_endpoints,
    create_endpoint, patch_endpoint, delete_endpoint, version_stats,  get_release,
    put_release,    delete_release,  release_action, history,         model_stats,
    list_releases,  apply,
};

// If-Match: "12", 12 or W/"12"; `*` means any (no precondition).
Result<std::optional<store::Revision>> parse_if_match(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty() || v == "*") return std::optional<store::Revision>();
  if (v.starts_with("W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  store::Revision r = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), r);
  if (ec != std::errc() || end != v.data() + v.size() || r < 0) {
    return Error::invalid("If-Match", "If-Match must be an ETag this API sent, e.g. \"12\"");
  }
  return std::optional<store::Revision>(r);
}

Task<void> send_error(http::ResponseWriter& writer, const Error& error) {
  const int status = gateway::http_status(error);
  const std::string body = gateway::openai_error_body(error);
  co_await writer.send(status, "application/json", body, http::kNoHeaders);
}

}  // namespace

AdminApi::AdminApi(registry::RegistryService& service, registry::CallStatsCollector& call_stats,
                   const registry::SnapshotHolder& snapshots)
    : ctx_{service, call_stats}, snapshots_(snapshots), control_(std::make_unique<ControlThread>()) {}

AdminApi::~AdminApi() = default;

void AdminApi::stop() { control_->pool.join(); }

Task<void> AdminApi::handle(const http::HttpRequest& request, http::ResponseWriter& writer) {
  const gateway::Target target = gateway::split_target(request.target);
  const MatchResult matched = match(request.method, target.path);
  if (matched.matched && matched.route == Route::kOpenApi) {
    co_await writer.send(200, "application/json", openapi_document(), http::kNoHeaders);
    co_return;
  }

  // Authenticate before telling anything about routes.
  gateway::Exchange ex;
  ex.authorization = request.authorization;
  ex.query = target.query;
  ex.snapshot = snapshots_.load();
  static const gateway::Authenticate authenticate;
  if (Status s = authenticate.on_request(ex); !s) {
    co_await send_error(writer, s.error());
    co_return;
  }
  if (!matched.matched) {
    const Error error =
        matched.path_known
            ? Error{ErrorCode::kMethodNotAllowed,
                    fmt::format("method {} is not allowed on {}", request.method.substr(0, 16),
                                target.path.substr(0, 200))}
            : Error{ErrorCode::kNotFound,
                    fmt::format("no admin route for {} {}", request.method.substr(0, 16),
                                target.path.substr(0, 200))};
    co_await send_error(writer, error);
    co_return;
  }
  if (Status s = authorize(*ex.principal, matched.route); !s) {
    co_await send_error(writer, s.error());
    co_return;
  }
  if (!request.body.empty() && !request.content_type.empty() &&
      !iequals_ascii(request.content_type.substr(0, request.content_type.find(';')),
                     "application/json")) {
    const Error error{ErrorCode::kUnsupportedMediaType,
                      fmt::format("Content-Type must be application/json, got '{}'",
                                  request.content_type.substr(0, 100))};
    co_await send_error(writer, error);
    co_return;
  }
  auto if_match = parse_if_match(request.if_match);
  if (!if_match) {
    co_await send_error(writer, if_match.error());
    co_return;
  }

  AdminRequest admin_request;
  admin_request.method = request.method;
  admin_request.params = matched.params;
  admin_request.query = target.query;
  admin_request.body = request.body;
  admin_request.if_match = *if_match;
  admin_request.actor = ex.principal->key_id;
  const AdminHandler handler = kHandlers[static_cast<std::size_t>(matched.route)];

  // The handler runs on the control thread; this coroutine resumes on its io thread.
  std::optional<Result<AdminResponse>> outcome;
  auto run = [this, handler, &admin_request, &outcome]() -> Task<void> {
    outcome.emplace(handler(ctx_, admin_request));
    co_return;
  };
  co_await asio::co_spawn(control_->pool.get_executor(), run, asio::use_awaitable);

  if (!*outcome) {
    co_await send_error(writer, outcome->error());
    co_return;
  }
  const AdminResponse& response = **outcome;
  const std::string etag = response.etag > 0 ? fmt::format("\"{}\"", response.etag) : "";
  http::HeaderList headers;
  if (!etag.empty()) headers.emplace_back("ETag", etag);
  co_await writer.send(response.status, "application/json", response.body, headers);
}

}  // namespace plinth::admin
