// The fast path for chat and completion bodies: one SAX pass (no JSON tree) that accepts the
// common shape of a request, fills the typed view and notes where "model" sits, so that an
// OpenAI-compatible upstream gets the client's bytes with the model swapped in.
//
// It only ever accepts: anything it does not recognise as valid (content parts, prompt arrays,
// a value out of range, a repeated field, malformed JSON...) returns nothing and the caller
// runs the full validator, which builds the tree and words the error. So the two paths cannot
// disagree on what is valid, only on how fast they get there.
#pragma once

#include "providers/inference.h"

#include <optional>
#include <string>
#include <string_view>

namespace plinth::gateway {

// `body` must outlive the returned request (its raw_body() points into it).
std::optional<providers::InferenceRequest> accept_fast(providers::Operation op,
                                                       std::string_view body, int max_depth);
std::optional<providers::InferenceRequest> accept_fast(providers::Operation, std::string&&,
                                                       int) = delete;  // would dangle

}  // namespace plinth::gateway
