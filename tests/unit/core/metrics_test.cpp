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

TEST(Metrics, LabelSetsThatDifferOnlyInWhereValuesSplitAreDistinct) {
  // The last-used memo compares joined values: ("ab","c") must not match ("a","bc").
  Registry r;
  auto& c = r.counter("t_total", "Total", {"x", "y"});
  c.with({"ab", "c"}).inc();
  c.with({"a", "bc"}).inc(5);
  c.with({"ab", "c"}).inc();
  c.with({"ab", ""}).inc(7);
  c.with({"ab", "c"}).inc();
  EXPECT_EQ(c.with({"ab", "c"}).value(), 3u);
  EXPECT_EQ(c.with({"a", "bc"}).value(), 5u);
  EXPECT_EQ(c.with({"ab", ""}).value(), 7u);
  c.with({"a\x1f", "b"}).inc(11);  // a separator inside a value must not join two sets
  EXPECT_EQ(c.with({"a", "\x1f" "b"}).value(), 0u);
  EXPECT_EQ(c.with({"a\x1f", "b"}).value(), 11u);
  const std::string text = r.render();
  EXPECT_NE(text.find("t_total{x=\"ab\",y=\"c\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_total{x=\"a\",y=\"bc\"} 5\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace plinth::metrics
