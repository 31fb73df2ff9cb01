#include "ctl/yaml_json.h"

#include "ctl/exit_code.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace plinth::ctl {
namespace {

std::string converted(const std::string& yaml) {
  auto v = yaml_to_json(yaml);
  EXPECT_TRUE(v.ok()) << v.error().message;
  return v.ok() ? boost::json::serialize(*v) : std::string();
}

std::string failure(const std::string& yaml) {
  auto v = yaml_to_json(yaml, "plinth.yaml");
  EXPECT_FALSE(v.ok());
  if (v.ok()) return {};
  EXPECT_EQ(exit_code_for(v.error()), ExitCode::kUsage);
  return v.error().message;
}

TEST(YamlToJson, ConvertsTheApplyDocument) {
  const std::string yaml = R"(
models:
  - name: qwen-chat
    aliases: [qwen]
    task_tags: [chat]
    versions:
      - name: v1
        provider: openai
        upstream_model: qwen2.5
        default_params: {temperature: 0.7, stream: false}
        endpoints:
          - url: http://10.0.0.5:8000/v1
            weight: 1
    release:
      stable: v1
      canaries:
        - {version: v2, percent: 10, match: {groups: [beta]}}
)";
  EXPECT_EQ(boost::json::parse(converted(yaml)),
            boost::json::parse(R"({"models":[{"name":"qwen-chat","aliases":["qwen"],
      "task_tags":["chat"],"versions":[{"name":"v1","provider":"openai",
      "upstream_model":"qwen2.5","default_params":{"temperature":0.7,"stream":false},
      "endpoints":[{"url":"http://10.0.0.5:8000/v1","weight":1}]}],
      "release":{"stable":"v1","canaries":[{"version":"v2","percent":10,
      "match":{"groups":["beta"]}}]}}]})"));
}

TEST(YamlToJson, PlainScalarsFollowTheCoreSchema) {
  EXPECT_EQ(converted("[1, -2, +3, 0x1f, 0o17, 1.5, -.5, 1e3, 2.0]"),
            "[1,-2,3,31,15,1.5E0,-5E-1,1E3,2E0]");
  EXPECT_EQ(converted("[true, False, ~, null, '', yes, no, on, 1.2.3, v1]"),
            R"([true,false,null,null,"","yes","no","on","1.2.3","v1"])");
  EXPECT_EQ(converted("a:\nb: 18446744073709551615\nc: -9223372036854775808"),
            R"({"a":null,"b":18446744073709551615,"c":-9223372036854775808})");
}

TEST(YamlToJson, QuotedAndStrTaggedScalarsStayStrings) {
  EXPECT_EQ(converted(R"(["10", '0.5', "true", !!str 42, "null"])"),
            R"(["10","0.5","true","42","null"])");
}

TEST(YamlToJson, KeysAreStringsAndKeepTheirOrder) {
  EXPECT_EQ(converted("z: 1\n1: 2\ntrue: 3"), R"({"z":1,"1":2,"true":3})");
}

TEST(YamlToJson, AnchorsAreExpanded) {
  EXPECT_EQ(converted("base: &p {weight: 2}\nother: *p"),
            R"({"base":{"weight":2},"other":{"weight":2}})");
}

TEST(YamlToJson, ErrorsNameTheFileAndPlace) {
  EXPECT_EQ(failure("models: [\n  {name: a\n"),
            "plinth.yaml: line 3, column 1: end of map flow not found");
  EXPECT_EQ(failure("models:\n  - name: a\n    name: b\n"),
            "plinth.yaml: models[0].name: duplicate key");
  EXPECT_EQ(failure("percent: .inf"), "plinth.yaml: percent: .inf has no JSON form");
  EXPECT_EQ(failure("? [a]\n: 1"), "plinth.yaml: (document): mapping keys must be scalars");
}

TEST(YamlToJson, EmptyDocumentIsNull) { EXPECT_EQ(converted(""), "null"); }

}  // namespace
}  // namespace plinth::ctl
