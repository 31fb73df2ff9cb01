// SqlOps for per-version call statistics: minute buckets added with an upsert (ON CONFLICT
// DO UPDATE, which SQLite and PostgreSQL both spell the same way). Not configuration: no
// change to the revision counter.
#include "store/detail/sql_ops.h"

namespace plinth::store::detail {
namespace {

constexpr UnixMillis kMinute = 60'000;

// calls, errors, latency_ms_sum, the histogram, tokens_in, tokens_out: the columns that add.
std::vector<std::string> counter_columns() {
  std::vector<std::string> cols{"calls", "errors", "latency_ms_sum"};
  for (auto bound : kLatencyBoundsMs) cols.push_back("lat_le_" + std::to_string(bound));
  cols.push_back("lat_le_inf");
  cols.push_back("tokens_in");
  cols.push_back("tokens_out");
  return cols;
}

std::vector<std::int64_t> counters_of(const CallStats& s) {
  std::vector<std::int64_t> v{s.calls, s.errors, s.latency_ms_sum};
  v.insert(v.end(), s.latency_buckets.begin(), s.latency_buckets.end());
  v.push_back(s.tokens_in);
  v.push_back(s.tokens_out);
  return v;
}

void set_counters(CallStats& s, const SqlRow& row, std::size_t first) {
  s.calls = as_int(row[first]);
  s.errors = as_int(row[first + 1]);
  s.latency_ms_sum = as_int(row[first + 2]);
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
    s.latency_buckets[i] = as_int(row[first + 3 + i]);
  }
  s.tokens_in = as_int(row[first + 3 + kLatencyBuckets]);
  s.tokens_out = as_int(row[first + 4 + kLatencyBuckets]);
}

const std::string& upsert_sql() {
  static const std::string sql = [] {
    const auto cols = counter_columns();
    std::string names = "version_id, window_start";
    std::string values = "$1, $2";
    std::string updates;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      names += ", " + cols[i];
      values += ", $" + std::to_string(i + 3);
      if (i) updates += ", ";
      updates += cols[i] + " = call_stats." + cols[i] + " + excluded." + cols[i];
    }
    return "INSERT INTO call_stats (" + names + ") VALUES (" + values +
           ") ON CONFLICT (version_id, window_start) DO UPDATE SET " + updates;
  }();
  return sql;
}

const std::string& select_sql(bool sum) {
  static const std::string rows_sql = [] {
    std::string sql = "SELECT window_start";
    for (const auto& c : counter_columns()) sql += ", " + c;
    return sql +
           " FROM call_stats WHERE version_id = $1 AND window_start >= $2 AND "
           "window_start < $3 ORDER BY window_start";
  }();
  static const std::string sum_sql = [] {
    std::string sql = "SELECT COUNT(*)";
    for (const auto& c : counter_columns()) sql += ", COALESCE(SUM(" + c + "), 0)";
    return sql +
           " FROM call_stats WHERE version_id = $1 AND window_start >= $2 AND "
           "window_start < $3";
  }();
  return sum ? sum_sql : rows_sql;
}

Status check_bucket(const CallStats& s, std::size_t index) {
  const std::string field = "buckets[" + std::to_string(index) + "]";
  if (s.window_start % kMinute != 0) {
    return Error::invalid(field + ".window_start",
                          field + ".window_start must be a whole minute (a multiple of 60000 ms)");
  }
  for (auto n : counters_of(s)) {
    if (n < 0) return Error::invalid(field, field + " counts must not be negative");
  }
  return {};
}

}  // namespace

Status SqlOps::add_call_stats(std::span<const CallStats> buckets) {
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    Status valid = check_bucket(buckets[i], i);
    if (!valid.ok()) return valid;
  }
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const CallStats& s = buckets[i];
    auto known = db_.query("SELECT 1 FROM versions WHERE id = $1", {s.version_id});
    if (!known.ok()) return std::move(known).error();
    if (known->empty()) {
      Error e = not_found("version", s.version_id);
      e.field = "buckets[" + std::to_string(i) + "].version_id";
      return e;
    }
    std::vector<SqlValue> params{s.version_id, s.window_start};
    for (auto n : counters_of(s)) params.emplace_back(n);
    auto added = db_.execute(upsert_sql(), params);
    if (!added.ok()) return std::move(added).error();
  }
  return {};
}

Result<std::vector<CallStats>> SqlOps::list_call_stats(VersionId version, TimeRange range) {
  auto rows = db_.query(select_sql(false), {version, range.from, range.to});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<CallStats> out;
  for (const auto& row : *rows) {
    CallStats& s = out.emplace_back();
    s.version_id = version;
    s.window_start = as_int(row[0]);
    set_counters(s, row, 1);
  }
  return out;
}

Result<CallStats> SqlOps::sum_call_stats(VersionId version, TimeRange range) {
  auto rows = db_.query(select_sql(true), {version, range.from, range.to});
  if (!rows.ok()) return std::move(rows).error();
  CallStats s;
  s.version_id = version;
  s.window_start = range.from;
  set_counters(s, rows->at(0), 1);
  return s;
}

}  // namespace plinth::store::detail
