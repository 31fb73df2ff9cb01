#include "core/json_text.h"

#include <boost/json/value.hpp>

#include <cmath>

namespace plinth {

std::int64_t json_integer_or(const boost::json::value& v, std::int64_t fallback) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    return v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)
               ? static_cast<std::int64_t>(v.get_uint64())
               : fallback;
  }
  if (v.is_double() && std::isfinite(v.get_double()) && std::abs(v.get_double()) < 9.2e18) {
    return static_cast<std::int64_t>(v.get_double());
  }
  return fallback;
}


void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

}  // namespace plinth
