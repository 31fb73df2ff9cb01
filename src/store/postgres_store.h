// The store for several plinth replicas: PostgreSQL through libpq, a small connection pool,
// and change notifications: every configuration write sends NOTIFY plinth_changes with the
// new revision as payload, delivered when it commits.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/detail/sql_store.h"
#include "store/migrations.h"
#include "store/secret_box.h"
#include "store/store.h"

namespace plinth::store {

namespace detail {
class PostgresConnection;
}  // namespace detail

inline constexpr std::string_view kChangeChannel = "plinth_changes";

class PostgresStore final : public detail::SqlStore {
 public:
  // `conninfo`: a libpq connection string or postgresql:// URL. Opens one connection, applies
  // the pending migrations (replicas starting together take turns), checks the secret key;
  // more connections, up to `pool_size`, open on demand. Errors as open_sqlite_store.
  static Result<std::unique_ptr<PostgresStore>> open(
      const std::string& conninfo, std::shared_ptr<const SecretBox> box, int pool_size = 4,
      std::span<const Migration> migrations = known_migrations());
  ~PostgresStore() override;

  // Opens a dedicated connection that LISTENs on kChangeChannel. Call again after
  // poll_notifications reports the connection lost (then reload everything: notifications
  // may have been missed meanwhile).
  Status listen();
  // Waits up to `wait` (0: just looks) for change notifications and returns the revisions
  // they carry, oldest first; empty when none came. kUnavailable when not listening or the
  // connection is lost. Thread-safe; callers are served one at a time.
  Result<std::vector<Revision>> poll_notifications(std::chrono::milliseconds wait);

 private:
  PostgresStore(std::string conninfo, std::unique_ptr<detail::ConnectionPool> pool,
                std::shared_ptr<const SecretBox> box);

  const std::string conninfo_;
  std::mutex listen_mutex_;
  std::unique_ptr<detail::PostgresConnection> listener_;
};

}  // namespace plinth::store
