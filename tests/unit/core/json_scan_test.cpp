#include "core/json_scan.h"

#include <boost/json/basic_parser_impl.hpp>
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace plinth {
namespace {

// The events of a scan as one string, the same for both readers.
struct Log {
  std::string text;
  void add(std::string_view s) { text.append(s).push_back(' '); }
  void number(const char* tag, double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%.15g", tag, d);
    add(buf);
  }
  void integer(const char* tag, long long i) { add(tag + std::to_string(i)); }
  void unsigned_integer(unsigned long long u) { add("u" + std::to_string(u)); }
};

struct OurHandler {
  Log log;
  bool on_object_begin() { return log.add("{"), true; }
  bool on_object_end() { return log.add("}"), true; }
  bool on_array_begin() { return log.add("["), true; }
  bool on_array_end() { return log.add("]"), true; }
  bool on_key(std::string_view k) { return log.add("k:" + std::string(k)), true; }
  bool on_string(std::string_view s) { return log.add("s:" + std::string(s)), true; }
  bool on_int64(std::int64_t i) { return log.integer("i", i), true; }
  bool on_uint64(std::uint64_t u) { return log.unsigned_integer(u), true; }
  bool on_double(double d) { return log.number("d", d), true; }
  bool on_bool(bool b) { return log.add(b ? "true" : "false"), true; }
  bool on_null() { return log.add("null"), true; }
};

struct BoostHandler {
  using ec_t = boost::json::error_code;
  using sv = boost::json::string_view;
  constexpr static std::size_t max_object_size = std::size_t(-1);
  constexpr static std::size_t max_array_size = std::size_t(-1);
  constexpr static std::size_t max_key_size = std::size_t(-1);
  constexpr static std::size_t max_string_size = std::size_t(-1);
  Log log;
  std::string part;
  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_object_begin(ec_t&) { return log.add("{"), true; }
  bool on_object_end(std::size_t, ec_t&) { return log.add("}"), true; }
  bool on_array_begin(ec_t&) { return log.add("["), true; }
  bool on_array_end(std::size_t, ec_t&) { return log.add("]"), true; }
  bool on_key_part(sv s, std::size_t, ec_t&) { return part.append(s.data(), s.size()), true; }
  bool on_key(sv s, std::size_t, ec_t&) {
    log.add("k:" + part + std::string(s.data(), s.size()));
    part.clear();
    return true;
  }
  bool on_string_part(sv s, std::size_t, ec_t&) { return part.append(s.data(), s.size()), true; }
  bool on_string(sv s, std::size_t, ec_t&) {
    log.add("s:" + part + std::string(s.data(), s.size()));
    part.clear();
    return true;
  }
  bool on_number_part(sv, ec_t&) { return true; }
  bool on_int64(std::int64_t i, sv, ec_t&) { return log.integer("i", i), true; }
  bool on_uint64(std::uint64_t u, sv, ec_t&) { return log.unsigned_integer(u), true; }
  bool on_double(double d, sv, ec_t&) { return log.number("d", d), true; }
  bool on_bool(bool b, ec_t&) { return log.add(b ? "true" : "false"), true; }
  bool on_null(ec_t&) { return log.add("null"), true; }
  bool on_comment_part(sv, ec_t&) { return true; }
  bool on_comment(sv, ec_t&) { return true; }
};

struct Result {
  bool ok;
  std::string events;  // only when ok
};

Result ours(std::string_view in, int max_depth = 32) {
  OurHandler h;
  const bool ok = scan_json(in, h, max_depth);
  return {ok, ok ? h.log.text : std::string()};
}

// basic_parser as the callers used it: one value, then only whitespace.
Result boosts(std::string_view in, int max_depth = 32) {
  boost::json::parse_options opts;
  opts.max_depth = static_cast<std::size_t>(max_depth);
  boost::json::basic_parser<BoostHandler> parser{opts};
  boost::json::error_code ec;
  const std::size_t used = parser.write_some(false, in.data(), in.size(), ec);
  bool ok = !ec && parser.done();
  for (std::size_t i = used; ok && i < in.size(); ++i) {
    ok = in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r';
  }
  return {ok, ok ? parser.handler().log.text : std::string()};
}

void expect_same(std::string_view in, int max_depth = 32) {
  const Result a = ours(in, max_depth);
  const Result b = boosts(in, max_depth);
  EXPECT_EQ(a.ok, b.ok) << "input: " << in;
  EXPECT_EQ(a.events, b.events) << "input: " << in;
}

const std::vector<std::string>& valid_documents() {
  static const std::vector<std::string> docs = {
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"tok0 "},"logprobs":null,"finish_reason":null}]})",
      R"({"model": "qwen", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "你好，世界 🌍"}], "temperature": 0.7, "max_tokens": 64, "stream": true, "stream_options": {"include_usage": true}})",
      R"({"choices":[],"usage":{"prompt_tokens":27,"completion_tokens":3,"total_tokens":30}})",
      R"(  [1, -1, 0, -0, 0.5, -0.25, 1e3, 1E-3, 2.5e+10, 123456789012345678, 9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551615, 18446744073709551616, -9223372036854775809, 1.7976931348623157e308]  )",
      R"({"esc":"a\"b\\c\/d\be\ff\ng\rh\ti\u0041\u00e9\u4f60\ud83d\ude00","k\u0065y":1,"":"","\"":null})",
      R"({"nested":{"a":[[],[{}],{"b":[true,false,null]}]}})",
      "\"just a string\"",
      "42",
      "true",
      "null",
      "\t\r\n {\"a\" : 1 , \"b\" :[ 1 , 2 ] }\n",
      R"({"dup":1,"dup":2})",
      R"({"long":")" + std::string(100, 'x') + "\\n" + std::string(37, 'y') + "é" +
          std::string(20, 'z') + R"("})",
  };
  return docs;
}

TEST(ScanJson, AgreesWithBoostOnValidDocuments) {
  for (const std::string& d : valid_documents()) {
    EXPECT_TRUE(ours(d).ok) << d;
    expect_same(d);
  }
}

TEST(ScanJson, RejectsWhatBoostRejects) {
  const std::vector<std::string> bad = {
      "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":1 \"b\":2}",
      "[1 2]", "01", "-", "1.", ".5", "1e", "1e+", "+1", "-01", "0x10", "NaN", "Infinity",
      "tru", "nul", "falsey", "truex", "[true false]", "{} {}", "1 2", "\"abc", "\"a\\x\"",
      "\"a\\u12\"", "\"a\\u12g4\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
      "\"\\ud800x\"", std::string("\"a\x01\""), std::string("\"a\nb\""), "\"\xc0\xaf\"",
      "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xc3\"", "\"\xe4\xbd\"",
      "\"\xff\"", "\"\x80\"", "[\"\xf0\x9f\x98\"]", "// c\n1", "/* c */ 1", "[1]/",
      std::string("[1]\0", 4), "{\"a\":1}}",
  };
  for (const std::string& d : bad) {
    EXPECT_FALSE(ours(d).ok) << d;
    expect_same(d);
  }
}

TEST(ScanJson, NumbersBeyondDoubleRangeAreLeftToTheSlowerPaths) {
  EXPECT_FALSE(ours("1e400").ok);
  EXPECT_FALSE(ours("[-1e999]").ok);
  EXPECT_TRUE(boosts("1e400").ok);  // basic_parser gives infinity
}

TEST(ScanJson, DepthLimitIsBoosts) {
  for (int depth : {1, 2, 31, 32, 33, 64, 65}) {
    const std::string arrays = std::string(depth, '[') + std::string(depth, ']');
    std::string objects;
    for (int i = 0; i < depth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(depth, '}');
    for (int limit : {32, 64}) {
      expect_same(arrays, limit);
      expect_same(objects, limit);
      EXPECT_EQ(ours(arrays, limit).ok, depth <= limit) << depth << " " << limit;
    }
  }
}

TEST(ScanJson, AHandlerThatStopsFailsTheScan) {
  struct Stop : OurHandler {
    bool on_key(std::string_view k) { return k != "stop"; }
  } h;
  EXPECT_TRUE(scan_json(R"({"go":1})", h));
  EXPECT_FALSE(scan_json(R"({"go":1,"stop":2})", h));
}

TEST(ScanJson, EscapedStringsArriveResolvedAndOthersAsViewsOfTheInput) {
  const std::string in = R"({"plain":"abc","esc":"a\nb"})";
  struct Views : OurHandler {
    std::string_view input;
    std::vector<std::pair<std::string, bool>> strings;  // text, in the input
    bool on_string(std::string_view s) {
      const bool inside =
          s.data() >= input.data() && s.data() + s.size() <= input.data() + input.size();
      strings.emplace_back(std::string(s), inside);
      return true;
    }
  } h;
  h.input = in;
  ASSERT_TRUE(scan_json(in, h));
  ASSERT_EQ(h.strings.size(), 2u);
  EXPECT_EQ(h.strings[0], (std::pair<std::string, bool>{"abc", true}));
  EXPECT_EQ(h.strings[1], (std::pair<std::string, bool>{"a\nb", false}));
}

// Every valid document, cut and changed a byte at a time at random places: both readers
// must accept and reject the same inputs and report the same events.
TEST(ScanJson, AgreesWithBoostOnMutatedDocuments) {
  std::mt19937 rng(20261207);
  const std::string alphabet = std::string("{}[]\":,.-+eE0123456789 \\/ubfnrtx\n\x01") +
                               "\xc3\xa9\xe4\xbd\xa0\xed\xa0\x80\xf0\x9f\x98\x80\xff";
  int accepted = 0, rejected = 0;
  for (const std::string& doc : valid_documents()) {
    for (int round = 0; round < 400; ++round) {
      std::string m = doc;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits && !m.empty(); ++e) {
        const std::size_t at = rng() % m.size();
        const char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 4) {
          case 0: m.erase(at, 1); break;
          case 1: m.insert(m.begin() + static_cast<long>(at), c); break;
          case 2: m[at] = c; break;
          default: m.resize(at); break;
        }
      }
      const Result a = ours(m);
      const Result b = boosts(m);
      // Out of double's range the readers differ by design (see the test above).
      if (!a.ok && b.ok && b.events.find("dinf") != std::string::npos) continue;
      if (!a.ok && b.ok && b.events.find("d-inf") != std::string::npos) continue;
      ASSERT_EQ(a.ok, b.ok) << "input: " << m;
      ASSERT_EQ(a.events, b.events) << "input: " << m;
      ++(a.ok ? accepted : rejected);
    }
  }
  // Both kinds were exercised.
  EXPECT_GT(accepted, 200);
  EXPECT_GT(rejected, 2000);
}

}  // namespace
}  // namespace plinth
