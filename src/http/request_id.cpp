#include "http/request_id.h"

#include <random>

namespace plinth::http {

bool is_acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string RequestIdSource::next() {
  thread_local const std::uint64_t prefix = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }();
  thread_local std::uint64_t counter = 0;
  // "req_" + 16 hex digits of the prefix + 6 of the counter (more when it outgrows them),
  // written by hand: snprintf costs more than the rest of the id's life.
  constexpr char kHex[] = "0123456789abcdef";
  const std::uint64_t n = ++counter;
  int counter_digits = 6;
  while (counter_digits < 16 && (n >> (4 * counter_digits)) != 0) ++counter_digits;
  std::string id(4 + 16 + static_cast<std::size_t>(counter_digits), '0');
  id[0] = 'r', id[1] = 'e', id[2] = 'q', id[3] = '_';
  for (int i = 0; i < 16; ++i) id[4 + i] = kHex[(prefix >> (4 * (15 - i))) & 0xf];
  for (int i = 0; i < counter_digits; ++i) {
    id[20 + i] = kHex[(n >> (4 * (counter_digits - 1 - i))) & 0xf];
  }
  return id;
}

}  // namespace plinth::http
