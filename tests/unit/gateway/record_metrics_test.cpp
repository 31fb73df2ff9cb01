#include "gateway/stages/record_metrics.h"

#include "gateway/exchange.h"
#include "registry/snapshot.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

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

// The stage remembers the children of the label sets it saw last (per thread): every request
// must still land in the series of its own model, version, endpoint and status, in any order
// and with more label sets than are remembered, and a second stage must not reuse the first
// one's children.
TEST(RecordMetricsSeries, EachRequestCountsUnderItsOwnLabelsWhateverCameBefore) {
  metrics::Registry registry;
  GatewayMetrics m{registry};
  RecordMetrics stage{m};
  std::vector<registry::ModelRoute> models(3);
  std::vector<registry::VersionRoute> versions(2);
  for (std::size_t i = 0; i < models.size(); ++i) models[i].name = "m" + std::to_string(i);
  for (std::size_t i = 0; i < versions.size(); ++i) versions[i].name = "v" + std::to_string(i);
  const Endpoint endpoints[] = {Endpoint::kChat, Endpoint::kCompletions};
  const int statuses[] = {200, 429};
  int expected[3][2][2][2] = {};
  std::uint64_t tokens_in[3][2] = {};
  for (int round = 0; round < 3; ++round) {
    for (int mi = 0; mi < 3; ++mi) {
      for (int vi = 0; vi < 2; ++vi) {
        for (int ei = 0; ei < 2; ++ei) {
          for (int si = 0; si < 2; ++si) {
            Exchange ex;
            ex.route = &models[mi];
            ex.version = &versions[vi];
            ex.endpoint = endpoints[ei];
            ex.status = statuses[si];
            const bool estimated = (mi + si + round) % 2 == 1;
            ex.usage = providers::Usage{.prompt_tokens = 1 + mi, .completion_tokens = 2,
                                        .estimated = estimated};
            stage.on_complete(ex);
            ++expected[mi][vi][ei][si];
            tokens_in[mi][estimated] += static_cast<std::uint64_t>(1 + mi);
          }
        }
      }
    }
  }
  for (int mi = 0; mi < 3; ++mi) {
    for (int vi = 0; vi < 2; ++vi) {
      for (int ei = 0; ei < 2; ++ei) {
        for (int si = 0; si < 2; ++si) {
          const std::string status = std::to_string(statuses[si]);
          EXPECT_EQ(m.requests.with({models[mi].name, versions[vi].name,
                                     endpoint_name(endpoints[ei]), status}).value(),
                    static_cast<std::uint64_t>(expected[mi][vi][ei][si]))
              << models[mi].name << " " << versions[vi].name << " " << status;
        }
      }
    }
    EXPECT_EQ(m.tokens.with({models[mi].name, "in", "false"}).value(), tokens_in[mi][0]);
    EXPECT_EQ(m.tokens.with({models[mi].name, "in", "true"}).value(), tokens_in[mi][1]);
  }

  // A second registry and stage, right after the first stage saw the same labels: the first
  // one's remembered children are not theirs.
  Exchange ex;
  ex.route = &models[0];
  ex.version = &versions[0];
  ex.endpoint = Endpoint::kChat;
  ex.status = 200;
  stage.on_complete(ex);
  metrics::Registry other_registry;
  GatewayMetrics other{other_registry};
  RecordMetrics other_stage{other};
  other_stage.on_complete(ex);
  EXPECT_EQ(other.requests.with({"m0", "v0", endpoint_name(Endpoint::kChat), "200"}).value(), 1u);
  EXPECT_EQ(m.requests.with({"m0", "v0", endpoint_name(Endpoint::kChat), "200"}).value(), 4u);
}

}  // namespace
}  // namespace plinth::gateway
