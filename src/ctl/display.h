// How API values read in tables: absent and null as "-", lists comma-joined, a release as
// "stable v1, canary v2 10%".
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace plinth::ctl {

// A value as table text: strings as they are, numbers in shortest form, arrays of scalars
// joined with ", ", objects and nested arrays as compact JSON, null or absent as "-".
std::string display_text(const boost::json::value* value);
std::string display_field(const boost::json::object& object, std::string_view key);
// Same for a value that may not be an object (a malformed answer shows "-" everywhere).
std::string display_field(const boost::json::value& object, std::string_view key);

// object[key], or a null value when `object` is not an object or has no such key.
const boost::json::value& member(const boost::json::value& object, std::string_view key);

// A number (integer or double) as a double; `fallback` when absent or not a number.
double number_field(const boost::json::value& object, std::string_view key, double fallback = 0);

// One canary rule: "v2 10%", with its match lists when any: "v2 10% (groups beta; users u1)".
std::string canary_summary(const boost::json::value& canary);

// A Release in one line: "stable v1, canary v2 10%", plus ", paused" and ", offline v0" when
// they apply; "none" for null (no release).
std::string release_summary(const boost::json::value& release);

// 0.0123 -> "1.23%".
std::string format_rate(double fraction);

}  // namespace plinth::ctl
