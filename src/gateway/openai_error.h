// The one place where an Error becomes an HTTP status and an OpenAI error body:
// {"error":{"message","type","param","code"}}.
#pragma once

#include "core/result.h"

#include <string>

namespace plinth::gateway {

int http_status(const Error& error);
std::string openai_error_body(const Error& error);

}  // namespace plinth::gateway
