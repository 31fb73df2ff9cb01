#include "../../../bench/common/histogram.h"

#include <gtest/gtest.h>

#include <random>

namespace plinth::bench {
namespace {

TEST(BenchHistogram, BucketsAreContiguousAndTight) {
  for (size_t i = 1; i < LatencyHistogram::bucket_count(); ++i) {
    ASSERT_EQ(LatencyHistogram::lowest_in(i), LatencyHistogram::highest_in(i - 1) + 1) << i;
  }
  for (uint64_t v : {0ULL, 1ULL, 255ULL, 256ULL, 257ULL, 1000ULL, 123456ULL, 59'999'999ULL}) {
    const size_t i = LatencyHistogram::index_of(v);
    EXPECT_LE(LatencyHistogram::lowest_in(i), v);
    EXPECT_GE(LatencyHistogram::highest_in(i), v);
    // A bucket spans at most 1/128 of its values.
    EXPECT_LE(LatencyHistogram::highest_in(i) - LatencyHistogram::lowest_in(i),
              LatencyHistogram::lowest_in(i) / 128);
  }
}

TEST(BenchHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(BenchHistogram, PercentilesWithinOnePercentOfExact) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(8.0, 1.5);  // median ~3 ms, long tail
  std::vector<uint64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<uint64_t>(dist(rng)) + 1;
    values.push_back(std::min<uint64_t>(v, LatencyHistogram::kMaxTrackable));
    h.record(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const uint64_t exact = values[static_cast<size_t>(std::ceil(p / 100 * values.size())) - 1];
    const uint64_t got = h.percentile(p);
    EXPECT_GE(got, exact) << "p" << p;  // never understates
    EXPECT_LE(static_cast<double>(got), exact * 1.01 + 1) << "p" << p;
  }
  EXPECT_EQ(h.max(), values.back());
}

TEST(BenchHistogram, ValuesPastSixtySecondsKeepExactMax) {
  LatencyHistogram h;
  h.record(10);
  h.record(90'000'000);
  EXPECT_EQ(h.max(), 90'000'000u);
  EXPECT_EQ(h.percentile(100), 90'000'000u);
  EXPECT_LE(h.percentile(99), 90'000'000u);
}

TEST(BenchHistogram, MergeAddsCountsAndExtremes) {
  LatencyHistogram a, b;
  for (int i = 0; i < 10; ++i) a.record(100);
  for (int i = 0; i < 30; ++i) b.record(5000);
  a.merge(b);
  EXPECT_EQ(a.count(), 40u);
  EXPECT_EQ(a.percentile(25), 100u);
  EXPECT_NEAR(static_cast<double>(a.percentile(50)), 5000, 50);
  EXPECT_EQ(a.max(), 5000u);
  EXPECT_EQ(a.min(), 100u);
  a.reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.percentile(50), 0u);
}

}  // namespace
}  // namespace plinth::bench
