#include "gateway/stream_relay.h"

#include "gateway/openai_error.h"
#include "gateway/usage_estimate.h"
#include "core/json_text.h"
#include "http/sse_parser.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

namespace plinth::gateway {

namespace json = boost::json;

namespace {

const http::HeaderList kSseHeaders = {{"Cache-Control", "no-cache"},
                                      {"X-Accel-Buffering", "no"}};

std::optional<providers::Usage> usage_of(const json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const auto& u = v.get_object();
  providers::Usage usage;
  if (const auto* p = u.if_contains("prompt_tokens")) usage.prompt_tokens = json_integer_or(*p, 0);
  if (const auto* c = u.if_contains("completion_tokens")) {
    usage.completion_tokens = json_integer_or(*c, 0);
  }
  return usage;
}

}  // namespace

bool StreamRelay::ensure_started() {
  if (writer_.started()) return !client_gone_;
  ex_.streamed = true;
  ex_.status = 200;
  http::HeaderList headers = version_headers(ex_);
  headers.insert(headers.end(), kSseHeaders.begin(), kSseHeaders.end());
  if (!writer_.begin_stream(200, "text/event-stream", headers)) {
    client_gone_ = true;
    return false;
  }
  return true;
}

Task<bool> StreamRelay::send_event(std::string_view payload) {
  frame_.clear();
  http::append_sse_data(frame_, payload);
  co_return co_await send_frame();
}

Task<bool> StreamRelay::send_frame() {
  if (!ensure_started()) co_return false;
  const bool written = co_await writer_.write(frame_);
  if (!written) {
    client_gone_ = true;
    co_return false;
  }
  co_return true;
}

Task<bool> StreamRelay::on_chunk(json::object& chunk) {
  if (cancel_.cancelled() || client_gone_) co_return false;

  if (const json::value* u = chunk.if_contains("usage")) {
    bool usage_only = false;
    if (u->is_object()) {
      reported_ = usage_of(*u);
      const json::value* choices = chunk.if_contains("choices");
      usage_only = !choices || (choices->is_array() && choices->get_array().empty());
    }
    if (!ex_.request.include_usage) {
      if (usage_only) co_return true;  // recorded, not forwarded
      chunk.erase("usage");
    } else if (usage_only) {
      usage_forwarded_ = true;
    }
  }
  output_tokens_ += estimate_chunk_tokens(chunk);
  if (Status s = pipeline_.on_chunk(ex_, chunk); !s) {
    stage_error_ = std::move(s).error();
    co_return false;
  }
  if (const json::value* id = chunk.if_contains("id"); id && id->is_string() && last_id_.empty()) {
    last_id_ = id->get_string();
    if (const json::value* o = chunk.if_contains("object"); o && o->is_string())
      last_object_ = o->get_string();
    if (const json::value* c = chunk.if_contains("created"); c && c->is_number())
      last_created_ = json_integer_or(*c, 0);
  }
  if (!writer_.started()) ex_.first_token = Clock::now();
  ++ex_.chunks;
  // Serialised straight into the reused frame: serialised JSON has no raw line breaks, so
  // it is one `data:` line.
  frame_.clear();
  frame_.append("data: ");
  serializer_.reset(&chunk);
  while (!serializer_.done()) {
    const std::size_t at = frame_.size();
    frame_.resize(at + 1024);
    const std::string_view part = serializer_.read(frame_.data() + at, 1024);
    frame_.resize(at + part.size());
  }
  frame_.append("\n\n");
  co_return co_await send_frame();
}

bool StreamRelay::needs_tree(const providers::ChunkFacts& facts) const {
  // A stage reads chunks, or a usage member the client did not ask for must be cut out of a
  // chunk that carries content too.
  const bool cut_usage = facts.usage_member && !facts.usage_only && !ex_.request.include_usage;
  return pipeline_.reads_chunks() || cut_usage;
}

bool StreamRelay::forwards(const providers::ChunkFacts& facts) const {
  return !facts.usage_only || ex_.request.include_usage;  // usage alone goes where asked for
}

bool StreamRelay::take_text(std::string_view json, const providers::ChunkFacts& facts) {
  if (facts.usage) {
    reported_ = facts.usage;
    if (!forwards(facts)) return false;  // recorded, not forwarded
    if (facts.usage_only) usage_forwarded_ = true;
  }
  output_tokens_ += facts.text_tokens;
  if (last_id_.empty() && !facts.id.empty()) {
    last_id_ = facts.id;
    last_object_ = facts.object;
    last_created_ = facts.created;
  }
  if (ex_.first_token == Clock::time_point{}) ex_.first_token = Clock::now();
  ++ex_.chunks;
  frame_.clear();
  http::append_sse_data(frame_, json);
  return true;
}

Task<bool> StreamRelay::on_chunk_text(std::string_view json, const providers::ChunkFacts& facts) {
  if (needs_tree(facts)) {
    const bool accepted = co_await ChunkSink::on_chunk_text(json, facts);
    co_return accepted;
  }
  if (cancel_.cancelled() || client_gone_) co_return false;
  if (!take_text(json, facts)) co_return true;
  co_return co_await send_frame();
}

std::optional<bool> StreamRelay::chunk_text_now(std::string_view json,
                                                const providers::ChunkFacts& facts) {
  if (needs_tree(facts)) return std::nullopt;
  if (cancel_.cancelled() || client_gone_) return false;
  // The first chunk that goes to the client opens the response (its head leaves with it).
  if (forwards(facts) && !ensure_started()) return false;
  if (!take_text(json, facts)) return true;
  std::optional<bool> written = writer_.try_write(frame_);
  if (!written) {
    draining_ = true;  // the socket took part of the frame: finish_chunk_text sends the rest
    return std::nullopt;
  }
  if (!*written) client_gone_ = true;
  return written;
}

Task<bool> StreamRelay::finish_chunk_text(std::string_view json,
                                          const providers::ChunkFacts& facts) {
  if (!draining_) return on_chunk_text(json, facts);
  draining_ = false;
  return drain_frame();
}

Task<bool> StreamRelay::drain_frame() {
  const bool written = co_await writer_.drain();
  if (!written) client_gone_ = true;
  co_return written;
}

Task<void> StreamRelay::finish_ok() {
  if (ex_.request.include_usage && !usage_forwarded_ && ex_.usage) {
    // The backend sent no usage chunk but the client asked for one: send Plinth's count.
    json::object chunk;
    chunk["id"] = last_id_.empty() ? std::string("chatcmpl-") + std::string(ex_.request_id)
                                   : last_id_;
    chunk["object"] = last_object_.empty() ? "chat.completion.chunk" : last_object_;
    chunk["created"] = last_created_;
    chunk["model"] = ex_.request.public_model;
    chunk["choices"] = json::array();
    json::object usage;
    usage["prompt_tokens"] = ex_.usage->prompt_tokens;
    usage["completion_tokens"] = ex_.usage->completion_tokens;
    usage["total_tokens"] = ex_.usage->total();
    chunk["usage"] = std::move(usage);
    const bool sent = co_await send_event(json::serialize(chunk));
    if (!sent) co_return;
  }
  co_await finish_with_event("[DONE]");
}

Task<void> StreamRelay::finish_with_error(const Error& error) {
  co_await finish_with_event(openai_error_body(error));
}

Task<void> StreamRelay::finish_with_event(std::string_view payload) {
  if (!ensure_started()) co_return;
  frame_.clear();
  http::append_sse_data(frame_, payload);
  const bool finished = co_await writer_.finish(frame_);  // the event and the end in one send
  if (!finished) client_gone_ = true;
}

}  // namespace plinth::gateway
