// Validation of OpenAI request bodies into the canonical InferenceRequest. Every error names
// the field and what was expected ("temperature must be between 0 and 2, got 7.5").
#pragma once

#include "core/result.h"
#include "providers/inference.h"

#include <boost/json/object.hpp>

namespace plinth::gateway {

Result<providers::InferenceRequest> validate_chat(boost::json::object body);
Result<providers::InferenceRequest> validate_completion(boost::json::object body);
Result<providers::InferenceRequest> validate_embedding(boost::json::object body);

}  // namespace plinth::gateway
