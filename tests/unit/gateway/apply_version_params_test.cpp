#include "gateway/stages/apply_version_params.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace plinth::gateway {
namespace {

namespace json = boost::json;

struct Fixture {
  registry::VersionRoute version;
  Exchange ex;
  Fixture(std::string_view defaults, std::string_view maxima, std::string_view body) {
    version.name = "v2";
    version.default_params = json::parse(defaults).as_object();
    version.max_params = json::parse(maxima).as_object();
    ex.version = &version;
    ex.request.set_body(json::parse(body).as_object());
    if (const auto* m = ex.request.body().if_contains("max_tokens")) {
      ex.request.max_tokens = m->to_number<std::int64_t>();
    }
  }
  Status run() { return ApplyVersionParams().on_request(ex); }
};

TEST(ApplyVersionParams, DefaultsFillOnlyWhatTheRequestLeavesOut) {
  Fixture f(R"({"temperature":0.2,"top_p":0.9})", "{}",
            R"({"messages":[],"temperature":1.1})");
  ASSERT_TRUE(f.run().ok());
  EXPECT_EQ(f.ex.request.body().at("temperature").as_double(), 1.1);
  EXPECT_EQ(f.ex.request.body().at("top_p").as_double(), 0.9);
}

TEST(ApplyVersionParams, MaximaLowerLargerValuesAndBoundAMissingMaxTokens) {
  Fixture over(R"({})", R"({"max_tokens":256,"temperature":1.0})",
               R"({"messages":[],"max_tokens":4096,"temperature":1.5})");
  ASSERT_TRUE(over.run().ok());
  EXPECT_EQ(over.ex.request.body().at("max_tokens").as_int64(), 256);
  EXPECT_EQ(over.ex.request.max_tokens, 256);
  EXPECT_EQ(over.ex.request.temperature, 1.0);

  Fixture missing(R"({})", R"({"max_tokens":256})", R"({"messages":[]})");
  ASSERT_TRUE(missing.run().ok());
  EXPECT_EQ(missing.ex.request.max_tokens, 256);

  Fixture under(R"({})", R"({"max_tokens":256})", R"({"messages":[],"max_tokens":10})");
  ASSERT_TRUE(under.run().ok());
  EXPECT_EQ(under.ex.request.max_tokens, 10);
}

TEST(ApplyVersionParams, MaxCompletionTokensIsCappedLikeMaxTokens) {
  Fixture f(R"({"max_tokens":100})", R"({"max_tokens":50})",
            R"({"messages":[],"max_completion_tokens":500})");
  ASSERT_TRUE(f.run().ok());
  EXPECT_FALSE(f.ex.request.body().contains("max_tokens"));  // the default does not add a second
  EXPECT_EQ(f.ex.request.body().at("max_completion_tokens").as_int64(), 50);
  EXPECT_EQ(f.ex.request.max_tokens, 50);
}

}  // namespace
}  // namespace plinth::gateway
