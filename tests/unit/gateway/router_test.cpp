#include "gateway/router.h"

#include <gtest/gtest.h>

namespace plinth::gateway {
namespace {

TEST(SplitTarget, CollapsesSlashesAndDropsTrailingSlash) {
  EXPECT_EQ(split_target("//v1//models/").path, "/v1/models");
  EXPECT_EQ(split_target("/").path, "/");
  EXPECT_EQ(split_target("").path, "/");
}

TEST(SplitTarget, SeparatesQuery) {
  Target t = split_target("/v1/models?api_key=x");
  EXPECT_EQ(t.path, "/v1/models");
  EXPECT_EQ(t.query, "api_key=x");
}

TEST(MatchRoute, FindsEndpointsAndRejectsWrongMethod) {
  Endpoint e;
  EXPECT_EQ(match_route("/v1/chat/completions", "POST", e), RouteMatch::kFound);
  EXPECT_EQ(e, Endpoint::kChat);
  EXPECT_EQ(match_route("/v1/chat/completions", "GET", e), RouteMatch::kWrongMethod);
  EXPECT_EQ(match_route("/v1/models/sim-chat", "GET", e), RouteMatch::kFound);
  EXPECT_EQ(e, Endpoint::kModels);
  EXPECT_EQ(match_route("/V1/models", "GET", e), RouteMatch::kNotFound);
  EXPECT_EQ(match_route("/v1/%2Fmodels", "GET", e), RouteMatch::kNotFound);
}

}  // namespace
}  // namespace plinth::gateway
