#include "providers/chunk_forwarder.h"

#include "providers/openai_wire.h"

#include <boost/json/parse.hpp>

#include <chrono>

namespace plinth::providers {

void ChunkForwarder::note_event() {
  if (saw_event_) return;
  saw_event_ = true;
  ctx_.upstream_headers = std::chrono::steady_clock::now();
}

bool ChunkForwarder::fail(Error error) {
  error_ = std::move(error);
  return false;
}

Task<bool> ChunkForwarder::deliver(boost::json::object& chunk) {
  const bool accepted = co_await sink_.on_chunk(chunk);
  if (!accepted) cancelled_ = true;
  co_return accepted;
}

Task<bool> ChunkForwarder::finish_text(std::string_view json, const ChunkFacts& facts) {
  const bool accepted = co_await sink_.finish_chunk_text(json, facts);
  co_return delivered(accepted);
}

Task<bool> ChunkSink::on_chunk_text(std::string_view json, const ChunkFacts&) {
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  boost::json::object* chunk = ec ? nullptr : v.if_object();
  if (chunk == nullptr) co_return false;  // providers hand over valid objects only
  const bool accepted = co_await on_chunk(*chunk);
  co_return accepted;
}

Status ChunkForwarder::verdict() const {
  if (error_) return *error_;
  if (cancelled_) return Error{ErrorCode::kCancelled, "the client went away mid-stream"};
  return finish();
}

Status ChunkForwarder::outcome(Result<http::UpstreamResponse>& response, CallContext& ctx,
                               std::string_view upstream) {
  if (!saw_event_) ctx.upstream_headers = std::chrono::steady_clock::now();
  if (response) {
    ctx.write_started = response->write_started;
    ctx.connect_wait = response->connect_wait;
  }
  if (stopped()) return verdict();
  if (!response) return std::move(response).error();
  if (response->status / 100 != 2) {
    return openai_wire::status_error(response->status, response->body);
  }
  if (!saw_event_ && !response->body.empty()) {
    Error e{ErrorCode::kUpstreamError, std::string(upstream) +
                                           " answered without an event stream: " +
                                           openai_wire::error_message(response->body)};
    e.upstream_status = response->status;
    return e;
  }
  return verdict();
}

}  // namespace plinth::providers
