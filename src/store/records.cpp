// CallStats helpers: filling a bucket and reading quantiles from its histogram.
#include "store/records.h"

#include <algorithm>
#include <cmath>

namespace plinth::store {

void CallStats::record_call(std::int64_t latency_ms, std::int64_t in, std::int64_t out,
                            bool error) {
  ++calls;
  if (error) ++errors;
  latency_ms_sum += latency_ms;
  tokens_in += in;
  tokens_out += out;
  const auto* bound =
      std::lower_bound(kLatencyBoundsMs.begin(), kLatencyBoundsMs.end(), latency_ms);
  ++latency_buckets[static_cast<std::size_t>(bound - kLatencyBoundsMs.begin())];
}

std::int64_t CallStats::latency_quantile_ms(double q) const {
  std::int64_t total = 0;
  for (auto n : latency_buckets) total += n;
  if (total == 0) return 0;
  const auto rank = static_cast<std::int64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * total));
  std::int64_t seen = 0;
  for (std::size_t i = 0; i < kLatencyBoundsMs.size(); ++i) {
    seen += latency_buckets[i];
    if (seen >= std::max<std::int64_t>(rank, 1)) return kLatencyBoundsMs[i];
  }
  return kLatencyBoundsMs.back();
}

}  // namespace plinth::store
