// RecordMetrics: request counts, latencies, tokens and upstream errors into Prometheus
// metrics, once the response is complete.
#pragma once

#include "gateway/gateway_metrics.h"
#include "gateway/stage.h"

namespace plinth::gateway {

class RecordMetrics final : public Stage {
 public:
  explicit RecordMetrics(GatewayMetrics& m) : m_(m) {}
  std::string_view name() const override { return "record_metrics"; }
  void on_complete(Exchange& ex) const override;

 private:
  GatewayMetrics& m_;
};

}  // namespace plinth::gateway
