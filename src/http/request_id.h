// Request ids: the client's x-request-id when it is safe to echo, else a generated one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace plinth::http {

// 1..128 characters of [A-Za-z0-9._:-]; anything else could inject into logs or headers.
bool is_acceptable_request_id(std::string_view id);

// Generates unique ids ("req_" + 16 hex of per-thread randomness + a counter) without locks.
class RequestIdSource {
 public:
  std::string next();
};

}  // namespace plinth::http
