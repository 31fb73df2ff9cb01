// SqliteConnection: one libsqlite3 connection opened the way the store wants it (WAL,
// foreign keys on, a busy timeout), with a cache of prepared statements.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/detail/sql_connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace plinth::store::detail {

class SqliteConnection final : public SqlConnection {
 public:
  // Opens (creating when missing) the database file at `path`. kUnavailable when it cannot
  // be opened or set up, with the path in the message.
  static Result<std::unique_ptr<SqliteConnection>> open(
      const std::string& path, std::chrono::milliseconds busy_timeout = std::chrono::seconds(5));
  ~SqliteConnection() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Result<SqlRows> query(std::string_view sql, std::span<const SqlValue> params) override;
  Result<std::int64_t> execute(std::string_view sql, std::span<const SqlValue> params) override;
  Status run_script(std::string_view sql) override;
  bool broken() const override { return false; }
  using SqlConnection::execute;
  using SqlConnection::query;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  Result<sqlite3_stmt*> prepare(std::string_view sql, std::span<const SqlValue> params);
  Error error(std::string_view what) const;

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace plinth::store::detail
