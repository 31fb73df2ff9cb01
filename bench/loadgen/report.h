// The load generator's result: one JSON object (schema in README.md).
#pragma once

#include <optional>
#include <string>

#include "options.h"
#include "run_stats.h"
#include "upstream_stats.h"

namespace plinth::bench {

// What was measured around the workers, over the measured window.
struct RunContext {
  double window_s = 0;
  double loadgen_cpu_s = 0;
  std::optional<UpstreamSample> upstream_before, upstream_after;
  std::optional<UpstreamSample> upstream_settled;  // after the run, once the mock caught up
  std::string upstream_error;
};

std::string report_json(const LoadOptions& options, const LoadTarget& target, const RunStats& stats,
                        const RunContext& context);

}  // namespace plinth::bench
