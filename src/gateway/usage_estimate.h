// Plinth's own token counts for backends that report no usage (marked estimated).
#pragma once

#include "providers/inference.h"

#include <boost/json/object.hpp>

#include <cstdint>

namespace plinth::gateway {

// Tokens of the prompt: chat message texts, completion prompt strings, embedding inputs.
std::int64_t estimate_prompt_tokens(const providers::InferenceRequest& request);

// Tokens of the generated text in a complete response (message.content or text per choice).
std::int64_t estimate_output_tokens(const boost::json::object& response);

// Tokens of the text a stream chunk adds (delta.content or text per choice).
std::int64_t estimate_chunk_tokens(const boost::json::object& chunk);

}  // namespace plinth::gateway
