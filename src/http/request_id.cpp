#include "http/request_id.h"

#include <cstdio>
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
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "req_%016llx%06llx",
                              static_cast<unsigned long long>(prefix),
                              static_cast<unsigned long long>(++counter));
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace plinth::http
