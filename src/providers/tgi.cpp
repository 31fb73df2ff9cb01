#include "providers/tgi.h"

#include "providers/chunk_forwarder.h"
#include "providers/openai_wire.h"
#include "providers/tgi_wire.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <utility>

namespace plinth::providers {

namespace {

using Clock = std::chrono::steady_clock;

Error no_embeddings(const InferenceRequest& request) {
  return Error::invalid("model", "model " + request.public_model +
                                     " is served by TGI, which has no embeddings endpoint");
}

// "cmpl-<request id>", or random hex when the gateway gave no request id.
tgi_wire::Identity identity_of(const InferenceRequest& request, const CallContext& ctx) {
  tgi_wire::Identity id;
  id.id = "cmpl-";
  if (!ctx.request_id.empty()) {
    id.id.append(ctx.request_id);
  } else {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(rng()));
    id.id.append(hex);
  }
  id.created = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  id.model = request.public_model;
  return id;
}

// Feeds /generate_stream events through the translator to the client's sink.
class TokenForwarder final : public ChunkForwarder {
 public:
  TokenForwarder(tgi_wire::Identity identity, std::string_view prompt, ChunkSink& sink,
                 CallContext& ctx)
      : ChunkForwarder(sink, ctx), translator_(std::move(identity), prompt) {}

  Task<bool> on_event(std::string_view /*event*/, std::string_view data) override {
    note_event();
    if (Status s = translator_.decode(data); !s) co_return fail(std::move(s).error());
    for (boost::json::object* chunk : translator_.chunks()) {
      const bool delivered = co_await deliver(*chunk);
      if (!delivered) co_return false;
    }
    co_return true;
  }

 private:
  Status finish() const override { return translator_.finish(); }

  tgi_wire::StreamTranslator translator_;
};

}  // namespace

Tgi::Tgi(const ProviderConfig& config, std::shared_ptr<http::UpstreamClient> client)
    : client_(client),
      api_key_(config.api_key),
      chat_(config, std::move(client),
            OpenAiCompatible::Options{.path_prefix = "/v1", .require_done = false}) {}

http::UpstreamRequest Tgi::make_request(std::string_view method, std::string_view path,
                                        std::string body, const CallContext& ctx) const {
  http::UpstreamRequest up;
  up.method = method;
  up.path = path;
  up.body = std::move(body);
  up.bearer_token = api_key_;
  up.request_id = ctx.request_id;
  return up;
}

Task<Result<InferenceResponse>> Tgi::call(const InferenceRequest& request, CallContext& ctx) {
  switch (request.op) {
    case Operation::kChat:
      co_return co_await chat_.call(request, ctx);
    case Operation::kCompletion:
      co_return co_await generate(request, ctx);
    case Operation::kEmbedding:
      break;
  }
  co_return no_embeddings(request);
}

Task<Status> Tgi::stream(const InferenceRequest& request, CallContext& ctx, ChunkSink& sink) {
  switch (request.op) {
    case Operation::kChat:
      co_return co_await chat_.stream(request, ctx, sink);
    case Operation::kCompletion:
      co_return co_await generate_stream(request, ctx, sink);
    case Operation::kEmbedding:
      break;
  }
  co_return no_embeddings(request);
}

Task<Result<InferenceResponse>> Tgi::generate(const InferenceRequest& request, CallContext& ctx) {
  auto body = tgi_wire::generate_body(request);
  if (!body) co_return std::move(body).error();
  const std::string_view prompt = *tgi_wire::prompt_of(request);  // checked by generate_body
  const http::UpstreamRequest up = make_request("POST", "/generate", std::move(*body), ctx);
  ctx.upstream_started = Clock::now();
  auto res = co_await client_->send(up, ctx.cancel);
  ctx.upstream_headers = Clock::now();
  if (!res) co_return std::move(res).error();
  ctx.write_started = res->write_started;
  ctx.connect_wait = res->connect_wait;
  if (res->status / 100 != 2) co_return openai_wire::status_error(res->status, res->body);
  co_return tgi_wire::parse_generate_response(res->body, identity_of(request, ctx), prompt);
}

Task<Status> Tgi::generate_stream(const InferenceRequest& request, CallContext& ctx,
                                  ChunkSink& sink) {
  auto body = tgi_wire::generate_body(request);
  if (!body) co_return std::move(body).error();
  const std::string_view prompt = *tgi_wire::prompt_of(request);
  const http::UpstreamRequest up = make_request("POST", "/generate_stream", std::move(*body), ctx);
  // On the heap: the translator's arena would make the coroutine frame large.
  const auto forwarder =
      std::make_unique<TokenForwarder>(identity_of(request, ctx), prompt, sink, ctx);
  ctx.upstream_started = Clock::now();
  auto res = co_await client_->stream(up, ctx.cancel, *forwarder);
  co_return forwarder->outcome(res, ctx, "TGI");
}

Task<Result<std::vector<std::string>>> Tgi::list_models(CallContext& ctx) {
  const http::UpstreamRequest up = make_request("GET", "/info", {}, ctx);
  ctx.upstream_started = Clock::now();
  auto res = co_await client_->send(up, ctx.cancel);
  ctx.upstream_headers = Clock::now();
  if (!res) co_return std::move(res).error();
  if (res->status / 100 != 2) co_return openai_wire::status_error(res->status, res->body);
  co_return tgi_wire::parse_info(res->body);
}

}  // namespace plinth::providers
