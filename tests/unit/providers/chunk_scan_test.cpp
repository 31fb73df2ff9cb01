// The chunk scan's contract: whenever scan_chunk accepts an event, its output is the event
// with "model" set to the public model (as the tree path writes it), and its facts are what
// the tree path would read (usage, usage-only, token estimate, finish). Recorded streams of
// real upstreams must take the scan, and mutated events must never break the contract.
#include "providers/chunk_scan.h"

#include "core/json_text.h"
#include "gateway/usage_estimate.h"
#include "recorded_data.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <random>
#include <string>
#include <vector>

namespace plinth::providers {
namespace {

namespace json = boost::json;
using testing::read_data;
using testing::sse_data;

constexpr std::string_view kPublic = "pub\"lic-é";

// What the tree path decides about an event that parses to an object.
struct TreeView {
  json::object chunk;
  std::optional<Usage> usage;
  bool usage_member = false;
  bool usage_only = false;
  std::int64_t tokens = 0;
  bool finished = false;
};

std::optional<TreeView> tree_view(std::string_view data) {
  json::error_code ec;
  json::value v = json::parse(data, ec);
  if (ec || !v.is_object()) return std::nullopt;
  TreeView t;
  t.chunk = std::move(v.get_object());
  if (const json::value* u = t.chunk.if_contains("usage")) {
    t.usage_member = true;
    if (u->is_object()) {
      Usage usage;
      if (const auto* p = u->get_object().if_contains("prompt_tokens"))
        usage.prompt_tokens = json_integer_or(*p, 0);
      if (const auto* c = u->get_object().if_contains("completion_tokens"))
        usage.completion_tokens = json_integer_or(*c, 0);
      t.usage = usage;
      const json::value* choices = t.chunk.if_contains("choices");
      t.usage_only = !choices || (choices->is_array() && choices->get_array().empty());
    }
  }
  t.tokens = gateway::estimate_chunk_tokens(t.chunk);
  t.finished = t.usage.has_value();
  if (const json::value* choices = t.chunk.if_contains("choices"); choices && choices->is_array()) {
    for (const json::value& c : choices->get_array()) {
      const json::value* fr = c.is_object() ? c.get_object().if_contains("finish_reason") : nullptr;
      if (fr && !fr->is_null()) t.finished = true;
    }
  }
  t.chunk["model"] = kPublic;
  return t;
}

// The contract for one event, in one mode; returns whether the scan accepted it.
bool check_mode(const std::string& data, bool keep_null_usage) {
  std::string out;
  ScannedChunk scanned;
  const bool accepted = scan_chunk(data, kPublic, keep_null_usage, out, scanned);
  if (!accepted) return false;
  std::optional<TreeView> tree = tree_view(data);
  if (tree && !keep_null_usage) {
    // What the relay's tree path sends a client that did not ask for usage.
    if (const json::value* u = tree->chunk.if_contains("usage"); u && u->is_null()) {
      tree->chunk.erase("usage");
      tree->usage_member = false;
    }
  }
  EXPECT_TRUE(tree) << "accepted an event the tree path cannot read: " << data;
  if (!tree) return true;
  json::error_code ec;
  const json::value spliced = json::parse(out, ec);
  EXPECT_FALSE(ec) << out;
  EXPECT_EQ(spliced, json::value(tree->chunk)) << data << "\n -> " << out;
  const ChunkFacts& f = scanned.facts;
  EXPECT_EQ(f.usage.has_value(), tree->usage.has_value()) << data;
  if (f.usage && tree->usage) {
    EXPECT_EQ(f.usage->prompt_tokens, tree->usage->prompt_tokens) << data;
    EXPECT_EQ(f.usage->completion_tokens, tree->usage->completion_tokens) << data;
  }
  EXPECT_EQ(f.usage_member, tree->usage_member) << data;
  EXPECT_EQ(f.usage_only, tree->usage_only) << data;
  EXPECT_EQ(f.text_tokens, tree->tokens) << data;
  EXPECT_EQ(scanned.finished, tree->finished) << data;
  return true;
}

// Both modes must agree on whether the event is plain.
bool check(const std::string& data) {
  const bool keep = check_mode(data, true);
  const bool cut = check_mode(data, false);
  EXPECT_EQ(keep, cut) << data;
  return keep;
}

std::vector<std::string> recorded_events() {
  std::vector<std::string> events;
  for (const char* file : {"vllm/chat_stream.sse", "vllm/chat_stream_tool_calls.sse",
                           "openai/chat_stream.sse", "vllm/chat_stream_truncated.sse"}) {
    for (std::string& d : sse_data(read_data(file))) {
      if (d != "[DONE]") events.push_back(std::move(d));
    }
  }
  return events;
}

TEST(ChunkScan, RecordedStreamsOfRealUpstreamsTakeTheScan) {
  const std::vector<std::string> events = recorded_events();
  ASSERT_GT(events.size(), 10u);
  for (const std::string& e : events) EXPECT_TRUE(check(e)) << "declined: " << e;
}

TEST(ChunkScan, ReadsUsageFinishAndTokensAndSplicesTheModel) {
  EXPECT_TRUE(check(R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"up",)"
                    R"("choices":[{"index":0,"delta":{"content":"hello wor\nld"},"finish_reason":null}],"usage":null})"));
  EXPECT_TRUE(check(R"({"id":"c1","model":"up","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":9,"total_tokens":12}})"));
  EXPECT_TRUE(check(R"({"id":"c1","model":"up","choices":[{"index":0,"text":" once","finish_reason":"length"}]})"));
  EXPECT_TRUE(check(R"({"id":"c1","choices":[{"delta":{"content":"no model"}}]})"));  // model added
  EXPECT_TRUE(check(R"({"model":"up","usage":{"prompt_tokens":1.0,"completion_tokens":18446744073709551615}})"));

  std::string out;
  ScannedChunk s;
  ASSERT_TRUE(scan_chunk(R"({"id":"c9","object":"chat.completion.chunk","created":42,"model":"up","choices":[]})",
                         "pub", true, out, s));
  EXPECT_EQ(out, R"({"id":"c9","object":"chat.completion.chunk","created":42,"model":"pub","choices":[]})");
  EXPECT_EQ(s.facts.id, "c9");
  EXPECT_EQ(s.facts.object, "chat.completion.chunk");
  EXPECT_EQ(s.facts.created, 42);
}

TEST(ChunkScan, CutsANullUsageWhereverItSitsForClientsThatDidNotAskForUsage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"usage":null,"model":"up","choices":[]})", R"({"model":"m","choices":[]})"},
      {R"({"model":"up", "usage" : null , "choices":[]})", R"({"model":"m",  "choices":[]})"},
      {R"({"model":"up","choices":[],"usage":null})", R"({"model":"m","choices":[]})"},
      {R"({"choices":[],"usage":null})", R"({"model":"m","choices":[]})"},
      {R"({"usage":null,"choices":[]})", R"({"model":"m","choices":[]})"},
  };
  for (const auto& [data, expected] : cases) {
    std::string out;
    ScannedChunk s;
    ASSERT_TRUE(scan_chunk(data, "m", /*keep_null_usage=*/false, out, s)) << data;
    EXPECT_EQ(out, expected) << data;
    EXPECT_FALSE(s.facts.usage_member) << data;
    ASSERT_TRUE(scan_chunk(data, "m", /*keep_null_usage=*/true, out, s)) << data;
    EXPECT_NE(out.find("null"), std::string::npos) << data;
    EXPECT_TRUE(s.facts.usage_member) << data;
  }
}

TEST(ChunkScan, CountsOnlyTextInChoiceObjects) {
  EXPECT_TRUE(check(R"({"model":"up","choices":[{"delta":{"content":"a"}},{"delta":["zzz"]}]})"));
  EXPECT_TRUE(check(R"({"model":"up","choices":[{"text":"a"},["b"]]})"));
  EXPECT_TRUE(check(R"({"model":"up","choices":{"x":{"text":"a"}}})"));
  EXPECT_TRUE(check(R"({"model":"up","choices":[["finish_reason","stop"]]})"));
}

TEST(ChunkScan, LeavesWhatItCannotPlaceToTheTreePath) {
  for (const char* data : {
           R"({"error":{"message":"boom"}})",
           R"({"object":"error","message":"boom"})",
           R"({"model":"up","model":"again","choices":[]})",
           R"({"model":"u\u0070","choices":[]})",
           R"({"model":7,"choices":[]})",
           R"({"model":"up","choices":[{"delta":{"content":[{"type":"text","text":"x"}]}}]})",
           R"({"model":"up","choices":[]} x)",
           R"({"model":"up","choices":[]}})",
           R"([{"model":"up"}])",
           R"({})",
           R"({"model":"up","choices":[)",
           "42",
       }) {
    std::string out;
    ScannedChunk s;
    EXPECT_FALSE(scan_chunk(data, kPublic, true, out, s)) << data;
  }
}

TEST(ChunkScan, MutatedEventsNeverBreakTheContract) {
  const std::vector<std::string> seeds = recorded_events();
  const std::vector<std::string> values = {"null", "true", "0", "-1", "1.5", "1e400", "\"x\"",
                                           "\"\\u00e9\\n\"", "[]", "{}", "[1,2]",
                                           "18446744073709551615"};
  std::mt19937 rng(20261127);
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string e = seeds[rng() % seeds.size()];
    const int rounds = 1 + static_cast<int>(rng() % 3);
    for (int r = 0; r < rounds && !e.empty(); ++r) {
      const std::size_t at = rng() % e.size();
      switch (rng() % 4) {
        case 0: e.erase(at, 1); break;
        case 1: e.insert(at, e.substr(at, 1 + rng() % 8)); break;
        case 2: {  // replace the value after a colon
          const std::size_t colon = e.find(':', at);
          if (colon == std::string::npos) break;
          std::size_t end = colon + 1;
          while (end < e.size() && e[end] != ',' && e[end] != '}' && e[end] != ']') ++end;
          e.replace(colon + 1, end - colon - 1, values[rng() % values.size()]);
          break;
        }
        default: e.insert(at, values[rng() % values.size()]); break;
      }
    }
    if (check(e)) ++accepted;
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "mutation " << i << ": " << e;
      return;
    }
  }
  EXPECT_GT(accepted, 100);  // the mutations leave plenty of valid chunks to compare
}

}  // namespace
}  // namespace plinth::providers
