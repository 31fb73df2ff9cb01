// ProviderCall: the terminal of the inference pipelines. Calls the route's provider, streams
// chunks to the client as they arrive (SSE), and makes sure usage is never lost: it records
// the backend's usage whether or not the client asked for it, forwards the usage chunk only
// when asked, and estimates tokens itself when the backend reports none.
#pragma once

#include "gateway/gateway_metrics.h"
#include "gateway/pipeline.h"

namespace plinth::gateway {

class ProviderCall final : public Terminal {
 public:
  explicit ProviderCall(GatewayMetrics& metrics) : metrics_(metrics) {}
  Task<void> respond(Exchange& ex, const Pipeline& pipeline, http::ResponseWriter& writer,
                     Cancel& cancel) const override;

 private:
  Task<void> call(Exchange& ex, http::ResponseWriter& writer, Cancel& cancel) const;
  Task<void> stream(Exchange& ex, const Pipeline& pipeline, http::ResponseWriter& writer,
                    Cancel& cancel) const;
  GatewayMetrics& metrics_;
};

}  // namespace plinth::gateway
