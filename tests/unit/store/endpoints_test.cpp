// Endpoints in the shared store suite, including their API keys: sealed at rest, never in a
// record, revealed only on request.
#include "store_fixture.h"

namespace plinth::store::testing {
namespace {

TEST_P(StoreTest, Endpoints_CreateGetListUpdateDelete) {
  const Model m = make_model("m");
  const Version v = make_version(m.id, "v1");
  auto a = store().create_endpoint(EndpointSpec{v.id, "http://10.0.0.1:8000/v1", 3, ""});
  auto b = store().create_endpoint(EndpointSpec{v.id, "https://10.0.0.2/v1", 1, ""});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->has_api_key);
  auto listed = store().list_endpoints(v.id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].url, "http://10.0.0.1:8000/v1");
  EXPECT_EQ((*listed)[0].weight, 3);
  EndpointUpdate drain{"http://10.0.0.1:8000/v1", 0};
  auto updated = store().update_endpoint(a->id, drain, a->revision);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(store().get_endpoint(a->id)->weight, 0);
  EXPECT_EQ(code_of(store().update_endpoint(a->id, drain, a->revision)),
            ErrorCode::kPreconditionFailed);
  EXPECT_EQ(code_of(store().delete_endpoint(a->id, a->revision)), ErrorCode::kPreconditionFailed);
  ASSERT_TRUE(store().delete_endpoint(a->id, updated->revision).ok());
  EXPECT_EQ(store().list_endpoints(v.id)->size(), 1u);
}

TEST_P(StoreTest, Endpoints_MalformedOrOrphanAreRejected) {
  const Model m = make_model("m");
  const Version v = make_version(m.id, "v1");
  EXPECT_EQ(store().create_endpoint(EndpointSpec{v.id, "ftp://x", 1, ""}).error().field, "url");
  EXPECT_EQ(store().create_endpoint(EndpointSpec{v.id, "http://x", -1, ""}).error().field,
            "weight");
  auto orphan = store().create_endpoint(EndpointSpec{v.id + 99, "http://x", 1, ""});
  EXPECT_EQ(code_of(orphan), ErrorCode::kNotFound);
}

TEST_P(StoreTest, Endpoints_ApiKeyIsSealedAtRestAndRevealedOnlyOnRequest) {
  const std::string key = "sk-upstream-very-secret-123";
  const Model m = make_model("m");
  const Version v = make_version(m.id, "v1");
  auto e = store().create_endpoint(EndpointSpec{v.id, "https://api.example.com/v1", 1, key});
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_TRUE(e->has_api_key);
  auto db = raw();
  ASSERT_NE(db, nullptr);
  auto rows = db->query("SELECT api_key_sealed FROM endpoints WHERE id = $1", {e->id});
  ASSERT_TRUE(rows.ok());
  const std::string stored = detail::as_text(rows->at(0).at(0));
  EXPECT_TRUE(stored.starts_with("v1:")) << stored;
  EXPECT_EQ(stored.find(key), std::string::npos);
  EXPECT_EQ(stored.find("very-secret"), std::string::npos);
  auto revealed = store().reveal_endpoint_api_key(e->id);
  ASSERT_TRUE(revealed.ok()) << revealed.error().message;
  EXPECT_EQ(revealed->value_or(""), key);
}

TEST_P(StoreTest, Endpoints_ApiKeyIsKeptReplacedOrCleared) {
  const Model m = make_model("m");
  const Version v = make_version(m.id, "v1");
  auto e = store().create_endpoint(EndpointSpec{v.id, "http://x", 1, "first"});
  ASSERT_TRUE(e.ok());
  EndpointUpdate keep{"http://y", 1};
  auto kept = store().update_endpoint(e->id, keep, e->revision);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->has_api_key);
  EXPECT_EQ(store().reveal_endpoint_api_key(e->id)->value_or(""), "first");
  EndpointUpdate replace{"http://y", 1, EndpointUpdate::Key::kReplace, "second"};
  auto replaced = store().update_endpoint(e->id, replace, kept->revision);
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(store().reveal_endpoint_api_key(e->id)->value_or(""), "second");
  EndpointUpdate clear{"http://y", 1, EndpointUpdate::Key::kClear, ""};
  auto cleared = store().update_endpoint(e->id, clear, replaced->revision);
  ASSERT_TRUE(cleared.ok());
  EXPECT_FALSE(cleared->has_api_key);
  EXPECT_FALSE(store().get_endpoint(e->id)->has_api_key);
  auto none = store().reveal_endpoint_api_key(e->id);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(StoreTest, Endpoints_KeysSealedWithAnotherKeyAreRefusedAtOpen) {
  const Model m = make_model("m");
  const Version v = make_version(m.id, "v1");
  ASSERT_TRUE(store().create_endpoint(EndpointSpec{v.id, "http://x", 1, "secret"}).ok());
  store_.reset();
  auto wrong = open(known_migrations(), test_box(9));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(wrong.error().message.find("PLINTH_SECRET_KEY"), std::string::npos);
  auto right = open(known_migrations(), test_box(7));
  ASSERT_TRUE(right.ok()) << right.error().message;
}

}  // namespace
}  // namespace plinth::store::testing
