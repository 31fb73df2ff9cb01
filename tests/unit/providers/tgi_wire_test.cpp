// TGI native wire translation against payloads recorded from TGI 2.x
// (tests/data/providers/tgi/).
#include "providers/tgi_wire.h"

#include "metering/token_count.h"
#include "providers/openai_wire.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "recorded_data.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace plinth::providers::tgi_wire {
namespace {

namespace json = boost::json;

using testing::read_data;
using testing::sse_data;

// A completion request as the gateway hands it over: body plus typed view.
InferenceRequest completion(std::string body_text) {
  InferenceRequest r;
  r.op = Operation::kCompletion;
  r.public_model = "llama";
  r.upstream_model = "meta-llama/Llama-3.1-8B-Instruct";
  r.set_body(json::parse(body_text).as_object());
  const json::object& b = r.body();
  if (auto* v = b.if_contains("n")) r.n = static_cast<int>(v->to_number<std::int64_t>());
  if (auto* v = b.if_contains("max_tokens")) r.max_tokens = v->to_number<std::int64_t>();
  if (auto* v = b.if_contains("seed")) r.seed = v->to_number<std::int64_t>();
  if (auto* v = b.if_contains("temperature")) r.temperature = v->to_number<double>();
  if (auto* v = b.if_contains("stop")) {
    if (v->is_string()) r.stop.emplace_back(v->as_string());
    if (v->is_array())
      for (const auto& s : v->as_array()) r.stop.emplace_back(s.as_string());
  }
  return r;
}

json::object generate_params(const InferenceRequest& r) {
  auto body = generate_body(r);
  EXPECT_TRUE(body.ok()) << body.error().message;
  return json::parse(*body).as_object().at("parameters").as_object();
}

// ---- request translation ------------------------------------------------------------

TEST(TgiGenerateBody, TranslatesOpenAiParameters) {
  const InferenceRequest r =
      completion(R"({"model":"llama","prompt":"The capital of France is","max_tokens":32,)"
                 R"("temperature":0.7,"top_p":0.9,"stop":["\n","END"],"seed":42})");
  auto body = generate_body(r);
  ASSERT_TRUE(body.ok());
  const json::object sent = json::parse(*body).as_object();
  EXPECT_EQ(sent.at("inputs"), "The capital of France is");
  EXPECT_EQ(sent.at("parameters"),
            json::parse(R"({"max_new_tokens":32,"do_sample":true,"temperature":0.7,"top_p":0.9,)"
                        R"("stop":["\n","END"],"seed":42,"details":true})"));
  EXPECT_EQ(sent.size(), 2u);
}

TEST(TgiGenerateBody, TemperatureZeroIsGreedyWithoutTemperatureOrTopP) {
  const json::object p =
      generate_params(completion(R"({"prompt":"x","temperature":0,"top_p":0.5})"));
  EXPECT_EQ(p.at("do_sample"), false);
  EXPECT_FALSE(p.contains("temperature"));  // TGI rejects 0
  EXPECT_FALSE(p.contains("top_p"));        // its presence would make TGI sample
}

TEST(TgiGenerateBody, TopPOfOneIsOmitted) {
  const json::object p = generate_params(completion(R"({"prompt":"x","top_p":1.0})"));
  EXPECT_FALSE(p.contains("top_p"));  // TGI requires 0 < top_p < 1
  EXPECT_EQ(p.at("do_sample"), true);
}

TEST(TgiGenerateBody, AbsentTemperatureSamplesLikeOpenAi) {
  const json::object p = generate_params(completion(R"({"prompt":"x"})"));
  EXPECT_EQ(p, json::parse(R"({"do_sample":true,"details":true})"));
}

TEST(TgiGenerateBody, PassesExtraSamplingKnobsTgiUnderstands) {
  const json::object p = generate_params(
      completion(R"({"prompt":"x","frequency_penalty":0.5,"top_k":40,"repetition_penalty":1.1})"));
  EXPECT_EQ(p.at("frequency_penalty"), 0.5);
  EXPECT_EQ(p.at("top_k"), 40);
  EXPECT_EQ(p.at("repetition_penalty"), 1.1);
}

TEST(TgiGenerateBody, RefusesMoreThanOneChoice) {
  auto body = generate_body(completion(R"({"prompt":"x","n":3})"));
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(body.error().field, "n");
  EXPECT_NE(body.error().message.find("got 3"), std::string::npos);
  EXPECT_TRUE(generate_body(completion(R"({"prompt":"x","n":1})")).ok());
}

TEST(TgiGenerateBody, RefusesWhatTgiCannotHonour) {
  EXPECT_EQ(generate_body(completion(R"({"prompt":"x","echo":true})")).error().field, "echo");
  EXPECT_EQ(generate_body(completion(R"({"prompt":"x","best_of":2})")).error().field, "best_of");
  EXPECT_EQ(generate_body(completion(R"({"prompt":"x","seed":-1})")).error().field, "seed");
}

TEST(TgiGenerateBody, AcceptsAPromptArrayOfOneString) {
  auto body = generate_body(completion(R"({"prompt":["only one"]})"));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(json::parse(*body).at("inputs"), "only one");
}

TEST(TgiGenerateBody, RefusesSeveralPromptsOrTokenIds) {
  for (const char* body : {R"({"prompt":["a","b"]})", R"({"prompt":[1,2,3]})", R"({})"}) {
    auto r = generate_body(completion(body));
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().field, "prompt");
  }
}

// ---- /generate answers --------------------------------------------------------------

const Identity kIdentity{"cmpl-req-1", 1729000000, "llama"};

TEST(TgiGenerateResponse, BuildsAnOpenAiTextCompletion) {
  const std::string prompt = "The capital of France is";
  auto r = parse_generate_response(read_data("tgi/generate_response.json"), kIdentity, prompt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, json::parse(R"({"id":"cmpl-req-1","object":"text_completion",)"
                                 R"("created":1729000000,"model":"llama","choices":[{"index":0,)"
                                 R"("text":" Paris is the capital of France. It is known",)"
                                 R"("finish_reason":"length","logprobs":null}],"usage":{)"
                                 R"("prompt_tokens":)" +
                                 std::to_string(metering::count_tokens(prompt)) +
                                 R"(,"completion_tokens":10,"total_tokens":)" +
                                 std::to_string(metering::count_tokens(prompt) + 10) + "}}"));
  ASSERT_TRUE(r->usage);
  EXPECT_TRUE(r->usage->estimated);  // no prefill: the prompt was counted by Plinth
  EXPECT_EQ(r->usage->completion_tokens, 10);
}

TEST(TgiGenerateResponse, PrefillGivesExactPromptTokens) {
  auto r = parse_generate_response(read_data("tgi/generate_response_prefill.json"), kIdentity,
                                   "The capital of France is");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->usage->prompt_tokens, 6);
  EXPECT_EQ(r->usage->completion_tokens, 3);
  EXPECT_FALSE(r->usage->estimated);
  EXPECT_EQ(r->body.at("choices").as_array()[0].at("finish_reason"), "stop");  // eos_token
}

TEST(TgiGenerateResponse, StopSequenceFinishesWithStop) {
  auto r = parse_generate_response(read_data("tgi/generate_response_stop_sequence.json"), kIdentity,
                                   "x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body.at("choices").as_array()[0].at("finish_reason"), "stop");
  EXPECT_EQ(r->body.at("choices").as_array()[0].at("text"), " Paris\n");
}

TEST(TgiGenerateResponse, MalformedOrErrorBodiesAreUpstreamErrors) {
  EXPECT_EQ(parse_generate_response("<html>", kIdentity, "x").error().code,
            ErrorCode::kUpstreamError);
  EXPECT_FALSE(parse_generate_response(R"({"details":null})", kIdentity, "x").ok());
  auto err = parse_generate_response(read_data("tgi/error_generation.json"), kIdentity, "x");
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.error().message.find("CUDA out of memory"), std::string::npos);
}

TEST(TgiFinishReason, MapsToOpenAiValues) {
  EXPECT_EQ(finish_reason("length"), "length");
  EXPECT_EQ(finish_reason("eos_token"), "stop");
  EXPECT_EQ(finish_reason("stop_sequence"), "stop");
}

TEST(TgiInfo, ListsTheServedModel) {
  auto ids = parse_info(read_data("tgi/info.json"));
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<std::string>{"meta-llama/Llama-3.1-8B-Instruct"});
  EXPECT_FALSE(parse_info("{}").ok());
}

// ---- errors by status ---------------------------------------------------------------

TEST(TgiStatusError, ValidationErrorIsAnInvalidRequestWithTgisMessage) {
  const Error e = openai_wire::status_error(422, read_data("tgi/error_validation.json"));
  EXPECT_EQ(e.code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(e.upstream_status, 422);
  EXPECT_EQ(e.message, "Input validation error: `temperature` must be strictly positive");
}

TEST(TgiStatusError, OverloadedIsRateLimitedAndGenerationFailureIsUpstreamError) {
  EXPECT_EQ(openai_wire::status_error(429, read_data("tgi/error_overloaded.json")).code,
            ErrorCode::kRateLimited);
  const Error e = openai_wire::status_error(424, read_data("tgi/error_generation.json"));
  EXPECT_EQ(e.code, ErrorCode::kUpstreamError);
  EXPECT_NE(e.message.find("Request failed during generation"), std::string::npos);
}

// ---- /generate_stream ---------------------------------------------------------------

struct Replay {
  std::vector<json::object> chunks;
  std::optional<Error> error;
  bool complete = false;
};

Replay replay(const std::string& recorded, std::string_view prompt) {
  StreamTranslator translator(kIdentity, prompt);
  Replay out;
  for (const std::string& data : sse_data(recorded)) {
    if (Status s = translator.decode(data); !s) {
      out.error = s.error();
      return out;
    }
    for (json::object* c : translator.chunks()) out.chunks.emplace_back(*c, json::storage_ptr());
  }
  out.complete = translator.finish().ok();
  return out;
}

TEST(TgiStream, TokensBecomeTextCompletionChunksThenUsage) {
  const Replay r = replay(read_data("tgi/generate_stream.sse"), "The capital of France is");
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_TRUE(r.complete);
  ASSERT_EQ(r.chunks.size(), 7u);  // 5 tokens, the final special token, usage
  EXPECT_EQ(r.chunks[0], json::parse(R"({"id":"cmpl-req-1","object":"text_completion",)"
                                     R"("created":1729000000,"model":"llama","choices":[)"
                                     R"({"index":0,"text":" Paris","finish_reason":null,)"
                                     R"("logprobs":null}]})"));
  std::string text;
  for (std::size_t i = 0; i + 1 < r.chunks.size(); ++i)
    text += r.chunks[i].at("choices").as_array()[0].at("text").as_string();
  EXPECT_EQ(text, " Paris is the capital.");  // the special <|eot_id|> is not shown
  const json::object& final_token = r.chunks[5].at("choices").as_array()[0].as_object();
  EXPECT_EQ(final_token.at("text"), "");
  EXPECT_EQ(final_token.at("finish_reason"), "stop");
  EXPECT_EQ(r.chunks[6], json::parse(R"({"id":"cmpl-req-1","object":"text_completion",)"
                                     R"("created":1729000000,"model":"llama","choices":[],)"
                                     R"("usage":{"prompt_tokens":7,"completion_tokens":6,)"
                                     R"("total_tokens":13}})"));
}

TEST(TgiStream, LengthFinishWithoutInputLengthEstimatesThePrompt) {
  const std::string prompt = "The capital of France is";
  const Replay r = replay(read_data("tgi/generate_stream_length_v20.sse"), prompt);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.chunks.size(), 5u);
  EXPECT_EQ(r.chunks[3].at("choices").as_array()[0].at("finish_reason"), "length");
  EXPECT_EQ(r.chunks[3].at("choices").as_array()[0].at("text"), " capital");
  const json::object& usage = r.chunks[4].at("usage").as_object();
  EXPECT_EQ(usage.at("prompt_tokens"), metering::count_tokens(prompt));
  EXPECT_EQ(usage.at("completion_tokens"), 4);
}

TEST(TgiStream, ValidationErrorEventIsAnInvalidRequest) {
  const Replay r = replay(read_data("tgi/generate_stream_validation_error.sse"), "x");
  ASSERT_TRUE(r.error);
  EXPECT_TRUE(r.chunks.empty());
  EXPECT_EQ(r.error->code, ErrorCode::kInvalidRequest);
  EXPECT_NE(r.error->message.find("must be <= 8192"), std::string::npos);
}

TEST(TgiStream, GenerationErrorMidStreamIsAnUpstreamError) {
  const Replay r = replay(read_data("tgi/generate_stream_generation_error.sse"), "x");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.chunks.size(), 1u);
  EXPECT_EQ(r.error->code, ErrorCode::kUpstreamError);
  EXPECT_NE(r.error->message.find("CUDA out of memory"), std::string::npos);
}

TEST(TgiStream, OverloadedErrorEventIsRateLimited) {
  StreamTranslator t(kIdentity, "x");
  Status s = t.decode(read_data("tgi/error_overloaded.json"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kRateLimited);
}

TEST(TgiStream, EndingBeforeTheLastTokenIsAnUpstreamError) {
  const Replay r = replay(read_data("tgi/generate_stream_truncated.sse"), "x");
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.chunks.size(), 1u);
  EXPECT_FALSE(r.complete);
}

TEST(TgiStream, MalformedEventIsAnUpstreamError) {
  StreamTranslator t(kIdentity, "x");
  Status s = t.decode("{\"index\":1,");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUpstreamError);
  EXPECT_FALSE(t.decode(R"({"index":1})").ok());  // no token
}

TEST(TgiStream, SpecialTokensBeforeTheEndProduceNoChunk) {
  StreamTranslator t(kIdentity, "x");
  ASSERT_TRUE(t.decode(R"({"index":1,"token":{"id":1,"text":"<s>","logprob":0,"special":true},)"
                       R"("generated_text":null,"details":null})")
                  .ok());
  EXPECT_TRUE(t.chunks().empty());
  EXPECT_FALSE(t.finished());
}

}  // namespace
}  // namespace plinth::providers::tgi_wire
