// JSON output for `-o json`: the API's answer, indented two spaces, keys in the order the
// server sent them, numbers in their shortest round-trip form.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace plinth::ctl {

std::string pretty_json(const boost::json::value& value);

// The same on one line, without spaces and without the trailing newline (for table cells).
std::string compact_json(const boost::json::value& value);

}  // namespace plinth::ctl
