// The schema, as an ordered list of migrations, and the runner that applies them.
#include "store/migrations.h"

#include <chrono>

namespace plinth::store {
namespace {

using detail::Dialect;
using detail::SqlConnection;

constexpr std::string_view kInitial = R"sql(
CREATE TABLE store_meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE store_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision BIGINT NOT NULL
);
INSERT INTO store_revision (id, revision) VALUES (1, 0);
CREATE TABLE models (
  id {id},
  name TEXT NOT NULL UNIQUE,
  aliases TEXT NOT NULL DEFAULT '[]',
  description TEXT NOT NULL DEFAULT '',
  task_tags TEXT NOT NULL DEFAULT '[]',
  owner TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  revision BIGINT NOT NULL
);
CREATE TABLE model_names (
  name TEXT PRIMARY KEY,
  model_id BIGINT NOT NULL REFERENCES models (id) ON DELETE CASCADE
);
CREATE INDEX model_names_by_model ON model_names (model_id);
CREATE TABLE versions (
  id {id},
  model_id BIGINT NOT NULL REFERENCES models (id) ON DELETE RESTRICT,
  name TEXT NOT NULL,
  provider_type TEXT NOT NULL,
  upstream_model TEXT NOT NULL DEFAULT '',
  base_model TEXT NOT NULL DEFAULT '',
  lora_adapter TEXT NOT NULL DEFAULT '',
  default_params TEXT NOT NULL DEFAULT '{}',
  max_params TEXT NOT NULL DEFAULT '{}',
  source TEXT NOT NULL DEFAULT '',
  release_notes TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  revision BIGINT NOT NULL,
  UNIQUE (model_id, name)
);
CREATE TABLE endpoints (
  id {id},
  version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  weight INTEGER NOT NULL CHECK (weight >= 0),
  api_key_sealed TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  revision BIGINT NOT NULL
);
CREATE INDEX endpoints_by_version ON endpoints (version_id);
CREATE TABLE releases (
  model_id BIGINT PRIMARY KEY REFERENCES models (id) ON DELETE RESTRICT,
  stable_version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE RESTRICT,
  state TEXT NOT NULL CHECK (state IN ('active', 'paused')),
  updated_by TEXT NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL,
  revision BIGINT NOT NULL
);
CREATE TABLE release_canaries (
  model_id BIGINT NOT NULL REFERENCES releases (model_id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE RESTRICT,
  percent DOUBLE PRECISION NOT NULL CHECK (percent >= 0 AND percent <= 100),
  match_rules TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (model_id, ordinal)
);
CREATE TABLE release_history (
  id {id},
  model_id BIGINT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  before_state TEXT NOT NULL,
  after_state TEXT NOT NULL,
  revision BIGINT NOT NULL
);
CREATE INDEX release_history_by_model ON release_history (model_id, id);
)sql";

constexpr std::string_view kCallStats = R"sql(
CREATE TABLE call_stats (
  version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
  window_start BIGINT NOT NULL,
  calls BIGINT NOT NULL DEFAULT 0,
  errors BIGINT NOT NULL DEFAULT 0,
  latency_ms_sum BIGINT NOT NULL DEFAULT 0,
  lat_le_50 BIGINT NOT NULL DEFAULT 0,
  lat_le_100 BIGINT NOT NULL DEFAULT 0,
  lat_le_250 BIGINT NOT NULL DEFAULT 0,
  lat_le_500 BIGINT NOT NULL DEFAULT 0,
  lat_le_1000 BIGINT NOT NULL DEFAULT 0,
  lat_le_2500 BIGINT NOT NULL DEFAULT 0,
  lat_le_5000 BIGINT NOT NULL DEFAULT 0,
  lat_le_10000 BIGINT NOT NULL DEFAULT 0,
  lat_le_30000 BIGINT NOT NULL DEFAULT 0,
  lat_le_60000 BIGINT NOT NULL DEFAULT 0,
  lat_le_inf BIGINT NOT NULL DEFAULT 0,
  tokens_in BIGINT NOT NULL DEFAULT 0,
  tokens_out BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (version_id, window_start)
);
)sql";

// Rollback target and offline versions of a release (registry::ReleasePlan keeps both).
constexpr std::string_view kReleaseRollbackAndOffline = R"sql(
ALTER TABLE releases ADD COLUMN previous_stable_version_id BIGINT
  REFERENCES versions (id) ON DELETE SET NULL;
CREATE TABLE release_offline (
  model_id BIGINT NOT NULL REFERENCES releases (model_id) ON DELETE CASCADE,
  version_id BIGINT NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
  PRIMARY KEY (model_id, version_id)
);
)sql";

// Versions are immutable: the database refuses any UPDATE, whoever issues it.
constexpr std::string_view kImmutableVersionsSqlite = R"sql(
CREATE TRIGGER versions_are_immutable BEFORE UPDATE ON versions
BEGIN
  SELECT RAISE(ABORT, 'versions are immutable: create a new version instead');
END;
)sql";

constexpr std::string_view kImmutableVersionsPostgres = R"sql(
CREATE FUNCTION plinth_versions_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'versions are immutable: create a new version instead';
END
$$;
CREATE TRIGGER versions_are_immutable BEFORE UPDATE ON versions
  FOR EACH ROW EXECUTE FUNCTION plinth_versions_are_immutable();
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial", kInitial, "", ""},
    {2, "call_stats_and_immutable_versions", kCallStats, kImmutableVersionsSqlite,
     kImmutableVersionsPostgres},
    {3, "release_rollback_and_offline", kReleaseRollbackAndOffline, "", ""},
};

std::string for_dialect(std::string_view portable, Dialect dialect) {
  static constexpr std::string_view kToken = "{id}";
  const std::string_view id = dialect == Dialect::kSqlite
                                  ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                  : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
  std::string out(portable);
  for (auto at = out.find(kToken); at != std::string::npos; at = out.find(kToken, at)) {
    out.replace(at, kToken.size(), id);
  }
  return out;
}

Status apply(SqlConnection& db, const Migration& m) {
  const std::string_view specific = db.dialect() == Dialect::kSqlite ? m.sqlite : m.postgres;
  Status s = db.run_script(for_dialect(m.portable, db.dialect()));
  if (s.ok() && !specific.empty()) s = db.run_script(specific);
  if (s.ok()) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto recorded =
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                   {std::int64_t{m.version}, std::string(m.name), std::int64_t{now}});
    if (!recorded.ok()) s = std::move(recorded).error();
  }
  if (!s.ok()) {
    return Error{ErrorCode::kInternal, "schema migration " + std::to_string(m.version) + " (" +
                                           std::string(m.name) + ") failed: " + s.error().message};
  }
  return {};
}

Result<int> migrate_in_transaction(SqlConnection& db, std::span<const Migration> migrations) {
  Status s = db.run_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
      "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  if (!s.ok()) return std::move(s).error();
  auto rows = db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!rows.ok()) return std::move(rows).error();
  const auto current = static_cast<int>(detail::as_int(rows->at(0).at(0)));
  const int target = migrations.empty() ? 0 : migrations.back().version;
  if (current > target) {
    return Error{ErrorCode::kUnavailable,
                 "the database schema is at version " + std::to_string(current) +
                     ", newer than this plinth binary knows (up to " + std::to_string(target) +
                     "); run a newer plinth, or point this one at another database"};
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    Status applied = apply(db, m);
    if (!applied.ok()) return std::move(applied).error();
  }
  return target;
}

}  // namespace

std::span<const Migration> known_migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations[std::size(kMigrations) - 1].version; }

Result<int> migrate(SqlConnection& db, std::span<const Migration> migrations) {
  // Two replicas starting together must not both migrate: SQLite takes the write lock at
  // BEGIN IMMEDIATE, PostgreSQL an advisory lock held until the transaction ends.
  Status begun = db.run_script(db.dialect() == Dialect::kSqlite
                                   ? "BEGIN IMMEDIATE"
                                   : "BEGIN; SELECT pg_advisory_xact_lock(7291402653)");
  if (!begun.ok()) return std::move(begun).error();
  auto version = migrate_in_transaction(db, migrations);
  Status ended = db.run_script(version.ok() ? "COMMIT" : "ROLLBACK");
  if (!version.ok()) return version;
  if (!ended.ok()) return std::move(ended).error();
  return version;
}

}  // namespace plinth::store
