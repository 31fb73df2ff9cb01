#include "http/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffer_traits.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <array>
#include <charconv>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "http/detail/await_token.h"
#include "http/detail/next_read.h"
#include "http/detail/request_parser.h"
#include "http/detail/send_now.h"
#include "http/request_id.h"

namespace plinth::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using detail::kAwaitTuple;
// A connection reuses the string of its last request body up to this size.
constexpr std::size_t kKeptBodyCapacity = 16 * 1024;
// What a connection's read of a new request offers the socket. An idle keep-alive
// connection holds this much while it waits (the read is pending), so it is sized for a
// typical request (a chat of about 1 KiB fits in one read), not for the largest: a bigger
// request takes a few more reads, each larger than the last (Beast's read_size).
constexpr std::size_t kReadRoom = 2048;
// The most of a request body one read asks for (it asks for no more than is to come).
constexpr std::size_t kBodyReadMax = 256 * 1024;

// Room for the next request's first read; a buffer grown by a large request is given back
// first, so that an idle connection holds kReadRoom, not the largest request it has seen.
boost::asio::mutable_buffer read_room(boost::beast::flat_buffer& buffer) {
  if (buffer.size() == 0 && buffer.capacity() > kReadRoom) buffer.shrink_to_fit();
  return buffer.prepare(kReadRoom);
}

struct Server::Worker {
  // One thread runs this context, and every socket and timer of it is used from that thread
  // only (other threads post to it, which stays locked): Asio's per-socket reactor lock is
  // then not needed, and it was two lock pairs per relayed chunk.
  asio::io_context ioc{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::optional<tcp::acceptor> acceptor;
  std::thread thread;
};

namespace {

void append_head(std::string& out, int status, std::string_view request_id, bool keep_alive) {
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  out.append(reason.data(), reason.size());
  out += "\r\nServer: plinth\r\nx-request-id: ";
  out += request_id;
  if (!keep_alive) out += "\r\nConnection: close";
  out += "\r\n";
}

// The size line of a chunk of `size` bytes (chunked transfer coding) written into `line`, and
// its length: 0 for an empty chunk, which would end the body.
std::size_t chunk_size_line(char (&line)[24], std::size_t size) {
  if (size == 0) return 0;
  char* end = std::to_chars(line, line + 16, size, 16).ptr;
  *end++ = '\r';
  *end++ = '\n';
  return static_cast<std::size_t>(end - line);
}

void append_headers(std::string& out, std::string_view content_type, const HeaderList& headers) {
  if (!content_type.empty()) {
    out += "Content-Type: ";
    out += content_type;
    out += "\r\n";
  }
  for (const auto& [name, value] : headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
}

class ConnectionWriter final : public ResponseWriter {
 public:
  ConnectionWriter(beast::tcp_stream& stream, std::string_view request_id, bool keep_alive,
                   std::chrono::milliseconds write_timeout)
      : stream_(stream),
        request_id_(request_id),
        keep_alive_(keep_alive),
        write_timeout_(write_timeout) {
    head_.reserve(512);  // a response head fits: one allocation, not one per doubling
  }

  Task<bool> send(int status, std::string_view content_type, std::string_view body,
                  const HeaderList& headers) override {
    if (started_) co_return false;
    started_ = true;
    head_.clear();
    append_head(head_, status, request_id_, keep_alive_);
    if (status == 204) {  // no content: RFC 9110 forbids Content-Length (and a body) here
      append_headers(head_, {}, headers);
      head_ += "\r\n";
      body = {};
    } else {
      append_headers(head_, content_type, headers);
      head_ += "Content-Length: ";
      head_ += std::to_string(body.size());
      head_ += "\r\n\r\n";
    }
    if (!ok_) co_return false;
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head_), asio::buffer(body)};
    std::size_t sent = 0;
    if (sent_at_once(bufs, sent)) co_return true;
    co_return co_await write_rest(bufs, sent);
  }

  bool begin_stream(int status, std::string_view content_type,
                    const HeaderList& headers) override {
    if (started_) return false;
    started_ = true;
    streaming_ = true;
    head_.clear();
    append_head(head_, status, request_id_, keep_alive_);
    append_headers(head_, content_type, headers);
    head_ += "Transfer-Encoding: chunked\r\n\r\n";
    head_pending_ = true;  // sent with the first chunk: the relay begins right before one
    return ok_;
  }

  Task<bool> write(std::string_view data) override {
    if (auto done = try_write(data)) co_return *done;
    co_return co_await drain();
  }

  std::optional<bool> try_write(std::string_view data) override {
    if (!streaming_ || finished_) return false;
    if (data.empty() || !ok_) return ok_;
    char size_line[24];
    std::array<asio::const_buffer, 4> bufs{
        pending_head(), asio::buffer(size_line, chunk_size_line(size_line, data.size())),
        asio::buffer(data), asio::buffer("\r\n", 2)};
    std::size_t sent = 0;
    if (sent_at_once(bufs, sent)) return true;
    // What the socket did not take is kept for drain(): these buffers end with this call.
    beast::buffers_suffix<std::array<asio::const_buffer, 4>> rest(bufs);
    rest.consume(sent);
    unsent_.resize(beast::buffer_bytes(rest));
    asio::buffer_copy(asio::buffer(unsent_), rest);
    return std::nullopt;
  }

  Task<bool> drain() override {
    const std::string rest = std::move(unsent_);
    unsent_.clear();
    if (rest.empty()) co_return ok_;
    const std::array<asio::const_buffer, 1> bufs{asio::buffer(rest)};
    co_return co_await write_rest(bufs, 0);
  }

  Task<bool> finish(std::string_view last) override {
    if (!streaming_ || finished_) co_return ok_;
    finished_ = true;
    if (!ok_) co_return false;
    char size_line[24];
    std::array<asio::const_buffer, 5> bufs{
        pending_head(), asio::buffer(size_line, chunk_size_line(size_line, last.size())),
        asio::buffer(last), asio::buffer("\r\n", last.empty() ? 0 : 2),
        asio::buffer("0\r\n\r\n", 5)};
    std::size_t sent = 0;
    if (sent_at_once(bufs, sent)) co_return true;
    co_return co_await write_rest(bufs, sent);
  }

  bool started() const override { return started_; }
  bool ok() const { return ok_; }
  // A stream that never finished leaves the connection unusable.
  bool complete() const { return ok_ && started_ && (!streaming_ || finished_); }

 private:
  // The stream's head if it has not gone out yet (once), else nothing.
  asio::const_buffer pending_head() {
    if (!head_pending_) return {};
    head_pending_ = false;
    return asio::buffer(head_);
  }

  // True when the socket took every byte of `bufs` at once (nearly always): the caller is
  // done without a coroutine of its own. Else `sent` is what it took; write_rest sends the rest.
  template <class Buffers>
  bool sent_at_once(const Buffers& bufs, std::size_t& sent) {
    sent = detail::send_now(stream_.socket().native_handle(), bufs);
    return sent == beast::buffer_bytes(bufs);
  }

  template <class Buffers>
  Task<bool> write_rest(const Buffers& bufs, std::size_t sent) {
    beast::buffers_suffix<Buffers> rest(bufs);
    rest.consume(sent);
    stream_.expires_after(write_timeout_);
    auto r_ec = co_await asio::async_write(stream_, rest, kAwaitTuple);
    auto& [ec, n] = r_ec;
    (void)n;
    if (ec) ok_ = false;
    co_return ok_;
  }

  beast::tcp_stream& stream_;
  std::string_view request_id_;
  bool keep_alive_;
  std::chrono::milliseconds write_timeout_;
  std::string head_;
  std::string unsent_;  // what try_write() left for drain()
  bool started_ = false;
  bool head_pending_ = false;  // begin_stream's head waits for the first chunk
  bool streaming_ = false;
  bool finished_ = false;
  bool ok_ = true;
};

}  // namespace

// The per-connection coroutine: read a request, hand it to the handler, repeat while the
// connection is kept alive.
struct ConnectionAccess {
  static Task<void> serve(Server& server, tcp::socket socket);
  static Task<bool> send_error(Server& server, beast::tcp_stream& stream, const Error& error,
                               std::string_view request_id);
  static Task<void> accept_loop(Server& server, Server::Worker& worker);
  static Task<void> linger_close(beast::tcp_stream& stream);
};

// What to answer when reading a request failed; nothing when the client simply went away.
static std::optional<Error> read_error(const boost::system::error_code& ec, const ServerConfig& cfg,
                                std::string_view what) {
  if (ec == bhttp::error::header_limit) {
    return Error{ErrorCode::kHeadersTooLarge,
                 "request headers exceed " + std::to_string(cfg.header_limit) + " bytes"};
  }
  if (ec == bhttp::error::body_limit) {
    return Error{ErrorCode::kPayloadTooLarge,
                 "request body exceeds " + std::to_string(cfg.body_limit) + " bytes"};
  }
  if (ec == beast::error::timeout) {
    return Error{ErrorCode::kRequestTimeout, std::string(what) + " not received within " +
                                                 std::to_string(cfg.read_timeout.count()) + " ms"};
  }
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
    return std::nullopt;
  }
  return Error{ErrorCode::kInvalidRequest, "malformed HTTP " + std::string(what) + ": " +
                                               ec.message()};
}

// Reads from the socket until the parser has the head, or with `whole` the whole request.
// A connection closed partway through is partial_message (answered 400), as Beast had it.
static Task<boost::system::error_code> read_request(beast::tcp_stream& stream,
                                                   beast::flat_buffer& buffer,
                                                   detail::RequestParser& parser, bool whole) {
  while (whole ? !parser.is_done() : !parser.is_header_done()) {
    if (whole && buffer.size() == 0 && parser.body_left() > 0) {
      // A body of known length goes from the socket into the body itself. The buffer's
      // room (2 KiB, what an idle connection holds) made a 1 MiB prompt 513 reads.
      const std::span<char> room = parser.body_room(kBodyReadMax);
      auto [ec, n] =
          co_await stream.async_read_some(asio::buffer(room.data(), room.size()), kAwaitTuple);
      parser.body_commit(ec ? 0 : n);
      if (ec == asio::error::eof) co_return bhttp::error::partial_message;
      if (ec) co_return ec;
      continue;
    }
    // As Beast's read_size: the room the buffer has, at least kReadRoom, at most 64 KiB,
    // and never past its maximum (prepare would throw). The parser refuses a head before
    // the buffer fills, and consumes a body as it comes; a full buffer is a head too large.
    const std::size_t room =
        std::min(std::clamp<std::size_t>(buffer.capacity() - buffer.size(), kReadRoom, 64 * 1024),
                 buffer.max_size() - buffer.size());
    if (room == 0) co_return bhttp::error::header_limit;
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(room), kAwaitTuple);
    if (ec == asio::error::eof) co_return bhttp::error::partial_message;
    if (ec) co_return ec;
    buffer.commit(n);
    if (auto pec = detail::put_buffered(parser, buffer)) co_return pec;
  }
  co_return boost::system::error_code{};
}

// After an error answer on a request whose body was not read: stop sending, then read and
// discard what the client still sends (bounded in bytes and time) so that closing does not
// reset the connection before the client has read the answer.
Task<void> ConnectionAccess::linger_close(beast::tcp_stream& stream) {
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  std::array<char, 16 * 1024> sink;
  std::size_t discarded = 0;
  stream.expires_after(std::chrono::seconds(2));
  while (discarded < 64 * 1024 * 1024) {
    auto r = co_await stream.async_read_some(asio::buffer(sink), kAwaitTuple);
    if (std::get<0>(r)) break;
    discarded += std::get<1>(r);
  }
}

Task<bool> ConnectionAccess::send_error(Server& server, beast::tcp_stream& stream,
                                        const Error& error, std::string_view request_id) {
  auto [status, body] = server.handler_.render_error(error);
  ConnectionWriter writer(stream, request_id, /*keep_alive=*/false, server.config_.read_timeout);
  co_return co_await writer.send(status, "application/json", body, {});
}

Task<void> ConnectionAccess::serve(Server& server, tcp::socket socket) {
  const ServerConfig& cfg = server.config_;
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  detail::enable_draining_reads(socket);
  std::string remote;
  if (auto ep = socket.remote_endpoint(ignored); !ignored) remote = ep.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  // Room for the largest head allowed plus a read: the limit is the parser's, not the buffer's.
  beast::flat_buffer buffer(cfg.header_limit + kReadRoom);
  RequestIdSource ids;
  auto next_read = std::make_shared<detail::NextRead>(stream.get_executor());
  struct CloseNextRead {
    detail::NextRead& read;
    ~CloseNextRead() { read.close(); }
  } close_next_read{*next_read};
  // What RequestParser keeps of a request (values, body), reused from request to request.
  std::string head_store;
  std::string body_store;

  while (!server.shutting_down()) {
    // The previous request's next read: wait for it under the idle timeout, then take what
    // it brought.
    if (next_read->pending()) {
      if (!next_read->done()) {
        co_await detail::NextRead::wait(next_read, cfg.idle_timeout);
        if (!next_read->done()) co_return;  // idle: closing the socket ends the read
      }
      next_read->consumed();
      if (next_read->error()) co_return;  // closed or reset: nothing to answer
      buffer.commit(next_read->bytes());
    }
    // Wait for the first byte of the next request under the idle timeout, then give the
    // whole request read_timeout to arrive.
    if (buffer.size() == 0) {
      stream.expires_after(cfg.idle_timeout);
      auto r_ec = co_await stream.async_read_some(read_room(buffer), kAwaitTuple);
      auto& [ec, n] = r_ec;
      if (ec) co_return;  // closed, reset or idle: nothing to answer
      buffer.commit(n);
    }
    detail::RequestParser parser(head_store, body_store, cfg.body_limit, cfg.header_limit);
    // Most requests arrive whole in the first read: parse what is buffered in place and go
    // to the socket (under read_timeout) only for the rest.
    boost::system::error_code hec = detail::put_buffered(parser, buffer);
    bool read_deadline = false;
    if (!hec && !parser.is_header_done()) {
      stream.expires_after(cfg.read_timeout);
      read_deadline = true;
      hec = co_await read_request(stream, buffer, parser, /*whole=*/false);
    }
    const std::string fallback_id = ids.next();
    if (hec) {
      if (auto error = read_error(hec, cfg, "request")) {
        co_await send_error(server, stream, *error, fallback_id);
        co_await linger_close(stream);
      }
      co_return;
    }

    const detail::RequestHeaders wanted = parser.headers();
    std::string_view request_id = fallback_id;
    if (is_acceptable_request_id(wanted.request_id)) request_id = wanted.request_id;

    if (!wanted.expect.empty() && beast::iequals(wanted.expect, "100-continue") &&
        !parser.is_done() && buffer.size() == 0) {
      stream.expires_after(cfg.read_timeout);
      read_deadline = true;
      auto [wec, wn] =
          co_await asio::async_write(stream, asio::buffer("HTTP/1.1 100 Continue\r\n\r\n", 25),
                                     kAwaitTuple);
      (void)wn;
      if (wec) co_return;
    }
    boost::system::error_code bec = detail::put_buffered(parser, buffer);
    if (!bec && !parser.is_done()) {
      if (!read_deadline) stream.expires_after(cfg.read_timeout);
      bec = co_await read_request(stream, buffer, parser, /*whole=*/true);
    }
    if (bec) {
      if (auto error = read_error(bec, cfg, "request body")) {
        co_await send_error(server, stream, *error, request_id);
        co_await linger_close(stream);
      }
      co_return;
    }
    stream.expires_never();

    HttpRequest request;
    request.method = parser.method();
    request.target = parser.target();
    request.body = parser.body();
    request.authorization = wanted.authorization;
    request.if_match = wanted.if_match;
    request.content_type = wanted.content_type;
    request.request_id = request_id;
    request.remote_address = remote;

    const bool keep_alive = parser.keep_alive() && !server.shutting_down();
    ConnectionWriter writer(stream, request_id, keep_alive, cfg.idle_timeout);
    Cancel cancel;
    if (buffer.size() == 0) {
      detail::NextRead::start(stream.socket(), read_room(buffer), next_read, cancel);
    }

    server.in_flight_.fetch_add(1, std::memory_order_relaxed);
    bool threw = false;
    try {
      co_await server.handler_.handle(request, writer, cancel);
    } catch (const std::exception& e) {
      // A bug, not a client error: answer 500 (below) and keep the server's counts right.
      spdlog::error("request {}: unexpected exception: {}", request_id, e.what());
      threw = true;
    }
    next_read->release();
    server.in_flight_.fetch_sub(1, std::memory_order_relaxed);
    // The room of a large body is not kept for the connection's next request.
    if (body_store.capacity() > kKeptBodyCapacity) std::string().swap(body_store);

    if (!writer.started() && writer.ok() && !cancel.cancelled()) {
      const Error error{ErrorCode::kInternal, "handler sent no response"};
      co_await send_error(server, stream, error, request_id);
      co_return;
    }
    if (threw || cancel.cancelled() || !writer.complete() || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

Task<void> ConnectionAccess::accept_loop(Server& server, Server::Worker& worker) {
  for (;;) {
    auto r_ec = co_await worker.acceptor->async_accept(kAwaitTuple);
    auto& [ec, socket] = r_ec;
    if (ec) {
      if (!worker.acceptor->is_open() || server.shutting_down()) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    asio::co_spawn(worker.ioc, serve(server, std::move(socket)), asio::detached);
  }
}

Server::Server(const ServerConfig& config, Handler& handler) : config_(config), handler_(handler) {
  int n = config_.workers > 0 ? config_.workers
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>());
}

Server::~Server() {
  if (drain_thread_.joinable()) drain_thread_.join();
  for (auto& w : workers_) {
    w->ioc.stop();
    if (w->thread.joinable()) w->thread.join();
  }
}

Status Server::bind() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(config_.host == "localhost" ? "127.0.0.1" : config_.host, ec);
  if (ec) return Error{ErrorCode::kInvalidRequest, "listen address '" + config_.host +
                                                       "' is not an IP address", "server.listen"};
  std::uint16_t port = config_.port;
  for (auto& w : workers_) {
    tcp::endpoint endpoint(address, port);
    w->acceptor.emplace(w->ioc);
    w->acceptor->open(endpoint.protocol(), ec);
    if (!ec) w->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      int one = 1;
      if (::setsockopt(w->acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one,
                       sizeof one) != 0)
        ec.assign(errno, boost::system::system_category());
    }
    if (!ec) w->acceptor->bind(endpoint, ec);
    if (!ec) w->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error{ErrorCode::kUnavailable, "cannot listen on " + config_.host + ":" +
                                                std::to_string(port) + ": " + ec.message()};
    }
    port = w->acceptor->local_endpoint().port();
  }
  port_ = port;
  return {};
}

void Server::run() {
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::co_spawn(worker->ioc, ConnectionAccess::accept_loop(*this, *worker), asio::detached);
    worker->thread = std::thread([worker] {
      auto guard = asio::make_work_guard(worker->ioc);
      worker->ioc.run();
    });
  }
  for (auto& w : workers_) w->thread.join();
  if (drain_thread_.joinable()) drain_thread_.join();
}

void Server::shutdown() {
  if (shutting_down_.exchange(true)) return;
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [worker] {
      boost::system::error_code ignored;
      worker->acceptor->close(ignored);
    });
  }
  // Wait for in-flight requests on a thread of our own, then stop every io_context;
  // idle keep-alive connections are simply dropped.
  drain_thread_ = std::thread([this] {
    const auto deadline = std::chrono::steady_clock::now() + config_.shutdown_grace;
    while (in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (in_flight() > 0) spdlog::warn("shutdown grace expired with {} requests in flight",
                                      in_flight());
    for (auto& w : workers_) w->ioc.stop();
  });
}

}  // namespace plinth::http
