// What only the PostgreSQL store does: change notifications, several replicas on one
// database, a connection pool under concurrent callers.
#include "store/postgres_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "store_fixture.h"

namespace plinth::store::testing {
namespace {

using std::chrono::milliseconds;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = PgCluster::shared();
    ASSERT_TRUE(cluster.ok()) << cluster.error().message;
    cluster_ = *cluster;
    auto db = cluster_->create_database();
    ASSERT_TRUE(db.ok()) << db.error().message;
    database_ = *db;
  }
  void TearDown() override {
    if (!cluster_ || database_.empty()) return;
    Status dropped = cluster_->drop_database(database_);
    EXPECT_TRUE(dropped.ok()) << dropped.error().message;
  }

  std::unique_ptr<PostgresStore> replica(int pool_size = 3) {
    auto s = PostgresStore::open(cluster_->conninfo(database_), test_box(), pool_size);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // Collects notifications until `want` is among them or the deadline passes.
  static std::vector<Revision> wait_for(PostgresStore& s, Revision want) {
    std::vector<Revision> seen;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline &&
           std::find(seen.begin(), seen.end(), want) == seen.end()) {
      auto got = s.poll_notifications(milliseconds(500));
      EXPECT_TRUE(got.ok()) << got.error().message;
      if (!got.ok()) break;
      seen.insert(seen.end(), got->begin(), got->end());
    }
    return seen;
  }

  PgCluster* cluster_ = nullptr;
  std::string database_;
};

TEST_F(PostgresStoreTest, ReplicasHearOfEachCommittedChangeWithItsRevision) {
  auto writer = replica();
  auto reader = replica();
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(reader->listen().ok());
  auto m = writer->create_model(ModelSpec{.name = "announced"});
  ASSERT_TRUE(m.ok());
  const auto seen = wait_for(*reader, m->revision);
  EXPECT_EQ(seen, std::vector<Revision>{m->revision});
  // A rolled-back change announces nothing.
  Status undone = writer->transact([](Store& tx) -> Status {
    auto x = tx.create_model(ModelSpec{.name = "never"});
    if (!x.ok()) return std::move(x).error();
    return Error{ErrorCode::kConflict, "roll back"};
  });
  ASSERT_FALSE(undone.ok());
  auto m2 = writer->create_model(ModelSpec{.name = "next"});
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->revision, m->revision + 1);
  EXPECT_EQ(wait_for(*reader, m2->revision), std::vector<Revision>{m2->revision});
}

TEST_F(PostgresStoreTest, PollingWithoutListeningIsUnavailable) {
  auto s = replica();
  ASSERT_TRUE(s);
  auto got = s->poll_notifications(milliseconds(0));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(s->listen().ok());
  auto none = s->poll_notifications(milliseconds(0));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(PostgresStoreTest, PoolServesConcurrentWritersWithoutLosingAny) {
  auto s = replica(3);
  ASSERT_TRUE(s);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto m =
            s->create_model(ModelSpec{.name = "t" + std::to_string(t) + "-" + std::to_string(i)});
        if (!m.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*s->revision(), 60);
  auto all = s->list_models(PageRequest{.cursor = "", .limit = 1000});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 60u);
}

TEST_F(PostgresStoreTest, ConcurrentUpdatesFromOneRevisionLetExactlyOneWin) {
  auto a = replica();
  auto b = replica();
  ASSERT_TRUE(a && b);
  for (int round = 0; round < 5; ++round) {
    auto m = a->create_model(ModelSpec{.name = "race" + std::to_string(round)});
    ASSERT_TRUE(m.ok());
    std::atomic<int> won{0};
    std::atomic<int> stale{0};
    auto contend = [&](PostgresStore& s, const char* who) {
      ModelSpec spec = *m;
      spec.description = who;
      auto r = s.update_model(m->id, spec, m->revision);
      if (r.ok())
        ++won;
      else if (r.error().code == ErrorCode::kPreconditionFailed)
        ++stale;
    };
    std::thread ta([&] { contend(*a, "a"); });
    std::thread tb([&] { contend(*b, "b"); });
    ta.join();
    tb.join();
    EXPECT_EQ(won.load(), 1);
    EXPECT_EQ(stale.load(), 1);
  }
}

TEST_F(PostgresStoreTest, ReplicasStartingTogetherMigrateOnce) {
  std::vector<std::unique_ptr<PostgresStore>> stores(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] { stores[i] = replica(1); });
  }
  for (auto& th : threads) th.join();
  for (const auto& s : stores) ASSERT_TRUE(s);
  auto db = detail::PostgresConnection::open(cluster_->conninfo(database_));
  ASSERT_TRUE(db.ok());
  auto rows = (*db)->query("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(detail::as_int(rows->at(0).at(0)), latest_schema_version());
  auto checks = (*db)->query("SELECT COUNT(*) FROM store_meta");
  EXPECT_EQ(detail::as_int(checks->at(0).at(0)), 1);
}

TEST(PostgresStore, UnreachableServerIsUnavailableWithLibpqsReason) {
  auto s = PostgresStore::open("host=127.0.0.1 port=1 connect_timeout=2", test_box());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(s.error().message.find("cannot connect to PostgreSQL"), std::string::npos);
}

}  // namespace
}  // namespace plinth::store::testing
