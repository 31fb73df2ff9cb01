// CallStatsCollector: calls recorded on several threads are merged by (version, minute) and
// added to the store in one write per flush; a failed write keeps them for the next flush.
#include "registry/call_stats_collector.h"

#include <gtest/gtest.h>

#include "temp_sqlite_store.h"
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/secret_box.h"
#include "store/sqlite_store.h"

namespace plinth::registry {
namespace {

constexpr store::UnixMillis kMinute = 60'000;
constexpr store::UnixMillis kT0 = 1'700'000'040'000;  // a whole minute

// A collector that lives until the process exits. The collector keys each thread's shard by
// its own address, so a collector built where a destroyed one lived would find the old
// collector's shard (see CollectorAtAReusedAddress_StillFlushesItsCalls); tests that are not
// about that keep every collector alive so no address is reused.
CallStatsCollector& lasting_collector() {
  static std::vector<std::unique_ptr<CallStatsCollector>> all;
  return *all.emplace_back(std::make_unique<CallStatsCollector>());
}

// A store whose add_call_stats fails on demand and keeps what it was given; nothing else is
// used by the collector.
class StatsOnlyStore : public store::Store {
 public:
  bool fail = false;
  int writes = 0;  // add_call_stats calls, failed ones included
  std::vector<std::vector<store::CallStats>> written;

  Status add_call_stats(std::span<const store::CallStats> buckets) override {
    ++writes;
    if (fail) return Error{ErrorCode::kUnavailable, "database is locked", ""};
    written.emplace_back(buckets.begin(), buckets.end());
    return {};
  }

  Result<store::Revision> revision() override { return unused(); }
  Result<store::Model> create_model(const store::ModelSpec&) override { return unused(); }
  Result<store::Model> get_model(store::ModelId) override { return unused(); }
  Result<store::Model> find_model(std::string_view) override { return unused(); }
  Result<store::Page<store::Model>> list_models(const store::PageRequest&) override {
    return unused();
  }
  Result<store::Model> update_model(store::ModelId, const store::ModelSpec&,
                                    store::Revision) override {
    return unused();
  }
  Status delete_model(store::ModelId, store::Revision) override { return unused(); }
  Result<store::Version> create_version(const store::VersionSpec&) override { return unused(); }
  Result<store::Version> get_version(store::VersionId) override { return unused(); }
  Result<store::Version> find_version(store::ModelId, std::string_view) override {
    return unused();
  }
  Result<store::Page<store::Version>> list_versions(store::ModelId,
                                                    const store::PageRequest&) override {
    return unused();
  }
  Status delete_version(store::VersionId) override { return unused(); }
  Result<store::Endpoint> create_endpoint(const store::EndpointSpec&) override { return unused(); }
  Result<store::Endpoint> get_endpoint(store::EndpointId) override { return unused(); }
  Result<std::vector<store::Endpoint>> list_endpoints(store::VersionId) override {
    return unused();
  }
  Result<store::Endpoint> update_endpoint(store::EndpointId, const store::EndpointUpdate&,
                                          store::Revision) override {
    return unused();
  }
  Status delete_endpoint(store::EndpointId, store::Revision) override { return unused(); }
  Result<std::optional<std::string>> reveal_endpoint_api_key(store::EndpointId) override {
    return unused();
  }
  Result<store::Release> get_release(store::ModelId) override { return unused(); }
  Result<store::Page<store::Release>> list_releases(const store::PageRequest&) override {
    return unused();
  }
  Result<store::Release> put_release(store::ModelId, const store::ReleaseSpec&, store::Revision,
                                     const store::ReleaseAction&) override {
    return unused();
  }
  Status delete_release(store::ModelId, store::Revision, const store::ReleaseAction&) override {
    return unused();
  }
  Result<store::Page<store::ReleaseEvent>> list_release_history(
      store::ModelId, const store::PageRequest&) override {
    return unused();
  }
  Result<std::vector<store::CallStats>> list_call_stats(store::VersionId,
                                                        store::TimeRange) override {
    return unused();
  }
  Result<store::CallStats> sum_call_stats(store::VersionId, store::TimeRange) override {
    return unused();
  }
  Status transact(const std::function<Status(Store&)>& fn) override { return fn(*this); }

 private:
  static Error unused() { return Error{ErrorCode::kInternal, "not used by the collector", ""}; }
};

// A fresh SQLite store in a temporary directory, with one model and two versions.
class CallStatsCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = testing::open_temp_sqlite_store("plinth-collector-", dir_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    auto m = store_->create_model(store::ModelSpec{.name = "chat"});
    ASSERT_TRUE(m.ok()) << m.error().message;
    for (const char* name : {"v1", "v2"}) {
      store::VersionSpec spec;
      spec.model_id = m->id;
      spec.name = name;
      spec.provider_type = "simulator";
      auto v = store_->create_version(spec);
      ASSERT_TRUE(v.ok()) << v.error().message;
      versions_.push_back(v->id);
    }
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<store::CallStats> stored(store::VersionId v) {
    auto listed = store_->list_call_stats(v, store::TimeRange{kT0 - kMinute, kT0 + 10 * kMinute});
    EXPECT_TRUE(listed.ok()) << listed.error().message;
    return listed.ok() ? *listed : std::vector<store::CallStats>{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::vector<store::VersionId> versions_;
};

TEST_F(CallStatsCollectorTest, CallsFromSeveralThreadsAreMergedByVersionAndMinute) {
  CallStatsCollector& collector = lasting_collector();
  const store::VersionId v1 = versions_[0];
  const store::VersionId v2 = versions_[1];
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        // v1: every call, alternating between two minutes; v2: every fifth call, minute 0.
        collector.record(v1, kT0 + (i % 2) * kMinute + i, 40, 3, 5, i % 10 == 0);
        if (i % 5 == 0) collector.record(v2, kT0 + 1, 700, 1, 1, false);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(collector.flush(*store_).ok());

  const auto first = stored(v1);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].window_start, kT0);
  EXPECT_EQ(first[1].window_start, kT0 + kMinute);
  EXPECT_EQ(first[0].calls, kThreads * kPerThread / 2);
  EXPECT_EQ(first[1].calls, kThreads * kPerThread / 2);
  EXPECT_EQ(first[0].errors, kThreads * 25);  // i % 10 == 0 is always an even i: minute 0
  EXPECT_EQ(first[1].errors, 0);
  EXPECT_EQ(first[0].latency_ms_sum, 40 * kThreads * kPerThread / 2);
  EXPECT_EQ(first[0].latency_buckets[0], kThreads * kPerThread / 2);
  EXPECT_EQ(first[0].tokens_in + first[1].tokens_in, 3 * kThreads * kPerThread);
  EXPECT_EQ(first[0].tokens_out + first[1].tokens_out, 5 * kThreads * kPerThread);

  const auto second = stored(v2);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].window_start, kT0);
  EXPECT_EQ(second[0].calls, kThreads * kPerThread / 5);
  EXPECT_EQ(second[0].latency_buckets[4], kThreads * kPerThread / 5);  // 700 ms: <= 1000
}

TEST_F(CallStatsCollectorTest, EachFlushAddsOnlyWhatWasRecordedSinceTheLastOne) {
  CallStatsCollector& collector = lasting_collector();
  const store::VersionId v = versions_[0];
  collector.record(v, kT0, 10, 1, 1, false);
  collector.record(v, kT0, 20, 1, 1, true);
  ASSERT_TRUE(collector.flush(*store_).ok());
  ASSERT_TRUE(collector.flush(*store_).ok());  // nothing new: must not add the same calls again
  collector.record(v, kT0 + 5, 30, 1, 1, false);
  ASSERT_TRUE(collector.flush(*store_).ok());
  const auto s = stored(v);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].calls, 3);
  EXPECT_EQ(s[0].errors, 1);
  EXPECT_EQ(s[0].latency_ms_sum, 60);
}

// A bucket the store refuses (its version was deleted while its last calls ran) is dropped;
// it must not hold back the buckets of other versions, then or in later flushes.
TEST_F(CallStatsCollectorTest, ABucketTheStoreRefusesIsDroppedAndTheOthersAreWritten) {
  CallStatsCollector& collector = lasting_collector();
  collector.record(versions_[0] + 100, kT0, 10, 1, 1, false);  // no such version
  collector.record(versions_[0], kT0, 10, 1, 1, false);
  ASSERT_TRUE(collector.flush(*store_).ok());
  EXPECT_EQ(stored(versions_[0]).size(), 1u);
  collector.record(versions_[0], kT0, 10, 1, 1, false);
  ASSERT_TRUE(collector.flush(*store_).ok());
  ASSERT_EQ(stored(versions_[0]).size(), 1u);
  EXPECT_EQ(stored(versions_[0])[0].calls, 2);
}

TEST_F(CallStatsCollectorTest, NegativeTokenCountsFromAnUpstreamAreCountedAsZero) {
  CallStatsCollector& collector = lasting_collector();
  collector.record(versions_[0], kT0, 10, -5, -7, false);
  ASSERT_TRUE(collector.flush(*store_).ok());
  ASSERT_EQ(stored(versions_[0]).size(), 1u);
  EXPECT_EQ(stored(versions_[0])[0].tokens_in, 0);
  EXPECT_EQ(stored(versions_[0])[0].calls, 1);
}

TEST(CallStatsCollector, CallsAreBucketedByTheMinuteTheyFinishedIn) {
  CallStatsCollector& collector = lasting_collector();
  StatsOnlyStore store;
  collector.record(7, kT0, 1, 0, 0, false);                // first millisecond of the minute
  collector.record(7, kT0 + kMinute - 1, 1, 0, 0, false);  // last millisecond of it
  collector.record(7, kT0 + kMinute, 1, 0, 0, false);      // the next minute
  collector.record(7, kT0 - 1, 1, 0, 0, false);            // the minute before
  ASSERT_TRUE(collector.flush(store).ok());
  ASSERT_EQ(store.written.size(), 1u);  // one write for the whole flush
  const auto& batch = store.written[0];
  ASSERT_EQ(batch.size(), 3u);
  // Ordered by (version, minute).
  EXPECT_EQ(batch[0].window_start, kT0 - kMinute);
  EXPECT_EQ(batch[0].calls, 1);
  EXPECT_EQ(batch[1].window_start, kT0);
  EXPECT_EQ(batch[1].calls, 2);
  EXPECT_EQ(batch[2].window_start, kT0 + kMinute);
  EXPECT_EQ(batch[2].calls, 1);
  for (const auto& b : batch) EXPECT_EQ(b.version_id, 7);
}

TEST(CallStatsCollector, FlushWithNothingRecordedDoesNotWrite) {
  CallStatsCollector& collector = lasting_collector();
  StatsOnlyStore store;
  EXPECT_TRUE(collector.flush(store).ok());
  EXPECT_EQ(store.writes, 0);
}

TEST(CallStatsCollector, AFailedFlushKeepsTheBucketsForTheNextOne) {
  CallStatsCollector& collector = lasting_collector();
  StatsOnlyStore store;
  collector.record(1, kT0, 100, 2, 3, false);
  collector.record(2, kT0, 100, 2, 3, true);
  store.fail = true;
  Status failed = collector.flush(store);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(store.written.empty());

  // More calls arrive (one from another thread) into a kept bucket and a new one.
  collector.record(1, kT0 + 10, 300, 1, 1, true);
  std::thread([&] { collector.record(1, kT0 + kMinute, 50, 1, 1, false); }).join();
  store.fail = false;
  ASSERT_TRUE(collector.flush(store).ok());
  ASSERT_EQ(store.written.size(), 1u);
  const auto& batch = store.written[0];
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].version_id, 1);
  EXPECT_EQ(batch[0].window_start, kT0);
  EXPECT_EQ(batch[0].calls, 2);
  EXPECT_EQ(batch[0].errors, 1);
  EXPECT_EQ(batch[0].latency_ms_sum, 400);
  EXPECT_EQ(batch[0].tokens_in, 3);
  EXPECT_EQ(batch[0].tokens_out, 4);
  EXPECT_EQ(batch[1].version_id, 1);
  EXPECT_EQ(batch[1].window_start, kT0 + kMinute);
  EXPECT_EQ(batch[1].calls, 1);
  EXPECT_EQ(batch[2].version_id, 2);
  EXPECT_EQ(batch[2].calls, 1);
  EXPECT_EQ(batch[2].errors, 1);

  // Written once: the next flush has nothing to write.
  ASSERT_TRUE(collector.flush(store).ok());
  EXPECT_EQ(store.writes, 2);
}

TEST(CallStatsCollector, SeveralFailedFlushesDoNotCountACallTwice) {
  CallStatsCollector& collector = lasting_collector();
  StatsOnlyStore store;
  store.fail = true;
  collector.record(1, kT0, 10, 1, 1, false);
  EXPECT_FALSE(collector.flush(store).ok());
  EXPECT_FALSE(collector.flush(store).ok());
  EXPECT_FALSE(collector.flush(store).ok());
  store.fail = false;
  ASSERT_TRUE(collector.flush(store).ok());
  ASSERT_EQ(store.written.size(), 1u);
  ASSERT_EQ(store.written[0].size(), 1u);
  EXPECT_EQ(store.written[0][0].calls, 1);
}

TEST(CallStatsCollector, CollectorsKeepTheirCallsApart) {
  CallStatsCollector& a = lasting_collector();
  CallStatsCollector& b = lasting_collector();
  StatsOnlyStore store_a;
  StatsOnlyStore store_b;
  a.record(1, kT0, 10, 0, 0, false);
  b.record(2, kT0, 10, 0, 0, false);
  b.record(2, kT0, 10, 0, 0, false);
  ASSERT_TRUE(a.flush(store_a).ok());
  ASSERT_TRUE(b.flush(store_b).ok());
  ASSERT_EQ(store_a.written.size(), 1u);
  ASSERT_EQ(store_a.written[0].size(), 1u);
  EXPECT_EQ(store_a.written[0][0].version_id, 1);
  EXPECT_EQ(store_a.written[0][0].calls, 1);
  ASSERT_EQ(store_b.written.size(), 1u);
  ASSERT_EQ(store_b.written[0].size(), 1u);
  EXPECT_EQ(store_b.written[0][0].calls, 2);
}

// A collector built at the address of a destroyed one (here: the same storage) must still
// flush what this thread records into it; a thread's shards are keyed by collector id, not by
// address, so it never inherits the destroyed collector's shard.
// g++ 12 at -O2 warns (falsely) about std::optional's map being used uninitialized here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
TEST(CallStatsCollector, CollectorAtAReusedAddress_StillFlushesItsCalls) {
  std::optional<CallStatsCollector> collector;
  collector.emplace();
  StatsOnlyStore first;
  collector->record(1, kT0, 10, 0, 0, false);
  ASSERT_TRUE(collector->flush(first).ok());
  ASSERT_EQ(first.written.size(), 1u);
  collector.reset();

  collector.emplace();  // same storage, so the same address
  StatsOnlyStore second;
  collector->record(2, kT0, 10, 0, 0, false);
  ASSERT_TRUE(collector->flush(second).ok());
  ASSERT_EQ(second.written.size(), 1u) << "the call recorded into the new collector was lost";
  ASSERT_EQ(second.written[0].size(), 1u);
  EXPECT_EQ(second.written[0][0].version_id, 2);
}
#pragma GCC diagnostic pop

}  // namespace
}  // namespace plinth::registry
