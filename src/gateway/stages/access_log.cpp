#include "gateway/stages/access_log.h"

#include "core/json_line.h"
#include "core/line_log.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <iterator>

namespace plinth::gateway {

namespace {

// Integers: people and tools read them more easily than exponent-form doubles.
std::int64_t micros_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::microseconds>(b - a).count();
}

}  // namespace

std::string access_log_line(const Exchange& ex) {
  std::string out;
  out.reserve(512);
  JsonLineWriter w(out);
  w.num("ts", std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count());
  w.str("type", "access");
  w.str("request_id", ex.request_id);
  w.str("method", ex.method);
  w.str("path", ex.path);
  w.str("endpoint", endpoint_name(ex.endpoint));
  w.str_or_null("key_id", ex.principal ? &ex.principal->key_id : nullptr);
  w.str_or_null("model", ex.route ? &ex.route->name : nullptr);
  w.str_or_null("version", ex.version ? &ex.version->name : nullptr);
  w.str_or_null("provider", ex.version ? &ex.version->provider_name : nullptr);
  w.num("status", ex.status);
  w.boolean("stream", ex.streamed);
  if (ex.usage) {
    w.num("prompt_tokens", ex.usage->prompt_tokens);
    w.num("completion_tokens", ex.usage->completion_tokens);
    w.boolean("tokens_estimated", ex.usage->estimated);
  }
  const std::int64_t latency_us = micros_between(ex.started, ex.finished);
  w.num("latency_ms", latency_us / 1000);
  w.num("latency_us", latency_us);
  if (ex.first_token != Clock::time_point{}) {
    w.num("ttft_us", micros_between(ex.started, ex.first_token));
  }
  if (ex.upstream_headers != Clock::time_point{} && ex.upstream_started != Clock::time_point{}) {
    w.num("upstream_us", micros_between(ex.upstream_started, ex.upstream_headers));
  }
  if (ex.error) {
    w.str("error", error_code_name(ex.error->code));
    w.str("error_message", std::string_view(ex.error->message).substr(0, 300));
  }
  if (ex.client_gone) w.boolean("client_gone", true);
  w.close();
  return out;
}

void AccessLog::on_complete(Exchange& ex) const { log_->write(access_log_line(ex)); }

}  // namespace plinth::gateway
