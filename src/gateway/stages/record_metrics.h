// RecordMetrics: request counts, latencies, tokens and upstream errors into Prometheus
// metrics, once the response is complete.
#pragma once

#include "gateway/gateway_metrics.h"
#include "gateway/stage.h"

namespace plinth::gateway {

class RecordMetrics final : public Stage {
 public:
  explicit RecordMetrics(GatewayMetrics& m)
      : m_(m),
        overhead_request_(m.overhead.with({"request"})),
        overhead_response_(m.overhead.with({"response"})) {}
  std::string_view name() const override { return "record_metrics"; }
  void on_complete(Exchange& ex) const override;

 private:
  GatewayMetrics& m_;
  // The two phases are fixed label sets: looked up once, not per request.
  metrics::Histogram& overhead_request_;
  metrics::Histogram& overhead_response_;
};

}  // namespace plinth::gateway
