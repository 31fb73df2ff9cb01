// Text helpers the HTTP parser tests share: printing raw message bytes, and reading them by
// RFC 9112's grammar to classify where our parsers and Beast's may part.
#pragma once

#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>

namespace plinth::http::test {

// Bytes as a C string literal would spell them, for messages.
inline std::string escaped(std::string_view bytes) {
  std::string out;
  bool after_hex = false;
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (after_hex && std::isxdigit(u)) out += "\"\"";  // "\x80" "a", not "\x80a"
    after_hex = false;
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
      after_hex = true;
    } else {
      out += c;
    }
  }
  return out;
}

// `s` without spaces and tabs around it (OWS).
inline std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether `s` holds an LF that does not end a CRLF.
inline bool has_bare_lf(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return true;
  }
  return false;
}

}  // namespace plinth::http::test
