// The Beast transport: resolve, connect (TLS for https), write, read, close; each step under
// the stream's deadline, run to completion on a private io_context so the calling code stays
// synchronous.
#include "ctl/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <openssl/ssl.h>

#include <cstdio>

namespace plinth::ctl {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxResponseBytes = 64 * 1024 * 1024;

// Runs one asynchronous operation to completion; the stream's deadline bounds it.
template <class Start>
error_code run_op(asio::io_context& ioc, Start&& start) {
  error_code result;
  start([&result](error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

ssl::context& tls_context() {
  static ssl::context context = [] {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx.set_verify_mode(ssl::verify_peer);
    error_code ec;
    ctx.set_default_verify_paths(ec);  // without a trust store, verification fails: safe
    return ctx;
  }();
  return context;
}

std::string seconds(std::chrono::milliseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(d.count()) / 1000.0);
  return text;
}

class BeastTransport final : public Transport {
 public:
  BeastTransport(ServerUrl server, HttpTimeouts timeouts)
      : server_(std::move(server)),
        timeouts_(timeouts),
        where_((server_.tls ? "https://" : "http://") + server_.host_header) {}

  Result<HttpResponse> send(const HttpRequest& request) override {
    asio::io_context ioc;
    error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(server_.host, server_.port, ec);
    if (ec) return failure("cannot resolve " + server_.host + ": " + ec.message());

    if (!server_.tls) {
      beast::tcp_stream stream(ioc);
      if (auto connected = connect(ioc, stream, endpoints); !connected.ok()) {
        return std::move(connected).error();
      }
      auto answer = exchange(ioc, stream, request);
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      return answer;
    }
    ssl::stream<beast::tcp_stream> stream(ioc, tls_context());
    if (!SSL_set_tlsext_host_name(stream.native_handle(), server_.host.c_str())) {
      return failure("cannot set TLS server name " + server_.host);
    }
    stream.set_verify_callback(ssl::host_name_verification(server_.host));
    if (auto connected = connect(ioc, stream.next_layer(), endpoints); !connected.ok()) {
      return std::move(connected).error();
    }
    ec = run_op(ioc, [&](auto handler) {
      stream.async_handshake(ssl::stream_base::client, std::move(handler));
    });
    if (ec) return io_failure(ec, "TLS handshake with", timeouts_.connect);
    // No TLS close_notify: the answer is complete, and a peer that never answers it would
    // only cost time.
    return exchange(ioc, stream, request);
  }

 private:
  Status connect(asio::io_context& ioc, beast::tcp_stream& stream,
                 const tcp::resolver::results_type& endpoints) {
    stream.expires_after(timeouts_.connect);
    error_code ec =
        run_op(ioc, [&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
    if (ec) return io_failure(ec, "cannot connect to", timeouts_.connect);
    return {};
  }

  template <class Stream>
  Result<HttpResponse> exchange(asio::io_context& ioc, Stream& stream, const HttpRequest& request) {
    bhttp::request<bhttp::string_body> req;
    req.method_string(request.method);
    req.target(request.target);
    req.version(11);
    req.set(bhttp::field::host, server_.host_header);
    req.set(bhttp::field::user_agent, "plinthctl/" PLINTH_VERSION);
    req.set(bhttp::field::accept, "application/json");
    for (const auto& [name, value] : request.headers) req.set(name, value);
    if (!request.body.empty()) req.set(bhttp::field::content_type, "application/json");
    req.body() = request.body;
    req.keep_alive(false);
    req.prepare_payload();

    beast::get_lowest_layer(stream).expires_after(timeouts_.request);
    error_code ec =
        run_op(ioc, [&](auto handler) { bhttp::async_write(stream, req, std::move(handler)); });
    if (ec) return io_failure(ec, "cannot send the request to", timeouts_.request);

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    ec = run_op(
        ioc, [&](auto handler) { bhttp::async_read(stream, buffer, parser, std::move(handler)); });
    if (ec) return io_failure(ec, "no answer from", timeouts_.request);
    HttpResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    response.body = std::move(parser.get().body());
    return response;
  }

  Error failure(std::string message) const {
    return Error{ErrorCode::kUpstreamUnreachable, std::move(message)};
  }

  Error io_failure(error_code ec, std::string_view doing, std::chrono::milliseconds limit) const {
    if (ec == beast::error::timeout) {
      return Error{ErrorCode::kUpstreamTimeout,
                   std::string(doing) + " " + where_ + ": timed out after " + seconds(limit)};
    }
    return failure(std::string(doing) + " " + where_ + ": " + ec.message());
  }

  ServerUrl server_;
  HttpTimeouts timeouts_;
  std::string where_;
};

}  // namespace

std::unique_ptr<Transport> make_http_transport(ServerUrl server, HttpTimeouts timeouts) {
  return std::make_unique<BeastTransport>(std::move(server), timeouts);
}

}  // namespace plinth::ctl
