// Tgi: the provider for Hugging Face text-generation-inference (2.x). Chat goes to TGI's
// OpenAI-compatible /v1/chat/completions; completions to the native /generate and
// /generate_stream, translated by tgi_wire.h; TGI has no embeddings.
#pragma once

#include "core/config.h"
#include "http/upstream_client.h"
#include "providers/openai_compatible.h"
#include "providers/provider.h"

#include <memory>
#include <string>

namespace plinth::providers {

// - Chat: as OpenAiCompatible under the "/v1" prefix ("model" is sent as the upstream
//   model; TGI ignores it). A stream may end without [DONE] once finished (TGI < 2.2).
// - Completions: the request is translated (tgi_wire::generate_body: n > 1, echo and the
//   like are refused with kInvalidRequest) and the answer rebuilt as an OpenAI
//   text_completion with id "cmpl-<request id>"; streams end with a usage-only chunk.
//   Prompt tokens are estimated when TGI does not report them (usage.estimated).
// - Embeddings: kInvalidRequest (field "model").
// - list_models(): GET /info -> [model_id].
// Thread-safe: immutable after construction.
class Tgi final : public Provider {
 public:
  // `client` speaks to config.base_url's origin (http://host:8080, no /v1).
  Tgi(const ProviderConfig& config, std::shared_ptr<http::UpstreamClient> client);

  std::string_view type() const override { return "tgi"; }

  Task<Result<InferenceResponse>> call(const InferenceRequest& request, CallContext& ctx) override;
  Task<Status> stream(const InferenceRequest& request, CallContext& ctx, ChunkSink& sink) override;
  Task<Result<std::vector<std::string>>> list_models(CallContext& ctx) override;

 private:
  Task<Result<InferenceResponse>> generate(const InferenceRequest& request, CallContext& ctx);
  Task<Status> generate_stream(const InferenceRequest& request, CallContext& ctx, ChunkSink& sink);
  http::UpstreamRequest make_request(std::string_view method, std::string_view path,
                                     std::string body, const CallContext& ctx) const;

  std::shared_ptr<http::UpstreamClient> client_;
  std::string api_key_;
  OpenAiCompatible chat_;
};

}  // namespace plinth::providers
