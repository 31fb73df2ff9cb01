// Writing JSON text by hand where building a Boost.JSON value first would cost more than the
// data is worth (access log lines, request bodies assembled field by field).
#pragma once

#include <string>
#include <string_view>

namespace plinth {

// Appends `s` as a JSON string literal: quotes, backslashes and control characters are
// escaped; other bytes (UTF-8) pass through unchanged.
void append_json_string(std::string& out, std::string_view s);

}  // namespace plinth
