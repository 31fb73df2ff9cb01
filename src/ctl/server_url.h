// The admin API's base URL (--url / PLINTH_URL), split into what a connection needs.
#pragma once

#include "core/result.h"

#include <string>
#include <string_view>

namespace plinth::ctl {

inline constexpr std::string_view kDefaultServerUrl = "http://127.0.0.1:8080";

struct ServerUrl {
  bool tls = false;         // https
  std::string host;         // for name resolution and TLS SNI: "::1", not "[::1]"
  std::string port;         // "8080"; the scheme's default when the URL names none
  std::string host_header;  // for the Host header: "[::1]:8080", "plinth.example.com"
  std::string base_path;    // a path prefix before /admin/v1, without trailing '/': "/plinth"
};

// Parses "http://host[:port][/prefix]" or "https://...". User info, queries and fragments are
// refused: they would be silently dropped otherwise.
Result<ServerUrl> parse_server_url(std::string_view text);

}  // namespace plinth::ctl
