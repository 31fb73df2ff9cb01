// ConnectionPool: see the header.
#include "store/detail/connection_pool.h"

namespace plinth::store::detail {

ConnectionPool::ConnectionPool(std::unique_ptr<SqlConnection> first, Connect connect,
                               std::size_t max_size, std::chrono::milliseconds acquire_timeout)
    : connect_(std::move(connect)),
      max_size_(max_size < 1 ? 1 : max_size),
      acquire_timeout_(acquire_timeout) {
  if (first) {
    idle_.push_back(std::move(first));
    open_ = 1;
  }
}

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  for (;;) {
    if (!idle_.empty()) {
      std::unique_ptr<SqlConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    if (open_ < max_size_ && connect_) {
      ++open_;
      lock.unlock();  // connecting may take a while; others may return connections meanwhile
      auto conn = connect_();
      if (!conn.ok()) {
        lock.lock();
        --open_;
        return std::move(conn).error();
      }
      return Lease(this, std::move(conn).value());
    }
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        !(open_ < max_size_ && connect_)) {
      return Error{ErrorCode::kUnavailable, "all " + std::to_string(max_size_) +
                                                " store connections stayed busy for " +
                                                std::to_string(acquire_timeout_.count()) + " ms"};
    }
  }
}

void ConnectionPool::give_back(std::unique_ptr<SqlConnection> conn) {
  {
    std::lock_guard lock(mutex_);
    if (conn->broken()) {
      --open_;
      conn.reset();
    } else {
      idle_.push_back(std::move(conn));
    }
  }
  returned_.notify_one();
}

}  // namespace plinth::store::detail
