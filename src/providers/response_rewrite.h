// The fast path for a non-streamed OpenAI-compatible response: one allocation-free SAX pass
// that reads the usage and finds the top-level "model" value, then splices the public model
// name into the upstream's bytes. No JSON tree is built and nothing is re-serialised.
#pragma once

#include "providers/inference.h"

#include <optional>
#include <string_view>

namespace plinth::providers {

// The response to send (InferenceResponse::raw set, body empty), or nothing when the fast
// path does not apply and the caller must parse the body in full: malformed JSON, not an
// object, an error object, no usage (the gateway then estimates from the text), no
// top-level "model", or a model value with escapes.
std::optional<InferenceResponse> rewrite_response(std::string_view body,
                                                  std::string_view public_model);

}  // namespace plinth::providers
