// DrainingBuffer: a read that the kernel says left nothing queued counts as having drained the
// socket, so the next read waits for the socket's next edge. These hold it to losing nothing:
// bytes that come after a short read, the rest after a full one, and the end of the stream,
// also when the last bytes and the end arrive as one edge, and also without TCP_INQ.
#include "http/detail/draining_read.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <poll.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>

namespace plinth::http::detail {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

struct ReadResult {
  boost::system::error_code ec;
  std::size_t n = 0;
};

class DrainingReadTest : public ::testing::TestWithParam<bool> {
 protected:
  DrainingReadTest() {
    tcp::acceptor acceptor(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client_.connect(acceptor.local_endpoint());
    if (GetParam()) enable_draining_reads(client_);
    peer_ = acceptor.accept();
  }

  // Blocks until the peer's FIN has reached the client's socket (at most 5 s).
  bool fin_arrived() {
    pollfd p{client_.native_handle(), POLLRDHUP, 0};
    return ::poll(&p, 1, 5000) == 1 && (p.revents & POLLRDHUP) != 0;
  }

  // Starts a read and runs what is ready: the read is left waiting for the socket's edge.
  void start_waiting_read() {
    start_read(64);
    ioc_.restart();
    ioc_.poll();
  }

  // Starts a read into room_ (at most `size` bytes); the result lands in result_.
  void start_read(std::size_t size) {
    result_.reset();
    client_.async_read_some(DrainingBuffer(asio::buffer(room_.data(), size)),
                            [this](boost::system::error_code ec, std::size_t n) {
                              result_ = ReadResult{ec, n};
                            });
  }

  // Runs handlers until the read completes, or gives up after 5 s (a deadline, not a wait).
  const std::optional<ReadResult>& finish_read() {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    ioc_.restart();  // the last read's completion left it out of work, hence stopped
    while (!result_ && std::chrono::steady_clock::now() < deadline) ioc_.run_one_for(100ms);
    return result_;
  }

  void peer_sends(const std::string& bytes) { asio::write(peer_, asio::buffer(bytes)); }
  std::string got() const { return std::string(room_.data(), result_->n); }

  asio::io_context ioc_;
  tcp::socket client_{ioc_};
  tcp::socket peer_{ioc_};
  std::array<char, 64> room_{};
  std::optional<ReadResult> result_;
};

TEST_P(DrainingReadTest, BytesThatComeAfterAShortReadAreRead) {
  peer_sends("abc");
  start_read(64);
  ASSERT_TRUE(finish_read());
  EXPECT_EQ(got(), "abc");

  start_waiting_read();
  EXPECT_FALSE(result_) << "nothing was sent: the read waits";
  peer_sends("defgh");
  ASSERT_TRUE(finish_read()) << "the bytes after a short read were never read";
  EXPECT_FALSE(result_->ec);
  EXPECT_EQ(got(), "defgh");
}

TEST_P(DrainingReadTest, WhatAFullReadLeftIsReadNext) {
  // The read waits first, so that the bytes' edge is the one that completes it: no edge is
  // left over for the rest, which only the next read's own first try finds.
  start_waiting_read();
  ASSERT_FALSE(result_);
  peer_sends(std::string(100, 'x'));
  ASSERT_TRUE(finish_read());
  // The first read may see fewer bytes than were sent; read until all 100 are in.
  std::size_t total = result_->n;
  while (total < 100) {
    start_read(64);
    ASSERT_TRUE(finish_read()) << "stuck after " << total << " of 100 bytes";
    ASSERT_FALSE(result_->ec);
    total += result_->n;
  }
  EXPECT_EQ(total, 100u);
}

TEST_P(DrainingReadTest, TheEndOfTheStreamAfterAShortReadIsSeen) {
  peer_sends("x");
  start_read(64);
  ASSERT_TRUE(finish_read());
  EXPECT_EQ(got(), "x");
  peer_.shutdown(tcp::socket::shutdown_send);
  start_read(64);
  ASSERT_TRUE(finish_read()) << "the FIN after a short read was never seen";
  EXPECT_EQ(result_->ec, asio::error::eof);
}

TEST_P(DrainingReadTest, TheEndThatCameInOneEdgeWithTheLastBytesIsSeen) {
  // The read waits, then the bytes and the FIN both arrive before the reactor looks: epoll
  // reports them as one edge. The read gets "x", a short read, yet the socket is not drained.
  start_waiting_read();
  ASSERT_FALSE(result_);
  peer_sends("x");
  peer_.shutdown(tcp::socket::shutdown_send);
  ASSERT_TRUE(fin_arrived());
  ASSERT_TRUE(finish_read());
  EXPECT_EQ(got(), "x");
  start_read(64);
  ASSERT_TRUE(finish_read()) << "the FIN that came with the last bytes was never seen";
  EXPECT_EQ(result_->ec, asio::error::eof);
}

// Every case runs with the kernel's count (TCP_INQ) and without it, where the reads behave
// as Asio's own.
INSTANTIATE_TEST_SUITE_P(WithAndWithoutTheKernelsCount, DrainingReadTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Counted" : "Uncounted"; });

}  // namespace
}  // namespace plinth::http::detail
