#include "gateway/stages/record_metrics.h"

#include <array>
#include <atomic>
#include <charconv>
#include <string>

namespace plinth::gateway {

namespace {

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string_view upstream_error_kind(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUpstreamUnreachable: return "unreachable";
    case ErrorCode::kUpstreamTimeout: return "timeout";
    case ErrorCode::kUpstreamError: return "error";
    default: return {};
  }
}

// The children one request's labels select. A family's own memo costs a comparison of the
// label values per family (six per request, ~160 instructions each); requests repeat the same
// model, version, endpoint and status, so one comparison finds them all. Children never go
// away while their family lives; the stage's process-unique id keeps a memo from outliving
// the families it points into. A child is looked up when first needed, so that no series
// appears on /metrics before it has a sample.
struct Series {
  std::uint64_t stage = 0;  // 0: empty
  std::string model, version;
  Endpoint endpoint{};
  int status = 0;
  metrics::Counter* requests = nullptr;
  metrics::Histogram* duration = nullptr;
  metrics::Histogram* ttft = nullptr;
  metrics::Histogram* upstream = nullptr;
  std::array<metrics::Counter*, 2> tokens_in{}, tokens_out{};  // by `estimated`
};

constexpr std::size_t kRemembered = 4;  // label sets per thread

std::atomic<std::uint64_t> next_stage_id{1};

}  // namespace

RecordMetrics::RecordMetrics(GatewayMetrics& m)
    : m_(m),
      overhead_request_(m.overhead.with({"request"})),
      overhead_response_(m.overhead.with({"response"})),
      id_(next_stage_id.fetch_add(1, std::memory_order_relaxed)) {}

void RecordMetrics::on_complete(Exchange& ex) const {
  const std::string_view model = ex.route ? std::string_view(ex.route->name) : "";
  const std::string_view version = ex.version ? std::string_view(ex.version->name) : "";
  const std::string_view endpoint = endpoint_name(ex.endpoint);

  thread_local std::array<Series, kRemembered> memo;
  thread_local std::size_t next = 0;
  Series* series = nullptr;
  for (Series& s : memo) {
    if (s.stage == id_ && s.status == ex.status && s.endpoint == ex.endpoint &&
        s.model == model && s.version == version) {
      series = &s;
      break;
    }
  }
  if (series == nullptr) {
    series = &memo[next];
    next = (next + 1) % kRemembered;
    *series = Series{};
    std::array<char, 8> status_buf{};
    auto [end, ec] = std::to_chars(status_buf.data(), status_buf.data() + status_buf.size(),
                                   ex.status);
    (void)ec;
    const std::string_view status(status_buf.data(),
                                  static_cast<std::size_t>(end - status_buf.data()));
    series->stage = id_;
    series->model = model;
    series->version = version;
    series->endpoint = ex.endpoint;
    series->status = ex.status;
    series->requests = &m_.requests.with({model, version, endpoint, status});
    series->duration = &m_.duration.with({model, version, endpoint});
  }
  Series& s = *series;

  s.requests->inc();
  s.duration->observe(seconds_between(ex.started, ex.finished));
  if (ex.first_token != Clock::time_point{}) {
    if (s.ttft == nullptr) s.ttft = &m_.ttft.with({model, version});
    s.ttft->observe(seconds_between(ex.started, ex.first_token));
  }
  if (ex.upstream_headers != Clock::time_point{} && ex.upstream_started != Clock::time_point{}) {
    if (s.upstream == nullptr) s.upstream = &m_.upstream.with({model, endpoint});
    s.upstream->observe(seconds_between(ex.upstream_started, ex.upstream_headers));
  }
  // The gateway's own time: from the request parsed to the upstream request's write (less
  // any wait for a connection), and from the upstream's answer (a whole response, or a
  // stream's first event) to the client write that carries it (the response, or the first
  // chunk). Both end where the write begins: the kernel's send is not the gateway's work.
  const Clock::time_point handed_up = ex.write_started != Clock::time_point{}
                                          ? ex.write_started - ex.connect_wait
                                          : ex.upstream_started;
  const Clock::time_point handed_down =
      ex.response_ready != Clock::time_point{} ? ex.response_ready : ex.first_token;
  if (handed_up != Clock::time_point{} && handed_down != Clock::time_point{} &&
      ex.upstream_headers != Clock::time_point{}) {
    overhead_request_.observe(seconds_between(ex.started, handed_up));
    overhead_response_.observe(seconds_between(ex.upstream_headers, handed_down));
  }
  if (ex.usage) {
    const bool estimated = ex.usage->estimated;
    const std::string_view label = estimated ? "true" : "false";
    metrics::Counter*& in = s.tokens_in[estimated];
    metrics::Counter*& out = s.tokens_out[estimated];
    if (in == nullptr) in = &m_.tokens.with({model, "in", label});
    if (out == nullptr) out = &m_.tokens.with({model, "out", label});
    in->inc(static_cast<std::uint64_t>(ex.usage->prompt_tokens));
    out->inc(static_cast<std::uint64_t>(ex.usage->completion_tokens));
  }
  if (ex.error) {
    if (auto kind = upstream_error_kind(ex.error->code); !kind.empty()) {
      m_.upstream_errors.with({model, version, kind}).inc();
    }
  }
}

}  // namespace plinth::gateway
