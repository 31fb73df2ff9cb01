// /admin/v1/models/{model}/history and the per-version call statistics.
#include "admin/handlers.h"
#include "admin/json_io.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>

namespace plinth::admin {

namespace {

constexpr store::UnixMillis kMinute = 60'000;

Result<store::TimeRange> window_of(const AdminRequest& request) {
  std::int64_t span_ms = 3'600'000;
  if (auto w = request.query_param("window")) {
    std::int64_t n = 0;
    const char* end = w->data() + w->size();
    auto [p, ec] = std::from_chars(w->data(), end, n);
    std::int64_t unit = 0;
    if (ec == std::errc() && p + 1 == end) {
      unit = *p == 'm' ? kMinute : *p == 'h' ? 60 * kMinute : *p == 'd' ? 1440 * kMinute : 0;
    }
    if (unit == 0 || n < 1 || n > 30 * 1440 * kMinute / unit) {  // no overflow
      return Error::invalid("window", fmt::format("window must be <n>m, <n>h or <n>d up to 30 "
                                                  "days, e.g. 15m, 1h, 7d; got '{}'",
                                                  w->substr(0, 32)));
    }
    span_ms = n * unit;
  }
  const store::UnixMillis now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  const store::UnixMillis to = now - now % kMinute + kMinute;  // through the current minute
  return store::TimeRange{to - span_ms, to};
}

json::object stats_json(const std::string& version, const store::CallStats& s) {
  const double error_rate = s.calls ? static_cast<double>(s.errors) / s.calls : 0.0;
  const double mean = s.calls ? static_cast<double>(s.latency_ms_sum) / s.calls : 0.0;
  return json::object{
      {"version", version},
      {"calls", s.calls},
      {"errors", s.errors},
      {"error_rate", plain_number(error_rate)},
      {"latency_ms", json::object{{"mean", plain_number(mean)},
                                  {"p50", s.latency_quantile_ms(0.5)},
                                  {"p90", s.latency_quantile_ms(0.9)},
                                  {"p99", s.latency_quantile_ms(0.99)}}},
      {"tokens_in", s.tokens_in},
      {"tokens_out", s.tokens_out}};
}

}  // namespace

Result<AdminResponse> history(AdminContext& ctx, const AdminRequest& request) {
  auto page = page_request(request);
  if (!page) return page.error();
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  auto events = ctx.service.store().list_release_history(m->id, *page);
  if (!events) return events.error();
  json::array items;
  for (const auto& e : events->items) {
    items.push_back(json::object{{"id", e.id},
                                 {"object", "model.release.event"},
                                 {"model", m->name},
                                 {"action", e.action},
                                 {"actor", e.actor},
                                 {"at", rfc3339(e.at)},
                                 {"before", history_release_json(m->name, e.before)},
                                 {"after", history_release_json(m->name, e.after)},
                                 {"revision", e.revision}});
  }
  return AdminResponse{200, list_body(std::move(items), events->next_cursor)};
}

Result<AdminResponse> model_stats(AdminContext& ctx, const AdminRequest& request) {
  auto range = window_of(request);
  if (!range) return range.error();
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  (void)ctx.call_stats.flush(ctx.service.store());  // include this replica's latest calls
  auto ids = version_ids(ctx.service.store(), m->id);
  if (!ids) return ids.error();
  json::array versions;
  for (const auto& [name, id] : *ids) {
    auto sum = ctx.service.store().sum_call_stats(id, *range);
    if (!sum) return sum.error();
    versions.push_back(stats_json(name, *sum));
  }
  return json_response(200, json::object{{"object", "model.stats"},
                                         {"model", m->name},
                                         {"from", rfc3339(range->from)},
                                         {"to", rfc3339(range->to)},
                                         {"versions", std::move(versions)}});
}

Result<AdminResponse> version_stats(AdminContext& ctx, const AdminRequest& request) {
  auto range = window_of(request);
  if (!range) return range.error();
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  auto v = find_version(ctx.service.store(), *m, request.param("version"));
  if (!v) return v.error();
  (void)ctx.call_stats.flush(ctx.service.store());
  auto sum = ctx.service.store().sum_call_stats(v->id, *range);
  if (!sum) return sum.error();
  auto buckets = ctx.service.store().list_call_stats(v->id, *range);
  if (!buckets) return buckets.error();
  json::object body = stats_json(v->name, *sum);
  body["object"] = "model.version.stats";
  body["model"] = m->name;
  body["from"] = rfc3339(range->from);
  body["to"] = rfc3339(range->to);
  json::array series;
  for (const auto& b : *buckets) {
    series.push_back(json::object{{"at", rfc3339(b.window_start)},
                                  {"calls", b.calls},
                                  {"errors", b.errors},
                                  {"tokens_in", b.tokens_in},
                                  {"tokens_out", b.tokens_out},
                                  {"latency_ms_p50", b.latency_quantile_ms(0.5)}});
  }
  body["series"] = std::move(series);
  return json_response(200, body);
}

}  // namespace plinth::admin
