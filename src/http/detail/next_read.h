// The front door's read of a connection's next request, started while the current one is
// handled (private to src/http/: Asio types).
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <memory>

#include "core/cancel.h"

namespace plinth::http::detail {

// The connection's next read, started while a request is handled. It does two jobs: when
// the client closes its end (or the connection fails) it fires the request's Cancel, and
// when the client sends its next request early (pipelining) the bytes wait in the
// connection's buffer. A read rather than a readiness wait because Asio re-arms epoll with an
// epoll_ctl for every wait, while a read costs one speculative recv (EAGAIN) and then nothing
// until data or FIN arrives; epoll_ctl was the dearer of the two (docs/design/performance.md).
class NextRead {
 public:
  explicit NextRead(const boost::asio::any_io_executor& executor) : timer_(executor) {}

  // Starts reading into `into` (the connection buffer's free space). `cancel` is fired if the
  // client goes away before release().
  static void start(boost::asio::ip::tcp::socket& socket, boost::asio::mutable_buffer into,
                    const std::shared_ptr<NextRead>& self, Cancel& cancel) {
    self->cancel_ = &cancel;
    self->done_ = false;
    self->pending_ = true;
    socket.async_read_some(into, [self](boost::system::error_code ec, std::size_t n) {
      self->complete(ec, n);
    });
  }

  // The request is over: a late close no longer cancels it.
  void release() { cancel_ = nullptr; }

  bool pending() const { return pending_; }
  bool done() const { return done_; }
  // Taken into the connection's buffer (or given up on).
  void consumed() { pending_ = false; }
  const boost::system::error_code& error() const { return ec_; }
  std::size_t bytes() const { return n_; }

  // The timer a connection sleeps on until the read completes (which cancels it) or its idle
  // deadline passes. A timer wait is an operation the io_context owns, so a connection
  // suspended on it at shutdown is destroyed with the io_context.
  boost::asio::steady_timer& wake_timer() { return timer_; }

 private:
  void complete(boost::system::error_code ec, std::size_t n) {
    done_ = true;
    ec_ = ec;
    n_ = n;
    if (ec && cancel_ != nullptr) cancel_->cancel();  // EOF, reset or the socket closed
    timer_.cancel();  // wakes the connection if it waits in wake_timer()
  }

  boost::asio::steady_timer timer_;
  Cancel* cancel_ = nullptr;
  bool pending_ = false;  // started and not yet consumed
  bool done_ = false;     // the read completed
  boost::system::error_code ec_;
  std::size_t n_ = 0;
};

}  // namespace plinth::http::detail
