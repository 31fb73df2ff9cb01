// RecordMetrics: request counts, latencies, tokens and upstream errors into Prometheus
// metrics, once the response is complete.
#pragma once

#include "gateway/gateway_metrics.h"
#include "gateway/stage.h"

#include <cstdint>

namespace plinth::gateway {

class RecordMetrics final : public Stage {
 public:
  explicit RecordMetrics(GatewayMetrics& m);
  std::string_view name() const override { return "record_metrics"; }
  void on_complete(Exchange& ex) const override;

 private:
  GatewayMetrics& m_;
  // The two phases are fixed label sets: looked up once, not per request.
  metrics::Histogram& overhead_request_;
  metrics::Histogram& overhead_response_;
  std::uint64_t id_;  // process-unique: keys the per-thread memo of label sets
};

}  // namespace plinth::gateway
