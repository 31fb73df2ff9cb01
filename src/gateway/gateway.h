// Gateway: the data plane's http::Handler. Serves the public probes (/healthz, /readyz,
// /metrics) and runs every other request through the pipeline of its endpoint; the
// pipelines are assembled here, in one place.
#pragma once

#include "core/config.h"
#include "core/metrics.h"
#include "gateway/gateway_metrics.h"
#include "gateway/pipeline.h"
#include "gateway/provider_call.h"
#include "gateway/router.h"
#include "gateway/stages/access_log.h"
#include "gateway/stages/apply_version_params.h"
#include "gateway/stages/authenticate.h"
#include "gateway/stages/parse_body.h"
#include "gateway/stages/record_metrics.h"
#include "gateway/stages/record_version_stats.h"
#include "gateway/stages/resolve_model.h"
#include "gateway/terminals.h"
#include "http/server.h"
#include "registry/snapshot.h"

#include <atomic>
#include <functional>
#include <memory>

namespace plinth::gateway {

class Gateway final : public http::Handler {
 public:
  struct Options {
    int max_json_depth = 64;
    bool access_log = true;
    // Per-version call statistics for the admin API; none when null.
    registry::CallStatsCollector* call_stats = nullptr;
  };
  // `ready` answers /readyz (false while starting or shutting down).
  Gateway(const registry::SnapshotHolder& snapshots, metrics::Registry& registry,
          std::shared_ptr<LineLog> access_log, Options options,
          std::function<bool()> ready);

  Task<void> handle(const http::HttpRequest& request, http::ResponseWriter& writer,
                    Cancel& cancel) override;
  std::pair<int, std::string> render_error(const Error& error) override;

 private:
  const Pipeline& pipeline_for(Endpoint endpoint, RouteMatch match) const;
  // The unauthenticated probes (/healthz, /readyz, /metrics), by exact spelling.
  static bool is_probe(std::string_view path, std::string_view method);
  Task<void> serve_probe(std::string_view path, http::ResponseWriter& writer);

  const registry::SnapshotHolder& snapshots_;
  metrics::Registry& registry_;
  GatewayMetrics metrics_;
  metrics::Gauge& in_flight_;  // the series of metrics_.in_flight, looked up once
  std::function<bool()> ready_;

  // Stages and terminals, shared by all pipelines and threads.
  Authenticate authenticate_;
  ParseBody parse_body_;
  ResolveModel resolve_model_;
  ApplyVersionParams apply_version_params_;
  RecordMetrics record_metrics_;
  std::unique_ptr<RecordVersionStats> record_version_stats_;
  std::unique_ptr<AccessLog> access_log_;
  ProviderCall provider_call_;
  ListModels list_models_;
  FixedError not_found_{ErrorCode::kNotFound};
  FixedError wrong_method_{ErrorCode::kMethodNotAllowed};

  std::unique_ptr<Pipeline> inference_;
  std::unique_ptr<Pipeline> models_;
  std::unique_ptr<Pipeline> not_found_pipeline_;
  std::unique_ptr<Pipeline> wrong_method_pipeline_;
};

}  // namespace plinth::gateway
