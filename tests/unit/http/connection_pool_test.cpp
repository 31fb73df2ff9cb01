#include "http/detail/connection_pool.h"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

namespace plinth::http::detail {
namespace {

using namespace std::chrono_literals;

class ConnectionPoolTest : public ::testing::Test {
 protected:
  ~ConnectionPoolTest() override { drop_thread_pools(kClient); }

  std::unique_ptr<Connection> connection() {
    return std::make_unique<Connection>(ioc_.get_executor(), nullptr);
  }
  ConnectionPool& pool() { return thread_pool(kClient, ioc_); }

  static constexpr std::uint64_t kClient = 0xc0ffee;
  boost::asio::io_context ioc_;
  const ConnectionPool::Clock::time_point t0_ = ConnectionPool::Clock::now();
};

TEST_F(ConnectionPoolTest, TakesTheMostRecentlyReturned) {
  auto a = connection();
  auto b = connection();
  Connection* second = b.get();
  pool().give_back(std::move(a), 8, t0_);
  pool().give_back(std::move(b), 8, t0_ + 1s);
  auto got = pool().take(t0_ + 2s);
  EXPECT_EQ(got.get(), second);
  EXPECT_TRUE(got->reused);
  EXPECT_EQ(pool().idle(), 1u);
}

TEST_F(ConnectionPoolTest, ClosesThoseIdlePastTheExpiryWhenOneComesBack) {
  auto old_one = connection();
  auto young = connection();
  Connection* kept = young.get();
  pool().give_back(std::move(old_one), 8, t0_);
  pool().give_back(std::move(young), 8, t0_ + 3s);
  // At t0 + 5 s the first has been idle past the 4 s expiry, the second has not.
  pool().give_back(connection(), 8, t0_ + 5s);
  EXPECT_EQ(pool().idle(), 2u);
  pool().take(t0_ + 5s);
  EXPECT_EQ(pool().take(t0_ + 5s).get(), kept);
}

TEST_F(ConnectionPoolTest, TakesNothingOnceEveryIdleConnectionHasExpired) {
  pool().give_back(connection(), 8, t0_);
  pool().give_back(connection(), 8, t0_ + 1s);
  EXPECT_EQ(pool().take(t0_ + 1s + ConnectionPool::kIdleExpiry + 1ms), nullptr);
  EXPECT_EQ(pool().idle(), 0u);
}

TEST_F(ConnectionPoolTest, KeepsAtMostMaxIdle) {
  for (int i = 0; i < 5; ++i) pool().give_back(connection(), 3, t0_);
  EXPECT_EQ(pool().idle(), 3u);
}

}  // namespace
}  // namespace plinth::http::detail
