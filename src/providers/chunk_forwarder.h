// ChunkForwarder: the part every streaming adapter shares. Takes an upstream SSE stream,
// lets the adapter turn each event into OpenAI chunks, hands them to the client's sink, notes
// when the first event came, stops on a decode error or when the client goes away, and
// works out what the stream came to.
#pragma once

#include "http/upstream_client.h"
#include "providers/provider.h"

#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace plinth::providers {

class ChunkForwarder : public http::SseHandler {
 public:
  bool saw_event() const { return saw_event_; }
  bool stopped() const { return error_.has_value() || cancelled_; }

  // What the stream came to once the upstream call returned `response`: the forwarder's own
  // verdict (decode error, client gone, the decoder's end-of-stream check), the transport's
  // error, or the upstream's HTTP error. `upstream` names it in messages ("TGI").
  Status outcome(Result<http::UpstreamResponse>& response, CallContext& ctx,
                 std::string_view upstream);

 protected:
  ChunkForwarder(ChunkSink& sink, CallContext& ctx) : sink_(sink), ctx_(ctx) {}

  // Call first in on_event.
  void note_event();
  // Stops the stream with `error`; returns false for on_event to return.
  bool fail(Error error);
  // Hands one chunk to the client; false (and the stream stops) when the client is gone.
  Task<bool> deliver(boost::json::object& chunk);
  // The same for a chunk as text. Not a coroutine (one frame less per chunk): await it, then
  // pass its answer to delivered().
  Task<bool> deliver_text(std::string_view json, const ChunkFacts& facts) {
    return sink_.on_chunk_text(json, facts);
  }
  // Takes deliver_text's answer; false (the client is gone) stops the stream.
  bool delivered(bool accepted) {
    if (!accepted) cancelled_ = true;
    return accepted;
  }
  // The decoder's verdict once the body has ended cleanly.
  virtual Status finish() const = 0;

 private:
  Status verdict() const;

  ChunkSink& sink_;
  CallContext& ctx_;
  std::optional<Error> error_;
  bool cancelled_ = false;
  bool saw_event_ = false;
};

}  // namespace plinth::providers
