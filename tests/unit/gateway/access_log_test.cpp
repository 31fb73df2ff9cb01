#include "gateway/stages/access_log.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace plinth::gateway {
namespace {

TEST(AccessLogLine, IsOneJsonObjectWithKeyIdNeverTheKey) {
  tenancy::Principal principal{"key_0123456789ab", tenancy::Role::kUser};
  registry::ModelRoute route;
  route.name = "sim-chat";
  registry::VersionRoute version;
  version.name = "v3";
  version.provider_name = "simulator";
  Exchange ex;
  ex.method = "POST";
  ex.path = "/v1/chat/\"odd\"\npath";
  ex.request_id = "req_1";
  ex.authorization = "Bearer sk-secret";
  ex.endpoint = Endpoint::kChat;
  ex.principal = &principal;
  ex.route = &route;
  ex.version = &version;
  ex.status = 502;
  ex.usage = providers::Usage{12, 34, true};
  ex.error = Error{ErrorCode::kUpstreamUnreachable, "connect failed"};
  ex.finished = ex.started + std::chrono::microseconds(1500);
  const std::string line = access_log_line(ex);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find("sk-secret"), std::string::npos);
  const auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("key_id").as_string(), "key_0123456789ab");
  EXPECT_EQ(v.at("path").as_string(), "/v1/chat/\"odd\"\npath");
  EXPECT_EQ(v.at("model").as_string(), "sim-chat");
  EXPECT_EQ(v.at("version").as_string(), "v3");
  EXPECT_EQ(v.at("provider").as_string(), "simulator");
  EXPECT_EQ(v.at("status").as_int64(), 502);
  EXPECT_EQ(v.at("prompt_tokens").as_int64(), 12);
  EXPECT_TRUE(v.at("tokens_estimated").as_bool());
  EXPECT_EQ(v.at("latency_us").as_int64(), 1500);
  EXPECT_EQ(v.at("error").as_string(), "upstream_unreachable");
}

TEST(AccessLogLine, UnauthenticatedRequestsLogNulls) {
  Exchange ex;
  ex.method = "GET";
  ex.path = "/v1/models";
  ex.request_id = "req_2";
  ex.status = 401;
  const auto v = boost::json::parse(access_log_line(ex)).as_object();
  EXPECT_TRUE(v.at("key_id").is_null());
  EXPECT_TRUE(v.at("model").is_null());
}

}  // namespace
}  // namespace plinth::gateway
