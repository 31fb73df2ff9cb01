#include "../../../bench/mock-upstream/responses.h"

#include <gtest/gtest.h>

namespace plinth::bench {
namespace {

TEST(BenchMockResponses, PlainBodiesHaveAboutTheAskedSize) {
  for (size_t size : {300u, 1000u, 100000u}) {
    const std::string chat = completion_body(ApiKind::kChat, "mock", size);
    EXPECT_NEAR(static_cast<double>(chat.size()), static_cast<double>(size), 4) << size;
    EXPECT_NE(chat.find(R"("object":"chat.completion")"), std::string::npos);
    const std::string text = completion_body(ApiKind::kCompletion, "mock", size);
    EXPECT_NEAR(static_cast<double>(text.size()), static_cast<double>(size), 4) << size;
  }
}

TEST(BenchMockResponses, PreparedResponseFramesItsBody) {
  const PreparedResponse r = prepare_response(200, "application/json", "{}");
  EXPECT_EQ(r.head(),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(r.body(), "{}");
  EXPECT_NE(prepare_response(413, "text/plain", "", true).head().find("Connection: close"),
            std::string_view::npos);
}

TEST(BenchMockResponses, StreamChunksAreFramedAndNumbered) {
  const StreamWriter writer(ApiKind::kChat, "mock");
  std::string out;
  writer.append_chunk(out, 0, 2);
  const size_t crlf = out.find("\r\n");
  const size_t size = std::stoul(out.substr(0, crlf), nullptr, 16);
  EXPECT_EQ(out.size(), crlf + 2 + size + 2);
  EXPECT_NE(out.find(R"("role":"assistant","content":"tok0 ")"), std::string::npos);
  EXPECT_NE(out.find(R"("finish_reason":null)"), std::string::npos);
  out.clear();
  writer.append_chunk(out, 1, 2);
  EXPECT_NE(out.find(R"("content":"tok1 ")"), std::string::npos);
  EXPECT_NE(out.find(R"("finish_reason":"stop")"), std::string::npos);
  out.clear();
  writer.append_end(out, 5, 2);
  EXPECT_NE(out.find(R"("choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2)"),
            std::string::npos);
  EXPECT_TRUE(out.ends_with("data: [DONE]\n\n\r\n0\r\n\r\n"));
}

TEST(BenchMockResponses, EmbeddingsHaveOneVectorPerInput) {
  const std::string body = embeddings_body("mock", 3, 4);
  size_t vectors = 0;
  for (size_t at = body.find("\"embedding\":["); at != std::string::npos;
       at = body.find("\"embedding\":[", at + 1)) {
    ++vectors;
  }
  EXPECT_EQ(vectors, 3u);
}

}  // namespace
}  // namespace plinth::bench
