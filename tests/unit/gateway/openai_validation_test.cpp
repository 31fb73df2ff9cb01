#include "gateway/openai_validation.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace plinth::gateway {
namespace {

boost::json::object body(std::string_view text) { return boost::json::parse(text).as_object(); }

TEST(ValidateChat, AcceptsMinimalRequestAndReadsTypedFields) {
  auto r = validate_chat(body(R"({"model":"m","messages":[{"role":"user","content":"hi"}],
    "stream":true,"stream_options":{"include_usage":true},"max_tokens":5,"n":2,"seed":7,
    "stop":["x","y"],"tools":[],"response_format":{"type":"json_object"}})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->public_model, "m");
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_usage);
  EXPECT_EQ(r->max_tokens, 5);
  EXPECT_EQ(r->n, 2);
  EXPECT_EQ(r->seed, 7);
  EXPECT_EQ(r->stop.size(), 2u);
  EXPECT_TRUE(r->body().contains("tools"));  // passed through
}

TEST(ValidateChat, NamesTheFieldAtFault) {
  auto r = validate_chat(body(R"({"model":"m","messages":[{"role":"user","content":"hi"}],
    "temperature":7.5})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "temperature");
  EXPECT_NE(r.error().message.find("between 0 and 2, got 7.5"), std::string::npos);

  auto missing = validate_chat(body(R"({"model":"m"})"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().field, "messages");

  auto role = validate_chat(body(R"({"model":"m","messages":[{"role":"boss","content":"x"}]})"));
  ASSERT_FALSE(role.ok());
  EXPECT_EQ(role.error().field, "messages[0].role");
}

TEST(ValidateChat, StreamOptionsRequireStream) {
  auto r = validate_chat(body(R"({"model":"m","messages":[{"role":"user","content":"x"}],
    "stream_options":{"include_usage":true}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "stream_options");
}

TEST(ValidateChat, AssistantMayCarryOnlyToolCalls) {
  auto r = validate_chat(body(R"({"model":"m","messages":[{"role":"user","content":"x"},
    {"role":"assistant","content":null,"tool_calls":[]},{"role":"tool","content":"42",
    "tool_call_id":"a"}]})"));
  EXPECT_TRUE(r.ok());
}

TEST(ValidateCompletion, AcceptsStringsAndTokenArrays) {
  EXPECT_TRUE(validate_completion(body(R"({"model":"m","prompt":"hi"})")).ok());
  EXPECT_TRUE(validate_completion(body(R"({"model":"m","prompt":[1,2,3]})")).ok());
  EXPECT_TRUE(validate_completion(body(R"({"model":"m","prompt":["a","b"]})")).ok());
  auto bad = validate_completion(body(R"({"model":"m","prompt":{"x":1}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "prompt");
}

TEST(ValidateEmbedding, ReadsInputsAndEncoding) {
  auto r = validate_embedding(body(R"({"model":"e","input":["a b","c"],"encoding_format":"base64"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inputs.size(), 2u);
  EXPECT_TRUE(r->base64);
  auto bad = validate_embedding(body(R"({"model":"e","input":"x","encoding_format":"hex"})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "encoding_format");
  EXPECT_FALSE(validate_embedding(body(R"({"model":"e","input":[]})")).ok());
}

TEST(ValidateChat, IntegersBeyondInt64AreOutOfRangeNotWrapped) {
  auto r = validate_chat(body(R"({"model":"m","messages":[{"role":"user","content":"x"}],
    "seed":9223372036854775808})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "seed");
  EXPECT_NE(r.error().message.find("9223372036854775808"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace plinth::gateway
