#include "ctl/admin_api.h"

#include "ctl/exit_code.h"
#include "unit/ctl/fake_transport.h"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace plinth::ctl {
namespace {

using testing::FakeTransport;

TEST(AdminApi, SendsTheKeyAndTheQuotedRevision) {
  FakeTransport t;
  t.answer(200, R"({"name":"m"})");
  AdminApi api(t, "sk-admin", "/gw");
  const boost::json::value body = boost::json::object{{"aliases", boost::json::array{"x"}}};
  auto r = api.write("PATCH", "/models/m", &body, "12");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(t.requests.size(), 1u);
  EXPECT_EQ(t.requests[0].method, "PATCH");
  EXPECT_EQ(t.requests[0].target, "/gw/admin/v1/models/m");
  EXPECT_EQ(t.requests[0].body, R"({"aliases":["x"]})");
  EXPECT_EQ(t.header(0, "Authorization"), "Bearer sk-admin");
  EXPECT_EQ(t.header(0, "If-Match"), "\"12\"");
  EXPECT_EQ(r->json.at("name"), "m");
}

TEST(AdminApi, NoIfMatchWithoutRevisionAndEmptyBodyIsNull) {
  FakeTransport t;
  t.answer(204);
  AdminApi api(t, "k");
  auto r = api.write("DELETE", "/models/m", nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->json.is_null());
  EXPECT_EQ(t.header(0, "If-Match"), "");
  EXPECT_EQ(t.requests[0].body, "");
}

TEST(AdminApi, ListFollowsTheCursorToTheEnd) {
  FakeTransport t;
  t.answer(200, R"({"object":"list","data":[{"n":1},{"n":2}],"next_cursor":"c/1"})")
      .answer(200, R"({"object":"list","data":[{"n":3}],"next_cursor":null})");
  AdminApi api(t, "k");
  auto r = api.list("/models");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->data.size(), 3u);
  EXPECT_TRUE(r->next_cursor.is_null());
  ASSERT_EQ(t.requests.size(), 2u);
  EXPECT_EQ(t.requests[0].target, "/admin/v1/models?limit=1000");
  EXPECT_EQ(t.requests[1].target, "/admin/v1/models?limit=1000&cursor=c%2F1");
  EXPECT_EQ(boost::json::serialize(r->to_json()),
            R"({"object":"list","data":[{"n":1},{"n":2},{"n":3}],"next_cursor":null})");
}

TEST(AdminApi, ListStopsAtTheLimitAndKeepsTheCursor) {
  FakeTransport t;
  t.answer(200, R"({"object":"list","data":[{"n":1},{"n":2}],"next_cursor":"a"})")
      .answer(200, R"({"object":"list","data":[{"n":3}],"next_cursor":"b"})");
  AdminApi api(t, "k");
  auto r = api.list("/models/m/history", 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data.size(), 3u);
  EXPECT_EQ(r->next_cursor, "b");
  EXPECT_EQ(t.requests[0].target, "/admin/v1/models/m/history?limit=3");
  EXPECT_EQ(t.requests[1].target, "/admin/v1/models/m/history?limit=1&cursor=a");
}

TEST(AdminApi, ApiErrorsCarryStatusMessageAndParam) {
  FakeTransport t;
  t.answer(404, R"({"error":{"message":"model 'nope' not found","type":"invalid_request_error",
      "param":"model","code":"model_not_found"}})");
  AdminApi api(t, "k");
  auto r = api.get("/models/nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "model 'nope' not found");
  EXPECT_EQ(r.error().field, "model");
  EXPECT_EQ(exit_code_for(r.error()), ExitCode::kNotFound);
}

TEST(AdminApi, UnreachableAndNonJsonAnswersAreUnavailable) {
  FakeTransport t;
  t.answer(0).answer(200, "<html>").answer(200, R"({"no":"data"})");
  AdminApi api(t, "k");
  auto down = api.get("/models");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(exit_code_for(down.error()), ExitCode::kUnavailable);
  auto html = api.get("/models");
  ASSERT_FALSE(html.ok());
  EXPECT_EQ(exit_code_for(html.error()), ExitCode::kUnavailable);
  auto notalist = api.list("/models");
  ASSERT_FALSE(notalist.ok());
  EXPECT_EQ(exit_code_for(notalist.error()), ExitCode::kUnavailable);
}

TEST(EscapeComponent, KeepsUnreservedAndEscapesTheRest) {
  EXPECT_EQ(escape_component("Qwen/Qwen2.5-7B_x~:1 é"), "Qwen%2FQwen2.5-7B_x~%3A1%20%C3%A9");
}

}  // namespace
}  // namespace plinth::ctl
