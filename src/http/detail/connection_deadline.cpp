#include "http/detail/connection_deadline.h"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

namespace plinth::http::detail {

namespace asio = boost::asio;

asio::execution_context::id DeadlineWatch::id;

ConnectionDeadline::ConnectionDeadline(const asio::any_io_executor& executor,
                                       boost::beast::tcp_stream* stream)
    : watch_(&asio::use_service<DeadlineWatch>(asio::query(executor, asio::execution::context))),
      stream_(stream) {
  watch_->ready(executor);
}

void ConnectionDeadline::set(Clock::time_point deadline) {
  deadline_ = deadline;
  watch_->watch(*this);
}

void ConnectionDeadline::rest() {
  deadline_ = Clock::time_point::max();
  if (linked_) watch_->unwatch(*this);
}

void DeadlineWatch::ready(const asio::any_io_executor& executor) {
  if (!timer_ && !shut_down_) timer_.emplace(executor);
}

void DeadlineWatch::watch(ConnectionDeadline& d) {
  if (shut_down_) return;
  if (!d.linked_) {
    d.linked_ = true;
    d.prev_ = nullptr;
    d.next_ = head_;
    if (head_ != nullptr) head_->prev_ = &d;
    head_ = &d;
  }
  // The timer wakes first and looks again, unless this deadline comes before its wake.
  if (d.deadline_ < armed_for_) arm(d.deadline_);
}

void DeadlineWatch::unwatch(ConnectionDeadline& d) {
  unlink(d);
  if (head_ == nullptr && armed_for_ != Clock::time_point::max() && timer_) {
    armed_for_ = Clock::time_point::max();
    ++round_;
    timer_->cancel();
  }
}

void DeadlineWatch::unlink(ConnectionDeadline& d) {
  if (!d.linked_) return;
  if (d.prev_ != nullptr) d.prev_->next_ = d.next_;
  else head_ = d.next_;
  if (d.next_ != nullptr) d.next_->prev_ = d.prev_;
  d.prev_ = d.next_ = nullptr;
  d.linked_ = false;
}

std::size_t DeadlineWatch::watched() const {
  std::size_t n = 0;
  for (const ConnectionDeadline* d = head_; d != nullptr; d = d->next_) ++n;
  return n;
}

void DeadlineWatch::arm(Clock::time_point at) {
  armed_for_ = at;
  const std::uint64_t round = ++round_;
  timer_->expires_at(at);  // a pending wait completes as aborted, and is stale by its round
  timer_->async_wait([this, round](const boost::system::error_code&) {
    if (round == round_ && !shut_down_) on_wake();
  });
}

// Closes the streams whose deadline has passed (their pending reads complete with an error;
// nothing runs here) and sleeps until the earliest deadline left. Every watched connection is
// looked at, but only when the earliest deadline the timer knew of comes: deadlines move
// later on every read, so that is about once per timeout.
void DeadlineWatch::on_wake() {
  armed_for_ = Clock::time_point::max();
  const Clock::time_point now = Clock::now();
  Clock::time_point earliest = Clock::time_point::max();
  for (ConnectionDeadline* d = head_; d != nullptr;) {
    ConnectionDeadline* next = d->next_;
    if (d->deadline_ <= now) {
      d->fired_ = true;
      d->deadline_ = Clock::time_point::max();
      unlink(*d);
      d->stream_->close();
    } else if (d->deadline_ < earliest) {
      earliest = d->deadline_;
    }
    d = next;
  }
  if (earliest != Clock::time_point::max()) arm(earliest);
}

// The context is going: no connection is watched any more, and the timer goes while the
// services it uses are still there.
void DeadlineWatch::shutdown() {
  shut_down_ = true;
  while (head_ != nullptr) unlink(*head_);
  armed_for_ = Clock::time_point::max();
  timer_.reset();
}

}  // namespace plinth::http::detail
