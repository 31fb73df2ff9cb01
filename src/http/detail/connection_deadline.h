// The deadline of the reads of an upstream event stream, kept by one timer per connection
// (private to src/http/: Asio types).
//
// Beast's tcp_stream arms its timer for every read and cancels it when the read completes:
// a timer-heap insert, a removal and a cancelled handler through the scheduler, for every
// streamed chunk (callgrind: 13,978 -> 12,725 instructions per chunk without it). Here moving
// the deadline is a store: the timer wakes at the deadline it was set for and, if the
// deadline has moved later since (or was paused), sleeps again until then or goes idle; only
// a deadline earlier than the pending wake re-arms it. One wait per stream, then. When the
// deadline has passed it closes the stream, the pending read completes with an error, and
// fired() tells the call that this was a timeout. Plain responses keep Beast's timer: a
// request has one or two reads, and there the two cost the same.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <memory>

namespace plinth::http::detail {

class ConnectionDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `stream` is closed when a deadline passes; it must outlive this object.
  ConnectionDeadline(const boost::asio::any_io_executor& executor,
                     boost::beast::tcp_stream* stream)
      : state_(std::make_shared<State>(executor, stream)) {}
  // The connection is going: a wait still pending wakes to nothing.
  ~ConnectionDeadline() {
    state_->stream = nullptr;
    state_->timer.cancel();
  }
  ConnectionDeadline(const ConnectionDeadline&) = delete;
  ConnectionDeadline& operator=(const ConnectionDeadline&) = delete;

  // The pending operation must complete by `deadline`.
  void set(Clock::time_point deadline) {
    State& s = *state_;
    s.deadline = deadline;
    if (s.armed_for <= deadline) return;  // the timer wakes first and looks again
    s.armed_for = deadline;
    s.timer.expires_at(deadline);  // a pending wait completes as aborted
    wait(state_);
  }
  // No deadline while Plinth itself works between two operations (a slow client takes an
  // event): a store; a wake still pending finds nothing to do.
  void pause() { state_->deadline = Clock::time_point::max(); }
  // No deadline and no wait pending: the call is over (the connection goes to the pool, where
  // a pending wait would keep its io context from ever running out of work).
  void rest() {
    pause();
    if (state_->armed_for == Clock::time_point::max()) return;
    state_->armed_for = Clock::time_point::max();
    state_->timer.cancel();
  }

  bool fired() const { return state_->fired; }

 private:
  struct State {
    State(const boost::asio::any_io_executor& executor, boost::beast::tcp_stream* s)
        : timer(executor), stream(s) {}
    boost::asio::steady_timer timer;
    boost::beast::tcp_stream* stream;
    Clock::time_point deadline = Clock::time_point::max();
    Clock::time_point armed_for = Clock::time_point::max();  // max: no wait pending
    bool fired = false;
  };

  static void wait(const std::shared_ptr<State>& state) {
    state->timer.async_wait([state](const boost::system::error_code& ec) {
      if (ec == boost::asio::error::operation_aborted) return;  // re-armed, or gone
      State& s = *state;
      if (s.stream == nullptr) return;
      if (s.deadline == Clock::time_point::max()) {  // paused: set() arms again
        s.armed_for = Clock::time_point::max();
        return;
      }
      if (s.deadline > Clock::now()) {  // moved later since this wait began
        s.armed_for = s.deadline;
        s.timer.expires_at(s.deadline);
        wait(state);
        return;
      }
      s.armed_for = Clock::time_point::max();
      s.fired = true;
      s.stream->close();
    });
  }

  std::shared_ptr<State> state_;
};

}  // namespace plinth::http::detail
