// Simulator: the built-in provider that needs no model server. It answers chat and
// completions for any model name with deterministic text (from the prompt, `seed` and the
// model name), paced like a real server (time to first token, tokens per second), and
// embeddings with deterministic unit vectors whose cosine similarity follows shared words.
// Usage is exact under metering::count_tokens. `make run`, the tests and the benchmarks
// use it when no real model is configured.
#pragma once

#include "core/config.h"
#include "providers/provider.h"

namespace plinth::providers {

// Behaviour, per request:
// - Text: words of at most four lowercase letters (one token each), space separated. The
//   natural length is a deterministic number in [default/2, default] tokens
//   (default = sim_default_max_tokens) ending with "stop"; `max_tokens` (or, for chat,
//   `max_completion_tokens`) below it cuts the text with "length". `stop` strings cut the
//   text before their first occurrence ("stop"). Each of the `n` choices has its own seed.
// - Chat with `tools` and tool_choice "required" or a named function answers with one
//   tool call (arguments "{}", finish_reason "tool_calls").
// - call() takes as long as the stream would (time to first token, then one token per
//   1/tokens_per_second); embeddings answer at once.
// - stream() always ends with a usage-only chunk ({"choices":[],"usage":{...}}). The chunk
//   object handed to the sink is reused between calls: a sink may change it during
//   on_chunk but must not keep a reference to it.
// - Cancellation (ctx.cancel or a sink returning false) ends a call at once with kCancelled.
// Thread-safe: immutable after construction.
class Simulator final : public Provider {
 public:
  explicit Simulator(const ProviderConfig& config);

  std::string_view type() const override { return "simulator"; }

  Task<Result<InferenceResponse>> call(const InferenceRequest& request, CallContext& ctx) override;
  Task<Status> stream(const InferenceRequest& request, CallContext& ctx, ChunkSink& sink) override;
  Task<Result<std::vector<std::string>>> list_models(CallContext& ctx) override;

  // Embedding size when the request gives no (or an out-of-range) `dimensions`.
  static constexpr int kDefaultDimensions = 256;
  static constexpr int kMaxDimensions = 4096;

 private:
  ProviderConfig config_;
};

}  // namespace plinth::providers
