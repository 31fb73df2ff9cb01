// The data plane's Prometheus metrics, declared once in one place.
#pragma once

#include "core/metrics.h"

namespace plinth::gateway {

struct GatewayMetrics {
  explicit GatewayMetrics(metrics::Registry& r);

  metrics::Family<metrics::Counter>& requests;         // model, endpoint, status
  metrics::Family<metrics::Histogram>& duration;       // model, endpoint
  metrics::Family<metrics::Histogram>& ttft;           // model
  metrics::Family<metrics::Histogram>& upstream;       // model, endpoint
  metrics::Family<metrics::Counter>& tokens;           // model, direction, estimated
  metrics::Family<metrics::Gauge>& in_flight;          // (none)
  metrics::Family<metrics::Gauge>& in_flight_streams;  // (none)
  metrics::Family<metrics::Counter>& upstream_errors;  // model, kind
  // Plinth's own processing time of a call: request parsed -> the upstream write begins,
  // less time spent opening connections (phase="request"); upstream response read, or a
  // stream's first event, -> the client write that carries it begins (phase="response").
  metrics::Family<metrics::Histogram>& overhead;  // phase
};

}  // namespace plinth::gateway
