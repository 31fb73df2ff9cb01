// The load generator's JSON result (see report.h).
#include "report.h"

#include "../common/json_writer.h"

namespace plinth::bench {
namespace {

void summary(JsonWriter& json, const char* key, const LatencyHistogram& h) {
  json.begin_object(key)
      .field("count", h.count())
      .field("p50", h.percentile(50))
      .field("p90", h.percentile(90))
      .field("p99", h.percentile(99))
      .field("p999", h.percentile(99.9))
      .field("max", h.max())
      .field("mean", h.mean())
      .end_object();
}

void upstream(JsonWriter& json, const RunContext& ctx) {
  if (!ctx.upstream_before || !ctx.upstream_after) {
    json.begin_object("upstream").field("error", ctx.upstream_error).end_object();
    return;
  }
  const UpstreamSample& a = *ctx.upstream_before;
  const UpstreamSample& b = *ctx.upstream_after;
  const double cpu_s = (b.cpu_user_s + b.cpu_sys_s) - (a.cpu_user_s + a.cpu_sys_s);
  const double requests = b.requests - a.requests;
  const double cores = ctx.window_s > 0 ? cpu_s / ctx.window_s : 0;
  json.begin_object("upstream")
      .field("requests", requests)
      .field("streams", b.streams - a.streams)
      .field("chunks", b.chunks - a.chunks)
      .field("aborted_streams", b.aborted_streams - a.aborted_streams)
      .field("threads", b.threads)
      .field("cpu_s", cpu_s)
      .field("cpu_cores_used", cores)
      // Near 1: the mock's threads were saturated and the result measures the mock.
      .field("busy_fraction", b.threads > 0 ? cores / b.threads : 0.0)
      // Requests per second the mock could serve with all its threads busy.
      .field("capacity_rps_estimate", cpu_s > 0 ? requests / cpu_s * b.threads : 0.0);
  if (ctx.upstream_settled) {
    // Leak check: streams and connections still open on the mock once this run is over
    // (the connection that asks is not counted).
    json.field("active_streams_after_run", ctx.upstream_settled->active_streams)
        .field("connections_after_run", ctx.upstream_settled->connections - 1);
  }
  json.end_object();
}

}  // namespace

std::string report_json(const LoadOptions& o, const LoadTarget& target, const RunStats& stats,
                        const RunContext& ctx) {
  JsonWriter json;
  const bool open = o.mode == "open";
  json.field("mode", o.mode);
  if (open) {
    json.field("target_rate", o.rate);
  } else {
    json.null_field("target_rate");
  }
  json.field("achieved_rate", static_cast<double>(stats.requests) / o.duration_s)
      .field("duration_s", o.duration_s)
      .field("warmup_s", o.warmup_s)
      .field("url", o.url)
      .field("stream", o.stream)
      .field("request_bytes", static_cast<uint64_t>(target.request.size()))
      .field("threads", o.threads)
      .field("connections", open ? stats.peak_connections : o.connections)
      .field("sent", stats.sent)
      .field("requests", stats.requests)
      .field("aborted", stats.aborted);

  uint64_t total = 0;
  for (const auto& [kind, n] : stats.errors) total += n;
  json.begin_object("errors").field("total", total);
  for (const char* kind :
       {"connect", "timeout", "reset", "backlog", "bad_stream", "bad_response"}) {
    auto it = stats.errors.find(kind);
    json.field(kind, it == stats.errors.end() ? uint64_t{0} : it->second);
  }
  for (const auto& [kind, n] : stats.errors) {
    if (kind.starts_with("status_")) json.field(kind, n);
  }
  json.end_object();

  summary(json, "latency_us", stats.latency);
  summary(json, "ttfb_us", stats.ttfb);
  summary(json, "chunk_gap_us", stats.chunk_gap);
  summary(json, "schedule_lag_us", stats.schedule_lag);
  json.field("chunks", stats.chunks)
      .field("lost_chunks", stats.lost_chunks)
      .field("reordered_chunks", stats.reordered_chunks)
      .field("connections_opened", stats.connections_opened)
      .field("peak_connections", stats.peak_connections);
  json.begin_object("loadgen")
      .field("cpu_s", ctx.loadgen_cpu_s)
      .field("cpu_cores_used", ctx.window_s > 0 ? ctx.loadgen_cpu_s / ctx.window_s : 0.0)
      .end_object();
  if (!o.upstream_stats.empty()) upstream(json, ctx);
  return json.finish();
}

}  // namespace plinth::bench
