#include "gateway/stages/record_metrics.h"

#include "gateway/exchange.h"

#include <gtest/gtest.h>

#include <chrono>

namespace plinth::gateway {
namespace {

using std::chrono::microseconds;

struct Overhead {
  metrics::Registry registry;
  GatewayMetrics m{registry};
  RecordMetrics stage{m};
  metrics::Histogram& request() { return m.overhead.with({"request"}); }
  metrics::Histogram& response() { return m.overhead.with({"response"}); }
};

TEST(RecordMetricsOverhead, AStreamCountsToTheRequestWrittenAndToItsFirstChunk) {
  Overhead o;
  Exchange ex;
  ex.started = Clock::time_point{} + std::chrono::seconds(100);
  ex.upstream_started = ex.started + microseconds(3);
  ex.write_started = ex.started + microseconds(7);
  ex.upstream_headers = ex.started + microseconds(500);
  ex.first_token = ex.upstream_headers + microseconds(4);
  ex.finished = ex.first_token + std::chrono::seconds(5);  // the stream's length is not ours
  o.stage.on_complete(ex);
  ASSERT_EQ(o.request().count(), 1u);
  ASSERT_EQ(o.response().count(), 1u);
  EXPECT_NEAR(o.request().sum(), 7e-6, 1e-9);
  EXPECT_NEAR(o.response().sum(), 4e-6, 1e-9);
}

TEST(RecordMetricsOverhead, TimeSpentOpeningAConnectionIsNotTheGatewaysOwn) {
  Overhead o;
  Exchange ex;
  ex.started = Clock::time_point{} + std::chrono::seconds(100);
  ex.write_started = ex.started + microseconds(250);
  ex.connect_wait = microseconds(240);  // a connect and its SYN-ACK
  ex.upstream_headers = ex.started + microseconds(900);
  ex.first_token = ex.upstream_headers + microseconds(3);
  o.stage.on_complete(ex);
  ASSERT_EQ(o.request().count(), 1u);
  EXPECT_NEAR(o.request().sum(), 10e-6, 1e-9);
}

TEST(RecordMetricsOverhead, AWholeResponseCountsToItsClientWrite) {
  Overhead o;
  Exchange ex;
  ex.started = Clock::time_point{} + std::chrono::seconds(100);
  ex.upstream_started = ex.started + microseconds(2);  // no write time known: this stands in
  ex.upstream_headers = ex.started + microseconds(900);
  ex.response_ready = ex.upstream_headers + microseconds(6);
  o.stage.on_complete(ex);
  ASSERT_EQ(o.request().count(), 1u);
  EXPECT_NEAR(o.request().sum(), 2e-6, 1e-9);
  EXPECT_NEAR(o.response().sum(), 6e-6, 1e-9);
}

TEST(RecordMetricsOverhead, ACallThatGotNoAnswerIsNotCounted) {
  Overhead o;
  Exchange ex;
  ex.upstream_started = ex.started + microseconds(2);
  ex.write_started = ex.started + microseconds(5);
  o.stage.on_complete(ex);  // the upstream never answered: no response phase to pair
  EXPECT_EQ(o.request().count(), 0u);
  EXPECT_EQ(o.response().count(), 0u);
}

}  // namespace
}  // namespace plinth::gateway
