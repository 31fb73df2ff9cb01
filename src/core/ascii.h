// ASCII helpers for protocol tokens (header values, schemes, media types). Locale-free on
// purpose: std::locale-based comparisons cost a dynamic_cast per character on the hot path.
#pragma once

#include <string_view>

namespace plinth {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

constexpr bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace plinth
