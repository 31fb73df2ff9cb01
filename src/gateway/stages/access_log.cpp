#include "gateway/stages/access_log.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

namespace plinth::gateway {

namespace {
// Integers: Boost.JSON prints doubles in exponent form, which is hard on people and tools.
std::int64_t micros_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::microseconds>(b - a).count();
}
}  // namespace

std::string access_log_line(const Exchange& ex) {
  boost::json::object line;
  line["ts"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  line["type"] = "access";
  line["request_id"] = ex.request_id;
  line["method"] = ex.method;
  line["path"] = ex.path;
  line["endpoint"] = endpoint_name(ex.endpoint);
  line["key_id"] = ex.principal ? boost::json::value(ex.principal->key_id) : nullptr;
  line["model"] = ex.route ? boost::json::value(ex.route->name) : nullptr;
  line["provider"] = ex.route ? boost::json::value(ex.route->provider_name) : nullptr;
  line["status"] = ex.status;
  line["stream"] = ex.streamed;
  if (ex.usage) {
    line["prompt_tokens"] = ex.usage->prompt_tokens;
    line["completion_tokens"] = ex.usage->completion_tokens;
    line["tokens_estimated"] = ex.usage->estimated;
  }
  const std::int64_t latency_us = micros_between(ex.started, ex.finished);
  line["latency_ms"] = latency_us / 1000;
  line["latency_us"] = latency_us;
  if (ex.first_token != Clock::time_point{}) {
    line["ttft_us"] = micros_between(ex.started, ex.first_token);
  }
  if (ex.upstream_headers != Clock::time_point{} && ex.upstream_started != Clock::time_point{}) {
    line["upstream_us"] = micros_between(ex.upstream_started, ex.upstream_headers);
  }
  if (ex.error) {
    line["error"] = error_code_name(ex.error->code);
    line["error_message"] = ex.error->message.substr(0, 300);
  }
  if (ex.client_gone) line["client_gone"] = true;
  return boost::json::serialize(line);
}

void AccessLog::on_complete(Exchange& ex) const { logger_->info(access_log_line(ex)); }

}  // namespace plinth::gateway
