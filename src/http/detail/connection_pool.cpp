// Connection and the thread-local pools. Idle sockets must not outlive their io context:
// a PoolReaper service on each context empties this thread's pools when the context shuts
// down, before Asio's own services go.
#include "http/detail/connection_pool.h"

#include <boost/asio/execution_context.hpp>

#include <unordered_map>
#include <utility>

namespace plinth::http::detail {
namespace asio = boost::asio;

Connection::Connection(const asio::any_io_executor& executor, asio::ssl::context* tls) {
  if (tls != nullptr) {
    tls_.emplace(executor, *tls);
  } else {
    tcp_.emplace(executor);
  }
  deadline_.emplace(executor, &tcp());
}

void Connection::close() { tcp().close(); }

namespace {

struct PoolKey {
  std::uint64_t client_id;
  const asio::execution_context* context;
  bool operator==(const PoolKey&) const = default;
};

struct PoolKeyHash {
  std::size_t operator()(const PoolKey& k) const {
    return std::hash<std::uint64_t>{}(k.client_id) ^
           (std::hash<const void*>{}(k.context) * 0x9e3779b97f4a7c15ULL);
  }
};

using ThreadPools = std::unordered_map<PoolKey, ConnectionPool, PoolKeyHash>;

ThreadPools& thread_pools() {
  thread_local ThreadPools pools;
  return pools;
}

// Empties the pools of its context on the thread that shuts the context down (the io
// thread in every setup Plinth uses). Registered only once a pooled socket exists, so it
// is newer than Asio's reactor and is shut down before it.
class PoolReaper final : public asio::execution_context::service {
 public:
  using key_type = PoolReaper;
  static inline asio::execution_context::id id;

  explicit PoolReaper(asio::execution_context& context) : service(context) {}

 private:
  void shutdown() override {
    std::erase_if(thread_pools(),
                  [this](const auto& entry) { return entry.first.context == &context(); });
  }
};

}  // namespace

std::unique_ptr<Connection> ConnectionPool::take(Clock::time_point now) {
  if (idle_.empty()) return nullptr;
  // The most recent is the youngest: if it has expired, they all have.
  if (now - idle_.back()->idle_since > kIdleExpiry) {
    idle_.clear();
    return nullptr;
  }
  std::unique_ptr<Connection> connection = std::move(idle_.back());
  idle_.pop_back();
  connection->reused = true;
  return connection;
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection, int max_idle,
                               Clock::time_point now) {
  // The oldest sit at the front: close those past their expiry.
  std::size_t expired = 0;
  while (expired < idle_.size() && now - idle_[expired]->idle_since > kIdleExpiry) ++expired;
  if (expired > 0) idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(expired));
  if (static_cast<int>(idle_.size()) >= max_idle) return;  // closed as it goes out of scope
  connection->idle_since = now;
  if (!watching_context_) {
    asio::use_service<PoolReaper>(*context_);
    watching_context_ = true;
  }
  idle_.push_back(std::move(connection));
}

ConnectionPool& thread_pool(std::uint64_t client_id, asio::execution_context& context) {
  ConnectionPool& pool = thread_pools()[PoolKey{client_id, &context}];
  pool.context_ = &context;
  return pool;
}

void drop_thread_pools(std::uint64_t client_id) {
  std::erase_if(thread_pools(),
                [client_id](const auto& entry) { return entry.first.client_id == client_id; });
}

}  // namespace plinth::http::detail
