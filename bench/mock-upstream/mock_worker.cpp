// The mock upstream's event loop (see mock_worker.h).
#include "mock_worker.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <queue>
#include <unordered_map>
#include <vector>

#include "../common/byte_buffer.h"
#include "../common/clock.h"
#include "../common/net.h"
#include "body_scan.h"
#include "request_parser.h"
#include "responses.h"

namespace plinth::bench {
namespace {

constexpr int kMaxEvents = 256;
constexpr size_t kReadChunk = 64 * 1024;
constexpr int64_t kTimerSlackNs = 50'000;  // timers this close to due fire together
constexpr size_t kMaxCachedSizes = 256;    // distinct x-mock-response-bytes values kept

int64_t ms_to_ns(double ms) { return ms <= 0 ? 0 : static_cast<int64_t>(ms * 1e6); }

enum class Pending { kNone, kPlain, kStream };

struct Connection {
  explicit Connection(size_t max_body) : parser(max_body) {}

  int fd = -1;
  uint32_t generation = 0;  // bumped on close, so stale timers are ignored
  ByteBuffer in;
  std::string out;  // bytes the socket did not take yet
  size_t out_sent = 0;
  bool watching_write = false;
  bool close_after_write = false;
  RequestParser parser;

  Pending pending = Pending::kNone;
  bool keep_alive = true;
  const PreparedResponse* plain = nullptr;  // a delayed plain response
  PreparedResponse owned;                   // a response built for this request only
  const StreamWriter* writer = nullptr;     // a stream in progress
  uint64_t seq = 0, total = 0, prompt_tokens = 0;
  int64_t gap_ns = 0, next_due_ns = 0;
};

struct Timer {
  int64_t due_ns;
  int fd;
  uint32_t generation;
  bool operator>(const Timer& o) const { return due_ns > o.due_ns; }
};

}  // namespace

class MockWorker::Loop {
 public:
  Loop(int listen_fd, const MockSettings& settings, const MockResponses& responses,
       std::function<std::string()> stats_json)
      : listen_fd_(listen_fd),
        settings_(settings),
        responses_(responses),
        stats_json_(std::move(stats_json)) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    watch(listen_fd_, EPOLLIN, EPOLL_CTL_ADD);
    watch(stop_fd_, EPOLLIN, EPOLL_CTL_ADD);
  }

  ~Loop() {
    for (auto& c : connections_) {
      if (c && c->fd >= 0) ::close(c->fd);
    }
    ::close(listen_fd_);
    ::close(stop_fd_);
    ::close(epoll_fd_);
  }

  void run() {
    prctl(PR_SET_TIMERSLACK, 1000UL);  // chunk timers fire to the microsecond, not 50 us late
    epoll_event events[kMaxEvents];
    while (running_) {
      const int64_t now = mono_ns();
      const int64_t timeout =
          timers_.empty() ? -1 : std::max<int64_t>(0, timers_.top().due_ns - now);
      const int n = epoll_wait_ns(epoll_fd_, events, kMaxEvents, timeout);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == listen_fd_) {
          accept_all();
        } else if (fd == stop_fd_) {
          running_ = false;
        } else if (Connection* c = lookup(fd)) {
          on_event(*c, events[i].events);
        }
      }
      fire_timers(mono_ns());
    }
  }

  void stop() {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t ignored = ::write(stop_fd_, &one, sizeof one);
  }

  const MockCounters& counters() const { return counters_; }

 private:
  static void bump(std::atomic<uint64_t>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }

  void watch(int fd, uint32_t events, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, op, fd, &ev);
  }

  Connection* lookup(int fd) {
    if (fd < 0 || static_cast<size_t>(fd) >= connections_.size()) return nullptr;
    Connection* c = connections_[fd].get();
    return c != nullptr && c->fd == fd ? c : nullptr;
  }

  void accept_all() {
    while (true) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or out of fds: the backlog waits for the next wake-up
      set_nodelay(fd);
      if (static_cast<size_t>(fd) >= connections_.size()) connections_.resize(fd + 1024);
      auto& slot = connections_[fd];
      if (!slot) slot = std::make_unique<Connection>(settings_.max_body_bytes);
      slot->fd = fd;
      watch(fd, EPOLLIN, EPOLL_CTL_ADD);
      counters_.connections.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void on_event(Connection& c, uint32_t events) {
    if (events & (EPOLLERR | EPOLLHUP)) return close_connection(c);
    if (events & EPOLLIN) read_from(c);
    if (c.fd >= 0 && (events & EPOLLOUT)) flush(c);
  }

  void read_from(Connection& c) {
    while (true) {
      const size_t missing = c.parser.body_bytes_missing(c.in.readable().size());
      c.in.reserve_writable(std::max(kReadChunk, missing));
      const size_t room = c.in.writable();
      const ssize_t n = ::read(c.fd, c.in.write_ptr(), room);
      if (n > 0) {
        c.in.commit(n);
        if (static_cast<size_t>(n) < room) break;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && errno == EAGAIN) {
        break;
      } else {
        return close_connection(c);  // EOF or reset
      }
    }
    serve_buffered(c);
  }

  // Serves the requests already received, one at a time: a delayed response holds the rest.
  void serve_buffered(Connection& c) {
    while (c.fd >= 0 && c.pending == Pending::kNone && !c.close_after_write && !c.in.empty()) {
      switch (c.parser.parse(c.in.readable())) {
        case RequestParser::Status::kIncomplete:
          if (c.parser.take_continue()) send(c, "HTTP/1.1 100 Continue\r\n\r\n");
          return;
        case RequestParser::Status::kBad:
          return respond(c, responses_.bad_request, false);
        case RequestParser::Status::kTooLarge:
          return respond(c, responses_.too_large, false);
        case RequestParser::Status::kComplete:
          break;
      }
      const size_t used = c.parser.consumed();
      dispatch(c, c.parser.request());
      if (c.fd < 0) return;
      c.in.consume(used);
      c.parser.reset();
    }
  }

  void dispatch(Connection& c, const HttpRequest& req) {
    bump(counters_.requests);
    const MockOverrides& o = req.overrides;
    const int64_t ttft_ns = ms_to_ns(o.ttft_ms >= 0 ? o.ttft_ms : settings_.ttft_ms);
    const bool chat = req.path == "/v1/chat/completions";
    if (chat || req.path == "/v1/completions") {
      if (req.method != "POST") return respond(c, responses_.wrong_method, req.keep_alive);
      const ApiKind kind = chat ? ApiKind::kChat : ApiKind::kCompletion;
      if (wants_stream(req.body)) return start_stream(c, kind, req, ttft_ns);
      const int64_t size = o.response_bytes >= 0 ? o.response_bytes : settings_.response_bytes;
      return respond_after(c, plain_for(c, kind, size), req.keep_alive, ttft_ns);
    }
    if (req.path == "/v1/embeddings") {
      if (req.method != "POST") return respond(c, responses_.wrong_method, req.keep_alive);
      const size_t inputs = count_embedding_inputs(req.body);
      if (inputs == 1) return respond_after(c, responses_.embedding, req.keep_alive, ttft_ns);
      c.owned =
          prepare_response(200, "application/json",
                           embeddings_body(settings_.model, inputs, settings_.embedding_dims));
      return respond_after(c, c.owned, req.keep_alive, ttft_ns);
    }
    if (req.path == "/v1/models" || req.path == "/stats" || req.path == "/healthz") {
      if (req.method != "GET") return respond(c, responses_.wrong_method, req.keep_alive);
      if (req.path == "/v1/models") return respond(c, responses_.models, req.keep_alive);
      if (req.path == "/healthz") return respond(c, responses_.health, req.keep_alive);
      c.owned = prepare_response(200, "application/json", stats_json_());
      return respond(c, c.owned, req.keep_alive);
    }
    respond(c, responses_.not_found, req.keep_alive);
  }

  // The plain body for an x-mock-response-bytes size: the shared one, a cached one, or one
  // built for this request when too many sizes were asked for.
  const PreparedResponse& plain_for(Connection& c, ApiKind kind, int64_t size) {
    if (size == settings_.response_bytes) {
      return kind == ApiKind::kChat ? responses_.chat : responses_.completion;
    }
    auto& cache = kind == ApiKind::kChat ? chat_sizes_ : completion_sizes_;
    if (auto it = cache.find(size); it != cache.end()) return it->second;
    PreparedResponse r =
        prepare_response(200, "application/json", completion_body(kind, settings_.model, size));
    if (cache.size() >= kMaxCachedSizes) return c.owned = std::move(r);
    return cache.emplace(size, std::move(r)).first->second;
  }

  void respond_after(Connection& c, const PreparedResponse& r, bool keep_alive, int64_t delay_ns) {
    if (delay_ns <= 0) return respond(c, r, keep_alive);
    c.pending = Pending::kPlain;
    c.plain = &r;
    c.keep_alive = keep_alive;
    timers_.push(Timer{mono_ns() + delay_ns, c.fd, c.generation});
  }

  void respond(Connection& c, const PreparedResponse& r, bool keep_alive) {
    if (keep_alive || r.head().find("Connection: close") != std::string_view::npos) {
      send(c, r.bytes);
    } else {
      scratch_.assign(r.head().substr(0, r.head_len - 2));
      scratch_ += "Connection: close\r\n\r\n";
      scratch_ += r.body();
      send(c, scratch_);
    }
    if (!keep_alive) finish_after_write(c);
  }

  void start_stream(Connection& c, ApiKind kind, const HttpRequest& req, int64_t ttft_ns) {
    const MockOverrides& o = req.overrides;
    bump(counters_.streams);
    counters_.active_streams.fetch_add(1, std::memory_order_relaxed);
    c.pending = Pending::kStream;
    c.keep_alive = req.keep_alive;
    c.writer = kind == ApiKind::kChat ? &responses_.chat_stream : &responses_.completion_stream;
    c.seq = 0;
    c.total = static_cast<uint64_t>(o.chunks >= 0 ? o.chunks : settings_.chunks);
    c.gap_ns = ms_to_ns(o.chunk_gap_ms >= 0 ? o.chunk_gap_ms : settings_.chunk_gap_ms);
    c.prompt_tokens = std::max<uint64_t>(1, req.body.size() / 4);
    const int64_t now = mono_ns();
    c.next_due_ns = now + ttft_ns;
    emit_due_chunks(c, now, kStreamHead);
  }

  // Writes every chunk due by `now` (after `prefix`) in one send; then either schedules the
  // next chunk or ends the stream.
  void emit_due_chunks(Connection& c, int64_t now, std::string_view prefix = {}) {
    scratch_.assign(prefix);
    while (c.seq < c.total && c.next_due_ns <= now + kTimerSlackNs) {
      c.writer->append_chunk(scratch_, c.seq++, c.total);
      bump(counters_.chunks);
      c.next_due_ns += c.gap_ns;
    }
    const bool ended = c.seq == c.total;
    if (ended) c.writer->append_end(scratch_, c.prompt_tokens, c.total);
    send(c, scratch_);
    if (c.fd < 0) return;  // the client left; close_connection counted the abort
    if (!ended) {
      timers_.push(Timer{c.next_due_ns, c.fd, c.generation});
      return;
    }
    c.pending = Pending::kNone;
    counters_.active_streams.fetch_sub(1, std::memory_order_relaxed);
    if (!c.keep_alive) finish_after_write(c);
  }

  void fire_timers(int64_t now) {
    while (!timers_.empty() && timers_.top().due_ns <= now + kTimerSlackNs) {
      const Timer t = timers_.top();
      timers_.pop();
      Connection* c = lookup(t.fd);
      if (c == nullptr || c->generation != t.generation) continue;
      if (c->pending == Pending::kPlain) {
        c->pending = Pending::kNone;
        respond(*c, *c->plain, c->keep_alive);
      } else if (c->pending == Pending::kStream) {
        emit_due_chunks(*c, now);
      }
      // The request that waited is answered: go on with any that came behind it.
      if (c->fd >= 0 && c->pending == Pending::kNone) serve_buffered(*c);
    }
  }

  // Writes what the socket takes now and keeps the rest for EPOLLOUT.
  void send(Connection& c, std::string_view bytes) {
    if (c.out_sent < c.out.size()) {
      c.out.append(bytes);
      return;
    }
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(c.fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += n;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && errno == EAGAIN) {
        break;
      } else {
        return close_connection(c);
      }
    }
    if (sent == bytes.size()) return;
    c.out.assign(bytes.substr(sent));
    c.out_sent = 0;
    if (!c.watching_write) {
      watch(c.fd, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
      c.watching_write = true;
    }
  }

  void flush(Connection& c) {
    while (c.out_sent < c.out.size()) {
      const ssize_t n =
          ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_sent += n;
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
      } else {
        return close_connection(c);
      }
    }
    c.out.clear();
    c.out_sent = 0;
    if (c.watching_write) {
      watch(c.fd, EPOLLIN, EPOLL_CTL_MOD);
      c.watching_write = false;
    }
    if (c.close_after_write) close_connection(c);
  }

  void finish_after_write(Connection& c) {
    if (c.fd < 0) return;
    if (c.out_sent < c.out.size()) {
      c.close_after_write = true;
    } else {
      close_connection(c);
    }
  }

  void close_connection(Connection& c) {
    if (c.fd < 0) return;
    if (c.pending == Pending::kStream) {
      bump(counters_.aborted_streams);
      counters_.active_streams.fetch_sub(1, std::memory_order_relaxed);
    }
    ::close(c.fd);  // also removes it from the epoll set
    counters_.connections.fetch_sub(1, std::memory_order_relaxed);
    c.fd = -1;
    ++c.generation;
    c.in.clear();
    c.out.clear();
    c.out_sent = 0;
    c.watching_write = c.close_after_write = false;
    c.parser.reset();
    c.pending = Pending::kNone;
    c.owned = PreparedResponse{};
  }

  const int listen_fd_;
  const MockSettings& settings_;
  const MockResponses& responses_;
  const std::function<std::string()> stats_json_;
  int epoll_fd_ = -1;
  int stop_fd_ = -1;
  bool running_ = true;
  MockCounters counters_;
  std::vector<std::unique_ptr<Connection>> connections_;  // by fd
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::unordered_map<int64_t, PreparedResponse> chat_sizes_, completion_sizes_;
  std::string scratch_;  // the bytes of one send, reused
};

MockWorker::MockWorker(int listen_fd, const MockSettings& settings, const MockResponses& responses,
                       std::function<std::string()> stats_json)
    : loop_(std::make_unique<Loop>(listen_fd, settings, responses, std::move(stats_json))) {}
MockWorker::~MockWorker() = default;
void MockWorker::run() { loop_->run(); }
void MockWorker::stop() { loop_->stop(); }
const MockCounters& MockWorker::counters() const { return loop_->counters(); }

}  // namespace plinth::bench
