#include "gateway/gateway.h"

#include "gateway/openai_error.h"
#include "gateway/router.h"

namespace plinth::gateway {

Gateway::Gateway(const registry::SnapshotHolder& snapshots, metrics::Registry& registry,
                 std::shared_ptr<LineLog> access_log, Options options,
                 std::function<bool()> ready)
    : snapshots_(snapshots),
      registry_(registry),
      metrics_(registry),
      in_flight_(metrics_.in_flight.with({})),
      ready_(std::move(ready)),
      parse_body_(options.max_json_depth),
      record_metrics_(metrics_),
      provider_call_(metrics_) {
  // Completion-side stages run in reverse order: the access log line is written last, after
  // metrics, so it reflects everything the other stages decided.
  std::vector<const Stage*> observe;
  if (options.access_log && access_log) {
    access_log_ = std::make_unique<AccessLog>(std::move(access_log));
    observe.push_back(access_log_.get());
  }
  observe.push_back(&record_metrics_);
  if (options.call_stats) {
    record_version_stats_ = std::make_unique<RecordVersionStats>(*options.call_stats);
    observe.push_back(record_version_stats_.get());
  }

  auto with = [&](std::initializer_list<const Stage*> stages) {
    std::vector<const Stage*> all = observe;
    all.insert(all.end(), stages.begin(), stages.end());
    return all;
  };
  inference_ = std::make_unique<Pipeline>(with({&authenticate_, &parse_body_, &resolve_model_, &apply_version_params_}),
                                          provider_call_);
  models_ = std::make_unique<Pipeline>(with({&authenticate_}), list_models_);
  not_found_pipeline_ = std::make_unique<Pipeline>(with({&authenticate_}), not_found_);
  wrong_method_pipeline_ = std::make_unique<Pipeline>(with({&authenticate_}), wrong_method_);
}

const Pipeline& Gateway::pipeline_for(Endpoint endpoint, RouteMatch match) const {
  if (match == RouteMatch::kNotFound) return *not_found_pipeline_;
  if (match == RouteMatch::kWrongMethod) return *wrong_method_pipeline_;
  return endpoint == Endpoint::kModels ? *models_ : *inference_;
}

bool Gateway::is_probe(std::string_view path, std::string_view method) {
  return (method == "GET" || method == "HEAD") &&
         (path == "/healthz" || path == "/readyz" || path == "/metrics");
}

Task<void> Gateway::serve_probe(std::string_view path, http::ResponseWriter& writer) {
  if (path == "/healthz") {
    co_await writer.send(200, "application/json", R"({"status":"ok"})", http::kNoHeaders);
  } else if (path == "/readyz") {
    const bool ready = ready_();
    co_await writer.send(ready ? 200 : 503, "application/json",
                         ready ? R"({"status":"ready"})" : R"({"status":"not ready"})",
                         http::kNoHeaders);
  } else {
    const std::string body = registry_.render();
    co_await writer.send(200, "text/plain; version=0.0.4; charset=utf-8", body,
                         http::kNoHeaders);
  }
}

Task<void> Gateway::handle(const http::HttpRequest& request, http::ResponseWriter& writer,
                           Cancel& cancel) {
  // Probes are public only under their exact spelling; any other spelling is authenticated.
  // Checked before any coroutine starts: every request passes here.
  if (is_probe(request.target, request.method)) {
    co_await serve_probe(request.target, writer);
    co_return;
  }

  Target target = split_target(request.target);
  Exchange ex;
  ex.method = request.method;
  ex.path = target.path;
  ex.query = target.query;
  ex.body = request.body;
  ex.authorization = request.authorization;
  ex.content_type = request.content_type;
  ex.request_id = request.request_id;
  ex.snapshot = snapshots_.load();
  const RouteMatch match = match_route(ex.path, ex.method, ex.endpoint);

  in_flight_.add(1);
  co_await pipeline_for(ex.endpoint, match).run(ex, writer, cancel);
  in_flight_.add(-1);
}

std::pair<int, std::string> Gateway::render_error(const Error& error) {
  return {http_status(error), openai_error_body(error)};
}

}  // namespace plinth::gateway
