// The SQLite driver behind SqlConnection.
#include "store/detail/sqlite_connection.h"

#include <sqlite3.h>

namespace plinth::store::detail {
namespace {

// The store writes $1..$n in both dialects; SQLite's numbered form is ?1..?n.
std::string sqlite_placeholders(std::string_view sql) {
  std::string out(sql);
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  }
  return out;
}

SqlValue column_value(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return std::int64_t{sqlite3_column_int64(stmt, col)};
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, col);
    case SQLITE_NULL:
      return std::monostate{};
    default: {
      const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      return std::string(text ? text : "",
                         static_cast<std::size_t>(sqlite3_column_bytes(stmt, col)));
    }
  }
}

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(
    const std::string& path, std::chrono::milliseconds busy_timeout) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Error{ErrorCode::kUnavailable, "cannot open SQLite database '" + path + "': " + why};
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  // WAL lets readers (another plinth process, the CLI) proceed while one writes.
  Status setup = conn->run_script("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;");
  if (!setup.ok()) {
    return Error{ErrorCode::kUnavailable,
                 "cannot set up SQLite database '" + path + "': " + setup.error().message};
  }
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Error SqliteConnection::error(std::string_view what) const {
  const int code = sqlite3_extended_errcode(db_);
  std::string message = std::string(what) + ": " + sqlite3_errmsg(db_);
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      return Error{ErrorCode::kConflict, std::move(message)};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error{ErrorCode::kUnavailable, std::move(message) + " (busy timeout exceeded)"};
    default:
      return Error{ErrorCode::kInternal, std::move(message)};
  }
}

Result<sqlite3_stmt*> SqliteConnection::prepare(std::string_view sql,
                                                std::span<const SqlValue> params) {
  sqlite3_stmt* stmt = nullptr;
  auto it = statements_.find(std::string(sql));
  if (it != statements_.end()) {
    stmt = it->second;
  } else {
    const std::string text = sqlite_placeholders(sql);
    if (sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return error("sqlite: cannot prepare statement");
    }
    statements_.emplace(std::string(sql), stmt);
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const SqlValue& p = params[i];
    int rc = SQLITE_OK;
    if (const auto* n = std::get_if<std::int64_t>(&p)) {
      rc = sqlite3_bind_int64(stmt, index, *n);
    } else if (const auto* d = std::get_if<double>(&p)) {
      rc = sqlite3_bind_double(stmt, index, *d);
    } else if (const auto* s = std::get_if<std::string>(&p)) {
      rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    } else {
      rc = sqlite3_bind_null(stmt, index);
    }
    if (rc != SQLITE_OK) return error("sqlite: cannot bind parameter " + std::to_string(index));
  }
  return stmt;
}

Result<SqlRows> SqliteConnection::query(std::string_view sql, std::span<const SqlValue> params) {
  auto prepared = prepare(sql, params);
  if (!prepared.ok()) return std::move(prepared).error();
  sqlite3_stmt* stmt = *prepared;
  SqlRows rows;
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      Error e = error("sqlite");
      sqlite3_reset(stmt);
      return e;
    }
    const int columns = sqlite3_column_count(stmt);
    SqlRow& row = rows.emplace_back();
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) row.push_back(column_value(stmt, c));
  }
  sqlite3_reset(stmt);
  return rows;
}

Result<std::int64_t> SqliteConnection::execute(std::string_view sql,
                                               std::span<const SqlValue> params) {
  auto rows = query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  return std::int64_t{sqlite3_changes64(db_)};
}

Status SqliteConnection::run_script(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Error e = error("sqlite");
    sqlite3_free(message);
    return e;
  }
  return {};
}

}  // namespace plinth::store::detail
