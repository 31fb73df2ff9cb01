// The libpq driver behind SqlConnection. Values travel as text both ways.
#include "store/detail/postgres_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <charconv>
#include <memory>

namespace plinth::store::detail {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// Only the primary message: the detail line may quote the values of a violating row.
Error result_error(const PGresult* res, pg_conn* conn) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = "postgres: ";
  message += primary ? primary : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const std::string_view code = state ? state : "";
  if (PQstatus(conn) == CONNECTION_BAD) {
    return Error{ErrorCode::kUnavailable, message + " (connection lost)"};
  }
  // 23xxx integrity violations; P0001 is RAISE EXCEPTION from a trigger.
  if (code.starts_with("23") || code == "P0001") return Error{ErrorCode::kConflict, message};
  // 40001 serialization failure, 40P01 deadlock, 57014 statement timeout, 08xxx connection.
  if (code == "40001" || code == "40P01" || code == "57014" || code.starts_with("08")) {
    return Error{ErrorCode::kUnavailable, message};
  }
  return Error{ErrorCode::kInternal, message};
}

std::string to_text(const SqlValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::get<double>(v));
  return std::string(buf, end);
}

void ignore_notice(void*, const char*) {}

}  // namespace

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::open(const std::string& conninfo) {
  pg_conn* conn = PQconnectdb(conninfo.c_str());
  if (!conn) return Error{ErrorCode::kUnavailable, "postgres: out of memory opening a connection"};
  std::unique_ptr<PostgresConnection> out(new PostgresConnection(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Error{ErrorCode::kUnavailable, "cannot connect to PostgreSQL: " + why};
  }
  // "relation already exists, skipping" and the like would otherwise go to stderr.
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  Status setup = out->run_script("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  if (!setup.ok()) return std::move(setup).error();
  return out;
}

PostgresConnection::~PostgresConnection() { PQfinish(conn_); }

bool PostgresConnection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

Result<std::string> PostgresConnection::prepared_name(std::string_view sql,
                                                      std::size_t param_count) {
  auto it = statements_.find(std::string(sql));
  if (it != statements_.end()) return it->second;
  std::string name = "plinth_" + std::to_string(statements_.size() + 1);
  const std::string text(sql);
  PgResult res(
      PQprepare(conn_, name.c_str(), text.c_str(), static_cast<int>(param_count), nullptr));
  if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
    return result_error(res.get(), conn_);
  }
  statements_.emplace(text, name);
  return name;
}

Result<SqlRows> PostgresConnection::run(std::string_view sql, std::span<const SqlValue> params,
                                        std::int64_t* changed) {
  auto name = prepared_name(sql, params.size());
  if (!name.ok()) return std::move(name).error();
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (is_null(params[i])) continue;
    texts[i] = to_text(params[i]);
    values[i] = texts[i].c_str();
  }
  PgResult res(PQexecPrepared(conn_, name->c_str(), static_cast<int>(params.size()), values.data(),
                              nullptr, nullptr, 0));
  const ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return result_error(res.get(), conn_);
  }
  if (changed) {
    const char* n = PQcmdTuples(res.get());
    *changed = (n && *n) ? as_int(SqlValue{std::string(n)}) : 0;
  }
  SqlRows rows;
  const int count = PQntuples(res.get());
  const int columns = PQnfields(res.get());
  rows.reserve(static_cast<std::size_t>(count));
  for (int r = 0; r < count; ++r) {
    SqlRow& row = rows.emplace_back();
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(res.get(), r, c)) {
        row.emplace_back(std::monostate{});
      } else {
        row.emplace_back(std::string(PQgetvalue(res.get(), r, c),
                                     static_cast<std::size_t>(PQgetlength(res.get(), r, c))));
      }
    }
  }
  return rows;
}

Result<SqlRows> PostgresConnection::query(std::string_view sql, std::span<const SqlValue> params) {
  return run(sql, params, nullptr);
}

Result<std::int64_t> PostgresConnection::execute(std::string_view sql,
                                                 std::span<const SqlValue> params) {
  std::int64_t changed = 0;
  auto rows = run(sql, params, &changed);
  if (!rows.ok()) return std::move(rows).error();
  return changed;
}

Status PostgresConnection::run_script(std::string_view sql) {
  const std::string text(sql);
  PgResult res(PQexec(conn_, text.c_str()));
  const ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return result_error(res.get(), conn_);
  }
  return {};
}

Result<std::vector<std::string>> PostgresConnection::wait_notifications(
    std::chrono::milliseconds wait) {
  std::vector<std::string> payloads;
  auto drain = [&]() -> Status {
    if (PQconsumeInput(conn_) != 1) {
      std::string why = PQerrorMessage(conn_);
      while (!why.empty() && why.back() == '\n') why.pop_back();
      return Error{ErrorCode::kUnavailable, "postgres: notification connection lost: " + why};
    }
    while (PGnotify* n = PQnotifies(conn_)) {
      payloads.emplace_back(n->extra ? n->extra : "");
      PQfreemem(n);
    }
    return {};
  };
  Status first = drain();
  if (!first.ok()) return std::move(first).error();
  if (!payloads.empty() || wait.count() <= 0) return payloads;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  if (fd.fd < 0) return Error{ErrorCode::kUnavailable, "postgres: notification connection lost"};
  const int ready = ::poll(&fd, 1, static_cast<int>(wait.count()));
  if (ready < 0 && errno != EINTR) {
    return Error{ErrorCode::kInternal, "postgres: poll on the notification connection failed"};
  }
  if (ready > 0) {
    Status more = drain();
    if (!more.ok()) return std::move(more).error();
  }
  return payloads;
}

}  // namespace plinth::store::detail
