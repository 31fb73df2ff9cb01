#include "../../../bench/loadgen/sse_stream_check.h"

#include <gtest/gtest.h>

#include "../../../bench/loadgen/http_response_parser.h"
#include "../../../bench/mock-upstream/responses.h"

namespace plinth::bench {
namespace {

std::string event(std::string_view data) { return "data: " + std::string(data) + "\n\n"; }

std::string chat_chunk(int seq, bool last = false) {
  return event(R"({"choices":[{"index":0,"delta":{"content":"tok)" + std::to_string(seq) +
               R"( "},"finish_reason":)" + (last ? "\"stop\"" : "null") + "}]}");
}

TEST(BenchSseStreamCheck, CountsAnInOrderStream) {
  SseStreamCheck s;
  s.feed(chat_chunk(0) + chat_chunk(1) + chat_chunk(2, true));
  s.feed(event(R"({"choices":[],"usage":{"completion_tokens":3}})") + event("[DONE]"));
  EXPECT_EQ(s.events(), 4u);
  EXPECT_EQ(s.chunks(), 3u);
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.malformed());
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_EQ(s.reordered(), 0u);
}

TEST(BenchSseStreamCheck, FindsLostChunksInTheMiddleAndAtTheEnd) {
  SseStreamCheck middle;
  middle.feed(chat_chunk(0) + chat_chunk(2) + chat_chunk(3, true) + event("[DONE]"));
  EXPECT_EQ(middle.lost(), 1u);

  SseStreamCheck tail;  // the chunk with finish_reason never came; usage says 4
  tail.feed(chat_chunk(0) + chat_chunk(1));
  tail.feed(event(R"({"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":4}})"));
  tail.feed(event("[DONE]"));
  EXPECT_EQ(tail.lost(), 2u);
  EXPECT_EQ(tail.lost(6), 4u);  // an explicit expectation wins
}

TEST(BenchSseStreamCheck, CountsReorderedAndDuplicatedChunks) {
  SseStreamCheck s;
  s.feed(chat_chunk(0) + chat_chunk(2) + chat_chunk(1) + chat_chunk(1) + chat_chunk(3, true));
  EXPECT_EQ(s.reordered(), 2u);
  EXPECT_EQ(s.lost(), 0u);
}

TEST(BenchSseStreamCheck, CoalescedContentCarriesSeveralSequenceNumbers) {
  SseStreamCheck s;  // a proxy that merged chunks 0..2 into one event
  s.feed(event(R"({"choices":[{"delta":{"content":"tok0 tok1 tok2 "},"finish_reason":"stop"}]})"));
  EXPECT_EQ(s.chunks(), 3u);
  EXPECT_EQ(s.lost(), 0u);
}

TEST(BenchSseStreamCheck, HandlesCrLfMultiLineDataAndComments) {
  SseStreamCheck s;
  s.feed(
      ": keep-alive\r\n\r\nevent: message\r\ndata: {\"text\":\"tok0 \",\r\ndata: \"x\":1}\r\n\r\n");
  EXPECT_EQ(s.events(), 1u);
  EXPECT_EQ(s.chunks(), 1u);
  EXPECT_FALSE(s.done());
}

TEST(BenchSseStreamCheck, DataAfterDoneIsMalformed) {
  SseStreamCheck s;
  s.feed(event("[DONE]") + chat_chunk(0));
  EXPECT_TRUE(s.malformed());
}

TEST(BenchSseStreamCheck, ResetForgetsThePreviousStream) {
  SseStreamCheck s;
  s.feed(chat_chunk(0) + chat_chunk(5) + event("[DONE]"));
  s.reset();
  s.feed(chat_chunk(0) + chat_chunk(1, true) + event("[DONE]"));
  EXPECT_EQ(s.chunks(), 2u);
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_EQ(s.reordered(), 0u);
}

// The mock's own stream, as it goes on the wire, parsed back split at every byte boundary.
TEST(BenchSseStreamCheck, MockStreamRoundTripsThroughTheResponseParserAtAnySplit) {
  for (ApiKind kind : {ApiKind::kChat, ApiKind::kCompletion}) {
    const StreamWriter writer(kind, "m");
    std::string wire(kStreamHead);
    for (uint64_t i = 0; i < 5; ++i) writer.append_chunk(wire, i, 5);
    writer.append_end(wire, 7, 5);
    for (size_t split = 1; split < wire.size(); split += 7) {
      HttpResponseParser p;
      size_t used = 0;
      ASSERT_EQ(p.feed(std::string_view(wire).substr(0, split), &used),
                HttpResponseParser::Status::kIncomplete);
      ASSERT_EQ(p.feed(std::string_view(wire).substr(split), &used),
                HttpResponseParser::Status::kComplete)
          << "split at " << split;
      EXPECT_EQ(used, wire.size() - split);
      EXPECT_TRUE(p.event_stream());
      EXPECT_EQ(p.sse().chunks(), 5u);
      EXPECT_EQ(p.sse().events(), 6u);  // 5 chunks and the usage event
      EXPECT_TRUE(p.sse().done());
      EXPECT_EQ(p.sse().lost(), 0u);
    }
  }
}

TEST(BenchSseStreamCheck, MockStreamCutShortLosesItsTail) {
  const StreamWriter writer(ApiKind::kChat, "m");
  std::string body;
  for (uint64_t i = 0; i < 3; ++i) writer.append_chunk(body, i, 8);  // 3 of 8, no usage
  HttpResponseParser p;
  size_t used = 0;
  p.feed(std::string(kStreamHead) + body, &used);
  EXPECT_FALSE(p.sse().done());
  EXPECT_EQ(p.sse().lost(8), 5u);
}

}  // namespace
}  // namespace plinth::bench
