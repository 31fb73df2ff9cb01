// Provider: one kind of backend (an OpenAI-compatible server, TGI, the built-in simulator).
// A provider instance is shared by all io threads; it must keep per-connection state in
// thread-local pools (UpstreamClient does) and be otherwise immutable after construction.
#pragma once

#include "core/cancel.h"
#include "core/result.h"
#include "core/task.h"
#include "providers/inference.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

namespace plinth::providers {

// Per-call context handed to a provider by the gateway.
struct CallContext {
  Cancel& cancel;               // fired when the client disconnects
  std::string_view request_id;  // forwarded upstream as x-request-id
  // Set by the provider when the upstream's response headers arrive (upstream latency).
  std::chrono::steady_clock::time_point upstream_started{};
  std::chrono::steady_clock::time_point upstream_headers{};
  // When the request's write to the upstream began, where the client says (the gateway's own
  // processing time ends there; unset otherwise), and the time before spent opening
  // connections (not processing).
  std::chrono::steady_clock::time_point write_started{};
  std::chrono::steady_clock::duration connect_wait{};
};

// What the gateway needs to know of a chunk that a provider hands over as JSON text, read
// while the provider scanned it (no tree built).
struct ChunkFacts {
  std::optional<Usage> usage;    // the chunk's "usage" object, when it has one
  bool usage_member = false;     // a top-level "usage" member of any value (null included)
  bool usage_only = false;       // usage and no choices: the stream's accounting chunk
  std::int64_t text_tokens = 0;  // estimated tokens of choices[].delta.content and .text
  std::string_view id;           // "id", "object" and "created", when plain
  std::string_view object;
  std::int64_t created = 0;
};

// Receives stream chunks in order, each an OpenAI chunk object (`chat.completion.chunk` or
// `text_completion`), including a final usage-only chunk when the backend sends one.
// on_chunk returns false when the client is gone: the provider must stop and return.
// The chunk's storage may be reused for the next event: a sink that keeps a chunk beyond
// on_chunk must deep-copy it into its own storage (boost::json::object kept(chunk, {})).
// (g++ 12: await into a local, never `if (!co_await ...)`; see docs/design/coroutines.md.)
class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  virtual Task<bool> on_chunk(boost::json::object& chunk) = 0;
  // The same, as the chunk's JSON text with the public model already in it: the fast path
  // of OpenAI-compatible streams. The default builds the tree and calls on_chunk; a sink
  // that can forward the text as it is overrides this. `json` and the views in `facts`
  // (id, object: into the upstream's event, another buffer) are valid during the call only.
  virtual Task<bool> on_chunk_text(std::string_view json, const ChunkFacts& facts);
  // on_chunk_text without a coroutine, where the sink can (most chunks of a stream once it
  // has begun): its answer, or nullopt when the answer must be awaited from
  // finish_chunk_text, called at once with the same arguments. The default always defers.
  virtual std::optional<bool> chunk_text_now(std::string_view, const ChunkFacts&) {
    return std::nullopt;
  }
  virtual Task<bool> finish_chunk_text(std::string_view json, const ChunkFacts& facts) {
    return on_chunk_text(json, facts);
  }
};

class Provider {
 public:
  virtual ~Provider() = default;

  virtual std::string_view type() const = 0;  // "openai", "tgi", "simulator"

  // Non-streamed call of any operation.
  virtual Task<Result<InferenceResponse>> call(const InferenceRequest& request,
                                               CallContext& ctx) = 0;

  // Streamed chat or completion. Chunks go to `sink` as soon as they arrive. An error
  // returned before the first chunk lets the gateway answer with a proper status;
  // after that it is sent as an SSE error event.
  virtual Task<Status> stream(const InferenceRequest& request, CallContext& ctx,
                              ChunkSink& sink) = 0;

  // The upstream's model ids (for `discover: true`). Providers without a listing return
  // an empty vector.
  virtual Task<Result<std::vector<std::string>>> list_models(CallContext& ctx) = 0;
};

}  // namespace plinth::providers
