#include "providers/response_rewrite.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace plinth::providers {
namespace {

constexpr std::string_view kVllm =
    R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"Qwen/Qwen2.5-7B-Instruct",)"
    R"("choices":[{"index":0,"message":{"role":"assistant","content":"hi \"model\": x",)"
    R"("tool_calls":[]},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,)"
    R"("total_tokens":19,"completion_tokens":7}})";

TEST(RewriteResponse, SplicesThePublicModelAndReadsUsage) {
  auto r = rewrite_response(kVllm, "qwen \"prod\"");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->usage);
  EXPECT_EQ(r->usage->prompt_tokens, 12);
  EXPECT_EQ(r->usage->completion_tokens, 7);
  EXPECT_TRUE(r->body.empty());
  const auto v = boost::json::parse(r->raw).as_object();
  EXPECT_EQ(v.at("model").as_string(), "qwen \"prod\"");
  // Everything else is byte for byte what the upstream sent.
  EXPECT_EQ(v.at("choices").at(0).at("message").at("content").as_string(), "hi \"model\": x");
  EXPECT_EQ(boost::json::parse(kVllm).at("id"), v.at("id"));
}

TEST(RewriteResponse, DeclinesWhatNeedsTheFullParser) {
  EXPECT_FALSE(rewrite_response(R"({"model":"m","choices":[]})", "p"));              // no usage
  EXPECT_FALSE(rewrite_response(R"({"model":"m","usage":null})", "p"));              // null usage
  EXPECT_FALSE(rewrite_response(R"({"usage":{"prompt_tokens":1}})", "p"));           // no model
  EXPECT_FALSE(rewrite_response(R"({"model":"a\/b","usage":{}})", "p"));             // escapes
  EXPECT_FALSE(rewrite_response(R"({"error":{"message":"x"},"model":"m","usage":{}})", "p"));
  EXPECT_FALSE(rewrite_response(R"({"object":"error","model":"m","usage":{}})", "p"));
  EXPECT_FALSE(rewrite_response(R"({"model":"m","usage":{})", "p"));               // truncated
  EXPECT_FALSE(rewrite_response(R"([1,2])", "p"));
  // More than one JSON value: the bytes after the first would reach the client unread.
  EXPECT_FALSE(rewrite_response(R"({"model":"m","usage":{}} {"x":1})", "p"));
  EXPECT_TRUE(rewrite_response(R"({"model":"m","usage":{}})" "\n", "p"));
}

TEST(RewriteResponse, IgnoresNestedModelKeys) {
  auto r = rewrite_response(
      R"({"data":[{"model":"inner"}],"model":"outer","usage":{"prompt_tokens":3}})", "pub");
  ASSERT_TRUE(r);
  const auto v = boost::json::parse(r->raw);
  EXPECT_EQ(v.at("model").as_string(), "pub");
  EXPECT_EQ(v.at("data").at(0).at("model").as_string(), "inner");
  EXPECT_EQ(r->usage->prompt_tokens, 3);
  EXPECT_EQ(r->usage->completion_tokens, 0);
}

}  // namespace
}  // namespace plinth::providers
