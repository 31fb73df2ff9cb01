// The HTTP transport under plinthctl: one request, one answer. The interface keeps Beast out
// of every other file and lets tests substitute a fake.
#pragma once

#include "core/result.h"
#include "ctl/server_url.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace plinth::ctl {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // origin form: "/admin/v1/models?limit=100"
  std::string body;    // sent with Content-Type: application/json when not empty
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends the request and reads the whole answer. Any status is a value; errors are only
  // for no answer at all (kUpstreamUnreachable: resolve/connect/TLS/IO failed,
  // kUpstreamTimeout: a deadline passed), with a message naming the server.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{5000};   // TCP connect and TLS handshake
  std::chrono::milliseconds request{30000};  // writing the request and reading the answer
};

// A Boost.Beast client: a fresh connection per request (plinthctl sends a handful), TLS with
// peer and host name verification against the system trust store for https.
std::unique_ptr<Transport> make_http_transport(ServerUrl server, HttpTimeouts timeouts = {});

}  // namespace plinth::ctl
