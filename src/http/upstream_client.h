// UpstreamClient: HTTP/1.1 client for one upstream origin, with keep-alive connection pools
// kept per io thread (no locks), TLS with certificate verification, connect / first-token /
// idle / total timeouts, incremental SSE parsing, and prompt cancellation.
// This header is Beast-free on purpose: providers include it.
#pragma once

#include "core/cancel.h"
#include "core/config.h"
#include "core/result.h"
#include "core/task.h"
#include "http/address_policy.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plinth::http {

// A parsed base URL: scheme, host, port and path prefix (without trailing slash).
struct Origin {
  bool tls = false;
  std::string host;
  std::string port;
  std::string base_path;  // "/v1" for http://h:8000/v1, "" for http://h:8080

  static Result<Origin> parse(std::string_view base_url);
};

// A part of a request body: `borrowed` bytes (which must outlive the call) or, when that is
// empty, `size` bytes of UpstreamRequest::body from `at`.
struct BodyPiece {
  std::string_view borrowed;
  std::size_t at = 0;
  std::size_t size = 0;
};

struct UpstreamRequest {
  std::string method = "POST";
  std::string path;  // appended to Origin::base_path, e.g. "/chat/completions"
  std::string body;
  // When not empty, the body sent is these pieces in order (at most kMaxBodyPieces), and
  // `body` only stores the parts they take from it: a large client body goes upstream
  // around the model swapped into it, without a copy.
  static constexpr std::size_t kMaxBodyPieces = 4;
  std::vector<BodyPiece> body_pieces;
  std::size_t body_size() const;
  std::string content_type = "application/json";
  std::string bearer_token;  // empty = no Authorization header
  std::string request_id;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

struct UpstreamResponse {
  // When the request's write to the socket began, and how long of the time before went to
  // opening connections: the gateway's own time ends there, waits excluded.
  std::chrono::steady_clock::time_point write_started{};
  std::chrono::steady_clock::duration connect_wait{};
  int status = 0;
  std::string content_type;
  std::string body;
};

// Receives SSE events of a streamed response, in order. Comments and empty events are not
// delivered. Return false to stop reading (the connection is then closed, not reused).
class SseHandler {
 public:
  virtual ~SseHandler() = default;
  virtual Task<bool> on_event(std::string_view event, std::string_view data) = 0;
  // on_event without a coroutine, where the handler can: its answer, or nullopt when the
  // answer must be awaited from finish_event, called at once with the same event. The
  // default always defers.
  virtual std::optional<bool> event_now(std::string_view, std::string_view) {
    return std::nullopt;
  }
  virtual Task<bool> finish_event(std::string_view event, std::string_view data) {
    return on_event(event, data);
  }
};

// Replaces DNS for one client: a host name to its addresses. For tests; it runs on the io
// thread, so it must answer at once. An error is returned from the call as is.
using HostResolver = std::function<Result<std::vector<IpAddress>>(const std::string& host)>;

class UpstreamClient {
 public:
  // `policy` null means AddressPolicy::default_policy(); `resolver` null means DNS.
  UpstreamClient(Origin origin, UpstreamTimeouts timeouts, int max_idle_connections = 64,
                 std::shared_ptr<const AddressPolicy> policy = nullptr,
                 HostResolver resolver = nullptr);
  ~UpstreamClient();
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;

  const Origin& origin() const { return origin_; }

  // Sends a request and reads the whole response (any status); redirects are returned, not
  // followed. Errors: kUpstreamUnreachable (connect failed, reset), kUpstreamTimeout,
  // kUpstreamError (malformed response, body over 64 MiB), kCancelled, kPermissionDenied
  // (every address of the host is refused by the AddressPolicy: nothing was connected).
  Task<Result<UpstreamResponse>> send(const UpstreamRequest& request, Cancel& cancel);

  // Sends a request expecting `text/event-stream`. When the upstream answers 200 with an
  // event stream, each event goes to `handler` as soon as it is parsed and the result is
  // a response with status 200 and an empty body. Any other answer is read whole and
  // returned as is (the caller maps the status). Errors as for send(); a connection that
  // breaks or times out mid-stream is an error. A clean end of the body is not: whether a
  // stream needed a terminating event ([DONE]) is the provider's call.
  Task<Result<UpstreamResponse>> stream(const UpstreamRequest& request, Cancel& cancel,
                                        SseHandler& handler);

 private:
  Origin origin_;
  UpstreamTimeouts timeouts_;
  int max_idle_;
  std::shared_ptr<const AddressPolicy> policy_;  // checked on every address before connecting
  HostResolver resolver_;
  std::uint64_t id_;  // keys this client's pools in each thread's pool map (detail/)
};

}  // namespace plinth::http
