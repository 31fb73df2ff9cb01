// The deadlines of upstream reads, kept by one timer per io context for all its connections
// (private to src/http/: Asio types).
//
// Beast's tcp_stream arms its timer for every operation and cancels it when the operation
// completes: a timer-heap insert, a removal and a cancelled handler run through the
// scheduler, for every read (per streamed chunk: 13,978 -> 12,725 instructions without it; per
// plain request about 1,300 of 29,000). Here moving a deadline is a store. The context's one
// timer (DeadlineWatch) wakes at the earliest deadline it knew of when armed; whatever has
// moved later since is looked at again then, and only a deadline earlier than the pending
// wake re-arms it. When a connection's deadline has passed, the watch closes its stream, the
// pending read completes with an error, and fired() tells the call that this was a timeout.
// A connection between calls (rest) is not watched, and with none watched the timer is
// cancelled, so that an io context with no calls runs out of work. Like the connection
// pools, a watch assumes its context is run by one thread (every setup Plinth has).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace plinth::http::detail {

class DeadlineWatch;

class ConnectionDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `stream` is closed when a deadline passes; it must outlive this object.
  ConnectionDeadline(const boost::asio::any_io_executor& executor,
                     boost::beast::tcp_stream* stream);
  ~ConnectionDeadline() { rest(); }
  ConnectionDeadline(const ConnectionDeadline&) = delete;
  ConnectionDeadline& operator=(const ConnectionDeadline&) = delete;

  // The pending operation must complete by `deadline`.
  void set(Clock::time_point deadline);
  // No deadline while Plinth itself works between two operations (a slow client takes an
  // event): a store; a wake still pending finds nothing to do here.
  void pause() { deadline_ = Clock::time_point::max(); }
  // No deadline and not watched: the call is over (the connection goes to the pool or away).
  void rest();

  bool fired() const { return fired_; }

 private:
  friend class DeadlineWatch;

  DeadlineWatch* watch_;
  boost::beast::tcp_stream* stream_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool fired_ = false;
  // The watch's list of watched connections (intrusive: linking and unlinking allocate
  // nothing). Watched when linked.
  bool linked_ = false;
  ConnectionDeadline* prev_ = nullptr;
  ConnectionDeadline* next_ = nullptr;
};

// The one timer of an io context's upstream deadlines, an Asio service of that context: it
// lives as long as the context, and at the context's shutdown it lets every connection go.
class DeadlineWatch final : public boost::asio::execution_context::service {
 public:
  using Clock = ConnectionDeadline::Clock;
  using key_type = DeadlineWatch;
  static boost::asio::execution_context::id id;

  explicit DeadlineWatch(boost::asio::execution_context& context)
      : boost::asio::execution_context::service(context) {}

  // The timer, made once with the first connection's executor.
  void ready(const boost::asio::any_io_executor& executor);
  // `d`, with its deadline just set, is watched.
  void watch(ConnectionDeadline& d);
  void unwatch(ConnectionDeadline& d);

  // How many connections are watched (for tests: it walks the list).
  std::size_t watched() const;

 private:
  void shutdown() override;
  void arm(Clock::time_point at);
  void on_wake();
  void unlink(ConnectionDeadline& d);

  std::optional<boost::asio::steady_timer> timer_;  // made by ready()
  Clock::time_point armed_for_ = Clock::time_point::max();  // max: no wait pending
  std::uint64_t round_ = 0;  // bumped per arm: a wait re-armed or cancelled since is stale
  ConnectionDeadline* head_ = nullptr;  // the watched connections; none when null
  bool shut_down_ = false;
};

}  // namespace plinth::http::detail
