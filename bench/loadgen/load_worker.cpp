// The load generator's event loop (see load_worker.h).
#include "load_worker.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <vector>

#include "../common/clock.h"
#include "../common/net.h"
#include "http_response_parser.h"
#include "schedule.h"

namespace plinth::bench {
namespace {

constexpr int kMaxEvents = 512;
constexpr size_t kReadSize = 64 * 1024;
constexpr int64_t kReconnectDelayNs = 10'000'000;
constexpr uint64_t kDefaultAbortChunks = 16;  // the mock's default stream length

enum class ConnState { kFree, kIdle, kBusy };

struct Conn {
  uint32_t slot = 0;
  uint32_t generation = 0;  // bumped on close, so stale epoll events are ignored
  int fd = -1;
  ConnState state = ConnState::kFree;
  bool connected = false;
  bool watching_write = false;
  size_t written = 0;    // bytes of the request sent
  int64_t start_ns = 0;  // open loop: the due time; closed loop: when it was started
  bool measured = false;
  uint64_t events_seen = 0;  // data events read so far
  uint64_t units_seen = 0;   // chunks (or events) timed so far
  int64_t last_unit_ns = 0;
  uint64_t abort_after = 0;  // close after this many chunks; 0: never
  HttpResponseParser parser;
};

uint64_t to_us(int64_t ns) { return ns <= 0 ? 0 : static_cast<uint64_t>(ns / 1000); }

}  // namespace

class LoadWorker::Impl {
 public:
  explicit Impl(const LoadPlan& plan)
      : plan_(plan),
        schedule_(plan.start_ns + plan.schedule_offset_ns, plan.open_loop ? plan.rate : 1.0),
        read_buffer_(new char[kReadSize]) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    scan_period_ns_ = std::clamp<int64_t>(plan.timeout_ns / 4, 1'000'000, 100'000'000);
  }

  ~Impl() {
    for (auto& c : conns_) {
      if (c->fd >= 0) ::close(c->fd);
    }
    ::close(epoll_fd_);
  }

  RunStats run() {
    prctl(PR_SET_TIMERSLACK, 1000UL);  // wake on schedule to the microsecond, not 50 us late
    const timespec start{static_cast<time_t>(plan_.start_ns / 1'000'000'000),
                         static_cast<long>(plan_.start_ns % 1'000'000'000)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &start, nullptr);
    int64_t now = mono_ns();
    for (int64_t i = 0; i < plan_.connections; ++i) {
      if (plan_.open_loop) {
        if (Conn* c = open_connection()) idle_.push_back(c->slot);
      } else {
        replace_connection(now);
      }
    }
    epoll_event events[kMaxEvents];
    int64_t next_scan = now + scan_period_ns_;
    while (true) {
      now = mono_ns();
      if (!stopping_ && now >= plan_.end_ns) {
        stopping_ = true;
        drain_until_ns_ = now + plan_.timeout_ns;
        give_up_waiting(plan_.end_ns);  // not started by the end of the run
      }
      if (!stopping_) {
        if (plan_.open_loop) dispatch_due(now);
        while (reconnects_ > 0 && now >= next_reconnect_ns_) {
          --reconnects_;
          replace_connection(now);
        }
      }
      if (now >= next_scan) {
        expire(now, now - plan_.timeout_ns);
        next_scan = now + scan_period_ns_;
      }
      if (stopping_ && busy_ == 0) break;
      if (stopping_ && now >= drain_until_ns_) {
        expire(now, drain_until_ns_);
        break;
      }
      int64_t wake = std::min(next_scan, stopping_ ? drain_until_ns_ : plan_.end_ns);
      if (!stopping_ && plan_.open_loop) wake = std::min(wake, schedule_.due_ns(next_index_));
      if (!stopping_ && reconnects_ > 0) wake = std::min(wake, next_reconnect_ns_);
      const int n = epoll_wait_ns(epoll_fd_, events, kMaxEvents, std::max<int64_t>(0, wake - now));
      for (int i = 0; i < n; ++i) {
        const uint64_t key = events[i].data.u64;
        Conn& c = *conns_[key & 0xffffffffu];
        if (c.fd < 0 || c.generation != key >> 32) continue;
        on_event(c, events[i].events, mono_ns());
      }
    }
    stats_.peak_connections = peak_connections_;
    return std::move(stats_);
  }

 private:
  void error(const char* kind) { ++stats_.errors[kind]; }

  // Open loop: starts every request due by now, on an idle connection or a new one. With
  // every connection busy and no room for another, a request waits for one (first come,
  // first served); its latency still counts from its scheduled start.
  void dispatch_due(int64_t now) {
    start_waiting();
    while (true) {
      const int64_t due = schedule_.due_ns(next_index_);
      if (due > now || due >= plan_.end_ns) return;
      ++next_index_;
      const bool measured = due >= plan_.measure_ns;
      Conn* c = waiting_.empty() ? take_idle() : nullptr;
      if (c == nullptr && (!waiting_.empty() || open_count_ >= plan_.max_connections)) {
        waiting_.push_back(due);
        continue;
      }
      if (c == nullptr && (c = open_connection()) == nullptr) {
        if (measured) error("connect");
        continue;
      }
      if (measured) stats_.schedule_lag.record(to_us(now - due));
      begin(*c, due);
    }
  }

  // Starts waiting requests on the connections free now. Their wait is the proxy's doing, not
  // the load generator's lateness, so it is in their latency but not in schedule_lag.
  void start_waiting() {
    while (!waiting_.empty()) {
      Conn* c = take_idle();
      if (c == nullptr && open_count_ < plan_.max_connections) c = open_connection();
      if (c == nullptr) return;
      const int64_t due = waiting_.front();
      waiting_.pop_front();
      begin(*c, due);
    }
  }

  // A request that could not start within the timeout, or before the run ended, is an
  // error 'backlog'.
  void give_up_waiting(int64_t due_before) {
    while (!waiting_.empty() && waiting_.front() < due_before) {
      if (waiting_.front() >= plan_.measure_ns) error("backlog");
      waiting_.pop_front();
    }
  }

  Conn* take_idle() {
    while (!idle_.empty()) {
      Conn& c = *conns_[plan_.reuse_oldest ? idle_.front() : idle_.back()];
      if (plan_.reuse_oldest) {
        idle_.pop_front();
      } else {
        idle_.pop_back();
      }
      if (c.state == ConnState::kIdle) return &c;  // else closed or reused since queued
    }
    return nullptr;
  }

  Conn* open_connection() {
    const int fd = start_connect(plan_.address);
    if (fd < 0) return nullptr;
    if (free_slots_.empty()) {
      conns_.push_back(std::make_unique<Conn>());
      conns_.back()->slot = static_cast<uint32_t>(conns_.size() - 1);
      free_slots_.push_back(conns_.back()->slot);
    }
    Conn& c = *conns_[free_slots_.back()];
    free_slots_.pop_back();
    c.fd = fd;
    c.state = ConnState::kIdle;
    c.connected = false;
    c.watching_write = true;  // EPOLLOUT says the connect finished
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = (uint64_t{c.generation} << 32) | c.slot;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    ++open_count_;
    ++stats_.connections_opened;
    peak_connections_ = std::max(peak_connections_, open_count_);
    return &c;
  }

  // Closed loop: a new connection, and on it the next request.
  void replace_connection(int64_t now) {
    if (Conn* c = open_connection()) return begin(*c, now);
    if (now >= plan_.measure_ns) error("connect");
    ++reconnects_;
    next_reconnect_ns_ = now + kReconnectDelayNs;
  }

  void begin(Conn& c, int64_t start_ns) {
    c.state = ConnState::kBusy;
    c.start_ns = start_ns;
    c.measured = start_ns >= plan_.measure_ns;
    c.written = 0;
    c.events_seen = c.units_seen = 0;
    c.parser.reset();
    const uint64_t index = request_index_++;
    c.abort_after = 0;
    if (plan_.abort_fraction > 0 && should_abort(index, plan_.abort_fraction)) {
      c.abort_after = abort_after_chunks(
          index, plan_.expect_chunks > 0 ? plan_.expect_chunks : kDefaultAbortChunks);
    }
    ++busy_;
    if (c.measured) ++stats_.sent;
    if (c.connected) write_request(c);
  }

  void write_request(Conn& c) {
    const std::string& request = *plan_.request;
    while (c.written < request.size()) {
      const ssize_t n =
          ::send(c.fd, request.data() + c.written, request.size() - c.written, MSG_NOSIGNAL);
      if (n > 0) {
        c.written += n;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && errno == EAGAIN) {
        return watch_write(c, true);
      } else {
        return fail(c, "reset", mono_ns());
      }
    }
    watch_write(c, false);
  }

  void watch_write(Conn& c, bool on) {
    if (c.watching_write == on) return;
    epoll_event ev{};
    ev.events = on ? EPOLLIN | EPOLLOUT : EPOLLIN;
    ev.data.u64 = (uint64_t{c.generation} << 32) | c.slot;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.watching_write = on;
  }

  void on_event(Conn& c, uint32_t events, int64_t now) {
    if (!c.connected) {
      int so_error = 0;
      socklen_t len = sizeof so_error;
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      if (so_error != 0 || (events & (EPOLLERR | EPOLLHUP))) return fail(c, "connect", now);
      if (!(events & EPOLLOUT)) return;
      c.connected = true;
      if (c.state == ConnState::kBusy) {
        write_request(c);
      } else {
        watch_write(c, false);
      }
    } else if ((events & EPOLLOUT) && c.state == ConnState::kBusy) {
      write_request(c);
    }
    if (c.fd >= 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP))) read_from(c, now);
  }

  void read_from(Conn& c, int64_t now) {
    while (c.fd >= 0) {
      const ssize_t n = ::read(c.fd, read_buffer_.get(), kReadSize);
      if (n > 0) {
        on_bytes(c, std::string_view(read_buffer_.get(), n), now);
        if (static_cast<size_t>(n) < kReadSize) return;
      } else if (n == 0) {
        if (c.state == ConnState::kBusy &&
            c.parser.on_close() == HttpResponseParser::Status::kComplete) {
          complete(c, now);
          if (c.fd < 0) return;
        }
        return fail(c, "reset", now);  // an idle connection the server closed: not an error
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN) {
        return;
      } else {
        return fail(c, "reset", now);
      }
    }
  }

  void on_bytes(Conn& c, std::string_view bytes, int64_t now) {
    if (c.state != ConnState::kBusy) return fail(c, "bad_response", now);
    size_t used = 0;
    const auto status = c.parser.feed(bytes, &used);
    if (c.parser.event_stream()) {
      const SseStreamCheck& sse = c.parser.sse();
      if (c.measured && c.events_seen == 0 && sse.events() > 0) {
        stats_.ttfb.record(to_us(now - c.start_ns));
      }
      c.events_seen = sse.events();
      // Gaps between numbered chunks (so the usage event is not one), or between events
      // when the stream carries no numbers.
      const uint64_t units = sse.chunks() > 0 ? sse.chunks() : sse.events();
      if (units > c.units_seen) {
        if (c.measured && c.units_seen > 0) {
          stats_.chunk_gap.record(to_us(now - c.last_unit_ns));
          // Chunks that came in the same read as another had no gap we could see.
          for (uint64_t k = c.units_seen + 1; k < units; ++k) stats_.chunk_gap.record(0);
        }
        c.units_seen = units;
        c.last_unit_ns = now;
      }
      if (status == HttpResponseParser::Status::kIncomplete && c.abort_after > 0 &&
          c.parser.sse().chunks() >= c.abort_after) {
        if (c.measured) ++stats_.aborted;
        --busy_;
        c.state = ConnState::kIdle;  // not a failure: close quietly
        return drop(c, now);
      }
    }
    if (status == HttpResponseParser::Status::kBad ||
        (status == HttpResponseParser::Status::kComplete && used != bytes.size())) {
      return fail(c, "bad_response", now);
    }
    if (status == HttpResponseParser::Status::kComplete) complete(c, now);
  }

  void complete(Conn& c, int64_t now) {
    --busy_;
    c.state = ConnState::kIdle;
    if (c.measured) record(c, now);
    if (!c.parser.keep_alive()) return drop(c, now);
    if (stopping_) return;
    if (plan_.open_loop) {
      idle_.push_back(c.slot);
      start_waiting();
    } else {
      begin(c, now);
    }
  }

  void record(const Conn& c, int64_t now) {
    const int code = c.parser.status();
    if (code < 200 || code >= 300) {
      ++stats_.errors["status_" + std::to_string(code)];
      return;
    }
    if (plan_.stream) {
      const SseStreamCheck& s = c.parser.sse();
      const uint64_t lost = s.lost(plan_.expect_chunks);
      stats_.chunks += s.chunks();
      stats_.lost_chunks += lost;
      stats_.reordered_chunks += s.reordered();
      if (!c.parser.event_stream() || !s.done() || s.malformed() || lost > 0 || s.reordered() > 0) {
        return error("bad_stream");
      }
    }
    ++stats_.requests;
    stats_.latency.record(to_us(now - c.start_ns));
  }

  // Counts a failed request (if one was in flight), then closes the connection.
  void fail(Conn& c, const char* kind, int64_t now) {
    if (c.state == ConnState::kBusy) {
      --busy_;
      if (c.measured) error(kind);
    }
    drop(c, now);
  }

  // Closes the connection; closed loop replaces it.
  void drop(Conn& c, int64_t now) {
    ::close(c.fd);
    c.fd = -1;
    c.state = ConnState::kFree;
    c.connected = false;
    ++c.generation;
    --open_count_;
    free_slots_.push_back(c.slot);
    if (!plan_.open_loop && !stopping_) replace_connection(now);
  }

  // Fails every request in flight that started before `started_before`.
  void expire(int64_t now, int64_t started_before) {
    give_up_waiting(started_before);
    // By index: a closed-loop failure opens a replacement, which may grow conns_.
    for (size_t i = 0; i < conns_.size(); ++i) {
      Conn& c = *conns_[i];
      if (c.state == ConnState::kBusy && c.start_ns < started_before) fail(c, "timeout", now);
    }
  }

  const LoadPlan plan_;
  const OpenSchedule schedule_;
  std::unique_ptr<char[]> read_buffer_;
  int epoll_fd_ = -1;
  int64_t scan_period_ns_ = 0;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<uint32_t> free_slots_;
  // Open loop: connections waiting for a request, taken newest first (or oldest, --reuse).
  std::deque<uint32_t> idle_;
  std::deque<int64_t> waiting_;  // open loop: due times of requests waiting for a connection
  int64_t open_count_ = 0;
  int64_t peak_connections_ = 0;
  int64_t busy_ = 0;
  uint64_t next_index_ = 0;     // open loop: the next slot of the schedule
  uint64_t request_index_ = 0;  // every request begun, for the abort choice
  int64_t reconnects_ = 0;      // closed loop: connections to open again after a failure
  int64_t next_reconnect_ns_ = 0;
  bool stopping_ = false;
  int64_t drain_until_ns_ = 0;
  RunStats stats_;
};

LoadWorker::LoadWorker(const LoadPlan& plan) : impl_(std::make_unique<Impl>(plan)) {}
LoadWorker::~LoadWorker() = default;
RunStats LoadWorker::run() { return impl_->run(); }

}  // namespace plinth::bench
