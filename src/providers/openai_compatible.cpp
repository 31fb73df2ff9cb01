#include "providers/openai_compatible.h"

#include "providers/chunk_forwarder.h"
#include "providers/openai_wire.h"
#include "providers/response_rewrite.h"

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace plinth::providers {

namespace {

using Clock = std::chrono::steady_clock;

// Feeds upstream SSE events through the decoder to the client's sink.
class OpenAiChunkForwarder final : public ChunkForwarder {
 public:
  OpenAiChunkForwarder(const InferenceRequest& request, bool require_done, ChunkSink& sink,
                       CallContext& ctx)
      : ChunkForwarder(sink, ctx),
        decoder_(request.public_model, require_done, request.include_usage) {}

  Task<bool> on_event(std::string_view event, std::string_view data) override {
    if (std::optional<bool> now = event_now(event, data)) co_return *now;
    co_return co_await finish_event(event, data);
  }

  // Decodes the event and, for a chunk the sink takes as text at once (nearly every chunk),
  // relays it: no coroutine frame per chunk.
  std::optional<bool> event_now(std::string_view event, std::string_view data) override {
    note_event();
    auto step = decoder_.decode(event, data);
    if (!step) return fail(std::move(step).error());
    awaiting_ = *step;
    if (*step == openai_wire::StreamDecoder::Step::kText) {
      return deliver_text_now(decoder_.text(), decoder_.scanned().facts);
    }
    if (*step != openai_wire::StreamDecoder::Step::kChunk) return true;
    return std::nullopt;
  }

  // The rest of the event event_now decoded (not a second decode).
  Task<bool> finish_event(std::string_view, std::string_view) override {
    if (awaiting_ == openai_wire::StreamDecoder::Step::kText) {
      return finish_text(decoder_.text(), decoder_.scanned().facts);
    }
    return deliver(decoder_.chunk());
  }

 private:
  Status finish() const override { return decoder_.finish(); }

  openai_wire::StreamDecoder decoder_;
  openai_wire::StreamDecoder::Step awaiting_{};  // what event_now left to finish_event
};

}  // namespace

OpenAiCompatible::OpenAiCompatible(const ProviderConfig& config,
                                   std::shared_ptr<http::UpstreamClient> client)
    : OpenAiCompatible(config, std::move(client), Options{}) {}

OpenAiCompatible::OpenAiCompatible(const ProviderConfig& config,
                                   std::shared_ptr<http::UpstreamClient> client, Options options)
    : client_(std::move(client)), api_key_(config.api_key), options_(std::move(options)) {}

namespace {

// Below this size the spliced body is copied whole: one buffer, no pieces to allocate.
constexpr std::size_t kBorrowBodyFrom = 16 * 1024;

// The request body for the upstream: a large client body is sent around the model swapped
// into it, borrowing its bytes (they outlive the call: the client's request holds them).
void set_request_body(http::UpstreamRequest& up, const InferenceRequest& request, bool stream) {
  if (request.raw_body().size() >= kBorrowBodyFrom) {
    if (std::optional<openai_wire::BodySplice> s = openai_wire::body_splice(request, stream)) {
      openai_wire::append_json_string(up.body, request.upstream_model);
      up.body_pieces = {{s->before}, {{}, 0, up.body.size()}, {s->after}, {s->end}};
      return;
    }
  }
  up.body = openai_wire::request_body(request, stream);
}

}  // namespace

http::UpstreamRequest OpenAiCompatible::make_request(std::string_view method, std::string_view path,
                                                     std::string body,
                                                     const CallContext& ctx) const {
  http::UpstreamRequest up;
  up.method = method;
  up.path.reserve(options_.path_prefix.size() + path.size());
  up.path.append(options_.path_prefix).append(path);
  up.body = std::move(body);
  up.bearer_token = api_key_;
  up.request_id = ctx.request_id;
  return up;
}

Task<Result<InferenceResponse>> OpenAiCompatible::call(const InferenceRequest& request,
                                                       CallContext& ctx) {
  http::UpstreamRequest up = make_request("POST", openai_wire::path_of(request.op), {}, ctx);
  set_request_body(up, request, /*stream=*/false);
  ctx.upstream_started = Clock::now();
  auto res = co_await client_->send(up, ctx.cancel);
  ctx.upstream_headers = Clock::now();
  if (!res) co_return std::move(res).error();
  ctx.write_started = res->write_started;
  ctx.connect_wait = res->connect_wait;
  if (res->status / 100 != 2) co_return openai_wire::status_error(res->status, res->body);
  // Most answers take the fast path (model spliced in, usage read, no tree built).
  std::optional<InferenceResponse> fast = rewrite_response(res->body, request.public_model);
  if (fast) co_return std::move(*fast);
  co_return openai_wire::parse_response(res->body, request.public_model);
}

Task<Status> OpenAiCompatible::stream(const InferenceRequest& request, CallContext& ctx,
                                      ChunkSink& sink) {
  if (request.op == Operation::kEmbedding) {
    co_return Error::invalid("stream", "embeddings cannot be streamed");
  }
  http::UpstreamRequest up = make_request("POST", openai_wire::path_of(request.op), {}, ctx);
  set_request_body(up, request, /*stream=*/true);
  // On the heap: the decoder's arena would make the coroutine frame large.
  const auto forwarder = std::make_unique<OpenAiChunkForwarder>(
      request, options_.require_done, sink, ctx);
  ctx.upstream_started = Clock::now();
  auto res = co_await client_->stream(up, ctx.cancel, *forwarder);
  co_return forwarder->outcome(res, ctx, "upstream");
}

Task<Result<std::vector<std::string>>> OpenAiCompatible::list_models(CallContext& ctx) {
  const http::UpstreamRequest up = make_request("GET", "/models", {}, ctx);
  ctx.upstream_started = Clock::now();
  auto res = co_await client_->send(up, ctx.cancel);
  ctx.upstream_headers = Clock::now();
  if (!res) co_return std::move(res).error();
  if (res->status / 100 != 2) co_return openai_wire::status_error(res->status, res->body);
  co_return openai_wire::parse_model_list(res->body);
}

}  // namespace plinth::providers
