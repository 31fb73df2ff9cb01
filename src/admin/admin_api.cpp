#include "admin/admin_api.h"

#include "admin/authorize.h"
#include "admin/handlers.h"
#include "admin/routes.h"
#include "core/ascii.h"
#include "core/json_line.h"
#include "gateway/exchange.h"
#include "gateway/openai_error.h"
#include "gateway/router.h"
#include "gateway/stages/authenticate.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include "core/line_log.h"

#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <chrono>

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

}  // namespace

AdminApi::AdminApi(registry::RegistryService& service, registry::CallStatsCollector& call_stats,
                   const registry::SnapshotHolder& snapshots,
                   std::shared_ptr<LineLog> access_log)
    : ctx_{service, call_stats},
      snapshots_(snapshots),
      access_log_(std::move(access_log)),
      control_(std::make_unique<ControlThread>()) {}

AdminApi::~AdminApi() = default;

void AdminApi::stop() { control_->pool.join(); }

// Everything before the handler, on the io thread: authentication (before anything about
// routes is told), route, authorisation, content type, If-Match.
Status AdminApi::admit(const http::HttpRequest& request, const MatchResult& matched,
                       std::string_view path, gateway::Exchange& ex,
                       AdminRequest& admin_request) const {
  static const gateway::Authenticate authenticate;
  if (Status s = authenticate.on_request(ex); !s) return s;
  if (!matched.matched) {
    return matched.path_known
               ? Error{ErrorCode::kMethodNotAllowed,
                       fmt::format("method {} is not allowed on {}", request.method.substr(0, 16),
                                   path.substr(0, 200))}
               : Error{ErrorCode::kNotFound,
                       fmt::format("no admin route for {} {}", request.method.substr(0, 16),
                                   path.substr(0, 200))};
  }
  if (Status s = authorize(*ex.principal, matched.route); !s) return s;
  if (!request.body.empty() && !request.content_type.empty() &&
      !iequals_ascii(request.content_type.substr(0, request.content_type.find(';')),
                     "application/json")) {
    return Error{ErrorCode::kUnsupportedMediaType,
                 fmt::format("Content-Type must be application/json, got '{}'",
                             request.content_type.substr(0, 100))};
  }
  auto if_match = parse_if_match(request.if_match);
  if (!if_match) return if_match.error();
  admin_request.params = matched.params;
  admin_request.query = ex.query;
  admin_request.body = request.body;
  admin_request.if_match = *if_match;
  admin_request.actor = ex.principal->key_id;
  return {};
}

Task<void> AdminApi::handle(const http::HttpRequest& request, http::ResponseWriter& writer) {
  const auto started = std::chrono::steady_clock::now();
  const gateway::Target target = gateway::split_target(request.target);
  const MatchResult matched = match(request.method, target.path);
  if (matched.matched && matched.route == Route::kOpenApi) {
    co_await writer.send(200, "application/json", openapi_document(), http::kNoHeaders);
    co_return;
  }

  gateway::Exchange ex;
  ex.authorization = request.authorization;
  ex.query = target.query;
  ex.snapshot = snapshots_.load();
  AdminRequest admin_request;
  std::optional<Result<AdminResponse>> outcome;
  if (Status admitted = admit(request, matched, target.path, ex, admin_request); !admitted) {
    outcome.emplace(admitted.error());
  } else {
    // The handler runs on the control thread; this coroutine resumes on its io thread.
    const AdminHandler handler = kHandlers[static_cast<std::size_t>(matched.route)];
    auto run = [this, handler, &admin_request, &outcome]() -> Task<void> {
      outcome.emplace(handler(ctx_, admin_request));
      co_return;
    };
    co_await asio::co_spawn(control_->pool.get_executor(), run, asio::use_awaitable);
  }

  int status = 0;
  std::string body;
  std::string etag;
  if (*outcome) {
    status = (*outcome)->status;
    body = std::move((*outcome)->body);
    if ((*outcome)->etag > 0) etag = fmt::format("\"{}\"", (*outcome)->etag);
  } else {
    status = gateway::http_status(outcome->error());
    body = gateway::openai_error_body(outcome->error());
  }
  http::HeaderList headers;
  if (!etag.empty()) headers.emplace_back("ETag", etag);
  co_await writer.send(status, "application/json", body, headers);

  if (access_log_) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    access_log_->write(admin_log_line(request, target.path, ex.principal, status, micros,
                                        *outcome ? nullptr : &outcome->error()));
  }
}

std::string admin_log_line(const http::HttpRequest& request, std::string_view path,
                           const tenancy::Principal* principal, int status,
                           std::int64_t latency_us, const Error* error) {
  std::string out;
  JsonLineWriter w(out);
  w.num("ts", std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count());
  w.str("type", "admin");
  w.str("request_id", request.request_id);
  w.str("method", request.method);
  w.str("path", path);
  w.str_or_null("key_id", principal ? &principal->key_id : nullptr);
  w.num("status", status);
  w.num("latency_us", latency_us);
  if (error) {
    w.str("error", error_code_name(error->code));
    w.str("error_message", std::string_view(error->message).substr(0, 300));
  }
  w.close();
  return out;
}

}  // namespace plinth::admin
