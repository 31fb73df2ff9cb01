#include "providers/factory.h"

#include <gtest/gtest.h>

namespace plinth::providers {
namespace {

ProviderConfig provider(std::string type, std::string base_url) {
  ProviderConfig c;
  c.name = "p1";
  c.type = std::move(type);
  c.base_url = std::move(base_url);
  return c;
}

TEST(MakeProvider, OpenAiTypeBuildsAnOpenAiCompatibleProvider) {
  auto p = make_provider(provider("openai", "http://127.0.0.1:8000/v1"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)->type(), "openai");
}

TEST(MakeProvider, TgiTypeBuildsATgiProvider) {
  auto p = make_provider(provider("tgi", "https://tgi.internal:8080"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)->type(), "tgi");
}

TEST(MakeProvider, SimulatorNeedsNoBaseUrl) {
  auto p = make_provider(provider("simulator", ""));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)->type(), "simulator");
}

TEST(MakeProvider, UnknownTypeNamesItAndTheAllowedOnes) {
  auto p = make_provider(provider("vllm", "http://127.0.0.1:8000/v1"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(p.error().field, "type");
  EXPECT_NE(p.error().message.find("'vllm'"), std::string::npos) << p.error().message;
  EXPECT_NE(p.error().message.find("openai, tgi, simulator"), std::string::npos);
}

TEST(MakeProvider, BadBaseUrlIsRefusedWithTheParsersError) {
  for (const char* url : {"not a url", "ftp://host/v1", ""}) {
    for (const char* type : {"openai", "tgi"}) {
      auto p = make_provider(provider(type, url));
      ASSERT_FALSE(p.ok()) << type << " " << url;
      EXPECT_EQ(p.error().code, ErrorCode::kInvalidRequest);
      EXPECT_EQ(p.error().field, "base_url");
      EXPECT_FALSE(p.error().message.empty());
    }
  }
}

}  // namespace
}  // namespace plinth::providers
