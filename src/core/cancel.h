// Cancel: a one-shot cancellation signal for one request, used on a single io thread.
// The client-side watcher fires it when the client goes away; whoever holds an upstream
// connection registers a callback that closes it at once.
#pragma once

#include <functional>
#include <utility>

namespace plinth {

class Cancel {
 public:
  bool cancelled() const { return cancelled_; }

  // Fires the callback (at most once). Not thread-safe: call on the request's io thread.
  void cancel() {
    if (cancelled_) return;
    cancelled_ = true;
    if (on_cancel_) {
      auto fn = std::move(on_cancel_);
      on_cancel_ = nullptr;
      fn();
    }
  }

  // Replaces any earlier callback; runs it immediately when already cancelled.
  void on_cancel(std::function<void()> fn) {
    if (cancelled_) {
      fn();
      return;
    }
    on_cancel_ = std::move(fn);
  }
  void clear() { on_cancel_ = nullptr; }

 private:
  std::function<void()> on_cancel_;
  bool cancelled_ = false;
};

}  // namespace plinth
