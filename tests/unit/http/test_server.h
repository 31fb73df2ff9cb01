// TestServer: an in-test HTTP/1.1 server on 127.0.0.1 with a free port. Each accepted
// connection runs the test's script on its own thread with blocking Beast calls, so a
// script reads like the conversation it plays: read a request, write raw bytes, wait for
// the client to close. Optional TLS with a certificate made on the fly.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace plinth::http::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A flag one thread sets and another waits on, with a deadline.
class Signal {
 public:
  void set() {
    std::lock_guard lock(mu_);
    set_ = true;
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds limit = 2000ms) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return set_; });
  }
  bool is_set() {
    std::lock_guard lock(mu_);
    return set_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

// A self-signed certificate (EC P-256) whose subjectAltName lists `alt_names`
// ("IP:127.0.0.1", "DNS:localhost"), in PEM.
struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
};

inline TestCertificate make_certificate(const std::string& alt_names) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), static_cast<long>(std::rand()) + 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  // A distinct name per certificate: OpenSSL finds a trusted issuer by name.
  static std::atomic<int> serial{0};
  const std::string common_name = "plinth test " + std::to_string(++serial);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, alt_names},
                            {NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());

  auto to_pem = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return pem;
  };
  TestCertificate out;
  out.cert_pem = to_pem([&](BIO* b) { PEM_write_bio_X509(b, cert); });
  out.key_pem = to_pem(
      [&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

class TestServer {
 public:
  // One accepted connection, driven by a script on its own thread.
  class Connection {
   public:
    Connection(tcp::socket socket, TestServer& server)
        : socket_(std::move(socket)), server_(server) {
      std::lock_guard lock(server_.mu_);
      server_.live_.insert(this);
    }
    ~Connection() {
      std::lock_guard lock(server_.mu_);
      server_.live_.erase(this);
      boost::system::error_code ec;
      socket_.close(ec);
    }

    // Completes the TLS handshake; false when the client gave up (e.g. did not trust us).
    bool handshake(asio::ssl::context& tls) {
      tls_.emplace(socket_, tls);
      boost::system::error_code ec;
      tls_->handshake(asio::ssl::stream_base::server, ec);
      return !ec;
    }

    // The next request, or nullopt when the client closed the connection or sent garbage.
    std::optional<bhttp::request<bhttp::string_body>> read_request() {
      bhttp::request<bhttp::string_body> request;
      boost::system::error_code ec;
      if (tls_) {
        bhttp::read(*tls_, buffer_, request, ec);
      } else {
        bhttp::read(socket_, buffer_, request, ec);
      }
      if (ec) return std::nullopt;
      return request;
    }

    // Writes raw bytes; false when the client is gone.
    bool write(std::string_view bytes) {
      boost::system::error_code ec;
      if (tls_) {
        asio::write(*tls_, asio::buffer(bytes), ec);
      } else {
        asio::write(socket_, asio::buffer(bytes), ec);
      }
      return !ec;
    }

    // Waits until the client closes its end (EOF or reset); false when `limit` passed first
    // or when the client sent data instead.
    bool wait_closed(std::chrono::milliseconds limit = 2000ms) {
      const int fd = socket_.native_handle();
      timeval tv{static_cast<time_t>(limit.count() / 1000),
                 static_cast<suseconds_t>((limit.count() % 1000) * 1000)};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char byte;
      const ssize_t n = ::recv(fd, &byte, 1, 0);
      tv = timeval{};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      return n == 0 || (n < 0 && errno == ECONNRESET);
    }

    // Closes gracefully (FIN).
    void close() {
      std::lock_guard lock(server_.mu_);
      boost::system::error_code ec;
      socket_.shutdown(tcp::socket::shutdown_both, ec);
      socket_.close(ec);
    }

    // Aborts the connection: the client sees a reset.
    void reset() {
      std::lock_guard lock(server_.mu_);
      boost::system::error_code ec;
      socket_.set_option(asio::socket_base::linger(true, 0), ec);
      socket_.close(ec);
    }

   private:
    friend class TestServer;
    tcp::socket socket_;
    std::optional<asio::ssl::stream<tcp::socket&>> tls_;
    beast::flat_buffer buffer_;
    TestServer& server_;
  };

  using Script = std::function<void(Connection&)>;

  // Serves every connection with `script`; with `tls`, the script starts after a TLS
  // handshake (a connection whose handshake fails is dropped).
  explicit TestServer(Script script, std::optional<TestCertificate> tls = std::nullopt)
      : script_(std::move(script)),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    if (tls) {
      tls_.emplace(asio::ssl::context::tls_server);
      tls_->use_certificate_chain(asio::buffer(tls->cert_pem));
      tls_->use_private_key(asio::buffer(tls->key_pem), asio::ssl::context::pem);
    }
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~TestServer() {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocked accept()
    accept_thread_.join();
    {
      std::lock_guard lock(mu_);
      for (Connection* c : live_) {
        if (c->socket_.is_open()) ::shutdown(c->socket_.native_handle(), SHUT_RDWR);
      }
    }
    for (std::thread& t : threads_) t.join();
  }

  std::uint16_t port() const { return port_; }
  std::string base_url(std::string_view path = "") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
           std::string(path);
  }
  std::string authority() const { return "127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_.load(); }

 private:
  void accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = acceptor_.accept(ec);
      if (ec) return;
      ++accepted_;
      threads_.emplace_back([this, s = std::move(socket)]() mutable {
        Connection connection(std::move(s), *this);
        if (tls_ && !connection.handshake(*tls_)) return;
        script_(connection);
      });
    }
  }

  Script script_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::optional<asio::ssl::context> tls_;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread accept_thread_;
  std::vector<std::thread> threads_;  // touched by the accept thread, then by ~TestServer
  std::mutex mu_;
  std::set<Connection*> live_;
};

// One chunk of a chunked body.
inline std::string chunk(std::string_view data) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

inline constexpr std::string_view kSseHeaders =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

// A complete response with a Content-Length body.
inline std::string response(int status, std::string_view body,
                            std::string_view content_type = "application/json",
                            std::string_view extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + std::string(content_type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

}  // namespace plinth::http::testing
