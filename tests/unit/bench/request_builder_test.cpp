#include "../../../bench/loadgen/request_builder.h"

#include <gtest/gtest.h>

namespace plinth::bench {
namespace {

TEST(BenchRequestBuilder, GeneratedBodiesHaveTheAskedSizeAndShape) {
  const std::string chat = generated_body("/v1/chat/completions", "m", 1000, false);
  EXPECT_EQ(chat.size(), 1000u);
  EXPECT_TRUE(chat.starts_with(R"({"model":"m","max_tokens":16,"messages":[{"role":"user")"));
  EXPECT_TRUE(chat.ends_with("\"}]}"));

  const std::string stream = generated_body("/v1/chat/completions", "m", 1 << 20, true);
  EXPECT_EQ(stream.size(), 1u << 20);
  EXPECT_NE(stream.find(R"("stream":true)"), std::string::npos);

  EXPECT_NE(generated_body("/v1/completions", "m", 200, false).find("\"prompt\""),
            std::string::npos);
  EXPECT_NE(generated_body("/v1/embeddings", "m", 200, false).find("\"input\""), std::string::npos);
  // Smaller than the skeleton: still a whole body.
  EXPECT_TRUE(generated_body("/v1/chat/completions", "m", 1, false).ends_with("}]}"));
}

TEST(BenchRequestBuilder, RequestCarriesHostLengthAndHeaders) {
  const std::string r = build_request("POST", "/v1/chat/completions", "127.0.0.1:8080",
                                      {"Authorization: Bearer k"}, "{}");
  EXPECT_EQ(r,
            "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\n"
            "Authorization: Bearer k\r\n\r\n{}");
  const std::string typed = build_request("POST", "/", "h", {"content-type: text/plain"}, "x");
  EXPECT_EQ(typed.find("application/json"), std::string::npos);
  EXPECT_EQ(build_request("GET", "/v1/models", "h", {}, ""),
            "GET /v1/models HTTP/1.1\r\nHost: h\r\n\r\n");
}

}  // namespace
}  // namespace plinth::bench
