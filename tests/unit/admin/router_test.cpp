// The admin router: every route in the table matches its own method and path, path
// parameters are percent-decoded, a known path with another method is a 405 and an unknown
// path a 404.
#include "admin/router.h"

#include <gtest/gtest.h>

#include <string>

#include "admin/routes.h"

namespace plinth::admin {
namespace {

// The pattern with each {name} replaced by "<name>-1".
std::string concrete(std::string_view pattern) {
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const std::size_t close = pattern.find('}', i);
      out += std::string(pattern.substr(i + 1, close - i - 1)) + "-1";
      i = close + 1;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

TEST(AdminRouter, EveryRouteMatchesItsOwnMethodAndPath) {
  const auto routes = admin_routes();
  ASSERT_EQ(routes.size(), static_cast<std::size_t>(Route::kCount));
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const std::string path = concrete(routes[r].pattern);
    SCOPED_TRACE(std::string(routes[r].method) + " " + path);
    const MatchResult m = match(routes[r].method, path);
    EXPECT_TRUE(m.matched);
    EXPECT_TRUE(m.path_known);
    EXPECT_EQ(m.route, static_cast<Route>(r));
    // Each {name} of the pattern comes back as a parameter.
    std::size_t expected_params = 0;
    for (char c : routes[r].pattern) expected_params += c == '{';
    EXPECT_EQ(m.params.size(), expected_params);
    for (const auto& [name, value] : m.params) EXPECT_EQ(value, name + "-1");
  }
}

TEST(AdminRouter, MatchesTheRoutesItShouldByName) {
  struct Case {
    const char* method;
    const char* path;
    Route route;
  };
  const Case cases[] = {
      {"GET", "/admin/v1/openapi.json", Route::kOpenApi},
      {"GET", "/admin/v1/models", Route::kListModels},
      {"POST", "/admin/v1/models", Route::kCreateModel},
      {"GET", "/admin/v1/models/chat", Route::kGetModel},
      {"PATCH", "/admin/v1/models/chat", Route::kPatchModel},
      {"DELETE", "/admin/v1/models/chat", Route::kDeleteModel},
      {"GET", "/admin/v1/models/chat/versions", Route::kListVersions},
      {"POST", "/admin/v1/models/chat/versions", Route::kCreateVersion},
      {"GET", "/admin/v1/models/chat/versions/v1", Route::kGetVersion},
      {"DELETE", "/admin/v1/models/chat/versions/v1", Route::kDeleteVersion},
      {"GET", "/admin/v1/models/chat/versions/v1/endpoints", Route::kListEndpoints},
      {"POST", "/admin/v1/models/chat/versions/v1/endpoints", Route::kCreateEndpoint},
      {"PATCH", "/admin/v1/models/chat/versions/v1/endpoints/3", Route::kPatchEndpoint},
      {"DELETE", "/admin/v1/models/chat/versions/v1/endpoints/3", Route::kDeleteEndpoint},
      {"GET", "/admin/v1/models/chat/versions/v1/stats", Route::kVersionStats},
      {"GET", "/admin/v1/models/chat/release", Route::kGetRelease},
      {"PUT", "/admin/v1/models/chat/release", Route::kPutRelease},
      {"DELETE", "/admin/v1/models/chat/release", Route::kDeleteRelease},
      {"POST", "/admin/v1/models/chat/release/promote", Route::kReleaseAction},
      {"GET", "/admin/v1/models/chat/history", Route::kHistory},
      {"GET", "/admin/v1/models/chat/stats", Route::kModelStats},
      {"GET", "/admin/v1/releases", Route::kListReleases},
      {"POST", "/admin/v1/apply", Route::kApply},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.path);
    const MatchResult m = match(c.method, c.path);
    EXPECT_TRUE(m.matched);
    EXPECT_EQ(m.route, c.route);
  }
}

TEST(AdminRouter, PathParametersAreNamedAndPercentDecoded) {
  const MatchResult m =
      match("PATCH", "/admin/v1/models/org%2Fchat/versions/2024-06-01%3Arc%201/endpoints/42");
  ASSERT_TRUE(m.matched);
  EXPECT_EQ(m.route, Route::kPatchEndpoint);
  EXPECT_EQ(m.params.at("model"), "org/chat");  // a '/' in a name travels as %2F
  EXPECT_EQ(m.params.at("version"), "2024-06-01:rc 1");
  EXPECT_EQ(m.params.at("id"), "42");

  const MatchResult action = match("POST", "/admin/v1/models/a%2fb/release/canary");
  ASSERT_TRUE(action.matched);
  EXPECT_EQ(action.params.at("model"), "a/b");  // lower-case hex too
  EXPECT_EQ(action.params.at("action"), "canary");
}

TEST(AdminRouter, DecodingHappensAfterSplittingSoAnEncodedSlashStaysInOneParameter) {
  // Three segments after "models" only when decoded first: must be GetModel, not ListVersions.
  const MatchResult m = match("GET", "/admin/v1/models/x%2Fversions");
  ASSERT_TRUE(m.matched);
  EXPECT_EQ(m.route, Route::kGetModel);
  EXPECT_EQ(m.params.at("model"), "x/versions");
  // '+' is not a space in a path.
  EXPECT_EQ(match("GET", "/admin/v1/models/a+b").params.at("model"), "a+b");
}

TEST(AdminRouter, BadEscapesDoNotMatch) {
  for (const char* path : {"/admin/v1/models/%", "/admin/v1/models/a%2", "/admin/v1/models/%zz",
                           "/admin/v1/models/a%g1b", "/admin/v1/models/%2"}) {
    SCOPED_TRACE(path);
    const MatchResult m = match("GET", path);
    EXPECT_FALSE(m.matched);
    EXPECT_FALSE(m.path_known);  // no route has such a path at all
    EXPECT_TRUE(m.params.empty());
  }
  // A bad escape in one parameter spoils the whole path.
  EXPECT_FALSE(match("GET", "/admin/v1/models/chat/versions/%x1").matched);
}

TEST(AdminRouter, LiteralSegmentsAreComparedUndecoded) {
  // Only parameters are decoded: an encoded literal ("%6D" is 'm') names another path.
  EXPECT_FALSE(match("GET", "/admin/v1/%6Dodels").path_known);
  EXPECT_FALSE(match("GET", "/admin/v1/models/chat/%72elease").path_known);
}

TEST(AdminRouter, WrongMethodIsAKnownPathThatDoesNotMatch) {
  struct Case {
    const char* method;
    const char* path;
  };
  const Case cases[] = {
      {"DELETE", "/admin/v1/models"},
      {"PUT", "/admin/v1/models/chat"},
      {"GET", "/admin/v1/models/chat/release/promote"},
      {"PATCH", "/admin/v1/models/chat/versions/v1"},
      {"GET", "/admin/v1/apply"},
      {"POST", "/admin/v1/openapi.json"},
      {"get", "/admin/v1/models"},  // methods are case-sensitive
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.path);
    const MatchResult m = match(c.method, c.path);
    EXPECT_FALSE(m.matched);
    EXPECT_EQ(m.route, Route::kCount);
    EXPECT_TRUE(m.params.empty());
    EXPECT_TRUE(m.path_known);
  }
}

TEST(AdminRouter, UnknownPathsAreNotKnown) {
  for (const char* path :
       {"/", "", "/admin", "/admin/v1", "/admin/v2/models", "/v1/models", "/admin/v1/model",
        "/admin/v1/models/chat/versions/v1/endpoints/3/extra", "/admin/v1/models/chat/releases",
        "/admin/v1/Models", "/admin/v1/models/chat/versions/v1/stats/x"}) {
    SCOPED_TRACE(path);
    const MatchResult m = match("GET", path);
    EXPECT_FALSE(m.matched);
    EXPECT_FALSE(m.path_known);
  }
}

// What the router does with empty segments: it drops them, so a trailing slash and doubled
// slashes reach the same route as the clean path (and an empty parameter can never match).
TEST(AdminRouter, EmptySegmentsAreIgnored_TrailingAndDoubledSlashesMatchTheCleanPath) {
  const MatchResult trailing = match("GET", "/admin/v1/models/");
  EXPECT_TRUE(trailing.matched);
  EXPECT_EQ(trailing.route, Route::kListModels);

  const MatchResult doubled = match("GET", "//admin//v1///models//chat//");
  EXPECT_TRUE(doubled.matched);
  EXPECT_EQ(doubled.route, Route::kGetModel);
  EXPECT_EQ(doubled.params.at("model"), "chat");

  // No leading slash at all is the same path too.
  EXPECT_EQ(match("GET", "admin/v1/models").route, Route::kListModels);

  // "/models//versions" is "/models/versions": the model is "versions", not an empty name.
  const MatchResult gap = match("GET", "/admin/v1/models//versions");
  EXPECT_TRUE(gap.matched);
  EXPECT_EQ(gap.route, Route::kGetModel);
  EXPECT_EQ(gap.params.at("model"), "versions");
}

TEST(AdminRouter, AQueryLeftOnThePathIsPartOfTheLastSegment) {
  // match() takes the path alone (AdminApi splits the target first); a query left on it is
  // not stripped.
  const MatchResult m = match("GET", "/admin/v1/models/chat?limit=5");
  ASSERT_TRUE(m.matched);
  EXPECT_EQ(m.params.at("model"), "chat?limit=5");
  EXPECT_FALSE(match("GET", "/admin/v1/models?limit=5").path_known);
}

}  // namespace
}  // namespace plinth::admin
