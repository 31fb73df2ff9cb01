#include "gateway/stages/record_metrics.h"

#include <array>
#include <charconv>

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

}  // namespace

void RecordMetrics::on_complete(Exchange& ex) const {
  const std::string_view model = ex.route ? std::string_view(ex.route->name) : "";
  const std::string_view version = ex.version ? std::string_view(ex.version->name) : "";
  const std::string_view endpoint = endpoint_name(ex.endpoint);
  std::array<char, 8> status_buf{};
  auto [end, ec] = std::to_chars(status_buf.data(), status_buf.data() + status_buf.size(),
                                 ex.status);
  (void)ec;
  const std::string_view status(status_buf.data(), static_cast<std::size_t>(end - status_buf.data()));

  m_.requests.with({model, version, endpoint, status}).inc();
  m_.duration.with({model, version, endpoint}).observe(seconds_between(ex.started, ex.finished));
  if (ex.first_token != Clock::time_point{}) {
    m_.ttft.with({model, version}).observe(seconds_between(ex.started, ex.first_token));
  }
  if (ex.upstream_headers != Clock::time_point{} && ex.upstream_started != Clock::time_point{}) {
    m_.upstream.with({model, endpoint})
        .observe(seconds_between(ex.upstream_started, ex.upstream_headers));
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
    const std::string_view estimated = ex.usage->estimated ? "true" : "false";
    m_.tokens.with({model, "in", estimated}).inc(static_cast<std::uint64_t>(ex.usage->prompt_tokens));
    m_.tokens.with({model, "out", estimated})
        .inc(static_cast<std::uint64_t>(ex.usage->completion_tokens));
  }
  if (ex.error) {
    if (auto kind = upstream_error_kind(ex.error->code); !kind.empty()) {
      m_.upstream_errors.with({model, version, kind}).inc();
    }
  }
}

}  // namespace plinth::gateway
