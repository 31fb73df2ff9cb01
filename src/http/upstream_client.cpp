// UpstreamClient: one call takes (or opens) a connection, writes the request, reads the
// response under the call's deadlines, hands SSE events over as they are parsed, and gives
// the connection back only when the response was read whole and keep-alive holds.
#include "http/upstream_client.h"

#include "http/detail/await_token.h"
#include "http/detail/connection_pool.h"
#include "http/detail/draining_read.h"
#include "http/detail/request_head.h"
#include "http/detail/send_now.h"
#include "http/detail/response_reader.h"
#include "http/detail/tls_context.h"
#include "http/sse_parser.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffer_traits.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace plinth::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxResponseBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
constexpr auto kResolvedTtl = std::chrono::seconds(30);
using detail::kAwaitTuple;
// Beast's range connect cannot take kAwaitTuple (detail/await_token.h).
constexpr auto kAwaitableTuple = asio::as_tuple(asio::use_awaitable);

// What the call was doing when a deadline passed or an error came: it picks the message.
enum class Phase { kConnect, kHandshake, kWrite, kHeaders, kFirstEvent, kBody };

Clock::time_point after(Clock::time_point start, Millis timeout) {
  // Zero or negative means "no limit"; very long limits must not overflow the clock.
  if (timeout.count() <= 0 || timeout > std::chrono::hours(24 * 365)) {
    return Clock::time_point::max();
  }
  return start + timeout;
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

IpAddress to_ip(const asio::ip::address& address) {
  IpAddress out;
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  } else {
    out.v6 = true;
    const auto bytes = address.to_v6().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  }
  return out;
}

asio::ip::address to_asio(const IpAddress& ip) {
  if (!ip.v6) {
    return asio::ip::address_v4(
        asio::ip::address_v4::bytes_type{ip.bytes[0], ip.bytes[1], ip.bytes[2], ip.bytes[3]});
  }
  asio::ip::address_v6::bytes_type bytes;
  std::copy(ip.bytes.begin(), ip.bytes.end(), bytes.begin());
  return asio::ip::address_v6(bytes);
}

bool is_event_stream(std::string_view content_type) {
  constexpr std::string_view kType = "text/event-stream";
  if (content_type.size() < kType.size()) return false;
  for (std::size_t i = 0; i < kType.size(); ++i) {
    const char c = content_type[i];
    if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != kType[i]) return false;
  }
  return content_type.size() == kType.size() || content_type[kType.size()] == ';' ||
         content_type[kType.size()] == ' ';
}

// The peer went away. A reused connection that fails like this before any byte of the
// response arrived was closed while idle, and the request may be sent again.
bool is_closed_error(const error_code& ec) {
  return ec == asio::error::eof || ec == bhttp::error::end_of_stream ||
         ec == bhttp::error::partial_message || ec == asio::error::connection_reset ||
         ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

// Clears the request's cancel callback however the call ends: it points into the call.
struct CancelCallbackGuard {
  Cancel& cancel;
  ~CancelCallbackGuard() { cancel.clear(); }
};

// The head, then the body or its pieces (check_request has held them to the body's bounds).
using RequestBuffers = std::array<asio::const_buffer, 1 + UpstreamRequest::kMaxBodyPieces>;

RequestBuffers request_buffers(const std::string& head, const UpstreamRequest& r) {
  RequestBuffers out{};  // unused ones are empty
  out[0] = asio::buffer(head);
  if (r.body_pieces.empty()) {
    out[1] = asio::buffer(r.body);
    return out;
  }
  for (std::size_t i = 0; i < r.body_pieces.size(); ++i) {
    const BodyPiece& p = r.body_pieces[i];
    out[i + 1] = p.borrowed.empty() ? asio::buffer(r.body.data() + p.at, p.size)
                                    : asio::buffer(p.borrowed.data(), p.borrowed.size());
  }
  return out;
}

// One send() or stream() call, living in the caller's coroutine frame.
class Call {
 public:
  Call(const Origin& origin, const UpstreamTimeouts& timeouts, const AddressPolicy& policy,
       const HostResolver& resolver, const UpstreamRequest& request, Cancel& cancel,
       SseHandler* handler)
      : origin_(origin),
        timeouts_(timeouts),
        policy_(policy),
        resolver_(resolver),
        request_(request),
        cancel_(cancel),
        handler_(handler) {}

  Task<Result<UpstreamResponse>> run(std::uint64_t client_id, int max_idle);

 private:
  using ConnectionPtr = std::unique_ptr<detail::Connection>;

  Task<Result<ConnectionPtr>> open(const asio::any_io_executor& executor,
                                   detail::ConnectionPool& pool);
  Task<Status> resolve(const asio::any_io_executor& executor, detail::ConnectionPool& pool,
                       std::vector<tcp::endpoint>& out);
  Task<Status> lookup(const asio::any_io_executor& executor, std::uint16_t port,
                      std::vector<tcp::endpoint>& out);
  Status keep_allowed(std::vector<tcp::endpoint>& endpoints) const;
  template <class Stream>
  Task<std::optional<Error>> exchange(Stream& stream, detail::Connection& connection);
  template <class Stream>
  Task<std::optional<Error>> read_headers(Stream& stream, detail::Connection& connection,
                                          std::optional<detail::ResponseParser>& reader,
                                          Clock::time_point deadline);
  template <class Stream>
  Task<std::optional<Error>> read_whole(Stream& stream, detail::Connection& connection,
                                        detail::ResponseParser& reader);
  template <class Stream>
  Task<std::optional<Error>> read_events(Stream& stream, detail::Connection& connection,
                                         detail::ResponseParser& reader,
                                         Clock::time_point first_event_deadline);
  void arm(beast::tcp_stream& tcp, Phase phase, Clock::time_point deadline);
  void arm_reads(detail::Connection& connection, Phase phase, Clock::time_point deadline);

  std::string authority() const { return detail::authority(origin_); }
  Error fail(const error_code& ec, bool response_started) const;
  Error timed_out() const;
  // A read under the connection's deadline (arm_reads) failed because that deadline passed.
  bool deadline_passed(const error_code& ec, detail::Connection& connection) const {
    return ec && !cancel_.cancelled() && connection.deadline().fired();
  }
  Error cancelled() const {
    return Error{ErrorCode::kCancelled, "call to " + authority() + " cancelled"};
  }

  const Origin& origin_;
  const UpstreamTimeouts& timeouts_;
  const AddressPolicy& policy_;
  const HostResolver& resolver_;
  const UpstreamRequest& request_;
  Cancel& cancel_;
  SseHandler* handler_;  // null for send()

  Clock::time_point total_deadline_{};
  Phase phase_ = Phase::kConnect;
  bool total_binding_ = false;  // the armed deadline is the total one
  bool retryable_ = false;      // failed before any byte of the response arrived
  bool reusable_ = false;       // read whole and keep-alive holds
  UpstreamResponse response_;
  Clock::duration connect_wait_{};  // spent opening connections (lookup, connect, TLS)
};

Task<Result<UpstreamResponse>> Call::run(std::uint64_t client_id, int max_idle) {
  CancelCallbackGuard guard{cancel_};
  if (cancel_.cancelled()) co_return cancelled();
  if (auto invalid = detail::check_request(request_)) co_return std::move(*invalid);

  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  detail::ConnectionPool& pool =
      detail::thread_pool(client_id, asio::query(executor, asio::execution::context));
  total_deadline_ = after(Clock::now(), timeouts_.total);

  // A pooled connection may have been closed by the upstream while idle; that shows only
  // on use, so such a failure is retried once on a fresh connection.
  ConnectionPtr connection = pool.take(Clock::now());
  for (;;) {
    if (!connection) {
      const Clock::time_point opening = Clock::now();
      Result<ConnectionPtr> opened = co_await open(executor, pool);
      connect_wait_ += Clock::now() - opening;
      if (!opened) co_return std::move(opened).error();
      connection = std::move(opened).value();
    }
    cancel_.on_cancel([c = connection.get()] { c->close(); });
    // Not `?:` with two co_awaits: GCC 12 miscompiles that (double destruction).
    std::optional<Error> failure;
    if (connection->is_tls()) {
      failure = co_await exchange(connection->tls(), *connection);
    } else {
      failure = co_await exchange(connection->tcp(), *connection);
    }
    cancel_.clear();
    if (!failure) break;
    if (!(retryable_ && connection->reused) || cancel_.cancelled()) co_return std::move(*failure);
    connection.reset();
  }
  if (reusable_) pool.give_back(std::move(connection), max_idle, Clock::now());
  co_return std::move(response_);
}

// The addresses to connect to. The AddressPolicy is applied here, to the addresses that
// async_connect will be given, never to the name: a name that resolves elsewhere on the next
// lookup (DNS rebinding) is checked again then, and a cached list holds only allowed ones.
Task<Status> Call::resolve(const asio::any_io_executor& executor, detail::ConnectionPool& pool,
                           std::vector<tcp::endpoint>& out) {
  const Clock::time_point now = Clock::now();
  if (!pool.endpoints.empty() && now < pool.endpoints_expire) {
    out = pool.endpoints;
    co_return Status{};
  }
  std::uint16_t port = 0;
  std::from_chars(origin_.port.data(), origin_.port.data() + origin_.port.size(), port);
  error_code ec;
  const asio::ip::address address = asio::ip::make_address(origin_.host, ec);
  if (!ec) {
    out.assign(1, tcp::endpoint(address, port));
    Status allowed = keep_allowed(out);
    if (!allowed) co_return allowed;
    pool.endpoints = out;
    pool.endpoints_expire = Clock::time_point::max();
    co_return Status{};
  }
  Status found = co_await lookup(executor, port, out);
  if (!found) co_return found;
  Status allowed = keep_allowed(out);
  if (!allowed) co_return allowed;
  pool.endpoints = out;
  pool.endpoints_expire = now + kResolvedTtl;
  co_return Status{};
}

// The host name's addresses, through the client's HostResolver when it has one, else DNS.
Task<Status> Call::lookup(const asio::any_io_executor& executor, std::uint16_t port,
                          std::vector<tcp::endpoint>& out) {
  out.clear();
  if (resolver_) {
    Result<std::vector<IpAddress>> given = resolver_(origin_.host);
    if (!given) co_return std::move(given).error();
    for (const IpAddress& ip : *given) out.emplace_back(to_asio(ip), port);
  } else {
    // getaddrinfo runs on Asio's resolver thread; cancel() stops waiting for it, but neither
    // cancel nor the connect timeout can interrupt a lookup that has started.
    tcp::resolver resolver(executor);
    cancel_.on_cancel([&resolver] { resolver.cancel(); });
    auto [rec, results] = co_await resolver.async_resolve(origin_.host, origin_.port, kAwaitTuple);
    cancel_.clear();
    if (cancel_.cancelled()) co_return cancelled();
    if (rec) {
      co_return Error{ErrorCode::kUpstreamUnreachable,
                      "resolving " + origin_.host + " failed: " + rec.message()};
    }
    for (const auto& entry : results) out.push_back(entry.endpoint());
  }
  if (out.empty()) {
    co_return Error{ErrorCode::kUpstreamUnreachable,
                    "resolving " + origin_.host + " failed: no addresses"};
  }
  co_return Status{};
}

// Drops the endpoints the policy refuses; an error (the first refusal) when none is left.
// Refused addresses among allowed ones are skipped quietly: only the allowed are connected.
Status Call::keep_allowed(std::vector<tcp::endpoint>& endpoints) const {
  std::optional<Error> refused;
  std::erase_if(endpoints, [&](const tcp::endpoint& endpoint) {
    Status allowed = policy_.check(to_ip(endpoint.address()));
    if (allowed) return false;
    if (!refused) refused = std::move(allowed).error();
    return true;
  });
  if (!endpoints.empty() || !refused) return {};
  // To the API caller this is a misconfigured upstream (502), not a refusal of the caller.
  refused->code = ErrorCode::kUpstreamUnreachable;
  if (!is_ip_literal(origin_.host)) {
    refused->message = "every address of " + origin_.host + " is refused; " + refused->message;
  }
  return std::move(*refused);
}

Task<Result<Call::ConnectionPtr>> Call::open(const asio::any_io_executor& executor,
                                             detail::ConnectionPool& pool) {
  const Clock::time_point deadline = after(Clock::now(), timeouts_.connect);
  std::vector<tcp::endpoint> endpoints;
  Status resolved = co_await resolve(executor, pool, endpoints);
  if (!resolved) co_return std::move(resolved).error();
  auto connection = std::make_unique<detail::Connection>(
      executor, origin_.tls ? &detail::tls_client_context() : nullptr);
  cancel_.on_cancel([c = connection.get()] { c->close(); });

  arm(connection->tcp(), Phase::kConnect, deadline);
  auto [ec, endpoint] = co_await connection->tcp().async_connect(endpoints, kAwaitableTuple);
  if (ec) {
    pool.endpoints.clear();  // resolve again next time: the upstream may have moved
    co_return fail(ec, false);
  }
  error_code ignored;
  connection->tcp().socket().set_option(tcp::no_delay(true), ignored);
  detail::enable_draining_reads(connection->tcp().socket());

  if (origin_.tls) {
    detail::Connection::TlsStream& tls = connection->tls();
    if (!is_ip_literal(origin_.host)) {  // SNI carries names only
      SSL_set_tlsext_host_name(tls.native_handle(), origin_.host.c_str());
    }
    tls.set_verify_callback(asio::ssl::host_name_verification(origin_.host));
    arm(connection->tcp(), Phase::kHandshake, deadline);
    auto [hec] = co_await tls.async_handshake(asio::ssl::stream_base::client, kAwaitTuple);
    if (hec) co_return fail(hec, false);
  }
  co_return connection;
}

template <class Stream>
Task<std::optional<Error>> Call::exchange(Stream& stream, detail::Connection& connection) {
  retryable_ = false;
  reusable_ = false;
  response_ = UpstreamResponse{};

  detail::write_request_head(connection.head, origin_, request_, handler_ != nullptr);
  response_.write_started = Clock::now();
  response_.connect_wait = connect_wait_;
  const RequestBuffers request = request_buffers(connection.head, request_);
  beast::buffers_suffix<RequestBuffers> rest(request);
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {  // TLS encrypts first
    rest.consume(detail::send_now(stream.socket().native_handle(), request));
  }
  if (beast::buffer_bytes(rest) != 0) {
    arm(connection.tcp(), Phase::kWrite, after(Clock::now(), timeouts_.idle));
    auto [write_ec, written] = co_await asio::async_write(stream, rest, kAwaitTuple);
    if (write_ec) {
      retryable_ = true;
      co_return fail(write_ec, false);
    }
  }
  const Clock::time_point first_token_deadline = after(Clock::now(), timeouts_.first_token);
  // On a plain connection the reads of the response go to the socket under the connection's
  // deadline (arm_reads), which rests once the exchange is over, however it ends.
  struct Rest {
    detail::ConnectionDeadline& deadline;
    ~Rest() { deadline.rest(); }
  } rest_deadline{connection.deadline()};

  std::optional<detail::ResponseParser> reader;
  std::optional<Error> failure =
      co_await read_headers(stream, connection, reader, first_token_deadline);
  if (failure) co_return failure;
  response_.status = reader->status();
  if (handler_ != nullptr && response_.status == 200 && is_event_stream(response_.content_type)) {
    co_return co_await read_events(stream, connection, *reader, first_token_deadline);
  }
  co_return co_await read_whole(stream, connection, *reader);
}

template <class Stream>
Task<std::optional<Error>> Call::read_headers(Stream& stream, detail::Connection& connection,
                                              std::optional<detail::ResponseParser>& reader,
                                              Clock::time_point deadline) {
  bool interim = false;  // a 1xx came first: something of the response has arrived
  for (;;) {
    reader.emplace(response_.content_type, kMaxHeaderBytes);
    if (request_.method == "HEAD") reader->skip_body();
    error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      // A plain connection: the read goes to the socket under the connection's deadline
      // (ConnectionDeadline), which the body's reads then keep. Beast's timer would be
      // armed, cancelled and its handler run for every read.
      connection.tcp().expires_never();
      arm_reads(connection, Phase::kHeaders, deadline);
      ec = co_await detail::read_head(stream.socket(), connection.buffer, *reader);
      if (deadline_passed(ec, connection)) co_return timed_out();
    } else {
      arm(connection.tcp(), Phase::kHeaders, deadline);
      ec = co_await detail::read_head(stream, connection.buffer, *reader);
    }
    if (ec) {
      const bool received = interim || reader->got_some() || connection.buffer.size() > 0;
      retryable_ = !received && is_closed_error(ec);
      co_return fail(ec, received);
    }
    // Interim responses (103 Early Hints, a stray 100 Continue) precede the real one.
    const int status = reader->status();
    if (status / 100 != 1 || status == 101) co_return std::nullopt;
    interim = true;
  }
}

template <class Stream>
Task<std::optional<Error>> Call::read_whole(Stream& stream, detail::Connection& connection,
                                            detail::ResponseParser& reader) {
  if (auto length = reader.content_length(); length && *length > kMaxResponseBytes) {
    co_return fail(bhttp::error::body_limit, true);
  }
  reader.collect_into(&response_.body, kMaxResponseBytes);
  while (!reader.is_done()) {
    error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      arm_reads(connection, Phase::kBody, after(Clock::now(), timeouts_.idle));
      ec = co_await detail::read_body_step(stream.socket(), connection.buffer, reader);
      if (deadline_passed(ec, connection)) co_return timed_out();
    } else {
      arm(connection.tcp(), Phase::kBody, after(Clock::now(), timeouts_.idle));
      ec = co_await detail::read_body_step(stream, connection.buffer, reader);
    }
    if (ec) co_return fail(ec, true);
  }
  reusable_ = reader.keep_alive() && connection.buffer.size() == 0;
  co_return std::nullopt;
}

template <class Stream>
Task<std::optional<Error>> Call::read_events(Stream& stream, detail::Connection& connection,
                                             detail::ResponseParser& reader,
                                             Clock::time_point first_event_deadline) {
  SseParser sse;
  SseEvent event;
  reader.feed_events_to(&sse);
  // From here the connection's own deadline watches the reads (arm_reads); Beast's timer
  // rests, and so does ours once the exchange is over (exchange).
  connection.tcp().expires_never();
  bool got_event = false;
  while (!reader.is_done()) {
    if (got_event) {
      arm_reads(connection, Phase::kBody, after(Clock::now(), timeouts_.idle));
    } else {
      arm_reads(connection, Phase::kFirstEvent, first_event_deadline);
    }
    // A plain connection's reads go to the socket itself: Beast's stream would only add its
    // timer and rate checks, which rest here.
    error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      // read_body_step's parts, inline: no coroutine of its own per event.
      if (!detail::parse_step(connection.buffer, reader, ec)) {
        auto [read_ec, n] = co_await stream.socket().async_read_some(
            detail::DrainingBuffer(detail::read_room(connection.buffer)), kAwaitTuple);
        ec = detail::after_read(connection.buffer, reader, read_ec, n);
      }
    } else {
      ec = co_await detail::read_body_step(stream, connection.buffer, reader);
    }
    if (deadline_passed(ec, connection)) co_return timed_out();
    if (ec) co_return fail(ec, true);
    connection.deadline().pause();  // handing events to a slow client is not upstream time
    while (sse.next(event)) {
      got_event = true;
      std::optional<bool> more = handler_->event_now(event.event, event.data);
      if (!more) more = co_await handler_->finish_event(event.event, event.data);
      if (cancel_.cancelled()) co_return cancelled();
      if (!*more) co_return std::nullopt;  // not reusable: the rest of the stream is unread
    }
    if (sse.overflowed()) {
      co_return Error{ErrorCode::kUpstreamError,
                      "an SSE event from " + authority() + " exceeds 16 MiB"};
    }
  }
  reusable_ = reader.keep_alive() && connection.buffer.size() == 0;
  co_return std::nullopt;
}

// The deadline of the next operation: the phase's, or the total one when that comes first.
void Call::arm(beast::tcp_stream& tcp, Phase phase, Clock::time_point deadline) {
  phase_ = phase;
  total_binding_ = total_deadline_ <= deadline;
  const Clock::time_point at = std::min(deadline, total_deadline_);
  if (at == Clock::time_point::max()) {
    tcp.expires_never();
  } else {
    tcp.expires_at(at);
  }
}

// The same for the reads of a response on a plain connection: the connection's deadline
// (detail::ConnectionDeadline), a store, instead of Beast's timer armed and cancelled for
// every read.
void Call::arm_reads(detail::Connection& connection, Phase phase, Clock::time_point deadline) {
  phase_ = phase;
  total_binding_ = total_deadline_ <= deadline;
  connection.deadline().set(std::min(deadline, total_deadline_));
}

Error Call::fail(const error_code& ec, bool response_started) const {
  if (cancel_.cancelled()) return cancelled();
  if (ec == beast::error::timeout) return timed_out();
  const std::string where = authority();
  switch (phase_) {
    case Phase::kConnect:
      return Error{ErrorCode::kUpstreamUnreachable,
                   "connect to " + where + " failed: " + ec.message()};
    case Phase::kHandshake:
      return Error{ErrorCode::kUpstreamUnreachable,
                   "TLS handshake with " + where + " failed: " + ec.message()};
    case Phase::kWrite:
      return Error{ErrorCode::kUpstreamUnreachable,
                   "sending the request to " + where + " failed: " + ec.message()};
    default:
      break;
  }
  if (ec == bhttp::error::body_limit) {
    return Error{ErrorCode::kUpstreamError, "response from " + where + " exceeds 64 MiB"};
  }
  if (is_closed_error(ec)) {
    return Error{ErrorCode::kUpstreamUnreachable,
                 where + " closed the connection before " +
                     (response_started ? "the response was complete" : "sending a response") +
                     " (" + ec.message() + ")"};
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
    return Error{ErrorCode::kUpstreamError,
                 "malformed response from " + where + ": " + ec.message()};
  }
  return Error{ErrorCode::kUpstreamUnreachable,
               "reading the response from " + where + " failed: " + ec.message()};
}

Error Call::timed_out() const {
  const std::string where = authority();
  auto ms = [](Millis m) { return std::to_string(m.count()) + " ms"; };
  if (total_binding_) {
    return Error{ErrorCode::kUpstreamTimeout,
                 "call to " + where + " exceeded the total timeout of " + ms(timeouts_.total)};
  }
  std::string message;
  switch (phase_) {
    case Phase::kConnect:
    case Phase::kHandshake:
      message = "connect to " + where + " timed out after " + ms(timeouts_.connect);
      break;
    case Phase::kWrite:
      message = "sending the request to " + where + " stalled for " + ms(timeouts_.idle);
      break;
    case Phase::kHeaders:
      message = "no response headers from " + where + " within " + ms(timeouts_.first_token);
      break;
    case Phase::kFirstEvent:
      message = "no SSE event from " + where + " within " + ms(timeouts_.first_token);
      break;
    case Phase::kBody:
      message = "no data from " + where + " for " + ms(timeouts_.idle) + " (idle timeout)";
      break;
  }
  return Error{ErrorCode::kUpstreamTimeout, std::move(message)};
}

Error bad_url(std::string_view url, std::string_view what) {
  return Error::invalid("base_url", "'" + std::string(url) + "' " + std::string(what));
}

}  // namespace

Result<Origin> Origin::parse(std::string_view base_url) {
  auto parsed = boost::urls::parse_uri(base_url);
  if (!parsed) return bad_url(base_url, "is not an absolute URL: " + parsed.error().message());
  const boost::urls::url_view url = *parsed;
  Origin origin;
  switch (url.scheme_id()) {
    case boost::urls::scheme::http:
      origin.tls = false;
      break;
    case boost::urls::scheme::https:
      origin.tls = true;
      break;
    default:
      return bad_url(base_url, "must start with http:// or https://");
  }
  if (!url.has_authority() || url.encoded_host().empty()) return bad_url(base_url, "has no host");
  if (url.has_userinfo()) {
    return bad_url(base_url, "must not contain user info (give credentials as api_key)");
  }
  if (url.has_query() || url.has_fragment()) {
    return bad_url(base_url, "must not have a query or a fragment");
  }
  if (url.host_type() == boost::urls::host_type::ipvfuture) {
    return bad_url(base_url, "has an unsupported IP literal");
  }
  origin.host = url.host_address();  // IPv6 without brackets
  if (url.has_port() && !url.port().empty()) {
    const std::string_view port(url.port().data(), url.port().size());
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return bad_url(base_url, "has an invalid port (expected 1-65535)");
    }
    origin.port = std::to_string(value);
  } else {
    origin.port = origin.tls ? "443" : "80";
  }
  const auto path = url.encoded_path();
  origin.base_path.assign(path.data(), path.size());
  while (!origin.base_path.empty() && origin.base_path.back() == '/') origin.base_path.pop_back();
  return origin;
}

std::size_t UpstreamRequest::body_size() const {
  if (body_pieces.empty()) return body.size();
  std::size_t n = 0;
  for (const BodyPiece& p : body_pieces) n += p.borrowed.empty() ? p.size : p.borrowed.size();
  return n;
}

namespace {
std::atomic<std::uint64_t> next_client_id{1};

std::shared_ptr<const AddressPolicy> shared_default_policy() {
  // Not owned (aliasing constructor): the default policy is a static that outlives clients.
  return std::shared_ptr<const AddressPolicy>(std::shared_ptr<const AddressPolicy>(),
                                              &AddressPolicy::default_policy());
}
}  // namespace

UpstreamClient::UpstreamClient(Origin origin, UpstreamTimeouts timeouts, int max_idle_connections,
                               std::shared_ptr<const AddressPolicy> policy, HostResolver resolver)
    : origin_(std::move(origin)),
      timeouts_(timeouts),
      max_idle_(max_idle_connections),
      policy_(policy ? std::move(policy) : shared_default_policy()),
      resolver_(std::move(resolver)),
      id_(next_client_id.fetch_add(1, std::memory_order_relaxed)) {}

UpstreamClient::~UpstreamClient() { detail::drop_thread_pools(id_); }

Task<Result<UpstreamResponse>> UpstreamClient::send(const UpstreamRequest& request,
                                                    Cancel& cancel) {
  Call call(origin_, timeouts_, *policy_, resolver_, request, cancel, nullptr);
  co_return co_await call.run(id_, max_idle_);
}

Task<Result<UpstreamResponse>> UpstreamClient::stream(const UpstreamRequest& request,
                                                      Cancel& cancel, SseHandler& handler) {
  Call call(origin_, timeouts_, *policy_, resolver_, request, cancel, &handler);
  co_return co_await call.run(id_, max_idle_);
}

}  // namespace plinth::http
