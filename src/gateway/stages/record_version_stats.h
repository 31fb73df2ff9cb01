// RecordVersionStats: adds each finished call of a store-managed model version to the
// per-version statistics (calls, errors, latency, tokens) that the admin API reports. Calls
// whose client went away are not errors of the version.
#pragma once

#include "gateway/stage.h"
#include "registry/call_stats_collector.h"

namespace plinth::gateway {

class RecordVersionStats final : public Stage {
 public:
  explicit RecordVersionStats(registry::CallStatsCollector& collector) : collector_(collector) {}
  std::string_view name() const override { return "record_version_stats"; }
  void on_complete(Exchange& ex) const override;

 private:
  registry::CallStatsCollector& collector_;
};

}  // namespace plinth::gateway
