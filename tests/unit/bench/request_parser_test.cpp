#include "../../../bench/mock-upstream/request_parser.h"

#include <gtest/gtest.h>

namespace plinth::bench {
namespace {

using Status = RequestParser::Status;

TEST(BenchRequestParser, ContentLengthRequestWithOverrides) {
  const std::string wire =
      "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
      "X-Mock-TTFT-ms: 2.5\r\nx-mock-chunks: 64\r\nx-mock-chunk-gap-ms: 5\r\n"
      "x-mock-response-bytes: 1000\r\n\r\nbody";
  const std::string input = wire + "GET";  // the next request's first bytes
  RequestParser p;
  ASSERT_EQ(p.parse(input), Status::kComplete);
  const HttpRequest& r = p.request();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/v1/chat/completions");
  EXPECT_EQ(r.body, "body");
  EXPECT_TRUE(r.keep_alive);
  EXPECT_DOUBLE_EQ(r.overrides.ttft_ms, 2.5);
  EXPECT_EQ(r.overrides.chunks, 64);
  EXPECT_DOUBLE_EQ(r.overrides.chunk_gap_ms, 5);
  EXPECT_EQ(r.overrides.response_bytes, 1000);
  EXPECT_EQ(p.consumed(), wire.size());
}

TEST(BenchRequestParser, GrowingInputCompletesOnceTheBodyIsIn) {
  const std::string wire = "POST /v1/embeddings HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789";
  RequestParser p;
  for (size_t n = 1; n < wire.size(); ++n) {
    ASSERT_EQ(p.parse(std::string_view(wire).substr(0, n)), Status::kIncomplete) << n;
  }
  ASSERT_EQ(p.parse(wire), Status::kComplete);
  EXPECT_EQ(p.request().body, "0123456789");
  EXPECT_EQ(p.body_bytes_missing(wire.size()), 0u);
}

TEST(BenchRequestParser, ChunkedBodyIsDecodedAcrossSplits) {
  const std::string wire =
      "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\n{\"st\r\nb;name=v\r\nream\":true}\r\n0\r\nX-Trailer: 1\r\n\r\n";
  RequestParser p;
  for (size_t n = 1; n < wire.size(); ++n) {
    ASSERT_EQ(p.parse(std::string_view(wire).substr(0, n)), Status::kIncomplete) << n;
  }
  ASSERT_EQ(p.parse(wire), Status::kComplete);
  EXPECT_EQ(p.request().body, "{\"stream\":true}");
  EXPECT_EQ(p.consumed(), wire.size());
}

TEST(BenchRequestParser, LargeBodyWithinTheLimit) {
  const std::string body(3 << 20, 'x');
  const std::string wire =
      "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  RequestParser p(4 << 20);
  ASSERT_EQ(p.parse(std::string_view(wire).substr(0, 1000)), Status::kIncomplete);
  EXPECT_EQ(p.body_bytes_missing(1000), wire.size() - 1000);
  ASSERT_EQ(p.parse(wire), Status::kComplete);
  EXPECT_EQ(p.request().body.size(), body.size());
}

TEST(BenchRequestParser, BodyOverTheLimitIsTooLarge) {
  RequestParser p(100);
  EXPECT_EQ(p.parse("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n"), Status::kTooLarge);
  p.reset();
  EXPECT_EQ(p.parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n"),
            Status::kTooLarge);
}

TEST(BenchRequestParser, MalformedRequestsAreBad) {
  RequestParser p;
  EXPECT_EQ(p.parse("NONSENSE\r\n\r\n"), Status::kBad);
  p.reset();
  EXPECT_EQ(p.parse("GET / SPDY/3\r\n\r\n"), Status::kBad);
  p.reset();
  EXPECT_EQ(p.parse("GET / HTTP/1.1\r\nno colon\r\n\r\n"), Status::kBad);
  p.reset();
  EXPECT_EQ(p.parse("POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n"), Status::kBad);
}

TEST(BenchRequestParser, KeepAliveFollowsVersionAndConnection) {
  RequestParser p;
  ASSERT_EQ(p.parse("GET /v1/models HTTP/1.0\r\n\r\n"), Status::kComplete);
  EXPECT_FALSE(p.request().keep_alive);
  p.reset();
  ASSERT_EQ(p.parse("GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n"), Status::kComplete);
  EXPECT_FALSE(p.request().keep_alive);
  p.reset();
  ASSERT_EQ(p.parse("GET /v1/models HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
            Status::kComplete);
  EXPECT_TRUE(p.request().keep_alive);
}

TEST(BenchRequestParser, ExpectContinueIsOfferedOnce) {
  RequestParser p;
  const std::string head = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
  ASSERT_EQ(p.parse(head), Status::kIncomplete);
  EXPECT_TRUE(p.take_continue());
  EXPECT_FALSE(p.take_continue());
  EXPECT_EQ(p.parse(head + "{}"), Status::kComplete);
}

}  // namespace
}  // namespace plinth::bench
