#include "core/json_text.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace plinth {
namespace {

TEST(AppendJsonString, EscapesWhatJsonRequiresAndRoundTrips) {
  const std::string input = std::string("a\"b\\c\nd\re\tf") + '\x01' + "g 你好";
  std::string out = "x=";
  append_json_string(out, input);
  EXPECT_EQ(out, "x=\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g 你好\"");
  EXPECT_EQ(boost::json::parse(out.substr(2)).as_string(), input);
}

TEST(AppendJsonString, PlainTextIsQuotedAsIs) {
  std::string out;
  append_json_string(out, "sim-chat");
  EXPECT_EQ(out, "\"sim-chat\"");
}

}  // namespace
}  // namespace plinth
