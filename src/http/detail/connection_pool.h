// Upstream connections and their per-thread idle pools (private to src/http/).
// A pool belongs to one (client, io context) pair on one thread, so it needs no lock; it is
// emptied when its client goes away on that thread or when its io context shuts down.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "http/detail/connection_deadline.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace plinth::http::detail {

// One HTTP/1.1 connection to an upstream, plain or TLS, with the buffers it reuses.
class Connection {
 public:
  using TlsStream = boost::asio::ssl::stream<boost::beast::tcp_stream>;

  // `tls` null means plain TCP.
  Connection(const boost::asio::any_io_executor& executor, boost::asio::ssl::context* tls);

  bool is_tls() const { return tls_.has_value(); }
  boost::beast::tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *tcp_; }
  TlsStream& tls() { return *tls_; }

  // Closes the socket at once: pending operations complete with an error.
  void close();

  // The deadline of a response's reads (upstream_client.cpp, arm_reads).
  ConnectionDeadline& deadline() { return *deadline_; }

  boost::beast::flat_buffer buffer;  // bytes read but not yet parsed
  std::string head;                  // the serialized request head, reused per request
  bool reused = false;               // came out of the idle pool
  std::chrono::steady_clock::time_point idle_since{};  // when it went back to the pool

 private:
  std::optional<boost::beast::tcp_stream> tcp_;
  std::optional<TlsStream> tls_;
  std::optional<ConnectionDeadline> deadline_;  // after the stream: goes first
};

class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;
  // How long an idle connection is kept. Shorter than the keep-alive timeout of the usual
  // upstream servers (uvicorn, which serves vLLM: 5 s), so that Plinth closes first instead
  // of reusing a connection the server is closing; and a burst's extra connections (with
  // their buffers) do not stay for good.
  static constexpr std::chrono::seconds kIdleExpiry{4};

  // The most recently used idle connection that has not expired, or null.
  std::unique_ptr<Connection> take(Clock::time_point now);
  // Keeps `connection` for reuse unless `max_idle` are already kept (then it is closed), and
  // closes those idle past kIdleExpiry.
  void give_back(std::unique_ptr<Connection> connection, int max_idle, Clock::time_point now);
  std::size_t idle() const { return idle_.size(); }

  // Resolved addresses of the upstream, reused until `expires`.
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  std::chrono::steady_clock::time_point endpoints_expire{};

 private:
  friend ConnectionPool& thread_pool(std::uint64_t, boost::asio::execution_context&);
  std::vector<std::unique_ptr<Connection>> idle_;
  boost::asio::execution_context* context_ = nullptr;
  bool watching_context_ = false;  // a PoolReaper is registered with context_
};

// This thread's pool for `client_id` on `context`, created on first use.
ConnectionPool& thread_pool(std::uint64_t client_id, boost::asio::execution_context& context);

// Drops this thread's pools of `client_id` (their idle connections are closed).
void drop_thread_pools(std::uint64_t client_id);

}  // namespace plinth::http::detail
