#include "core/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace plinth::metrics {
namespace {

TEST(Metrics, RendersCountersGaugesAndCumulativeHistograms) {
  Registry r;
  auto& requests = r.counter("t_requests_total", "Requests", {"model", "status"});
  requests.with({"m", "200"}).inc();
  requests.with({"m", "200"}).inc(2);
  requests.with({"m\"x", "500"}).inc();
  r.gauge("t_open", "Open", {}).with({}).add(3);
  static const std::vector<double> bounds = {0.1, 1};
  auto& h = r.histogram("t_seconds", "Seconds", {"model"}, bounds);
  h.with({"m"}).observe(0.05);
  h.with({"m"}).observe(0.5);
  h.with({"m"}).observe(5);
  const std::string text = r.render();
  EXPECT_NE(text.find("# TYPE t_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("t_requests_total{model=\"m\",status=\"200\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("t_requests_total{model=\"m\\\"x\",status=\"500\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("t_open 3\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{model=\"m\",le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{model=\"m\",le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{model=\"m\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_count{model=\"m\"} 3\n"), std::string::npos);
}

TEST(Metrics, ThreadsShareOneChildPerLabelSet) {
  Registry r;
  auto& c = r.counter("t_total", "Total", {"k"});
  std::thread a([&] { for (int i = 0; i < 1000; ++i) c.with({"x"}).inc(); });
  std::thread b([&] { for (int i = 0; i < 1000; ++i) c.with({"x"}).inc(); });
  a.join();
  b.join();
  EXPECT_EQ(c.with({"x"}).value(), 2000u);
}

TEST(Metrics, RegistriesDoNotShareCachedChildren) {
  for (int round = 0; round < 3; ++round) {
    Registry r;
    auto& c = r.counter("t_total", "Total", {"k"});
    c.with({"x"}).inc();
    EXPECT_EQ(c.with({"x"}).value(), 1u) << "round " << round;
  }
}

}  // namespace
}  // namespace plinth::metrics
