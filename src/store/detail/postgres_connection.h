// PostgresConnection: one libpq connection with a cache of prepared statements; also the
// LISTEN side of change notifications.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/detail/sql_connection.h"

struct pg_conn;

namespace plinth::store::detail {

class PostgresConnection final : public SqlConnection {
 public:
  // `conninfo` is a libpq connection string or postgresql:// URL. kUnavailable with
  // libpq's reason when the server cannot be reached or refuses.
  static Result<std::unique_ptr<PostgresConnection>> open(const std::string& conninfo);
  ~PostgresConnection() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  Result<SqlRows> query(std::string_view sql, std::span<const SqlValue> params) override;
  Result<std::int64_t> execute(std::string_view sql, std::span<const SqlValue> params) override;
  Status run_script(std::string_view sql) override;
  bool broken() const override;
  using SqlConnection::execute;
  using SqlConnection::query;

  // Waits up to `wait` for notifications on channels this connection LISTENs to and
  // returns their payloads (possibly none). kUnavailable once the connection is lost.
  Result<std::vector<std::string>> wait_notifications(std::chrono::milliseconds wait);

 private:
  explicit PostgresConnection(pg_conn* conn) : conn_(conn) {}
  Result<std::string> prepared_name(std::string_view sql, std::size_t param_count);
  Result<SqlRows> run(std::string_view sql, std::span<const SqlValue> params,
                      std::int64_t* changed);

  pg_conn* conn_;
  std::unordered_map<std::string, std::string> statements_;  // sql -> prepared name
};

}  // namespace plinth::store::detail
