// ProviderCall and StreamRelay with a scripted provider: usage is recorded whether or not
// the client asked for it, forwarded only when asked, and estimated when the backend is silent.
#include "gateway/provider_call.h"

#include "fake_writer.h"
#include "providers/chunk_scan.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace plinth::gateway {
namespace {

namespace json = boost::json;
using testing::FakeWriter;

// Streams fixed chunks, then returns `result`. With `as_text`, hands them over as an
// OpenAI-compatible provider does for plain chunks: scanned, as text.
class ScriptedProvider final : public providers::Provider {
 public:
  std::vector<std::string> chunks;
  Status result;
  bool as_text = false;
  int deferred = 0;  // text chunks the sink did not take at once
  std::string_view type() const override { return "scripted"; }
  Task<Result<providers::InferenceResponse>> call(const providers::InferenceRequest&,
                                                  providers::CallContext&) override {
    providers::InferenceResponse r;
    r.body = json::parse(R"({"object":"chat.completion","choices":[{"index":0,
      "message":{"role":"assistant","content":"one two six"},"finish_reason":"stop"}]})")
                 .as_object();
    co_return r;
  }
  Task<Status> stream(const providers::InferenceRequest& request, providers::CallContext&,
                      providers::ChunkSink& sink) override {
    const bool include_usage = request.include_usage;
    for (const auto& c : chunks) {
      bool more = false;
      if (as_text) {
        std::string text;
        providers::ScannedChunk scanned;
        if (!providers::scan_chunk(c, "m", include_usage, text, scanned)) {
          co_return Error{ErrorCode::kInternal, "the test's chunk does not scan: " + c};
        }
        // As the OpenAI-compatible provider does: at once where the sink can.
        std::optional<bool> now = sink.chunk_text_now(text, scanned.facts);
        if (!now) ++deferred;
        more = now ? *now : co_await sink.finish_chunk_text(text, scanned.facts);
      } else {
        json::object chunk = json::parse(c).as_object();
        more = co_await sink.on_chunk(chunk);
      }
      if (!more) co_return Error{ErrorCode::kCancelled, "client gone"};
    }
    co_return result;
  }
  Task<Result<std::vector<std::string>>> list_models(providers::CallContext&) override {
    co_return std::vector<std::string>{};
  }
};

struct Harness {
  metrics::Registry registry;
  GatewayMetrics metrics{registry};
  ProviderCall terminal{metrics};
  Pipeline pipeline{{}, terminal};
  std::shared_ptr<ScriptedProvider> provider = std::make_shared<ScriptedProvider>();
  registry::ModelRoute route;
  Exchange ex;
  FakeWriter writer;
  Cancel cancel;

  Harness() {
    route.name = "m";
    ex.route = &route;
    ex.provider = provider.get();
    ex.request.public_model = "m";
    ex.request.set_body(json::parse(R"({"messages":[{"role":"user","content":"hello"}]})")
                          .as_object());
  }
  void run() { run_with(pipeline); }
  void run_with(const Pipeline& p) {
    boost::asio::io_context ioc;
    boost::asio::co_spawn(ioc, terminal.respond(ex, p, writer, cancel), boost::asio::detached);
    ioc.run();
  }
};

constexpr const char* kDelta =
    R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",
        "choices":[{"index":0,"delta":{"content":"hi you"},"finish_reason":null}]})";
constexpr const char* kUsage =
    R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],
        "usage":{"prompt_tokens":11,"completion_tokens":22,"total_tokens":33}})";

TEST(ProviderCall, RecordsStreamedUsageButStripsItWhenNotAsked) {
  Harness h;
  h.ex.request.stream = true;
  h.provider->chunks = {kDelta, kUsage};
  h.run();
  EXPECT_EQ(h.writer.status, 200);
  EXPECT_EQ(h.writer.content_type, "text/event-stream");
  EXPECT_EQ(h.writer.body.find("\"usage\""), std::string::npos);
  EXPECT_NE(h.writer.body.find("data: [DONE]\n\n"), std::string::npos);
  EXPECT_TRUE(h.writer.finished);
  ASSERT_TRUE(h.ex.usage);
  EXPECT_EQ(h.ex.usage->prompt_tokens, 11);
  EXPECT_EQ(h.ex.usage->completion_tokens, 22);
  EXPECT_FALSE(h.ex.usage->estimated);
}

TEST(ProviderCall, ForwardsTheUsageChunkWhenAsked) {
  Harness h;
  h.ex.request.stream = true;
  h.ex.request.include_usage = true;
  h.provider->chunks = {kDelta, kUsage};
  h.run();
  EXPECT_NE(h.writer.body.find("\"completion_tokens\":22"), std::string::npos);
}

TEST(ProviderCall, EstimatesAndSendsUsageWhenTheBackendReportsNone) {
  Harness h;
  h.ex.request.stream = true;
  h.ex.request.include_usage = true;
  h.provider->chunks = {kDelta};
  h.run();
  ASSERT_TRUE(h.ex.usage);
  EXPECT_TRUE(h.ex.usage->estimated);
  EXPECT_EQ(h.ex.usage->prompt_tokens, 2);      // "hello"
  EXPECT_EQ(h.ex.usage->completion_tokens, 2);  // "hi you"
  const auto usage_at = h.writer.body.find("\"usage\"");
  ASSERT_NE(usage_at, std::string::npos);
  EXPECT_LT(usage_at, h.writer.body.find("[DONE]"));
}

TEST(ProviderCall, FailureBeforeTheFirstChunkGetsAProperStatus) {
  Harness h;
  h.ex.request.stream = true;
  h.provider->result = Error{ErrorCode::kUpstreamTimeout, "no first token"};
  h.run();
  EXPECT_EQ(h.writer.status, 504);
  EXPECT_FALSE(h.writer.streaming);
  EXPECT_NE(h.writer.body.find("upstream_timeout"), std::string::npos);
}

TEST(ProviderCall, FailureMidStreamEndsWithAnErrorEvent) {
  Harness h;
  h.ex.request.stream = true;
  h.provider->chunks = {kDelta};
  h.provider->result = Error{ErrorCode::kUpstreamUnreachable, "reset mid-stream"};
  h.run();
  EXPECT_EQ(h.writer.status, 200);
  EXPECT_NE(h.writer.body.find("data: {\"error\""), std::string::npos);
  EXPECT_EQ(h.writer.body.find("[DONE]"), std::string::npos);
  EXPECT_TRUE(h.writer.finished);
  ASSERT_TRUE(h.ex.error);
}

TEST(ProviderCall, ClientGoneStopsTheStreamAndIsRecorded) {
  Harness h;
  h.ex.request.stream = true;
  h.writer.gone = true;
  h.provider->chunks = {kDelta, kDelta, kDelta};
  h.run();
  EXPECT_TRUE(h.ex.client_gone);
  EXPECT_LE(h.writer.writes, 1);
}

TEST(ProviderCall, NonStreamedCallEstimatesMissingUsage) {
  Harness h;
  h.run();
  EXPECT_EQ(h.writer.status, 200);
  ASSERT_TRUE(h.ex.usage);
  EXPECT_TRUE(h.ex.usage->estimated);
  EXPECT_EQ(h.ex.usage->completion_tokens, 3);
}

// The same accounting when chunks arrive as scanned text (OpenAI-compatible upstreams).
class TextChunks : public ::testing::TestWithParam<bool> {};

TEST_P(TextChunks, UsageIsRecordedAlwaysAndForwardedOnlyWhenAsked) {
  Harness h;
  h.provider->as_text = true;
  h.ex.request.stream = true;
  h.ex.request.include_usage = GetParam();
  h.provider->chunks = {kDelta, kUsage};
  h.run();
  EXPECT_EQ(h.writer.status, 200);
  EXPECT_EQ(h.writer.body.find("\"completion_tokens\":22") != std::string::npos, GetParam());
  EXPECT_NE(h.writer.body.find("\"content\":\"hi you\""), std::string::npos);
  EXPECT_NE(h.writer.body.find("data: [DONE]\n\n"), std::string::npos);
  ASSERT_TRUE(h.ex.usage);
  EXPECT_EQ(h.ex.usage->prompt_tokens, 11);
  EXPECT_EQ(h.ex.usage->completion_tokens, 22);
  EXPECT_FALSE(h.ex.usage->estimated);
  EXPECT_EQ(h.ex.chunks, GetParam() ? 2 : 1);
}

TEST_P(TextChunks, SilentBackendsAreEstimatedFromTheText) {
  Harness h;
  h.provider->as_text = true;
  h.ex.request.stream = true;
  h.ex.request.include_usage = GetParam();
  h.provider->chunks = {kDelta};
  h.run();
  ASSERT_TRUE(h.ex.usage);
  EXPECT_TRUE(h.ex.usage->estimated);
  EXPECT_EQ(h.ex.usage->completion_tokens, 2);  // "hi you"
  EXPECT_EQ(h.writer.body.find("\"usage\"") != std::string::npos, GetParam());
}

TEST_P(TextChunks, NullUsageInAContentChunkReachesOnlyClientsThatAskedForUsage) {
  Harness h;
  h.provider->as_text = true;
  h.ex.request.stream = true;
  h.ex.request.include_usage = GetParam();
  h.provider->chunks = {
      R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"up","usage":null,
          "choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]})"};
  h.run();
  EXPECT_NE(h.writer.body.find("\"content\":\"hi\""), std::string::npos);
  EXPECT_NE(h.writer.body.find("\"model\":\"m\""), std::string::npos);
  EXPECT_EQ(h.writer.body.find("\"usage\":null") != std::string::npos, GetParam());
}

// A chunk stage sees every chunk as a tree, text-scanned ones included.
class MarkChunks final : public ChunkStage {
 public:
  std::string_view name() const override { return "mark_chunks"; }
  Status on_chunk(Exchange&, json::object& chunk) const override {
    chunk["marked"] = true;
    return {};
  }
};

TEST_P(TextChunks, AChunkStageSeesEveryChunk) {
  Harness h;
  h.provider->as_text = true;
  h.ex.request.stream = true;
  h.ex.request.include_usage = GetParam();
  h.provider->chunks = {kDelta, kDelta};
  const MarkChunks mark;
  const Pipeline with_stage({&mark}, h.terminal);
  ASSERT_TRUE(with_stage.reads_chunks());
  EXPECT_FALSE(h.pipeline.reads_chunks());
  h.run_with(with_stage);
  std::size_t marked = 0;
  for (std::size_t at = h.writer.body.find("\"marked\":true"); at != std::string::npos;
       at = h.writer.body.find("\"marked\":true", at + 1)) {
    ++marked;
  }
  EXPECT_EQ(marked, 2u) << h.writer.body;
}

TEST_P(TextChunks, ChunksTheSocketTakesInPartAreDrainedBeforeTheNext) {
  Harness h;
  h.provider->as_text = true;
  h.ex.request.stream = true;
  h.ex.request.include_usage = GetParam();
  h.provider->chunks = {kDelta, kDelta, kDelta, kDelta, kUsage};
  h.writer.take_in_part_every = 2;
  h.run();
  EXPECT_GT(h.writer.partial_writes, 0);
  EXPECT_EQ(h.writer.drains, h.writer.partial_writes) << "a chunk taken in part was not drained";
  std::size_t deltas = 0;
  for (std::size_t at = h.writer.body.find("hi you"); at != std::string::npos;
       at = h.writer.body.find("hi you", at + 1)) {
    ++deltas;
  }
  EXPECT_EQ(deltas, 4u);
  EXPECT_NE(h.writer.body.find("data: [DONE]\n\n"), std::string::npos);
  EXPECT_EQ(h.ex.chunks, GetParam() ? 5 : 4);
}

TEST_P(TextChunks, TheFirstChunkOpensTheResponseWithoutAwaiting) {
  Harness h;
  h.provider->as_text = true;
  h.ex.request.stream = true;
  h.ex.request.include_usage = GetParam();
  h.provider->chunks = {kDelta, kDelta, kUsage};
  h.run();
  EXPECT_EQ(h.provider->deferred, 0);  // every chunk, the first included, taken at once
  EXPECT_TRUE(h.writer.streaming);
  EXPECT_EQ(h.writer.status, 200);
  EXPECT_NE(h.ex.first_token, Clock::time_point{});
  EXPECT_EQ(h.ex.chunks, GetParam() ? 3 : 2);
  EXPECT_EQ(h.writer.body.rfind("data: {", 0), 0u) << h.writer.body;
}

TEST_P(TextChunks, AUsageChunkNobodyAskedForOpensNothing) {
  Harness h;
  h.provider->as_text = true;
  h.ex.request.stream = true;
  h.ex.request.include_usage = GetParam();
  h.provider->chunks = {kUsage};
  h.provider->result = Error{ErrorCode::kUpstreamError, "cut off"};
  h.run();
  // Forwarded, the usage chunk opens the stream (the error then comes as an event); not
  // forwarded, the error still gets a proper status.
  EXPECT_EQ(h.writer.streaming, GetParam());
  EXPECT_EQ(h.ex.first_token != Clock::time_point{}, GetParam());
  if (!GetParam()) {
    EXPECT_EQ(h.writer.status, 502);
  }
}

INSTANTIATE_TEST_SUITE_P(IncludeUsage, TextChunks, ::testing::Bool());

}  // namespace
}  // namespace plinth::gateway
