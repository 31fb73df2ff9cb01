// StreamRelay: the ChunkSink between a provider and the client. Sends the SSE head lazily
// with the first chunk (so a failure before it still gets a proper HTTP status), runs the
// pipeline's chunk stages, strips usage the client did not ask for while recording it, and
// counts output tokens for the estimate. Plain chunks of OpenAI-compatible upstreams arrive
// as text with their facts already read and go out without a tree.
#pragma once

#include "gateway/pipeline.h"
#include "providers/provider.h"

#include <boost/json/serializer.hpp>

#include <optional>
#include <string>

namespace plinth::gateway {

class StreamRelay final : public providers::ChunkSink {
 public:
  StreamRelay(Exchange& ex, const Pipeline& pipeline, http::ResponseWriter& writer,
              Cancel& cancel)
      : ex_(ex), pipeline_(pipeline), writer_(writer), cancel_(cancel) {}

  Task<bool> on_chunk(boost::json::object& chunk) override;
  // Relays the provider's text as it is when no stage reads chunks and nothing in it must
  // change; otherwise builds the tree and takes on_chunk.
  Task<bool> on_chunk_text(std::string_view json, const providers::ChunkFacts& facts) override;
  // The same without a coroutine for a chunk after the first that goes out as it is and
  // that the socket takes at once: nearly every chunk of a stream.
  std::optional<bool> chunk_text_now(std::string_view json,
                                     const providers::ChunkFacts& facts) override;
  Task<bool> finish_chunk_text(std::string_view json,
                               const providers::ChunkFacts& facts) override;

  // Opens the SSE response if no chunk did yet.
  bool ensure_started();
  // Writes one `data:` event.
  Task<bool> send_event(std::string_view payload);
  // Writes frame_ (one complete SSE event), opening the response first when needed.
  Task<bool> send_frame();
  // Ends a healthy stream: usage chunk if owed, `[DONE]`, end of body.
  Task<void> finish_ok();
  // Ends a broken stream with an SSE error event.
  Task<void> finish_with_error(const Error& error);

  bool started() const { return writer_.started(); }
  bool client_gone() const { return client_gone_; }
  const std::optional<Error>& stage_error() const { return stage_error_; }
  const std::optional<providers::Usage>& reported_usage() const { return reported_; }
  std::int64_t estimated_output_tokens() const { return output_tokens_; }

 private:
  // True when the chunk must go through on_chunk (a tree) rather than out as its text.
  bool needs_tree(const providers::ChunkFacts& facts) const;
  // Records what the chunk says (usage, tokens, id) and puts its event in frame_; false
  // when it is not to be sent (usage the client did not ask for).
  bool take_text(std::string_view json, const providers::ChunkFacts& facts);
  // Writes one last `data:` event and the end of the body, in one send.
  Task<void> finish_with_event(std::string_view payload);
  // Whether a chunk with these facts goes to the client (a usage-only one may not).
  bool forwards(const providers::ChunkFacts& facts) const;
  // Sends what try_write left of frame_.
  Task<bool> drain_frame();

  Exchange& ex_;
  const Pipeline& pipeline_;
  http::ResponseWriter& writer_;
  Cancel& cancel_;
  std::string frame_;  // reused for every event
  boost::json::serializer serializer_;  // reused for every chunk
  std::optional<providers::Usage> reported_;
  std::optional<Error> stage_error_;
  std::int64_t output_tokens_ = 0;
  bool usage_forwarded_ = false;
  bool client_gone_ = false;
  bool draining_ = false;  // chunk_text_now left part of frame_ for finish_chunk_text
  std::string last_id_;
  std::string last_object_;
  std::int64_t last_created_ = 0;
};

}  // namespace plinth::gateway
