// open_sqlite_store: a SqlStore over one SQLite connection.
#include "store/sqlite_store.h"

#include "store/detail/sql_store.h"
#include "store/detail/sqlite_connection.h"

namespace plinth::store {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 std::shared_ptr<const SecretBox> box,
                                                 std::span<const Migration> migrations) {
  auto conn = detail::SqliteConnection::open(path);
  if (!conn.ok()) return std::move(conn).error();
  Status prepared = detail::SqlStore::prepare(**conn, *box, migrations);
  if (!prepared.ok()) return std::move(prepared).error();
  // One connection: SQLite allows one writer at a time anyway, and a single connection
  // keeps the transaction logic free of SQLITE_BUSY inside this process.
  auto pool = std::make_unique<detail::ConnectionPool>(std::move(conn).value(), nullptr, 1);
  return std::unique_ptr<Store>(
      std::make_unique<detail::SqlStore>(std::move(pool), std::move(box)));
}

}  // namespace plinth::store
