// OpenAiCompatible: the provider for any upstream that speaks the OpenAI API (vLLM, SGLang,
// Ollama /v1, llama.cpp server, DeepSeek, OpenAI itself). The wire rules live in
// openai_wire.h; this class only moves bytes through an UpstreamClient.
#pragma once

#include "core/config.h"
#include "http/upstream_client.h"
#include "providers/provider.h"

#include <memory>
#include <string>

namespace plinth::providers {

// - call(): POST {base}/chat/completions | /completions | /embeddings with the client's body
//   ("model" replaced by the upstream model, everything else passed through); "model" in
//   the answer becomes the public model; usage is taken from the answer when present.
// - stream(): the same with "stream": true and stream_options.include_usage forced; every
//   chunk, the usage-only one included, goes to the sink with "model" rewritten. The chunk
//   object lives in memory reused per event: a sink that keeps it past on_chunk must copy
//   it into other storage (boost::json::object kept(chunk, {})).
// - Non-2xx answers and error events map as openai_wire::status_error / event_error say.
// - ctx.upstream_started is set when the request is sent; ctx.upstream_headers when the
//   answer's first event (stream) or whole body (call) is in.
// Thread-safe: immutable after construction; the client keeps per-thread pools.
class OpenAiCompatible final : public Provider {
 public:
  struct Options {
    std::string path_prefix;   // before /chat/completions etc.: "/v1" for TGI's routes
    bool require_done = true;  // false: a stream may end without [DONE] once finished
  };

  // `client` speaks to config.base_url's origin; it may be shared with other adapters.
  OpenAiCompatible(const ProviderConfig& config, std::shared_ptr<http::UpstreamClient> client);
  OpenAiCompatible(const ProviderConfig& config, std::shared_ptr<http::UpstreamClient> client,
                   Options options);

  std::string_view type() const override { return "openai"; }

  Task<Result<InferenceResponse>> call(const InferenceRequest& request, CallContext& ctx) override;
  Task<Status> stream(const InferenceRequest& request, CallContext& ctx, ChunkSink& sink) override;
  // GET {base}/models -> data[].id.
  Task<Result<std::vector<std::string>>> list_models(CallContext& ctx) override;

 private:
  http::UpstreamRequest make_request(std::string_view method, std::string_view path,
                                     std::string body, const CallContext& ctx) const;

  std::shared_ptr<http::UpstreamClient> client_;
  std::string api_key_;
  Options options_;
};

}  // namespace plinth::providers
