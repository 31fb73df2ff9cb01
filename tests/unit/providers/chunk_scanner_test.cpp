// ChunkScanner's contract: for every event of a stream it answers exactly as scan_chunk does
// (accepted or not, the spliced bytes, every fact), whether it took the event as the last one
// with other text or parsed it. The texts tried cover what a JSON string may and may not
// hold: quotes, escapes, control characters, and UTF-8 well formed or not.
#include "providers/chunk_scan.h"

#include "recorded_data.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace plinth::providers {
namespace {

using testing::read_data;
using testing::sse_data;

constexpr std::string_view kPublic = "pub\"lic-é";

// One event through `scanner`, compared with scan_chunk on the same bytes.
void expect_same(ChunkScanner& scanner, const std::string& data, bool keep_null_usage) {
  std::string want_out;
  ScannedChunk want;
  const bool want_ok = scan_chunk(data, kPublic, keep_null_usage, want_out, want);
  std::string got_out;
  ScannedChunk got;
  const bool got_ok = scanner.scan(data, got_out, got);
  ASSERT_EQ(got_ok, want_ok) << data;
  if (!want_ok) return;
  EXPECT_EQ(got_out, want_out) << data;
  EXPECT_EQ(got.finished, want.finished) << data;
  const ChunkFacts& g = got.facts;
  const ChunkFacts& w = want.facts;
  EXPECT_EQ(g.usage.has_value(), w.usage.has_value()) << data;
  if (g.usage && w.usage) {
    EXPECT_EQ(g.usage->prompt_tokens, w.usage->prompt_tokens) << data;
    EXPECT_EQ(g.usage->completion_tokens, w.usage->completion_tokens) << data;
  }
  EXPECT_EQ(g.usage_member, w.usage_member) << data;
  EXPECT_EQ(g.usage_only, w.usage_only) << data;
  EXPECT_EQ(g.text_tokens, w.text_tokens) << data;
  EXPECT_EQ(g.id, w.id) << data;
  EXPECT_EQ(g.object, w.object) << data;
  EXPECT_EQ(g.created, w.created) << data;
  // The views point into this event, not into one before it.
  if (!g.id.empty()) {
    EXPECT_TRUE(g.id.data() >= data.data() && g.id.data() + g.id.size() <= data.data() + data.size());
  }
}

std::vector<std::string> stream_events(const char* file) {
  std::vector<std::string> events;
  for (std::string& d : sse_data(read_data(file))) {
    if (d != "[DONE]") events.push_back(std::move(d));
  }
  return events;
}

const char* const kStreams[] = {"vllm/chat_stream.sse", "vllm/chat_stream_tool_calls.sse",
                                "openai/chat_stream.sse", "vllm/chat_stream_truncated.sse"};

TEST(ChunkScanner, AnswersAsTheScanOnRecordedStreamsAndParsesFewOfTheirChunks) {
  for (const bool keep : {true, false}) {
    for (const char* file : kStreams) {
      ChunkScanner scanner(kPublic, keep);
      const std::vector<std::string> events = stream_events(file);
      for (const std::string& e : events) expect_same(scanner, e, keep);
      if (std::string_view(file) == "vllm/chat_stream.sse") {
        // Every text chunk after the first two (role, first text) is the one before with
        // other text; the finish and usage chunks are not.
        EXPECT_GE(scanner.reused() + 4, events.size()) << file;
      }
    }
  }
}

// A stream's chunk with `text` put in place of its content (raw bytes, no escaping).
std::string with_text(const std::string& chunk, std::string_view text) {
  const std::string key = "\"content\":\"";
  const std::size_t at = chunk.find(key) + key.size();
  const std::size_t end = chunk.find('"', at);
  std::string out = chunk;
  out.replace(at, end - at, text);
  return out;
}

// The scanner after it learned `chunk`, then the same chunk with `text`.
void expect_same_after(const std::string& chunk, std::string_view text) {
  for (const bool keep : {true, false}) {
    ChunkScanner scanner(kPublic, keep);
    expect_same(scanner, chunk, keep);
    expect_same(scanner, with_text(chunk, text), keep);
  }
}

std::string middle_chunk() {
  const std::vector<std::string> events = stream_events("vllm/chat_stream.sse");
  return events[2];
}

TEST(ChunkScanner, TextsOfEveryKindGetTheScansAnswer) {
  const std::string chunk = middle_chunk();
  ASSERT_NE(chunk.find("\"content\":\""), std::string::npos);
  const std::vector<std::string> texts = {
      "", "x", " world", "\\n", "a\\\"b", "\\u00e9", "\\ud83d\\ude00", "\\ud83d", "\\x",
      "\"", "a\"b", "\"}]}", std::string(1, '\0'), "\t", "\x1f", "\x7f", "中文",
      "é", "\xc3", "\xc3\x28", "\xe2\x82", "\xe2\x82\xac", "\xed\xa0\x80", "\xef\xbf\xbf",
      "\xf0\x9f\x98\x80", "\xf0\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xf4\x90\x80\x80",
      "\xc0\xaf", "\xe0\x80\xaf", "\xf8\x88\x80\x80\x80", "\xff", "\x80"};
  for (const std::string& t : texts) {
    SCOPED_TRACE(t);
    expect_same_after(chunk, t);
  }
}

TEST(ChunkScanner, EveryUtf8LeadByteWithBoundaryFollowersGetsTheScansAnswer) {
  const std::string chunk = middle_chunk();
  const unsigned char followers[] = {0x00, 0x22, 0x5c, 0x7f, 0x80, 0x8f, 0x90,
                                     0x9f, 0xa0, 0xbf, 0xc0, 0xff};
  const unsigned char tails[] = {0x41, 0x7f, 0x80, 0xbf, 0xc0};
  for (int lead = 0x80; lead <= 0xff; ++lead) {
    for (unsigned char a : followers) {
      for (unsigned char b : tails) {
        for (unsigned char c : tails) {
          const char bytes[] = {static_cast<char>(lead), static_cast<char>(a),
                                static_cast<char>(b), static_cast<char>(c)};
          for (std::size_t n = 1; n <= 4; ++n) {
            ChunkScanner scanner(kPublic, true);
            expect_same(scanner, chunk, true);
            expect_same(scanner, with_text(chunk, std::string_view(bytes, n)), true);
            if (::testing::Test::HasFailure()) {
              ADD_FAILURE() << "lead " << lead << " then " << int(a) << ' ' << int(b) << ' '
                            << int(c) << ", " << n << " bytes";
              return;
            }
          }
        }
      }
    }
  }
}

TEST(ChunkScanner, ChangesAroundTheTextTakeTheParse) {
  const std::string chunk = middle_chunk();
  std::mt19937 rng(20261207);
  const std::string bytes = "\"\\{}[],:0 anull\xc3\xa9";
  for (int i = 0; i < 3000; ++i) {
    std::string e = with_text(chunk, i % 2 ? "tok" : "another token");
    const std::size_t at = rng() % e.size();
    switch (rng() % 3) {
      case 0: e.erase(at, 1 + rng() % 3); break;
      case 1: e.insert(at, 1, bytes[rng() % bytes.size()]); break;
      default: e[at] = bytes[rng() % bytes.size()]; break;
    }
    ChunkScanner scanner(kPublic, i % 3 != 0);
    expect_same(scanner, chunk, i % 3 != 0);
    expect_same(scanner, e, i % 3 != 0);
    expect_same(scanner, with_text(chunk, "after"), i % 3 != 0);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "mutation " << i << ": " << e;
      return;
    }
  }
}

TEST(ChunkScanner, FactsAfterTheTextMoveWithIt) {
  // id and object after the choices: their place shifts with the text's length.
  const std::string chunk =
      R"({"created":7,"model":"up","choices":[{"index":0,"delta":{"content":"a"},)"
      R"("finish_reason":null}],"id":"c1","object":"chat.completion.chunk"})";
  for (const char* text : {"", "longer text", "é"}) {
    ChunkScanner scanner(kPublic, true);
    expect_same(scanner, chunk, true);
    expect_same(scanner, with_text(chunk, text), true);
    EXPECT_EQ(scanner.reused(), 1u) << text;
  }
}

}  // namespace
}  // namespace plinth::providers
