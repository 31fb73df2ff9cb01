// What every SAX handler for boost::json::basic_parser in Plinth shares: the size limits
// (none beyond the input's), the callbacks a scan ignores, and the keys and strings that
// arrive in pieces when they hold escapes. A handler derives from SaxScan and adds the
// on_object_*, on_array_*, on_key, on_string and number callbacks it cares about.
#pragma once

#include <boost/json/error.hpp>
#include <boost/json/string_view.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace plinth {

struct SaxScan {
  using error_code = boost::json::error_code;
  using sv = boost::json::string_view;

  constexpr static std::size_t max_object_size = std::size_t(-1);
  constexpr static std::size_t max_array_size = std::size_t(-1);
  constexpr static std::size_t max_key_size = std::size_t(-1);
  constexpr static std::size_t max_string_size = std::size_t(-1);

  std::string_view input;  // the bytes being scanned
  std::string parts;       // a key or string that came in pieces (escapes)
  bool split = false;

  // Stops the parse: the handler has seen enough (any code; callers ask only whether the
  // parse finished).
  static bool no(error_code& ec) {
    ec = boost::json::error::syntax;
    return false;
  }
  // A complete key or string: the input's own bytes, or the pieces gathered so far. Call
  // reset_parts() once done with it.
  std::string_view whole(sv last) {
    if (!split) return {last.data(), last.size()};
    parts.append(last.data(), last.size());
    return parts;
  }
  void reset_parts() {
    parts.clear();
    split = false;
  }
  // Whether `s` is a view into the input (so it stays valid after the callback).
  bool in_input(std::string_view s) const {
    return !split && s.data() >= input.data() && s.data() + s.size() <= input.data() + input.size();
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_key_part(sv s, std::size_t, error_code&) {
    parts.append(s.data(), s.size());
    split = true;
    return true;
  }
  bool on_string_part(sv s, std::size_t, error_code&) {
    parts.append(s.data(), s.size());
    split = true;
    return true;
  }
  bool on_number_part(sv, error_code&) { return true; }
  bool on_comment_part(sv, error_code&) { return true; }
  bool on_comment(sv, error_code&) { return true; }
};

inline bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// basic_parser stops after one value: true when only JSON whitespace follows it.
inline bool only_whitespace(std::string_view rest) {
  for (char c : rest) {
    if (!is_json_space(c)) return false;
  }
  return true;
}

}  // namespace plinth
