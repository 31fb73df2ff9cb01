#include "ctl/exit_code.h"

#include "ctl/admin_api.h"

#include <gtest/gtest.h>

namespace plinth::ctl {
namespace {

TEST(ExitCode, FollowsTheHttpStatus) {
  EXPECT_EQ(exit_code_for_status(200), ExitCode::kOk);
  EXPECT_EQ(exit_code_for_status(204), ExitCode::kOk);
  EXPECT_EQ(exit_code_for_status(404), ExitCode::kNotFound);
  for (int s : {400, 401, 403, 405, 409, 412, 429}) {
    EXPECT_EQ(exit_code_for_status(s), ExitCode::kRefused) << s;
  }
  for (int s : {500, 502, 503, 504}) EXPECT_EQ(exit_code_for_status(s), ExitCode::kUnavailable);
}

TEST(ExitCode, ApiErrorsUseTheirStatusEvenWhenTheCodeIsInvalidRequest) {
  EXPECT_EQ(exit_code_for(api_error(400, R"({"error":{"message":"bad"}})")), ExitCode::kRefused);
  EXPECT_EQ(exit_code_for(api_error(404, "")), ExitCode::kNotFound);
  EXPECT_EQ(exit_code_for(api_error(503, "")), ExitCode::kUnavailable);
}

TEST(ExitCode, LocalErrorsAreUsageOrUnavailable) {
  EXPECT_EQ(exit_code_for(usage_error("--limit", "bad")), ExitCode::kUsage);
  EXPECT_EQ(exit_code_for(Error{ErrorCode::kUpstreamUnreachable, "refused"}),
            ExitCode::kUnavailable);
  EXPECT_EQ(exit_code_for(Error{ErrorCode::kUpstreamTimeout, "slow"}), ExitCode::kUnavailable);
  EXPECT_EQ(exit_code_for(Error{ErrorCode::kUpstreamError, "not JSON"}), ExitCode::kUnavailable);
}

TEST(ApiError, TakesMessageAndParamFromTheOpenAiShape) {
  Error e = api_error(400, R"({"error":{"message":"percent must be 0..100, got 120",
      "type":"invalid_request_error","param":"percent","code":null}})");
  EXPECT_EQ(e.message, "percent must be 0..100, got 120");
  EXPECT_EQ(e.field, "percent");
  EXPECT_EQ(e.upstream_status, 400);
}

TEST(ApiError, FallsBackToTheBodyWhenItIsNotAnApiError) {
  EXPECT_EQ(api_error(502, "<html>bad\ngateway</html>").message,
            "the server answered HTTP 502: <html>bad gateway</html>");
  EXPECT_EQ(api_error(404, "").message, "the server answered HTTP 404 with no body");
}

}  // namespace
}  // namespace plinth::ctl
