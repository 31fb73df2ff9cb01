// StoreTest: the one suite every Store implementation passes. Each test gets a fresh
// database: a SQLite file in a temporary directory, or a new database on the process's
// throwaway PostgreSQL cluster (pg_cluster.h).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "pg_cluster.h"
#include "store/detail/postgres_connection.h"
#include "store/detail/sqlite_connection.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace plinth::store::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// The code of a failed call, for EXPECT_EQ; a call that succeeded reads as kCancelled, a
// code the store never returns.
template <class R>
ErrorCode code_of(const R& result) {
  return result.ok() ? ErrorCode::kCancelled : result.error().code;
}

inline std::shared_ptr<const SecretBox> test_box(unsigned char fill = 7) {
  SecretBox::Key key{};
  key.fill(fill);
  return std::make_shared<const SecretBox>(key);
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    create_empty_database();
    if (HasFatalFailure()) return;
    auto opened = open();
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  void TearDown() override {
    store_.reset();
    remove_database();
  }

  void create_empty_database() {
    if (GetParam() == Backend::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() /
             ("plinth-store-" + std::to_string(::getpid()) + "-" + std::to_string(++counter_));
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      return;
    }
    auto cluster = PgCluster::shared();
    ASSERT_TRUE(cluster.ok()) << cluster.error().message;
    cluster_ = *cluster;
    auto db = cluster_->create_database();
    ASSERT_TRUE(db.ok()) << db.error().message;
    database_ = *db;
  }

  // Close every store on the database first.
  void remove_database() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    dir_.clear();
    if (cluster_ && !database_.empty()) {
      Status dropped = cluster_->drop_database(database_);
      EXPECT_TRUE(dropped.ok()) << dropped.error().message;
    }
    database_.clear();
  }

  // Another store on the same database.
  Result<std::unique_ptr<Store>> open(std::span<const Migration> migrations = known_migrations(),
                                      std::shared_ptr<const SecretBox> box = test_box()) {
    if (GetParam() == Backend::kSqlite) {
      return open_sqlite_store(sqlite_path(), std::move(box), migrations);
    }
    auto pg = PostgresStore::open(cluster_->conninfo(database_), std::move(box), 3, migrations);
    if (!pg.ok()) return std::move(pg).error();
    return std::unique_ptr<Store>(std::move(pg).value());
  }

  // A plain connection to the same database, for looking under the store.
  std::unique_ptr<detail::SqlConnection> raw() {
    if (GetParam() == Backend::kSqlite) {
      auto c = detail::SqliteConnection::open(sqlite_path());
      EXPECT_TRUE(c.ok()) << c.error().message;
      return c.ok() ? std::move(c).value() : nullptr;
    }
    auto c = detail::PostgresConnection::open(cluster_->conninfo(database_));
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? std::move(c).value() : nullptr;
  }

  std::string sqlite_path() const { return (dir_ / "plinth.db").string(); }

  Store& store() { return *store_; }

  Model make_model(const std::string& name, std::vector<std::string> aliases = {}) {
    ModelSpec spec;
    spec.name = name;
    spec.aliases = std::move(aliases);
    spec.description = "a model";
    spec.task_tags = {"chat"};
    spec.owner = "team-a";
    auto m = store_->create_model(spec);
    EXPECT_TRUE(m.ok()) << m.error().message;
    return m.ok() ? *m : Model{};
  }

  Version make_version(ModelId model, const std::string& name) {
    VersionSpec spec;
    spec.model_id = model;
    spec.name = name;
    spec.provider_type = "openai";
    spec.upstream_model = "upstream-" + name;
    auto v = store_->create_version(spec);
    EXPECT_TRUE(v.ok()) << v.error().message;
    return v.ok() ? *v : Version{};
  }

  Revision current_revision() {
    auto r = store_->revision();
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : -1;
  }

  std::unique_ptr<Store> store_;
  std::filesystem::path dir_;
  PgCluster* cluster_ = nullptr;
  std::string database_;
  static inline int counter_ = 0;
};

}  // namespace plinth::store::testing
