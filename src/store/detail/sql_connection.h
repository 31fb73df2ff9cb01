// SqlConnection: the little the store needs from a database driver (SQLite, libpq), so that
// all record logic is written once (sql_ops*.cpp). Statements use $1..$n placeholders in
// both dialects. Not thread-safe: one caller at a time (ConnectionPool sees to it).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace plinth::store::detail {

enum class Dialect { kSqlite, kPostgres };

using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string>;
using SqlRow = std::vector<SqlValue>;
using SqlRows = std::vector<SqlRow>;

// Column readers. PostgreSQL hands every value back as text; these parse it.
bool is_null(const SqlValue& v);
std::int64_t as_int(const SqlValue& v);
double as_double(const SqlValue& v);
std::string as_text(const SqlValue& v);

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  virtual Dialect dialect() const = 0;

  // Runs one statement (prepared once per connection, cached by its text) and returns its
  // rows. Errors: kConflict for unique/foreign-key/check violations and refusals raised by
  // triggers, kUnavailable when the database is busy or gone, kInternal otherwise. Messages
  // never contain parameter values.
  virtual Result<SqlRows> query(std::string_view sql, std::span<const SqlValue> params) = 0;

  // Runs one statement and returns how many rows it changed.
  virtual Result<std::int64_t> execute(std::string_view sql, std::span<const SqlValue> params) = 0;

  // Runs statements without parameters (migrations, BEGIN/COMMIT).
  virtual Status run_script(std::string_view sql) = 0;

  // True once the connection is unusable; the pool then drops it.
  virtual bool broken() const = 0;

  Result<SqlRows> query(std::string_view sql, std::initializer_list<SqlValue> params = {}) {
    return query(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
  Result<std::int64_t> execute(std::string_view sql, std::initializer_list<SqlValue> params = {}) {
    return execute(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
};

}  // namespace plinth::store::detail
