// Per-version call statistics in the shared store suite (upserted minute buckets), and the
// histogram helpers on CallStats.
#include "store_fixture.h"

namespace plinth::store::testing {
namespace {

constexpr UnixMillis kMinute = 60'000;
constexpr UnixMillis kT0 = 1'700'000'040'000;  // a whole minute

CallStats bucket(VersionId v, UnixMillis start, std::initializer_list<std::int64_t> latencies,
                 int errors = 0) {
  CallStats s;
  s.version_id = v;
  s.window_start = start;
  int i = 0;
  for (auto ms : latencies) s.record_call(ms, 10, 20, i++ < errors);
  return s;
}

TEST(CallStatsBucket, RecordsCallsIntoTheRightHistogramBuckets) {
  CallStats s = bucket(1, 0, {10, 50, 51, 2000, 999'999}, 1);
  EXPECT_EQ(s.calls, 5);
  EXPECT_EQ(s.errors, 1);
  EXPECT_EQ(s.latency_ms_sum, 10 + 50 + 51 + 2000 + 999'999);
  EXPECT_EQ(s.tokens_in, 50);
  EXPECT_EQ(s.tokens_out, 100);
  EXPECT_EQ(s.latency_buckets[0], 2);                    // <= 50
  EXPECT_EQ(s.latency_buckets[1], 1);                    // <= 100
  EXPECT_EQ(s.latency_buckets[5], 1);                    // <= 2500
  EXPECT_EQ(s.latency_buckets[kLatencyBuckets - 1], 1);  // slower than every bound
}

TEST(CallStatsBucket, QuantilesReadTheBucketBounds) {
  CallStats s;
  EXPECT_EQ(s.latency_quantile_ms(0.5), 0);
  for (int i = 0; i < 90; ++i) s.record_call(40, 0, 0, false);
  for (int i = 0; i < 9; ++i) s.record_call(400, 0, 0, false);
  s.record_call(20'000, 0, 0, false);
  EXPECT_EQ(s.latency_quantile_ms(0.5), 50);
  EXPECT_EQ(s.latency_quantile_ms(0.9), 50);
  EXPECT_EQ(s.latency_quantile_ms(0.95), 500);
  EXPECT_EQ(s.latency_quantile_ms(1.0), 30'000);
}

TEST_P(StoreTest, CallStats_AddingToTheSameMinuteSumsTheCounts) {
  const Model m = make_model("m");
  const Version v = make_version(m.id, "v1");
  const CallStats first[] = {bucket(v.id, kT0, {30, 70}, 1)};
  const CallStats second[] = {bucket(v.id, kT0, {700}), bucket(v.id, kT0 + kMinute, {5})};
  ASSERT_TRUE(store().add_call_stats(first).ok());
  ASSERT_TRUE(store().add_call_stats(second).ok());
  auto listed = store().list_call_stats(v.id, TimeRange{kT0, kT0 + 10 * kMinute});
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  const CallStats& s = (*listed)[0];
  EXPECT_EQ(s.window_start, kT0);
  EXPECT_EQ(s.calls, 3);
  EXPECT_EQ(s.errors, 1);
  EXPECT_EQ(s.latency_ms_sum, 800);
  EXPECT_EQ(s.latency_buckets[0], 1);
  EXPECT_EQ(s.latency_buckets[1], 1);
  EXPECT_EQ(s.latency_buckets[4], 1);
  EXPECT_EQ(s.tokens_in, 30);
  EXPECT_EQ(s.tokens_out, 60);
  EXPECT_EQ((*listed)[1].window_start, kT0 + kMinute);
  EXPECT_EQ((*listed)[1].calls, 1);
}

TEST_P(StoreTest, CallStats_SumAggregatesAWindowOfMinutesOfOneVersion) {
  const Model m = make_model("m");
  const Version v = make_version(m.id, "v1");
  const Version other = make_version(m.id, "v2");
  std::vector<CallStats> buckets;
  for (int i = 0; i < 5; ++i) buckets.push_back(bucket(v.id, kT0 + i * kMinute, {100, 200}, 1));
  buckets.push_back(bucket(other.id, kT0, {100}));
  ASSERT_TRUE(store().add_call_stats(buckets).ok());
  auto sum = store().sum_call_stats(v.id, TimeRange{kT0 + kMinute, kT0 + 4 * kMinute});
  ASSERT_TRUE(sum.ok()) << sum.error().message;
  EXPECT_EQ(sum->window_start, kT0 + kMinute);
  EXPECT_EQ(sum->calls, 6);
  EXPECT_EQ(sum->errors, 3);
  EXPECT_EQ(sum->latency_ms_sum, 900);
  EXPECT_EQ(sum->latency_buckets[1], 3);
  EXPECT_EQ(sum->latency_buckets[2], 3);
  EXPECT_EQ(sum->latency_quantile_ms(0.5), 100);
  auto empty = store().sum_call_stats(v.id, TimeRange{0, kT0});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->calls, 0);
}

TEST_P(StoreTest, CallStats_RejectsUnalignedWindowsAndUnknownVersionsAtomically) {
  const Model m = make_model("m");
  const Version v = make_version(m.id, "v1");
  const CallStats unaligned[] = {bucket(v.id, kT0 + 1, {1})};
  auto refused = store().add_call_stats(unaligned);
  EXPECT_EQ(refused.error().field, "buckets[0].window_start");
  const CallStats partly_unknown[] = {bucket(v.id, kT0, {1}), bucket(v.id + 7, kT0, {1})};
  auto unknown = store().add_call_stats(partly_unknown);
  EXPECT_EQ(code_of(unknown), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().field, "buckets[1].version_id");
  EXPECT_TRUE(store().list_call_stats(v.id, TimeRange{0, kT0 * 2})->empty());
}

TEST_P(StoreTest, CallStats_DoNotAdvanceTheConfigurationRevision) {
  const Model m = make_model("m");
  const Version v = make_version(m.id, "v1");
  const Revision before = current_revision();
  const CallStats b[] = {bucket(v.id, kT0, {1})};
  ASSERT_TRUE(store().add_call_stats(b).ok());
  EXPECT_EQ(current_revision(), before);
}

TEST_P(StoreTest, CallStats_GoWithTheirVersion) {
  const Model m = make_model("m");
  const Version v = make_version(m.id, "v1");
  const CallStats b[] = {bucket(v.id, kT0, {1})};
  ASSERT_TRUE(store().add_call_stats(b).ok());
  ASSERT_TRUE(store().delete_version(v.id).ok());
  EXPECT_TRUE(store().list_call_stats(v.id, TimeRange{0, kT0 * 2})->empty());
}

}  // namespace
}  // namespace plinth::store::testing
