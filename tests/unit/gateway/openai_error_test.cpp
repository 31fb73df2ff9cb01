#include "gateway/openai_error.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace plinth::gateway {
namespace {

TEST(OpenAiError, RendersTheOpenAiShapeWithStatus) {
  Error e = Error::invalid("temperature", "temperature must be between 0 and 2, got 7.5");
  EXPECT_EQ(http_status(e), 400);
  auto v = boost::json::parse(openai_error_body(e));
  const auto& err = v.at("error").as_object();
  EXPECT_EQ(err.at("message").as_string(), "temperature must be between 0 and 2, got 7.5");
  EXPECT_EQ(err.at("type").as_string(), "invalid_request_error");
  EXPECT_EQ(err.at("param").as_string(), "temperature");
  EXPECT_TRUE(err.at("code").is_null());
}

TEST(OpenAiError, MapsEachCodeToItsStatus) {
  EXPECT_EQ(http_status({ErrorCode::kModelNotFound, ""}), 404);
  EXPECT_EQ(http_status({ErrorCode::kPayloadTooLarge, ""}), 413);
  EXPECT_EQ(http_status({ErrorCode::kUnsupportedMediaType, ""}), 415);
  EXPECT_EQ(http_status({ErrorCode::kRateLimited, ""}), 429);
  EXPECT_EQ(http_status({ErrorCode::kUpstreamUnreachable, ""}), 502);
  EXPECT_EQ(http_status({ErrorCode::kUpstreamTimeout, ""}), 504);
  auto v = boost::json::parse(openai_error_body({ErrorCode::kModelNotFound, "x", "model"}));
  EXPECT_EQ(v.at("error").at("code").as_string(), "model_not_found");
}

}  // namespace
}  // namespace plinth::gateway
