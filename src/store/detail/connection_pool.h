// ConnectionPool: lends database connections to one caller at a time. SQLite uses one
// connection (a mutex, in effect); PostgreSQL a few, opened on demand. Broken connections
// are dropped when returned and replaced by the next acquire.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/detail/sql_connection.h"

namespace plinth::store::detail {

class ConnectionPool {
 public:
  using Connect = std::function<Result<std::unique_ptr<SqlConnection>>()>;

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<SqlConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_) pool_->give_back(std::move(conn_));
    }
    SqlConnection& operator*() const { return *conn_; }
    SqlConnection* operator->() const { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<SqlConnection> conn_;
  };

  // `first` is an open connection (the one migrations ran on); up to `max_size` in all.
  ConnectionPool(std::unique_ptr<SqlConnection> first, Connect connect, std::size_t max_size,
                 std::chrono::milliseconds acquire_timeout = std::chrono::seconds(30));

  // Waits up to the acquire timeout for a free connection; kUnavailable after it, or when a
  // new connection cannot be opened.
  Result<Lease> acquire();

 private:
  void give_back(std::unique_ptr<SqlConnection> conn);

  Connect connect_;
  const std::size_t max_size_;
  const std::chrono::milliseconds acquire_timeout_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
  std::size_t open_ = 0;  // idle plus lent
};

}  // namespace plinth::store::detail
