// The shared TLS client context, built once on first use.
#include "http/detail/tls_context.h"

namespace plinth::http::detail {
namespace ssl = boost::asio::ssl;

ssl::context& tls_client_context() {
  static ssl::context context = [] {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx.set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    // Without a system trust store every handshake fails verification, which is the
    // safe outcome; nothing to report here.
    ctx.set_default_verify_paths(ec);
    return ctx;
  }();
  return context;
}

}  // namespace plinth::http::detail
