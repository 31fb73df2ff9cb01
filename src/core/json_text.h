// Writing JSON text by hand where building a Boost.JSON value first would cost more than the
// data is worth (access log lines, request bodies assembled field by field).
#pragma once

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace plinth {

// Appends `s` as a JSON string literal: quotes, backslashes and control characters are
// escaped; other bytes (UTF-8) pass through unchanged.
void append_json_string(std::string& out, std::string_view s);

// A JSON number as a whole number without throwing (Boost.JSON's to_number<int64_t>() throws on
// 1.5): fractions are truncated; anything else (not a number, out of range) gives `fallback`.
std::int64_t json_integer_or(const boost::json::value& v, std::int64_t fallback);

}  // namespace plinth
