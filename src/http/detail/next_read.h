// The front door's read of a connection's next request, started while the current one is
// handled (private to src/http/: Asio types).
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "core/cancel.h"
#include "http/detail/draining_read.h"

namespace plinth::http::detail {

// The connection's next read, started while a request is handled. It does two jobs: when
// the client closes its end (or the connection fails) it fires the request's Cancel, and
// when the client sends its next request early (pipelining) the bytes wait in the
// connection's buffer. A read rather than a readiness wait because Asio re-arms epoll with an
// epoll_ctl for every wait, while a read after one that drained the socket costs nothing
// until data or FIN arrives (draining_read.h; docs/design/performance.md).
class NextRead {
 public:
  using Clock = boost::asio::steady_timer::clock_type;
  using Duration = boost::asio::steady_timer::duration;
  using Waiter = boost::asio::any_completion_handler<void()>;

  explicit NextRead(const boost::asio::any_io_executor& executor) : timer_(executor) {}

  // Starts reading into `into` (the connection buffer's free space). `cancel` is fired if the
  // client goes away before release().
  static void start(boost::asio::ip::tcp::socket& socket, boost::asio::mutable_buffer into,
                    const std::shared_ptr<NextRead>& self, Cancel& cancel) {
    self->cancel_ = &cancel;
    self->done_ = false;
    self->pending_ = true;
    // The request came in a read that drained the socket: no recv that finds nothing
    // before the request goes upstream (draining_read.h).
    socket.async_read_some(DrainingBuffer(into), ReadHandler{self});
  }

  // Waits until the read completes or `idle` passes, whichever comes first (done() tells
  // which). The read's completion resumes the waiting coroutine itself. Waking it through a
  // cancelled timer instead cost a trip through the scheduler: under load, the next request
  // waited behind every other event of the batch (the time to first chunk with 500 streams).
  // A deferred operation, for co_await (no coroutine frame of its own, as use_awaitable's).
  //
  // The idle deadline is lazy: a wait stores it, and the timer, armed once, wakes at the
  // deadline it was armed for and looks again (sleeping on to a later one, or going idle
  // between waits). Arming and cancelling a timer for every request, with the cancelled
  // handler run through the scheduler, cost some 900 instructions of the ~31,000 a plain
  // request takes. close() cancels it when the connection ends.
  static auto wait(const std::shared_ptr<NextRead>& self, Duration idle) {
    return boost::asio::async_initiate<const boost::asio::deferred_t&, void()>(
        [self, idle](auto handler) {
          // Not move-assigned: Boost 1.81's operator= wraps its argument in itself, forever.
          Waiter waiter(std::move(handler));
          self->waiter_.swap(waiter);
          self->deadline_ = Clock::now() + idle;
          if (!self->armed_) arm(self);
        },
        boost::asio::deferred);
  }

  // The connection is over: the idle timer, if armed, lets go of this NextRead.
  void close() {
    if (armed_) timer_.cancel();
  }

  // The request is over: a late close no longer cancels it.
  void release() { cancel_ = nullptr; }

  bool pending() const { return pending_; }
  bool done() const { return done_; }
  // Taken into the connection's buffer (or given up on).
  void consumed() { pending_ = false; }
  const boost::system::error_code& error() const { return ec_; }
  std::size_t bytes() const { return n_; }

 private:
  // The read's handler. Destroyed without being run (the io_context goes away with the
  // read pending), it destroys the coroutine waiting in wait(): that coroutine holds this
  // NextRead, which holds it, and nothing else would ever free either.
  struct ReadHandler {
    std::shared_ptr<NextRead> self;
    ReadHandler(std::shared_ptr<NextRead> s) : self(std::move(s)) {}
    ReadHandler(ReadHandler&&) noexcept = default;
    ReadHandler(const ReadHandler&) = delete;  // a copy's destructor would drop the waiter
    ReadHandler& operator=(ReadHandler&&) noexcept = default;
    ~ReadHandler() {
      if (self) self->waiter_ = nullptr;
    }
    void operator()(boost::system::error_code ec, std::size_t n) {
      const std::shared_ptr<NextRead> keep = std::move(self);  // the waiter may drop its own
      keep->complete(ec, n);
    }
  };

  void complete(boost::system::error_code ec, std::size_t n) {
    done_ = true;
    ec_ = ec;
    n_ = n;
    if (ec && cancel_ != nullptr) cancel_->cancel();  // EOF, reset or the socket closed
    wake();  // the timer stays armed: it finds no waiter, or a later deadline
  }

  // The timer, armed for deadline_: a wait whose deadline has passed is woken (done() is
  // false then); one whose deadline moved later since (a new wait) is slept on; with no
  // wait, the timer goes idle until the next.
  static void arm(const std::shared_ptr<NextRead>& self) {
    self->armed_ = true;
    self->timer_.expires_at(self->deadline_);
    self->timer_.async_wait([self](boost::system::error_code ec) {
      self->armed_ = false;
      if (ec || !self->waiter_) return;  // closed, or no wait now
      if (Clock::now() < self->deadline_) {
        arm(self);
        return;
      }
      self->wake();  // the idle deadline passed
    });
  }

  void wake() {
    if (waiter_) waiter_();  // empties waiter_ before the coroutine runs
  }

  boost::asio::steady_timer timer_;  // the idle deadline of a wait(), lazily
  Clock::time_point deadline_{};     // the current wait's
  bool armed_ = false;               // a timer wait is pending
  Waiter waiter_;  // the coroutine in wait()
  Cancel* cancel_ = nullptr;
  bool pending_ = false;  // started and not yet consumed
  bool done_ = false;     // the read completed
  boost::system::error_code ec_;
  std::size_t n_ = 0;
};

}  // namespace plinth::http::detail
