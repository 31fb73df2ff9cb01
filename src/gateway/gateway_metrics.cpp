#include "gateway/gateway_metrics.h"

namespace plinth::gateway {

GatewayMetrics::GatewayMetrics(metrics::Registry& r)
    // `version`: the model version that served (x-plinth-model-version), so a canary's error
    // rate and latency can be compared with the stable version's; empty before one is chosen.
    : requests(r.counter("plinth_requests_total",
                         "Requests handled, by model, version, endpoint and status",
                         {"model", "version", "endpoint", "status"})),
      duration(r.histogram("plinth_request_duration_seconds",
                           "Time from request received to response complete",
                           {"model", "version", "endpoint"})),
      ttft(r.histogram("plinth_time_to_first_token_seconds",
                       "Time from request received to the first streamed chunk sent",
                       {"model", "version"})),
      upstream(r.histogram("plinth_upstream_duration_seconds",
                           "Time from upstream request sent to upstream response headers",
                           {"model", "endpoint"})),
      tokens(r.counter("plinth_tokens_total", "Tokens in (prompt) and out (completion)",
                       {"model", "direction", "estimated"})),
      in_flight(r.gauge("plinth_in_flight_requests", "Requests being handled", {})),
      in_flight_streams(r.gauge("plinth_in_flight_streams", "SSE streams open to clients", {})),
      upstream_errors(r.counter("plinth_upstream_errors_total",
                                "Upstream failures by kind (unreachable, timeout, error)",
                                {"model", "version", "kind"})),
      overhead(r.histogram(
          "plinth_gateway_overhead_seconds",
          "Plinth's own processing time per request (streams: to the first chunk), by phase",
          {"phase"}, metrics::overhead_buckets())) {}

}  // namespace plinth::gateway
