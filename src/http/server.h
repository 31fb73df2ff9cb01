// The HTTP/1.1 server: N worker threads, each with its own io_context and its own
// SO_REUSEPORT acceptor, so a connection lives on one thread and nothing on the request path
// takes a lock. Enforces header/body limits and read/idle timeouts, handles
// `Expect: 100-continue`, stamps every response with x-request-id, watches the client socket
// while a request is handled (firing the request's Cancel when the client goes away), and
// shuts down gracefully. Beast stays in server.cpp; the handler sees only the types below.
#pragma once

#include "core/cancel.h"
#include "core/config.h"
#include "core/result.h"
#include "core/task.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace plinth::http {

using HeaderList = std::vector<std::pair<std::string_view, std::string_view>>;
inline const HeaderList kNoHeaders;

// One request, valid for the duration of Handler::handle.
struct HttpRequest {
  std::string_view method;
  std::string_view target;  // raw request-target, as sent
  std::string_view body;
  std::string_view authorization;
  std::string_view content_type;
  std::string_view if_match;  // optimistic concurrency on admin writes
  std::string_view request_id;  // the client's x-request-id if acceptable, else generated
  std::string_view remote_address;
};

// How a handler answers. Every call returns false once the client is gone; the handler then
// stops. x-request-id is added by the server.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  // (No default arguments: g++ 12 mishandles default-argument temporaries in coroutine calls.)
  virtual Task<bool> send(int status, std::string_view content_type, std::string_view body,
                          const HeaderList& headers) = 0;
  // Starts a chunked response (SSE); then write() any number of times, then finish(). No
  // I/O: the head goes out with the first write() (one send instead of two). False when the
  // response cannot start (started already, or the connection failed).
  virtual bool begin_stream(int status, std::string_view content_type,
                            const HeaderList& headers) = 0;
  virtual Task<bool> write(std::string_view data) = 0;
  // write() without a coroutine when the socket takes every byte at once (nearly always):
  // write()'s answer, or nullopt when the rest must be sent by co_await drain().
  virtual std::optional<bool> try_write(std::string_view data) = 0;
  virtual Task<bool> drain() = 0;
  // Ends the stream: `last` (may be empty) as its final chunk, then the terminating chunk, in
  // one send where the socket takes them.
  virtual Task<bool> finish(std::string_view last) = 0;
  virtual bool started() const = 0;  // a status line has been sent
};

class Handler {
 public:
  virtual ~Handler() = default;
  // `cancel` fires when the client disconnects while the request is being handled.
  virtual Task<void> handle(const HttpRequest& request, ResponseWriter& writer,
                            Cancel& cancel) = 0;
  // Renders an error the server itself detected (413, 431, 408, 400 malformed HTTP):
  // returns the status and body (JSON).
  virtual std::pair<int, std::string> render_error(const Error& error) = 0;
};

class Server {
 public:
  Server(const ServerConfig& config, Handler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening sockets (resolving port 0 to a free port). Call before run().
  Status bind();
  std::uint16_t port() const { return port_; }

  // Runs the worker threads and blocks until stop() or a graceful shutdown completes.
  void run();

  // Graceful: stop accepting, let in-flight requests finish until the grace deadline,
  // then stop. Safe to call from any thread (e.g. the signal thread).
  void shutdown();
  bool shutting_down() const { return shutting_down_.load(std::memory_order_relaxed); }

  // Requests being handled right now, across all threads.
  std::int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  struct Worker;
  ServerConfig config_;
  Handler& handler_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::uint16_t port_ = 0;
  std::atomic<bool> shutting_down_{false};
  std::atomic<std::int64_t> in_flight_{0};
  std::thread drain_thread_;  // waits out in-flight requests after shutdown()
  friend struct ConnectionAccess;
};

}  // namespace plinth::http
