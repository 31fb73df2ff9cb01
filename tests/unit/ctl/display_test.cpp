#include "ctl/display.h"

#include "ctl/json_print.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace plinth::ctl {
namespace {

using boost::json::parse;

TEST(DisplayText, ShowsScalarsListsAndAbsence) {
  auto v = parse(R"({"s":"x","n":3,"d":0.25,"b":true,"z":null,"l":["a","b"],"e":[],
                     "o":{"k":1}})");
  const auto& o = v.as_object();
  EXPECT_EQ(display_field(o, "s"), "x");
  EXPECT_EQ(display_field(o, "n"), "3");
  EXPECT_EQ(display_field(o, "d"), "0.25");
  EXPECT_EQ(display_field(o, "b"), "true");
  EXPECT_EQ(display_field(o, "z"), "-");
  EXPECT_EQ(display_field(o, "missing"), "-");
  EXPECT_EQ(display_field(o, "l"), "a, b");
  EXPECT_EQ(display_field(o, "e"), "-");
  EXPECT_EQ(display_field(o, "o"), R"({"k":1})");
  EXPECT_EQ(display_text(&v), compact_json(v));
  EXPECT_EQ(display_field(parse("[1]"), "s"), "-");
}

TEST(ReleaseSummary, ReadsAsOneLine) {
  EXPECT_EQ(release_summary(parse(R"({"stable":"v1","canaries":[],"state":"active"})")),
            "stable v1");
  EXPECT_EQ(release_summary(parse(R"({"stable":"v1","canaries":[{"version":"v2","percent":10,
      "match":{"groups":["beta","qa"],"users":[],"tenants":[],"projects":[]}}],
      "state":"paused","offline":["v0"]})")),
            "stable v1, canary v2 10% (groups beta,qa), paused, offline v0");
  EXPECT_EQ(release_summary(parse("null")), "none");
  EXPECT_EQ(release_summary(parse(R"({"stable":null})")), "stable -");
}

TEST(FormatRate, IsAPercentWithTwoDecimals) {
  EXPECT_EQ(format_rate(0.0123), "1.23%");
  EXPECT_EQ(format_rate(0), "0.00%");
}

TEST(PrettyJson, IndentsAndKeepsOrderAndNumbers) {
  EXPECT_EQ(pretty_json(parse(R"({"b":[1,0.1,3.0,-2,18446744073709551615],"a":{},"c":[],
                                  "d":"q\"x","e":null,"f":false})")),
            "{\n"
            "  \"b\": [\n"
            "    1,\n"
            "    0.1,\n"
            "    3.0,\n"
            "    -2,\n"
            "    18446744073709551615\n"
            "  ],\n"
            "  \"a\": {},\n"
            "  \"c\": [],\n"
            "  \"d\": \"q\\\"x\",\n"
            "  \"e\": null,\n"
            "  \"f\": false\n"
            "}\n");
}

TEST(CompactJson, IsOneLineWithShortestNumbers) {
  EXPECT_EQ(compact_json(parse(R"({"temperature": 0.5, "stop": ["a", "b"], "n": {}})")),
            R"({"temperature":0.5,"stop":["a","b"],"n":{}})");
}

}  // namespace
}  // namespace plinth::ctl
