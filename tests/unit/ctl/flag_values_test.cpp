#include "ctl/flag_values.h"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace plinth::ctl {
namespace {

TEST(ParseInteger, AcceptsOnlyIntegersInRange) {
  EXPECT_EQ(*parse_integer("--weight", "7", 0, 1000), 7);
  auto bad = parse_integer("--weight", "1001", 0, 1000);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "--weight must be an integer from 0 to 1000, got '1001'");
  EXPECT_EQ(bad.error().field, "--weight");
  EXPECT_FALSE(parse_integer("--weight", "3x", 0, 1000).ok());
  EXPECT_FALSE(parse_integer("--weight", "", 0, 1000).ok());
}

TEST(ParseNumber, KeepsIntegersIntegral) {
  EXPECT_TRUE(parse_number("--percent", "10", 0, 100)->is_int64());
  EXPECT_EQ(parse_number("--percent", "2.5", 0, 100)->as_double(), 2.5);
  auto bad = parse_number("--percent", "120", 0, 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "--percent must be a number from 0 to 100, got '120'");
  EXPECT_FALSE(parse_number("--percent", "ten", 0, 100).ok());
}

TEST(ParseParam, ValueIsJsonWhenItParsesElseAString) {
  auto t = parse_param("--default-param", "temperature=0.7");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->first, "temperature");
  EXPECT_EQ(t->second.as_double(), 0.7);
  EXPECT_EQ(boost::json::serialize(parse_param("--x", "stop=[\"a\",\"b\"]")->second),
            R"(["a","b"])");
  EXPECT_EQ(parse_param("--x", "stop=END")->second.as_string(), "END");
  EXPECT_EQ(parse_param("--x", "seed=\"42\"")->second.as_string(), "42");
  EXPECT_EQ(parse_param("--x", "eq=a=b")->second.as_string(), "a=b");
  EXPECT_FALSE(parse_param("--x", "novalue").ok());
  EXPECT_FALSE(parse_param("--x", "=1").ok());
}

TEST(ParseEndpoint, SplitsTheWeight) {
  EXPECT_EQ(boost::json::serialize(*parse_endpoint("--endpoint", "http://h:8000/v1")),
            R"({"url":"http://h:8000/v1"})");
  EXPECT_EQ(boost::json::serialize(*parse_endpoint("--endpoint", "http://h/v1?a=1,2,weight=3")),
            R"({"url":"http://h/v1?a=1,2","weight":3})");
  auto bad = parse_endpoint("--endpoint", "http://h/v1,weight=-1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "--endpoint weight must be an integer from 0 to 1000, got '-1'");
  EXPECT_FALSE(parse_endpoint("--endpoint", ",weight=1").ok());
}

TEST(SecretFromEnv, NamesTheMissingVariable) {
  EnvLookup env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "SET") return "s3cret";
    if (n == "EMPTY") return "";
    return std::nullopt;
  };
  EXPECT_EQ(*secret_from_env("--api-key-env", "SET", env), "s3cret");
  auto missing = secret_from_env("--api-key-env", "UNSET", env);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "--api-key-env names UNSET, which is not set in the environment");
  EXPECT_FALSE(secret_from_env("--api-key-env", "EMPTY", env).ok());
}

}  // namespace
}  // namespace plinth::ctl
