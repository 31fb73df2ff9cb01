#include "../../../bench/loadgen/schedule.h"

#include <gtest/gtest.h>

namespace plinth::bench {
namespace {

TEST(BenchOpenSchedule, RequestsFallOnAFixedGrid) {
  const OpenSchedule s(1'000'000'000, 1000.0);  // 1 ms apart
  EXPECT_EQ(s.due_ns(0), 1'000'000'000);
  EXPECT_EQ(s.due_ns(1), 1'001'000'000);
  EXPECT_EQ(s.due_ns(5000), 6'000'000'000);
}

TEST(BenchOpenSchedule, FractionalRatesDoNotDrift) {
  const OpenSchedule s(0, 3.0);  // 333.33 ms apart
  EXPECT_EQ(s.due_ns(3), 1'000'000'000);
  EXPECT_EQ(s.due_ns(3'000'000), 1'000'000'000'000'000);
}

TEST(BenchOpenSchedule, DueCountCountsEverySlotUpToNow) {
  const OpenSchedule s(1000, 1e6);  // 1 us apart
  EXPECT_EQ(s.due_count(999), 0u);
  EXPECT_EQ(s.due_count(1000), 1u);
  EXPECT_EQ(s.due_count(1999), 1u);
  EXPECT_EQ(s.due_count(2000), 2u);
  for (int64_t now = 1000; now < 50'000; now += 137) {
    const uint64_t n = s.due_count(now);
    EXPECT_LE(s.due_ns(n - 1), now);
    EXPECT_GT(s.due_ns(n), now);
  }
}

TEST(BenchAbort, ExactFractionSpreadEvenly) {
  uint64_t aborted = 0;
  uint64_t longest_run = 0, run = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    if (should_abort(i, 0.1)) {
      ++aborted;
      run = 0;
    } else {
      longest_run = std::max(longest_run, ++run);
    }
  }
  EXPECT_EQ(aborted, 100u);
  EXPECT_LE(longest_run, 10u);
  EXPECT_FALSE(should_abort(7, 0.0));
  EXPECT_TRUE(should_abort(7, 1.0));
}

TEST(BenchAbort, StreamsAreCutMidWay) {
  for (uint64_t i = 0; i < 1000; ++i) {
    const uint64_t after = abort_after_chunks(i, 64);
    EXPECT_GE(after, 1u);
    EXPECT_LE(after, 63u);
  }
  EXPECT_EQ(abort_after_chunks(3, 1), 1u);
}

}  // namespace
}  // namespace plinth::bench
