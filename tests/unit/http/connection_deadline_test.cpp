// ConnectionDeadline and the io context's one timer behind it (DeadlineWatch): a deadline
// that passes closes its connection's stream (a pending read then fails) and says so; one
// moved later before it passes does not fire at the old time; a connection at rest is not
// watched, and with none watched the context runs out of work; several connections fire each
// at its own deadline.
#include "http/detail/connection_deadline.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace plinth::http::detail {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = ConnectionDeadline::Clock;

// A connected client stream, its deadline, and a read pending on it.
struct Watched {
  Watched(asio::io_context& ioc, tcp::acceptor& acceptor) : stream(ioc), deadline(ioc.get_executor(), &stream) {
    stream.socket().connect(acceptor.local_endpoint());
    peer = acceptor.accept();
  }
  void start_read() {
    stream.socket().async_read_some(asio::buffer(byte), [this](boost::system::error_code ec, std::size_t) {
      read_error = ec;
      read_done_at = Clock::now();
    });
  }
  boost::beast::tcp_stream stream;
  ConnectionDeadline deadline;
  tcp::socket peer{stream.get_executor()};
  std::array<char, 1> byte{};
  std::optional<boost::system::error_code> read_error;
  Clock::time_point read_done_at{};
};

class ConnectionDeadlineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Watched> watched() { return std::make_unique<Watched>(ioc_, acceptor_); }
  DeadlineWatch& watch() { return asio::use_service<DeadlineWatch>(ioc_); }

  asio::io_context ioc_;
  tcp::acceptor acceptor_{ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
};

TEST_F(ConnectionDeadlineTest, APassedDeadlineClosesTheStreamAndSaysSo) {
  auto w = watched();
  w->start_read();
  const Clock::time_point t0 = Clock::now();
  w->deadline.set(t0 + 30ms);
  ioc_.run();  // returns once the read has failed and nothing is left to wait for
  ASSERT_TRUE(w->read_error.has_value());
  EXPECT_TRUE(*w->read_error);
  EXPECT_TRUE(w->deadline.fired());
  EXPECT_FALSE(w->stream.socket().is_open());
  EXPECT_GE(w->read_done_at - t0, 30ms);
  EXPECT_EQ(watch().watched(), 0u);
}

TEST_F(ConnectionDeadlineTest, ADeadlineMovedLaterDoesNotFireAtTheOldOne) {
  auto w = watched();
  w->start_read();
  const Clock::time_point t0 = Clock::now();
  w->deadline.set(t0 + 30ms);  // the timer is armed for this
  w->deadline.set(t0 + 600ms);  // a store: the timer wakes at 30 ms and sleeps on
  bool open_after_the_old_deadline = false;
  asio::steady_timer check(ioc_, t0 + 150ms);
  check.async_wait([&](boost::system::error_code) {
    open_after_the_old_deadline = w->stream.socket().is_open() && !w->deadline.fired();
  });
  ioc_.run();
  EXPECT_TRUE(open_after_the_old_deadline);
  EXPECT_TRUE(w->deadline.fired());
  EXPECT_GE(w->read_done_at - t0, 600ms);
}

TEST_F(ConnectionDeadlineTest, AnEarlierDeadlineRearmsTheTimer) {
  auto w = watched();
  w->start_read();
  const Clock::time_point t0 = Clock::now();
  w->deadline.set(t0 + 1h);
  w->deadline.set(t0 + 30ms);
  ioc_.run_for(10s);
  EXPECT_TRUE(w->deadline.fired());
  EXPECT_LT(w->read_done_at - t0, 5s);
}

TEST_F(ConnectionDeadlineTest, AConnectionAtRestIsNotWatchedAndTheContextRunsOut) {
  auto a = watched();
  auto b = watched();
  a->deadline.set(Clock::now() + 1h);
  b->deadline.set(Clock::now() + 1h);
  EXPECT_EQ(watch().watched(), 2u);
  a->deadline.rest();
  EXPECT_EQ(watch().watched(), 1u);
  b->deadline.pause();  // paused is still watched, with no deadline
  EXPECT_EQ(watch().watched(), 1u);
  b->deadline.rest();
  EXPECT_EQ(watch().watched(), 0u);
  // With no connection watched the timer is cancelled: run() has nothing to wait for.
  ioc_.run_for(5s);
  EXPECT_TRUE(ioc_.stopped());
  EXPECT_FALSE(a->deadline.fired());
  EXPECT_FALSE(b->deadline.fired());
  EXPECT_TRUE(a->stream.socket().is_open());
}

TEST_F(ConnectionDeadlineTest, EachConnectionFiresAtItsOwnDeadline) {
  std::vector<std::unique_ptr<Watched>> ws;
  for (int i = 0; i < 4; ++i) ws.push_back(watched());
  const Clock::time_point t0 = Clock::now();
  // Set out of order; the last one rests before its deadline and never fires.
  const std::array<std::chrono::milliseconds, 4> after{120ms, 40ms, 80ms, 60ms};
  for (std::size_t i = 0; i < ws.size(); ++i) {
    ws[i]->start_read();
    ws[i]->deadline.set(t0 + after[i]);
  }
  ws[3]->deadline.rest();
  ws[3]->stream.socket().close();  // ends its read: nothing else to wait for
  ioc_.run();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(ws[i]->deadline.fired()) << i;
    EXPECT_GE(ws[i]->read_done_at - t0, after[i]) << i;
  }
  EXPECT_FALSE(ws[3]->deadline.fired());
  EXPECT_LT(ws[1]->read_done_at, ws[2]->read_done_at);
  EXPECT_LT(ws[2]->read_done_at, ws[0]->read_done_at);
}

// An io context whose services can be shut down before it is destroyed, as its destructor
// does first: a connection owned by a pending handler goes in between.
struct ShuttingContext : asio::io_context {
  void shut_down() { shutdown(); }
};

TEST(ConnectionDeadlineShutdown, AContextShuttingDownLetsItsWatchedConnectionsGo) {
  ShuttingContext ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto w = std::make_unique<Watched>(ioc, acceptor);
  w->start_read();
  w->deadline.set(Clock::now() + 1h);
  DeadlineWatch& watch = asio::use_service<DeadlineWatch>(ioc);
  EXPECT_EQ(watch.watched(), 1u);
  ioc.shut_down();
  EXPECT_EQ(watch.watched(), 0u);
  // Going after the shutdown, the connection's rest and a new deadline leave the watch alone.
  w->deadline.set(Clock::now() + 1h);
  EXPECT_EQ(watch.watched(), 0u);
  w.reset();
  EXPECT_EQ(watch.watched(), 0u);
}

}  // namespace
}  // namespace plinth::http::detail
