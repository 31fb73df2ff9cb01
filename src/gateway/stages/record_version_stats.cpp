#include "gateway/stages/record_version_stats.h"

#include <chrono>

namespace plinth::gateway {

void RecordVersionStats::on_complete(Exchange& ex) const {
  if (!ex.version || ex.version->id == 0) return;  // config models have no store record
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const auto latency_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ex.finished - ex.started).count();
  const bool error = ex.error.has_value() && !ex.client_gone;
  collector_.record(ex.version->id, now, latency_ms, ex.usage ? ex.usage->prompt_tokens : 0,
                    ex.usage ? ex.usage->completion_tokens : 0, error);
}

}  // namespace plinth::gateway
