// PostgresStore: a SqlStore over a pool of libpq connections, plus LISTEN/NOTIFY.
#include "store/postgres_store.h"

#include <charconv>

#include "store/detail/postgres_connection.h"

namespace plinth::store {

PostgresStore::PostgresStore(std::string conninfo, std::unique_ptr<detail::ConnectionPool> pool,
                             std::shared_ptr<const SecretBox> box)
    : SqlStore(std::move(pool), std::move(box)), conninfo_(std::move(conninfo)) {}

PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& conninfo,
                                                           std::shared_ptr<const SecretBox> box,
                                                           int pool_size,
                                                           std::span<const Migration> migrations) {
  auto conn = detail::PostgresConnection::open(conninfo);
  if (!conn.ok()) return std::move(conn).error();
  Status prepared = SqlStore::prepare(**conn, *box, migrations);
  if (!prepared.ok()) return std::move(prepared).error();
  auto connect = [conninfo]() -> Result<std::unique_ptr<detail::SqlConnection>> {
    auto c = detail::PostgresConnection::open(conninfo);
    if (!c.ok()) return std::move(c).error();
    return std::unique_ptr<detail::SqlConnection>(std::move(c).value());
  };
  auto pool = std::make_unique<detail::ConnectionPool>(
      std::move(conn).value(), connect, static_cast<std::size_t>(pool_size < 1 ? 1 : pool_size));
  return std::unique_ptr<PostgresStore>(
      new PostgresStore(conninfo, std::move(pool), std::move(box)));
}

Status PostgresStore::listen() {
  std::lock_guard lock(listen_mutex_);
  listener_.reset();
  auto conn = detail::PostgresConnection::open(conninfo_);
  if (!conn.ok()) return std::move(conn).error();
  Status listening = (*conn)->run_script("LISTEN " + std::string(kChangeChannel));
  if (!listening.ok()) return listening;
  listener_ = std::move(conn).value();
  return {};
}

Result<std::vector<Revision>> PostgresStore::poll_notifications(std::chrono::milliseconds wait) {
  std::lock_guard lock(listen_mutex_);
  if (!listener_) {
    return Error{ErrorCode::kUnavailable, "not listening for changes: call listen() first"};
  }
  auto payloads = listener_->wait_notifications(wait);
  if (!payloads.ok()) {
    listener_.reset();
    return std::move(payloads).error();
  }
  std::vector<Revision> revisions;
  for (const auto& p : *payloads) {
    Revision r = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), r);
    if (ec == std::errc() && ptr == p.data() + p.size()) revisions.push_back(r);
  }
  return revisions;
}

}  // namespace plinth::store
