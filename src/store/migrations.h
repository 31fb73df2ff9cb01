// Versioned schema migrations. Each migration is applied once, in order, and recorded in
// `schema_migrations(version, name, applied_at)`; all pending ones run in one transaction at
// start. A database whose schema is newer than this binary knows is refused.
#pragma once

#include <span>
#include <string_view>

#include "core/result.h"
#include "store/detail/sql_connection.h"

namespace plinth::store {

// Never edit a migration that has shipped: add a new one. SQL in `portable` runs on both
// dialects after "{id}" is replaced by the dialect's auto-increment primary key; the
// dialect-specific parts (triggers, ...) follow it.
struct Migration {
  int version = 0;
  std::string_view name;
  std::string_view portable;
  std::string_view sqlite;
  std::string_view postgres;
};

// The migrations this binary knows, in order.
std::span<const Migration> known_migrations();
int latest_schema_version();

// Brings the database to the last migration of `migrations` (a prefix of known_migrations()
// outside tests) and returns the schema version it is at. kUnavailable, with both versions
// in the message, when the database is already past it; the database is then left alone.
Result<int> migrate(detail::SqlConnection& db, std::span<const Migration> migrations);

}  // namespace plinth::store
