// What only the SQLite store does: WAL and foreign keys on its file, sharing the file with
// another process's store, and open_store's choices for the embedded default.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "store/detail/sqlite_connection.h"
#include "store/open_store.h"
#include "store_fixture.h"

namespace plinth::store::testing {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("plinth-sqlite-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path() const { return (dir_ / "plinth.db").string(); }

  std::filesystem::path dir_;
};

TEST_F(SqliteStoreTest, UsesWriteAheadLoggingAndEnforcesForeignKeys) {
  auto store = open_sqlite_store(path(), test_box());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto db = detail::SqliteConnection::open(path());
  ASSERT_TRUE(db.ok());
  auto mode = (*db)->query("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(detail::as_text(mode->at(0).at(0)), "wal");
  auto orphan = (*db)->execute(
      "INSERT INTO versions (model_id, name, provider_type, created_at, revision) "
      "VALUES (999, 'v1', 'openai', 0, 0)");
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.error().code, ErrorCode::kConflict);
  EXPECT_NE(orphan.error().message.find("FOREIGN KEY"), std::string::npos);
}

TEST_F(SqliteStoreTest, TwoStoresOnOneFileSeeAndWaitForEachOther) {
  auto a = open_sqlite_store(path(), test_box());
  auto b = open_sqlite_store(path(), test_box());
  ASSERT_TRUE(a.ok() && b.ok());
  std::thread writer_a([&] {
    for (int i = 0; i < 20; ++i) {
      EXPECT_TRUE((*a)->create_model(ModelSpec{.name = "a" + std::to_string(i)}).ok());
    }
  });
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE((*b)->create_model(ModelSpec{.name = "b" + std::to_string(i)}).ok());
  }
  writer_a.join();
  EXPECT_TRUE((*b)->find_model("a19").ok());
  EXPECT_TRUE((*a)->find_model("b19").ok());
  EXPECT_EQ(*(*a)->revision(), 40);
}

TEST_F(SqliteStoreTest, UnopenablePathIsUnavailableNamingIt) {
  const std::string bad = (dir_ / "missing-dir" / "plinth.db").string();
  auto store = open_sqlite_store(bad, test_box());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message.find(bad), std::string::npos);
}

TEST_F(SqliteStoreTest, OpenStoreCreatesDatabaseAndSecretKeyUnderTheDataDir) {
  ::unsetenv("PLINTH_SECRET_KEY");
  StoreConfig config;
  config.data_dir = (dir_ / "var").string();
  auto store = open_store(config);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "var" / "plinth.db"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "var" / "secret.key"));
  store->reset();
  config.path = (dir_ / "elsewhere" / "store.db").string();
  auto moved = open_store(config);
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_TRUE(std::filesystem::exists(config.path));
}

TEST_F(SqliteStoreTest, OpenStoreRejectsBadConfigNamingTheField) {
  StoreConfig config;
  config.data_dir = dir_.string();
  config.kind = "mysql";
  EXPECT_EQ(open_store(config).error().field, "store.kind");
  config.kind = "postgres";
  EXPECT_EQ(open_store(config).error().field, "store.url");
  config.url = "host=127.0.0.1";
  config.pool_size = 0;
  EXPECT_EQ(open_store(config).error().field, "store.pool_size");
}

TEST_F(SqliteStoreTest, OpenStoreForPostgresWillNotInventASecretKey) {
  ::unsetenv("PLINTH_SECRET_KEY");
  StoreConfig config;
  config.kind = "postgres";
  config.url = "host=127.0.0.1 port=1 connect_timeout=1";
  config.data_dir = dir_.string();
  auto refused = open_store(config);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("PLINTH_SECRET_KEY"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "secret.key"));
}

}  // namespace
}  // namespace plinth::store::testing
