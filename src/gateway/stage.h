// Stage: one small step of the data-plane pipeline (Envoy's filter, made smaller). A stage
// may act on the request before the provider call, on each streamed chunk, and after the
// response was sent. Stages are shared by all threads and hold no per-request state; what
// they decide goes on the Exchange.
#pragma once

#include "core/result.h"
#include "gateway/exchange.h"

#include <boost/json/object.hpp>

#include <string_view>

namespace plinth::gateway {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;

  // Before the provider call, in pipeline order. An error stops the pipeline; it is answered
  // in the OpenAI error shape and the completion side still runs.
  virtual Status on_request(Exchange&) const { return {}; }


  // After the response (or error) was sent, in reverse order; always runs.
  virtual void on_complete(Exchange&) const {}
};

// A stage that also sees each streamed chunk before it is sent, in pipeline order. An error
// ends the stream with an SSE error event. Only pipelines with a ChunkStage build a tree for
// every chunk; the others relay plain chunks as the provider's text.
class ChunkStage : public Stage {
 public:
  virtual Status on_chunk(Exchange&, boost::json::object&) const = 0;
};

}  // namespace plinth::gateway
