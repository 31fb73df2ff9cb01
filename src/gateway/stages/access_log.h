// AccessLog: one JSON line per request (request id, key id — never the key — model,
// status, tokens, latencies), handed to a LineLog that writes them in batches.
#pragma once

#include "gateway/stage.h"

#include <memory>

namespace plinth {
class LineLog;
}

namespace plinth::gateway {

class AccessLog final : public Stage {
 public:
  explicit AccessLog(std::shared_ptr<LineLog> log) : log_(std::move(log)) {}
  std::string_view name() const override { return "access_log"; }
  void on_complete(Exchange& ex) const override;

 private:
  std::shared_ptr<LineLog> log_;
};

// Renders the access log line (no trailing newline). Exposed for tests.
std::string access_log_line(const Exchange& ex);

}  // namespace plinth::gateway
