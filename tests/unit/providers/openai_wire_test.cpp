// OpenAI wire translation against payloads recorded from vLLM 0.6+, OpenAI and TGI 2.x
// (tests/data/providers/).
#include "providers/openai_wire.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "recorded_data.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace plinth::providers::openai_wire {
namespace {

namespace json = boost::json;

using testing::read_data;
using testing::sse_data;

InferenceRequest chat_request(std::string body_text) {
  InferenceRequest r;
  r.op = Operation::kChat;
  r.public_model = "qwen";
  r.upstream_model = "Qwen/Qwen2.5-7B-Instruct";
  r.set_body(json::parse(body_text).as_object());
  return r;
}

json::object parse_object(std::string_view text) { return json::parse(text).as_object(); }

// ---- request translation ------------------------------------------------------------

TEST(OpenAiRequestBody, ReplacesModelAndPassesEveryOtherFieldThrough) {
  const InferenceRequest r = chat_request(read_data("openai/chat_request_tools.json"));
  const json::object sent = parse_object(request_body(r, /*stream=*/false));

  EXPECT_EQ(sent.at("model"), "Qwen/Qwen2.5-7B-Instruct");
  for (const char* key : {"messages", "tools", "tool_choice", "response_format", "seed", "stop",
                          "n", "logprobs", "top_logprobs", "user", "temperature"}) {
    ASSERT_TRUE(sent.contains(key)) << key;
    EXPECT_EQ(sent.at(key), r.body().at(key)) << key;
  }
}

TEST(OpenAiRequestBody, NonStreamedCallDropsStreamAndStreamOptions) {
  const InferenceRequest r = chat_request(read_data("openai/chat_request_tools.json"));
  const json::object sent = parse_object(request_body(r, /*stream=*/false));
  EXPECT_FALSE(sent.contains("stream"));
  EXPECT_FALSE(sent.contains("stream_options"));
}

TEST(OpenAiRequestBody, StreamForcesIncludeUsageAndKeepsOtherStreamOptions) {
  const InferenceRequest r = chat_request(read_data("openai/chat_request_tools.json"));
  const json::object sent = parse_object(request_body(r, /*stream=*/true));
  EXPECT_EQ(sent.at("stream"), true);
  const json::object& options = sent.at("stream_options").as_object();
  EXPECT_EQ(options.at("include_usage"), true);  // the client said false
  EXPECT_EQ(options.at("continuous_usage_stats"), true);
  EXPECT_EQ(options.size(), 2u);
}

TEST(OpenAiRequestBody, StreamAddsStreamOptionsWhenTheClientGaveNone) {
  const InferenceRequest r = chat_request(R"({"model":"qwen","messages":[]})");
  EXPECT_EQ(request_body(r, /*stream=*/true),
            R"({"model":"Qwen/Qwen2.5-7B-Instruct","messages":[],"stream":true,)"
            R"("stream_options":{"include_usage":true}})");
}

// A request as the gateway's fast path leaves it: the client's bytes kept, the model located.
InferenceRequest raw_chat_request(const std::string& raw, bool stream) {
  InferenceRequest r = chat_request(raw);
  r.stream = stream;
  RawBodyLayout layout;
  layout.model_begin = raw.find(R"("qwen")");
  layout.model_end = layout.model_begin + 6;
  r.set_raw_body(raw, layout);
  return r;
}

TEST(OpenAiRequestBody, TheSplicesPiecesJoinToTheBodyAndBorrowTheClientsBytes) {
  const std::string raw = R"({"messages":[{"role":"user","content":"hi"}],"model":"qwen","n":2})";
  for (const bool stream : {false, true}) {
    SCOPED_TRACE(stream);
    const InferenceRequest r = raw_chat_request(raw, stream);
    const std::optional<BodySplice> s = body_splice(r, stream);
    ASSERT_TRUE(s);
    EXPECT_EQ(std::string(s->before) + R"("Qwen/Qwen2.5-7B-Instruct")" + std::string(s->after) +
                  std::string(s->end),
              request_body(r, stream));
    // Views into the client's own bytes, not copies.
    EXPECT_EQ(s->before.data(), r.raw_body().data());
    EXPECT_EQ(s->after.data(), r.raw_body().data() + r.raw_layout().model_end);
    EXPECT_EQ(s->end, stream ? R"(,"stream_options":{"include_usage":true}})" : "}");
  }
}

TEST(OpenAiRequestBody, NoSpliceWhenTheBodyMustBeSerialised) {
  EXPECT_FALSE(body_splice(chat_request(R"({"model":"qwen","messages":[]})"), false));  // no bytes
  const std::string raw = R"({"model":"qwen","messages":[]})";
  EXPECT_FALSE(body_splice(raw_chat_request(raw, false), true));  // the stream flag differs
}

TEST(OpenAiRequestBody, AddsModelWhenTheBodyHasNone) {
  InferenceRequest r = chat_request(R"({"input":["a","b"],"encoding_format":"base64"})");
  r.op = Operation::kEmbedding;
  r.upstream_model = "BAAI/bge-m3";
  const json::object sent = parse_object(request_body(r, /*stream=*/false));
  EXPECT_EQ(sent.at("model"), "BAAI/bge-m3");
  EXPECT_EQ(sent.at("encoding_format"), "base64");
}

TEST(OpenAiRequestBody, EscapesTheUpstreamModelAndUnicodeContent) {
  InferenceRequest r =
      chat_request(R"({"model":"x","messages":[{"role":"user","content":"你好 \"q\"\n"}]})");
  r.upstream_model = "odd\"name\\";
  const json::object sent = parse_object(request_body(r, /*stream=*/false));
  EXPECT_EQ(sent.at("model"), "odd\"name\\");
  EXPECT_EQ(sent.at("messages").as_array()[0].at("content"), "你好 \"q\"\n");
}

TEST(OpenAiRequestBody, SerializesLargeBodiesWhole) {
  std::string big(200'000, 'a');
  InferenceRequest r = chat_request(R"({"model":"x","messages":[]})");
  r.mutable_body()["messages"].as_array().emplace_back(json::object{{"role", "user"}, {"content", big}});
  const json::object sent = parse_object(request_body(r, /*stream=*/false));
  EXPECT_EQ(sent.at("messages").as_array()[0].at("content").as_string().size(), big.size());
}

TEST(OpenAiPaths, EachOperationHasItsRoute) {
  EXPECT_EQ(path_of(Operation::kChat), "/chat/completions");
  EXPECT_EQ(path_of(Operation::kCompletion), "/completions");
  EXPECT_EQ(path_of(Operation::kEmbedding), "/embeddings");
}

// ---- responses ----------------------------------------------------------------------

TEST(OpenAiResponse, RewritesModelToPublicNameAndExtractsUsage) {
  auto r = parse_response(read_data("vllm/chat_response.json"), "qwen");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body.at("model"), "qwen");
  EXPECT_EQ(r->body.at("choices").as_array()[0].at("message").at("content"),
            "The capital of France is Paris.");
  ASSERT_TRUE(r->usage);
  EXPECT_EQ(r->usage->prompt_tokens, 25);
  EXPECT_EQ(r->usage->completion_tokens, 8);
  EXPECT_FALSE(r->usage->estimated);
}

TEST(OpenAiResponse, KeepsToolCallsAndVendorFieldsUntouched) {
  const std::string body = read_data("openai/chat_response_tool_calls.json");
  auto r = parse_response(body, "gpt-small");
  ASSERT_TRUE(r.ok()) << r.error().message;
  json::object expected = parse_object(body);
  expected["model"] = "gpt-small";
  EXPECT_EQ(r->body, expected);
  EXPECT_EQ(r->usage->total(), 100);
}

TEST(OpenAiResponse, CompletionUsageIsExtracted) {
  auto r = parse_response(read_data("vllm/completion_response.json"), "qwen-base");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body.at("object"), "text_completion");
  EXPECT_EQ(r->usage->prompt_tokens, 6);
  EXPECT_EQ(r->usage->completion_tokens, 16);
}

TEST(OpenAiResponse, EmbeddingsUsageHasNoCompletionTokens) {
  auto r = parse_response(read_data("openai/embeddings_base64.json"), "embed");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->usage->prompt_tokens, 5);
  EXPECT_EQ(r->usage->completion_tokens, 0);
  EXPECT_TRUE(r->body.at("data").as_array()[0].at("embedding").is_string());  // base64 as is
}

TEST(OpenAiResponse, FloatAndBase64EmbeddingsPassThrough) {
  auto floats = parse_response(read_data("vllm/embeddings_float.json"), "embed");
  ASSERT_TRUE(floats.ok());
  EXPECT_EQ(floats->body.at("data").as_array().size(), 2u);
  EXPECT_EQ(floats->body.at("data").as_array()[0].at("embedding").as_array().size(), 8u);
  auto b64 = parse_response(read_data("vllm/embeddings_base64.json"), "embed");
  ASSERT_TRUE(b64.ok());
  EXPECT_EQ(b64->body.at("data").as_array()[0].at("embedding"),
            parse_object(read_data("vllm/embeddings_base64.json"))
                .at("data")
                .as_array()[0]
                .at("embedding"));
  EXPECT_EQ(b64->body.at("model"), "embed");
}

TEST(OpenAiResponse, NoUsageMeansEmptyUsage) {
  auto r = parse_response(R"({"id":"x","object":"chat.completion","model":"m","choices":[]})", "p");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->usage);
  auto null_usage = parse_response(R"({"model":"m","choices":[],"usage":null})", "p");
  EXPECT_FALSE(null_usage->usage);
}

TEST(OpenAiResponse, MalformedBodyIsAnUpstreamError) {
  auto r = parse_response("{\"id\": ", "p");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError);
  EXPECT_NE(r.error().message.find("malformed JSON"), std::string::npos);
  EXPECT_FALSE(parse_response("[1,2]", "p").ok());
}

TEST(OpenAiResponse, ErrorObjectDespiteSuccessStatusIsAnUpstreamError) {
  auto r = parse_response(read_data("vllm/error_model_not_found.json"), "p");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError);
  EXPECT_NE(r.error().message.find("does not exist"), std::string::npos);
}

TEST(OpenAiModelList, ListsIds) {
  auto ids = parse_model_list(read_data("vllm/models.json"));
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"Qwen/Qwen2.5-7B-Instruct", "sql-lora"}));
  EXPECT_FALSE(parse_model_list("{\"object\":\"list\"}").ok());
}

// ---- error mapping ------------------------------------------------------------------

TEST(OpenAiStatusError, ContextLengthErrorReachesTheClientAsInvalidRequest) {
  for (const char* file : {"vllm/error_context_length.json", "vllm/error_context_length_v010.json",
                           "openai/error_context_length.json"}) {
    const Error e = status_error(400, read_data(file));
    EXPECT_EQ(e.code, ErrorCode::kInvalidRequest) << file;
    EXPECT_EQ(e.upstream_status, 400);
    EXPECT_NE(e.message.find("maximum context length"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("upstream"), std::string::npos) << "passed on as is: " << e.message;
  }
  EXPECT_EQ(status_error(400, read_data("openai/error_context_length.json")).field, "messages");
}

TEST(OpenAiStatusError, UnprocessableAndTooLargeAreInvalidRequests) {
  const Error e = status_error(422, read_data("vllm/error_validation_detail.json"));
  EXPECT_EQ(e.code, ErrorCode::kInvalidRequest);
  EXPECT_NE(e.message.find("Field required"), std::string::npos);
  EXPECT_EQ(status_error(413, "request entity too large").code, ErrorCode::kInvalidRequest);
}

TEST(OpenAiStatusError, CredentialRejectionNeverEchoesTheKey) {
  for (int status : {401, 403}) {
    const Error e = status_error(status, read_data("openai/error_invalid_api_key.json"));
    EXPECT_EQ(e.code, ErrorCode::kUpstreamError);
    EXPECT_EQ(e.upstream_status, status);
    EXPECT_NE(e.message.find("upstream rejected Plinth's credentials"), std::string::npos);
    EXPECT_EQ(e.message.find("sk-"), std::string::npos) << e.message;
  }
}

TEST(OpenAiStatusError, NotFoundIsAnUpstreamErrorWithTheUpstreamMessage) {
  const Error e = status_error(404, read_data("vllm/error_model_not_found.json"));
  EXPECT_EQ(e.code, ErrorCode::kUpstreamError);
  EXPECT_EQ(e.upstream_status, 404);
  EXPECT_NE(e.message.find("The model `Qwen/Qwen2.5-7B-Instruc` does not exist."),
            std::string::npos);
}

TEST(OpenAiStatusError, TooManyRequestsIsRateLimited) {
  const Error e = status_error(429, read_data("openai/error_rate_limit.json"));
  EXPECT_EQ(e.code, ErrorCode::kRateLimited);
  EXPECT_NE(e.message.find("Rate limit reached"), std::string::npos);
}

TEST(OpenAiStatusError, ServerErrorsAreUpstreamErrorsWithTruncatedPlainBodies) {
  const Error e = status_error(502, read_data("openai/error_bad_gateway.html"));
  EXPECT_EQ(e.code, ErrorCode::kUpstreamError);
  EXPECT_EQ(e.upstream_status, 502);
  EXPECT_NE(e.message.find("HTTP 502"), std::string::npos);
  EXPECT_NE(e.message.find("502 Bad Gateway"), std::string::npos);
  EXPECT_EQ(status_error(503, "").message, "upstream answered HTTP 503: (empty body)");
  const Error big = status_error(500, std::string(5000, 'x'));
  EXPECT_LE(big.message.size(), 300u + 40u);
}

TEST(OpenAiErrorMessage, ReadsEveryKnownShape) {
  EXPECT_EQ(error_message(R"({"error":{"message":"a"}})"), "a");
  EXPECT_EQ(error_message(R"({"error":"b","error_type":"validation"})"), "b");
  EXPECT_EQ(error_message(R"({"object":"error","message":"c","code":400})"), "c");
  EXPECT_EQ(error_message(R"({"detail":"d"})"), "d");
  EXPECT_EQ(error_message("plain text\n"), "plain text");
}

TEST(OpenAiErrorMessage, TruncationNeverSplitsAUtf8Sequence) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "é";  // 2 bytes each
  const std::string cut = truncate_utf8(text, 301);
  EXPECT_EQ(cut, text.substr(0, 300) + "...");
}

// ---- streams ------------------------------------------------------------------------

struct Replay {
  std::vector<json::object> chunks;  // copied out of the arena
  std::optional<Error> error;
  bool done = false;
};

Replay replay(const std::string& recorded, bool require_done = true) {
  StreamDecoder decoder("public-model", require_done);
  Replay out;
  for (const std::string& data : sse_data(recorded)) {
    auto step = decoder.decode("", data);
    if (!step) {
      out.error = step.error();
      return out;
    }
    if (*step == StreamDecoder::Step::kChunk || *step == StreamDecoder::Step::kText)
      out.chunks.emplace_back(decoder.chunk(), json::storage_ptr());
  }
  Status end = decoder.finish();
  if (!end) out.error = end.error();
  out.done = end.ok();
  return out;
}

TEST(OpenAiStream, ForwardsEveryChunkWithModelRewrittenAndTheUsageChunk) {
  const Replay r = replay(read_data("vllm/chat_stream.sse"));
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_TRUE(r.done);
  ASSERT_EQ(r.chunks.size(), 10u);
  std::string text;
  for (const json::object& c : r.chunks) {
    EXPECT_EQ(c.at("model"), "public-model");
    for (const json::value& choice : c.at("choices").as_array()) {
      if (const json::value* content = choice.at("delta").as_object().if_contains("content"))
        text += content->as_string();
    }
  }
  EXPECT_EQ(text, "The capital of France is Paris.");
  const json::object& last = r.chunks.back();
  EXPECT_TRUE(last.at("choices").as_array().empty());
  auto usage = usage_of(last);
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->prompt_tokens, 25);
  EXPECT_EQ(usage->completion_tokens, 8);
}

TEST(OpenAiStream, ToolCallDeltasPassThroughUnchanged) {
  const std::string recorded = read_data("vllm/chat_stream_tool_calls.sse");
  const Replay r = replay(recorded);
  ASSERT_FALSE(r.error);
  const std::vector<std::string> raw = sse_data(recorded);
  std::string arguments;
  for (std::size_t i = 0; i < r.chunks.size(); ++i) {
    json::object expected = parse_object(raw[i]);
    expected["model"] = "public-model";
    EXPECT_EQ(r.chunks[i], expected);
    const json::array& choices = r.chunks[i].at("choices").as_array();
    if (choices.empty()) continue;
    if (const json::value* calls = choices[0].at("delta").as_object().if_contains("tool_calls")) {
      const json::object& fn = calls->as_array()[0].at("function").as_object();
      if (const json::value* a = fn.if_contains("arguments")) arguments += a->as_string();
    }
  }
  EXPECT_EQ(arguments, R"({"city": "Paris", "unit": "celsius"})");
  EXPECT_EQ(r.chunks[r.chunks.size() - 2].at("choices").as_array()[0].at("finish_reason"),
            "tool_calls");
}

TEST(OpenAiStream, OpenAiChunksWithNullUsageAreForwarded) {
  const Replay r = replay(read_data("openai/chat_stream.sse"));
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.chunks.size(), 10u);
  EXPECT_TRUE(r.chunks[0].at("usage").is_null());
  EXPECT_EQ(usage_of(r.chunks.back())->total(), 16);
}

TEST(OpenAiStream, ErrorEventEndsTheStreamWithTheUpstreamMessage) {
  const Replay r = replay(read_data("vllm/chat_stream_error.sse"));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.chunks.size(), 1u);
  EXPECT_EQ(r.error->code, ErrorCode::kUpstreamError);
  EXPECT_NE(r.error->message.find("illegal memory access"), std::string::npos);
}

TEST(OpenAiStream, NamedErrorEventIsAnError) {
  StreamDecoder decoder("m", true);
  auto step = decoder.decode("error", R"({"message":"shutting down"})");
  ASSERT_FALSE(step.ok());
  EXPECT_NE(step.error().message.find("shutting down"), std::string::npos);
}

TEST(OpenAiStream, EndWithoutDoneIsAnUpstreamError) {
  const Replay r = replay(read_data("vllm/chat_stream_truncated.sse"));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.chunks.size(), 2u);
  EXPECT_EQ(r.error->code, ErrorCode::kUpstreamError);
  EXPECT_EQ(r.error->message, "upstream stream ended before [DONE]");
}

TEST(OpenAiStream, MalformedEventIsAnUpstreamError) {
  StreamDecoder decoder("m", true);
  auto step = decoder.decode("", R"({"id":"x","choices":[)");
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(step.error().message.rfind("malformed SSE event from upstream: ", 0), 0u)
      << step.error().message;
  EXPECT_FALSE(decoder.decode("", "42").ok());
}

TEST(OpenAiStream, EventsAfterDoneAreSkipped) {
  StreamDecoder decoder("m", true);
  EXPECT_EQ(*decoder.decode("", "[DONE]"), StreamDecoder::Step::kDone);
  EXPECT_EQ(*decoder.decode("", "{not json"), StreamDecoder::Step::kSkip);
  EXPECT_TRUE(decoder.finish().ok());
}

TEST(OpenAiStream, TgiChatMayEndWithoutDoneOnceFinished) {
  const std::string recorded = read_data("tgi/chat_stream_no_done_v21.sse");
  EXPECT_FALSE(replay(recorded, /*require_done=*/true).done);
  const Replay lenient = replay(recorded, /*require_done=*/false);
  ASSERT_FALSE(lenient.error);
  EXPECT_EQ(lenient.chunks.size(), 3u);
  // Unfinished streams still fail without [DONE].
  EXPECT_FALSE(replay(read_data("vllm/chat_stream_truncated.sse"), false).done);
}

TEST(OpenAiStream, TgiChatStreamWithUsageAndDone) {
  const Replay r = replay(read_data("tgi/chat_stream.sse"), /*require_done=*/false);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.chunks.size(), 5u);
  EXPECT_EQ(r.chunks[0].at("model"), "public-model");
  EXPECT_EQ(usage_of(r.chunks.back())->prompt_tokens, 40);
}

TEST(OpenAiStream, ArenaIsReusedAcrossManyEvents) {
  StreamDecoder decoder("m", true);
  const std::string long_text(20'000, 'z');  // larger than the arena's buffer
  for (int i = 0; i < 1000; ++i) {
    const std::string data = R"({"id":"c","model":"u","choices":[{"index":0,"delta":{"content":")" +
                             (i % 100 == 0 ? long_text : std::to_string(i)) +
                             R"("},"finish_reason":null}]})";
    auto step = decoder.decode("", data);
    ASSERT_TRUE(step.ok());
    json::object& chunk = decoder.chunk();
    chunk["extra"] = "added by a stage";  // a stage may change the chunk in place
    EXPECT_EQ(chunk.at("model"), "m");
    const json::string& content =
        chunk.at("choices").as_array()[0].at("delta").at("content").as_string();
    EXPECT_EQ(content.size(), i % 100 == 0 ? long_text.size() : std::to_string(i).size());
  }
}

}  // namespace
}  // namespace plinth::providers::openai_wire
