// The small terminals: the model list, 404 and 405.
#pragma once

#include "gateway/pipeline.h"

namespace plinth::gateway {

// GET /v1/models and /v1/models/{id}.
class ListModels final : public Terminal {
 public:
  Task<void> respond(Exchange& ex, const Pipeline& pipeline, http::ResponseWriter& writer,
                     Cancel& cancel) const override;
};

// Answers a fixed error (route not found, method not allowed).
class FixedError final : public Terminal {
 public:
  explicit FixedError(ErrorCode code) : code_(code) {}
  Task<void> respond(Exchange& ex, const Pipeline& pipeline, http::ResponseWriter& writer,
                     Cancel& cancel) const override;

 private:
  ErrorCode code_;
};

}  // namespace plinth::gateway
