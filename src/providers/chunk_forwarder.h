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

  // Call first in on_event (or event_now).
  void note_event();
  // Stops the stream with `error`; returns false for on_event to return.
  bool fail(Error error);
  // Hands one chunk to the client; false (and the stream stops) when the client is gone.
  Task<bool> deliver(boost::json::object& chunk);
  // The same for a chunk as text, without a coroutine where the sink can take it at once
  // (nearly every chunk): its answer, or nullopt when the answer must be awaited from
  // finish_text, called at once with the same arguments. False stops the stream.
  std::optional<bool> deliver_text_now(std::string_view json, const ChunkFacts& facts) {
    std::optional<bool> accepted = sink_.chunk_text_now(json, facts);
    if (accepted) delivered(*accepted);
    return accepted;
  }
  Task<bool> finish_text(std::string_view json, const ChunkFacts& facts);
  // The decoder's verdict once the body has ended cleanly.
  virtual Status finish() const = 0;

 private:
  Status verdict() const;
  // Takes the sink's answer to a text chunk; false (the client is gone) stops the stream.
  bool delivered(bool accepted) {
    if (!accepted) cancelled_ = true;
    return accepted;
  }

  ChunkSink& sink_;
  CallContext& ctx_;
  std::optional<Error> error_;
  bool cancelled_ = false;
  bool saw_event_ = false;
};

}  // namespace plinth::providers
