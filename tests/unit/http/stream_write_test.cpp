// The server's chunked stream writes against a client that reads slower than they come: a
// write the socket takes only in part (try_write answers nullopt, drain sends the rest)
// loses and reorders nothing, and the body ends as a whole chunked body.
#include "http/server.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "test_server.h"  // Signal

namespace plinth::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// At most 64 MiB: enough to fill any socket buffer a default kernel allows (4 MiB here).
constexpr int kMaxChunks = 16 * 1024;
constexpr int kChunksAfterTheFirstStall = 200;

constexpr std::string_view kLast = "<last>";

std::string chunk_text(int i) { return "<" + std::to_string(i) + std::string(4096, '.') + ">"; }

// Streams chunks through try_write, draining whenever the socket took a part only, until
// kChunksAfterTheFirstStall chunks after the first such write.
class StreamingHandler final : public Handler {
 public:
  Task<void> handle(const HttpRequest&, ResponseWriter& writer, Cancel&) override {
    if (!writer.begin_stream(200, "text/event-stream", kNoHeaders)) co_return;
    int end = kMaxChunks;
    for (int i = 0; i < end; ++i) {
      std::optional<bool> written = writer.try_write(chunk_text(i));
      if (!written) {
        if (partial_writes.fetch_add(1) == 0) end = std::min(end, i + 1 + kChunksAfterTheFirstStall);
        stalled.set();
        written = co_await writer.drain();
      }
      if (!*written) co_return;
    }
    chunks_written = end;
    co_await writer.finish(kLast);  // a last chunk and the end, in one send
  }
  std::pair<int, std::string> render_error(const Error&) override { return {500, "{}"}; }

  std::atomic<int> partial_writes{0};
  std::atomic<int> chunks_written{0};
  testing::Signal stalled;
};

// Undoes chunked transfer coding; false when `body` is not a whole chunked body.
bool dechunk(std::string_view body, std::string& out) {
  for (;;) {
    const std::size_t line_end = body.find("\r\n");
    if (line_end == std::string_view::npos) return false;
    const std::size_t size = std::stoul(std::string(body.substr(0, line_end)), nullptr, 16);
    body.remove_prefix(line_end + 2);
    if (size == 0) return body == "\r\n";
    if (body.size() < size + 2 || body.substr(size, 2) != "\r\n") return false;
    out.append(body.substr(0, size));
    body.remove_prefix(size + 2);
  }
}

TEST(StreamWrite, ASlowClientGetsEveryChunkInOrder) {
  ServerConfig config;
  config.port = 0;
  config.workers = 1;
  StreamingHandler handler;
  Server server(config, handler);
  ASSERT_TRUE(server.bind().ok());
  std::thread serving([&] { server.run(); });

  asio::io_context ioc;
  tcp::socket client(ioc);
  client.open(tcp::v4());
  client.set_option(asio::socket_base::receive_buffer_size(4096));  // fills after a few chunks
  client.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  asio::write(client, asio::buffer(std::string_view(
                          "GET /stream HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")));
  // The client reads nothing until a write has been taken only in part.
  const bool stalled = handler.stalled.wait(10s);

  std::string response;
  boost::system::error_code ec;
  asio::read(client, asio::dynamic_buffer(response), ec);  // to the server's close
  server.shutdown();
  serving.join();

  ASSERT_TRUE(stalled) << "no write was ever taken in part: the test did not test drain()";
  EXPECT_GT(handler.partial_writes.load(), 0);
  const std::size_t head_end = response.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  std::string body;
  ASSERT_TRUE(dechunk(std::string_view(response).substr(head_end + 4), body))
      << "not a whole chunked body";
  std::string expected;
  for (int i = 0; i < handler.chunks_written.load(); ++i) expected += chunk_text(i);
  expected += kLast;
  EXPECT_EQ(body.size(), expected.size());
  EXPECT_TRUE(body == expected) << "chunks lost, repeated or out of order";
}

}  // namespace
}  // namespace plinth::http
