#include "providers/simulator.h"

#include "metering/token_count.h"
#include "providers/embedding_codec.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <exception>
#include <functional>
#include <optional>

namespace plinth::providers {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

ProviderConfig instant_config(int default_max_tokens = 32) {
  ProviderConfig config;
  config.name = "sim";
  config.type = "simulator";
  config.sim_time_to_first_token = Millis{0};
  config.sim_tokens_per_second = 0;
  config.sim_default_max_tokens = default_max_tokens;
  return config;
}

InferenceRequest chat(std::string_view text, std::optional<std::int64_t> seed = std::nullopt) {
  InferenceRequest request;
  request.op = Operation::kChat;
  request.public_model = "sim-chat";
  request.upstream_model = "sim-chat";
  request.seed = seed;
  request.set_body(json::object{{"model", "sim-chat"},
                   {"messages", json::array{json::object{{"role", "user"}, {"content", text}}}}});
  return request;
}

InferenceRequest completion(std::string_view prompt) {
  InferenceRequest request;
  request.op = Operation::kCompletion;
  request.public_model = "sim-chat";
  request.upstream_model = "sim-chat";
  request.set_body(json::object{{"model", "sim-chat"}, {"prompt", prompt}});
  return request;
}

InferenceRequest embedding(std::vector<std::string> inputs) {
  InferenceRequest request;
  request.op = Operation::kEmbedding;
  request.public_model = "sim-embed";
  request.upstream_model = "sim-embed";
  request.inputs = std::move(inputs);
  request.set_body(json::object{{"model", "sim-embed"}});
  return request;
}

// Runs `task` to completion on `io`; the result is stored through a void coroutine because
// co_spawn needs a default-constructible value.
template <class T>
T run(boost::asio::io_context& io, Task<T> task) {
  std::optional<T> out;
  boost::asio::co_spawn(
      io,
      [&]() -> Task<void> {
        T value = co_await std::move(task);  // g++ 12: await into a local
        out.emplace(std::move(value));
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  return std::move(*out);
}

struct Call {
  Cancel cancel;
  CallContext ctx{cancel, "req-1"};
};

json::object call_ok(const ProviderConfig& config, const InferenceRequest& request) {
  Simulator sim(config);
  Call c;
  boost::asio::io_context io;
  auto result = run(io, sim.call(request, c.ctx));
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? result->body : json::object{};
}

std::string chat_text(const json::object& body, std::size_t index = 0) {
  return std::string(body.at("choices").at(index).at("message").at("content").as_string());
}

// Records chunks; may stop after `limit` chunks or run a callback on each.
class RecordingSink : public ChunkSink {
 public:
  Task<bool> on_chunk(json::object& chunk) override {
    chunks.push_back(chunk);
    if (on_each) on_each(chunks.size());
    co_return chunks.size() < limit;
  }
  std::vector<json::object> chunks;
  std::size_t limit = static_cast<std::size_t>(-1);
  std::function<void(std::size_t)> on_each;
};

// The text of choice `index` joined over content chunks (chat delta.content, or text).
std::string joined(const std::vector<json::object>& chunks, std::int64_t index = 0) {
  std::string out;
  for (const auto& chunk : chunks) {
    for (const auto& choice : chunk.at("choices").as_array()) {
      const auto& c = choice.as_object();
      if (c.at("index").as_int64() != index) continue;
      if (const auto* text = c.if_contains("text")) out += text->as_string();
      const auto* delta = c.if_contains("delta");
      const auto* content = delta != nullptr ? delta->as_object().if_contains("content") : nullptr;
      if (content != nullptr && content->is_string()) out += content->as_string();
    }
  }
  return out;
}

double cosine(const json::value& a, const json::value& b) {
  double dot = 0;
  for (std::size_t i = 0; i < a.as_array().size(); ++i) {
    dot += a.as_array()[i].as_double() * b.as_array()[i].as_double();
  }
  return dot;
}

// ---- chat and completions --------------------------------------------------------------------

TEST(Simulator, SamePromptAndSeedGiveSameText) {
  const auto a = call_ok(instant_config(), chat("tell me a story", 7));
  const auto b = call_ok(instant_config(), chat("tell me a story", 7));
  EXPECT_EQ(chat_text(a), chat_text(b));
  EXPECT_FALSE(chat_text(a).empty());
}

TEST(Simulator, SeedPromptAndModelChangeTheText) {
  const std::string base = chat_text(call_ok(instant_config(), chat("tell me a story", 7)));
  EXPECT_NE(base, chat_text(call_ok(instant_config(), chat("tell me a story", 8))));
  EXPECT_NE(base, chat_text(call_ok(instant_config(), chat("tell me a joke", 7))));
  auto other_model = chat("tell me a story", 7);
  other_model.upstream_model = "another";
  EXPECT_NE(base, chat_text(call_ok(instant_config(), other_model)));
  // No seed means seed 0.
  EXPECT_EQ(chat_text(call_ok(instant_config(), chat("hi", 0))),
            chat_text(call_ok(instant_config(), chat("hi"))));
}

TEST(Simulator, ChatResponseHasOpenAIShape) {
  auto request = chat("hello");
  request.public_model = "my-alias";
  request.upstream_model = "sim-chat";
  const auto body = call_ok(instant_config(), request);
  EXPECT_EQ(body.at("id").as_string().subview(0, 9), "chatcmpl-");
  EXPECT_EQ(body.at("object"), "chat.completion");
  EXPECT_TRUE(body.at("created").is_int64());
  EXPECT_EQ(body.at("model"), "my-alias");
  EXPECT_EQ(body.at("system_fingerprint"), "plinth-sim");
  const auto& choice = body.at("choices").at(0).as_object();
  EXPECT_EQ(choice.at("index"), 0);
  EXPECT_EQ(choice.at("message").at("role"), "assistant");
  EXPECT_TRUE(choice.at("logprobs").is_null());
  EXPECT_EQ(choice.at("finish_reason"), "stop");
}

TEST(Simulator, UsageCountsPromptAndOutputTokensExactly) {
  auto request = chat("");
  request.mutable_body()["messages"] = json::array{
      json::object{{"role", "system"}, {"content", "be brief, please"}},
      json::object{{"role", "user"},
                   {"content", json::array{json::object{{"type", "text"}, {"text", "你好 world"}},
                                           json::object{{"type", "image_url"},
                                                        {"image_url", {{"url", "x"}}}}}}}};
  Simulator sim(instant_config());
  Call c;
  boost::asio::io_context io;
  auto result = run(io, sim.call(request, c.ctx));
  ASSERT_TRUE(result.ok());
  const auto& usage = result->body.at("usage");
  const std::int64_t prompt =
      metering::count_tokens("be brief, please") + metering::count_tokens("你好 world");
  const std::int64_t completion = metering::count_tokens(chat_text(result->body));
  EXPECT_EQ(usage.at("prompt_tokens"), prompt);
  EXPECT_EQ(usage.at("completion_tokens"), completion);
  EXPECT_EQ(usage.at("total_tokens"), prompt + completion);
  ASSERT_TRUE(result->usage.has_value());
  EXPECT_EQ(result->usage->prompt_tokens, prompt);
  EXPECT_EQ(result->usage->completion_tokens, completion);
  EXPECT_FALSE(result->usage->estimated);
}

TEST(Simulator, WithoutMaxTokensStopsNaturallyWithinTheDefault) {
  for (int seed = 0; seed < 20; ++seed) {
    const auto body = call_ok(instant_config(32), chat("count", seed));
    const auto tokens = body.at("usage").at("completion_tokens").as_int64();
    EXPECT_GE(tokens, 16);
    EXPECT_LE(tokens, 32);
    EXPECT_EQ(body.at("choices").at(0).at("finish_reason"), "stop");
  }
}

TEST(Simulator, MaxTokensCutsTheTextWithLength) {
  auto request = chat("count", 1);
  request.max_tokens = 5;
  const auto body = call_ok(instant_config(32), request);
  EXPECT_EQ(body.at("usage").at("completion_tokens"), 5);
  EXPECT_EQ(metering::count_tokens(chat_text(body)), 5);
  EXPECT_EQ(body.at("choices").at(0).at("finish_reason"), "length");
  // The cut text is a prefix of the natural one.
  const std::string natural = chat_text(call_ok(instant_config(32), chat("count", 1)));
  EXPECT_EQ(natural.rfind(chat_text(body), 0), 0u);
}

TEST(Simulator, MaxCompletionTokensActsAsMaxTokensForChat) {
  auto request = chat("count", 1);
  request.mutable_body()["max_completion_tokens"] = 3;
  const auto body = call_ok(instant_config(32), request);
  EXPECT_EQ(body.at("usage").at("completion_tokens"), 3);
  EXPECT_EQ(body.at("choices").at(0).at("finish_reason"), "length");
}

TEST(Simulator, StopSequenceCutsBeforeItsFirstOccurrence) {
  const std::string natural = chat_text(call_ok(instant_config(32), chat("story", 3)));
  // A stop string taken from the middle of the natural text.
  const std::size_t at = natural.find(' ', natural.size() / 2);
  ASSERT_NE(at, std::string::npos);
  const std::string stop = natural.substr(at, 3);
  auto request = chat("story", 3);
  request.stop = {"never-there", stop};
  const auto body = call_ok(instant_config(32), request);
  EXPECT_EQ(chat_text(body), natural.substr(0, natural.find(stop)));
  EXPECT_EQ(body.at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_EQ(body.at("usage").at("completion_tokens"),
            metering::count_tokens(natural.substr(0, natural.find(stop))));
}

TEST(Simulator, NChoicesDifferAndSumTheirUsage) {
  auto request = chat("options", 5);
  request.n = 3;
  const auto body = call_ok(instant_config(), request);
  const auto& choices = body.at("choices").as_array();
  ASSERT_EQ(choices.size(), 3u);
  std::int64_t tokens = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(choices[i].at("index"), static_cast<std::int64_t>(i));
    tokens += metering::count_tokens(chat_text(body, i));
  }
  EXPECT_NE(chat_text(body, 0), chat_text(body, 1));
  EXPECT_NE(chat_text(body, 1), chat_text(body, 2));
  EXPECT_EQ(body.at("usage").at("completion_tokens"), tokens);
}

TEST(Simulator, CompletionHasTextCompletionShape) {
  const auto body = call_ok(instant_config(), completion("Once upon a time"));
  EXPECT_EQ(body.at("id").as_string().subview(0, 5), "cmpl-");
  EXPECT_EQ(body.at("object"), "text_completion");
  const auto& choice = body.at("choices").at(0).as_object();
  EXPECT_FALSE(choice.at("text").as_string().empty());
  EXPECT_TRUE(choice.at("logprobs").is_null());
  EXPECT_EQ(body.at("usage").at("prompt_tokens"), metering::count_tokens("Once upon a time"));
}

TEST(Simulator, CompletionAcceptsTokenIdPrompts) {
  auto request = completion("");
  request.mutable_body()["prompt"] = json::array{1, 2, 3};
  const auto body = call_ok(instant_config(), request);
  EXPECT_EQ(body.at("usage").at("prompt_tokens"), 3);
}

TEST(Simulator, RequiredToolChoiceAnswersWithAToolCall) {
  auto request = chat("weather in Paris?");
  request.mutable_body()["tools"] = json::array{json::object{
      {"type", "function"},
      {"function", json::object{{"name", "get_weather"}, {"parameters", json::object{}}}}}};
  request.mutable_body()["tool_choice"] = "required";
  const auto body = call_ok(instant_config(), request);
  const auto& choice = body.at("choices").at(0);
  EXPECT_EQ(choice.at("finish_reason"), "tool_calls");
  EXPECT_TRUE(choice.at("message").at("content").is_null());
  const auto& call = choice.at("message").at("tool_calls").at(0);
  EXPECT_EQ(call.at("type"), "function");
  EXPECT_EQ(call.at("function").at("name"), "get_weather");
  EXPECT_EQ(call.at("function").at("arguments"), "{}");
  EXPECT_EQ(call.at("id").as_string().subview(0, 5), "call_");

  request.mutable_body()["tool_choice"] = "auto";  // not forced: plain text
  EXPECT_EQ(call_ok(instant_config(), request).at("choices").at(0).at("finish_reason"), "stop");
}

// ---- streaming -------------------------------------------------------------------------------

struct Streamed {
  Status status;
  RecordingSink sink;
};

void stream(const ProviderConfig& config, const InferenceRequest& request, Streamed& out) {
  Simulator sim(config);
  Call c;
  boost::asio::io_context io;
  out.status = run(io, sim.stream(request, c.ctx, out.sink));
  c.cancel.cancel();  // the simulator's callback is gone: this must be harmless
}

TEST(Simulator, ChatStreamHasOpenAIChunksInOrder) {
  Streamed s;
  stream(instant_config(), chat("hello there", 2), s);
  ASSERT_TRUE(s.status.ok()) << s.status.error().message;
  const auto& chunks = s.sink.chunks;
  ASSERT_GE(chunks.size(), 4u);
  const std::string id(chunks[0].at("id").as_string());
  EXPECT_EQ(id.rfind("chatcmpl-", 0), 0u);
  for (const auto& chunk : chunks) {
    EXPECT_EQ(chunk.at("id").as_string(), id);
    EXPECT_EQ(chunk.at("object"), "chat.completion.chunk");
    EXPECT_EQ(chunk.at("model"), "sim-chat");
    EXPECT_EQ(chunk.at("system_fingerprint"), "plinth-sim");
  }
  EXPECT_EQ(json::serialize(chunks[0].at("choices")),
            R"([{"index":0,"delta":{"role":"assistant","content":""},)"
            R"("finish_reason":null,"logprobs":null}])");
  for (std::size_t i = 1; i + 2 < chunks.size(); ++i) {
    const auto& choice = chunks[i].at("choices").at(0);
    EXPECT_EQ(choice.at("delta").as_object().size(), 1u);
    EXPECT_TRUE(choice.at("delta").at("content").is_string());
    EXPECT_TRUE(choice.at("finish_reason").is_null());
  }
  const auto& last_choice = chunks[chunks.size() - 2].at("choices").at(0);
  EXPECT_TRUE(last_choice.at("delta").as_object().empty());
  EXPECT_EQ(last_choice.at("finish_reason"), "stop");
  const auto& usage_chunk = chunks.back();
  EXPECT_TRUE(usage_chunk.at("choices").as_array().empty());
  const std::string text = joined(chunks);
  EXPECT_EQ(usage_chunk.at("usage").at("completion_tokens"), metering::count_tokens(text));
  EXPECT_EQ(usage_chunk.at("usage").at("prompt_tokens"), metering::count_tokens("hello there"));
  // Streamed and non-streamed answers agree.
  EXPECT_EQ(text, chat_text(call_ok(instant_config(), chat("hello there", 2))));
  // One chunk per token.
  EXPECT_EQ(static_cast<std::int64_t>(chunks.size() - 3), metering::count_tokens(text));
}

TEST(Simulator, CompletionStreamMatchesTheCall) {
  Streamed s;
  auto request = completion("Once upon a time");
  request.max_tokens = 4;
  stream(instant_config(), request, s);
  ASSERT_TRUE(s.status.ok());
  const auto& chunks = s.sink.chunks;
  ASSERT_EQ(chunks.size(), 6u);  // 4 tokens, finish, usage
  EXPECT_EQ(chunks[0].at("object"), "text_completion");
  EXPECT_EQ(json::serialize(chunks[4].at("choices")),
            R"([{"index":0,"text":"","finish_reason":"length","logprobs":null}])");
  EXPECT_EQ(chunks[5].at("usage").at("completion_tokens"), 4);
  EXPECT_EQ(joined(chunks),
            call_ok(instant_config(), request).at("choices").at(0).at("text").as_string());
}

TEST(Simulator, StreamInterleavesNChoicesAndHonoursStop) {
  auto request = chat("many", 9);
  request.n = 2;
  const auto body = call_ok(instant_config(), request);
  request.stop = {chat_text(body, 1).substr(chat_text(body, 1).size() / 2, 3)};
  const auto stopped = call_ok(instant_config(), request);
  Streamed s;
  stream(instant_config(), request, s);
  ASSERT_TRUE(s.status.ok());
  EXPECT_EQ(joined(s.sink.chunks, 0), chat_text(stopped, 0));
  EXPECT_EQ(joined(s.sink.chunks, 1), chat_text(stopped, 1));
  EXPECT_EQ(stopped.at("choices").at(1).at("finish_reason"), "stop");
  // Both choices start before either finishes: the first chunks are both role chunks.
  EXPECT_EQ(s.sink.chunks[0].at("choices").at(0).at("index"), 0);
  EXPECT_EQ(s.sink.chunks[1].at("choices").at(0).at("index"), 1);
  EXPECT_EQ(s.sink.chunks[2].at("choices").at(0).at("index"), 0);
  EXPECT_EQ(s.sink.chunks[3].at("choices").at(0).at("index"), 1);
  EXPECT_EQ(s.sink.chunks.back().at("usage").at("completion_tokens"),
            stopped.at("usage").at("completion_tokens"));
}

TEST(Simulator, StreamOfAToolCallSendsItInTheFirstChunk) {
  auto request = chat("weather?");
  request.mutable_body()["tools"] = json::array{
      json::object{{"type", "function"}, {"function", json::object{{"name", "get_weather"}}}}};
  request.mutable_body()["tool_choice"] =
      json::object{{"type", "function"}, {"function", json::object{{"name", "get_weather"}}}};
  Streamed s;
  stream(instant_config(), request, s);
  ASSERT_TRUE(s.status.ok());
  ASSERT_EQ(s.sink.chunks.size(), 3u);
  const auto& delta = s.sink.chunks[0].at("choices").at(0).at("delta");
  EXPECT_EQ(delta.at("tool_calls").at(0).at("index"), 0);
  EXPECT_EQ(delta.at("tool_calls").at(0).at("function").at("name"), "get_weather");
  EXPECT_EQ(s.sink.chunks[1].at("choices").at(0).at("finish_reason"), "tool_calls");
}

TEST(Simulator, StreamPacesTokens) {
  auto config = instant_config();
  config.sim_time_to_first_token = Millis{40};
  config.sim_tokens_per_second = 200;  // 5 ms apart
  auto request = chat("pace");
  request.max_tokens = 9;
  Streamed s;
  const auto start = Clock::now();
  stream(config, request, s);
  ASSERT_TRUE(s.status.ok());
  EXPECT_GE(Clock::now() - start, 40ms + 8 * 5ms);
}

TEST(Simulator, CancelDuringTimeToFirstTokenEndsAtOnce) {
  auto config = instant_config();
  config.sim_time_to_first_token = Millis{60'000};
  Simulator sim(config);
  Call c;
  RecordingSink sink;
  boost::asio::io_context io;
  boost::asio::post(io, [&] { c.cancel.cancel(); });
  const auto start = Clock::now();
  Status status = run(io, sim.stream(chat("slow"), c.ctx, sink));
  EXPECT_LT(Clock::now() - start, 5s);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kCancelled);
  EXPECT_TRUE(sink.chunks.empty());
}

TEST(Simulator, CancelMidStreamEndsAtOnce) {
  auto config = instant_config();
  config.sim_tokens_per_second = 0.01;  // 100 s per token
  Simulator sim(config);
  Call c;
  RecordingSink sink;
  boost::asio::io_context io;
  // After the first token the stream waits on its timer; the client then goes away.
  sink.on_each = [&](std::size_t n) {
    if (n == 2) boost::asio::post(io, [&] { c.cancel.cancel(); });
  };
  const auto start = Clock::now();
  Status status = run(io, sim.stream(chat("slow"), c.ctx, sink));
  EXPECT_LT(Clock::now() - start, 5s);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(sink.chunks.size(), 2u);
}

TEST(Simulator, SinkRefusingAChunkStopsTheStream) {
  Simulator sim(instant_config());
  Call c;
  RecordingSink sink;
  sink.limit = 3;
  boost::asio::io_context io;
  Status status = run(io, sim.stream(chat("stop early"), c.ctx, sink));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(sink.chunks.size(), 3u);
}

TEST(Simulator, CallTakesTheStreamTimeAndIsCancellable) {
  auto config = instant_config();
  config.sim_time_to_first_token = Millis{60'000};
  Simulator sim(config);
  Call c;
  boost::asio::io_context io;
  boost::asio::post(io, [&] { c.cancel.cancel(); });
  const auto start = Clock::now();
  auto result = run(io, sim.call(chat("slow"), c.ctx));
  EXPECT_LT(Clock::now() - start, 5s);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kCancelled);
}

TEST(Simulator, ListsNoModels) {
  Simulator sim(instant_config());
  Call c;
  boost::asio::io_context io;
  auto models = run(io, sim.list_models(c.ctx));
  ASSERT_TRUE(models.ok());
  EXPECT_TRUE(models->empty());
  EXPECT_EQ(sim.type(), "simulator");
}

// ---- embeddings ------------------------------------------------------------------------------

TEST(Simulator, EmbeddingsAreUnitLengthWithOpenAIShape) {
  const auto body =
      call_ok(instant_config(), embedding({"the quick brown fox", "", "!!!", "你好"}));
  EXPECT_EQ(body.at("object"), "list");
  EXPECT_EQ(body.at("model"), "sim-embed");
  const auto& data = body.at("data").as_array();
  ASSERT_EQ(data.size(), 4u);
  for (std::size_t i = 0; i < data.size(); ++i) {
    EXPECT_EQ(data[i].at("object"), "embedding");
    EXPECT_EQ(data[i].at("index"), static_cast<std::int64_t>(i));
    const auto& v = data[i].at("embedding");
    ASSERT_EQ(v.as_array().size(), 256u);
    EXPECT_NEAR(cosine(v, v), 1.0, 1e-5);
  }
  // Inputs without words share one fixed vector.
  EXPECT_NEAR(cosine(data[1].at("embedding"), data[2].at("embedding")), 1.0, 1e-6);
  const std::int64_t tokens = metering::count_tokens("the quick brown fox") +
                              metering::count_tokens("!!!") + metering::count_tokens("你好");
  EXPECT_EQ(body.at("usage").at("prompt_tokens"), tokens);
  EXPECT_EQ(body.at("usage").at("total_tokens"), tokens);
}

TEST(Simulator, EmbeddingSimilarityFollowsSharedWords) {
  const auto body =
      call_ok(instant_config(),
              embedding({"the cat sat on the mat", "The CAT sat on a mat!",
                         "quantum chromodynamics lecture notes", "你好世界", "你好朋友", "再见"}));
  const auto& d = body.at("data").as_array();
  auto e = [&](std::size_t i) -> const json::value& { return d[i].at("embedding"); };
  EXPECT_GT(cosine(e(0), e(1)), 0.5);
  EXPECT_LT(std::abs(cosine(e(0), e(2))), 0.3);
  EXPECT_GT(cosine(e(0), e(1)), cosine(e(0), e(2)) + 0.3);
  EXPECT_GT(cosine(e(3), e(4)), cosine(e(3), e(5)) + 0.3);
}

TEST(Simulator, EmbeddingsAreDeterministicAndCaseInsensitive) {
  const auto a = call_ok(instant_config(), embedding({"Hello World"}));
  const auto b = call_ok(instant_config(), embedding({"hello, world"}));
  EXPECT_EQ(a.at("data").at(0).at("embedding"), b.at("data").at(0).at("embedding"));
}

TEST(Simulator, EmbeddingDimensionsFollowTheRequest) {
  auto request = embedding({"size me"});
  request.mutable_body()["dimensions"] = 64;
  auto body = call_ok(instant_config(), request);
  const auto& v = body.at("data").at(0).at("embedding");
  ASSERT_EQ(v.as_array().size(), 64u);
  EXPECT_NEAR(cosine(v, v), 1.0, 1e-5);
  request.mutable_body()["dimensions"] = 5000;  // out of range: the default
  body = call_ok(instant_config(), request);
  EXPECT_EQ(body.at("data").at(0).at("embedding").as_array().size(), 256u);
}

TEST(Simulator, Base64EmbeddingsDecodeToTheFloatVector) {
  auto request = embedding({"encode me", "and me"});
  const auto floats = call_ok(instant_config(), request);
  request.base64 = true;
  const auto encoded = call_ok(instant_config(), request);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& text = encoded.at("data").at(i).at("embedding");
    ASSERT_TRUE(text.is_string());
    auto decoded = decode_embedding_base64(text.as_string());
    ASSERT_TRUE(decoded.ok());
    const auto& expected = floats.at("data").at(i).at("embedding").as_array();
    ASSERT_EQ(decoded->size(), expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
      EXPECT_EQ(static_cast<double>((*decoded)[k]), expected[k].as_double());
    }
  }
}

TEST(Simulator, EmbeddingsCannotBeStreamed) {
  Streamed s;
  stream(instant_config(), embedding({"x"}), s);
  ASSERT_FALSE(s.status.ok());
  EXPECT_EQ(s.status.error().code, ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace plinth::providers
