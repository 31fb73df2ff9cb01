// Pipeline: the stages of one endpoint, in order, ending in a Terminal that produces the
// response (a provider call, the model list, a 404). Pipelines are assembled in one place
// (gateway.cpp); adding a stage is a local change there.
#pragma once

#include "core/cancel.h"
#include "core/task.h"
#include "gateway/stage.h"
#include "http/server.h"

#include <vector>

namespace plinth::gateway {

class Pipeline;

class Terminal {
 public:
  virtual ~Terminal() = default;
  // Produces the response; sets ex.status (and ex.error on failure).
  virtual Task<void> respond(Exchange& ex, const Pipeline& pipeline, http::ResponseWriter& writer,
                             Cancel& cancel) const = 0;
};

class Pipeline {
 public:
  Pipeline(std::vector<const Stage*> stages, const Terminal& terminal);

  Task<void> run(Exchange& ex, http::ResponseWriter& writer, Cancel& cancel) const;

  // The chunk side of every ChunkStage, for terminals that stream.
  Status on_chunk(Exchange& ex, boost::json::object& chunk) const;
  // Whether any stage looks at streamed chunks (else they may pass as text).
  bool reads_chunks() const { return !chunk_stages_.empty(); }

 private:
  std::vector<const Stage*> stages_;
  std::vector<const ChunkStage*> chunk_stages_;
  const Terminal& terminal_;
};

// The headers every response of an exchange carries once its model version is chosen:
// x-plinth-model-version and x-plinth-config-revision. Empty before that.
http::HeaderList version_headers(const Exchange& ex);

// Sends a JSON response and records the status on the exchange.
Task<void> send_json(Exchange& ex, http::ResponseWriter& writer, int status,
                     std::string_view body);
// Sends `error` in the OpenAI error shape with its status; records both on the exchange.
// Pass a named Error: g++ 12 destroys braced temporaries handed to coroutines twice.
Task<void> send_error(Exchange& ex, http::ResponseWriter& writer, const Error& error);

}  // namespace plinth::gateway
