// The process-wide TLS client context of upstream connections (private to src/http/).
#pragma once

#include <boost/asio/ssl/context.hpp>

namespace plinth::http::detail {

// TLS 1.2 or newer, peer verification against the system trust store. One context serves
// every UpstreamClient on every thread: OpenSSL allows that once it is set up. Tests may add
// a certificate authority to it before the first handshake.
boost::asio::ssl::context& tls_client_context();

}  // namespace plinth::http::detail
