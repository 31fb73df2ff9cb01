// Versions in the shared store suite: immutable, owned by a model, deletable only when no
// release uses them.
#include "store_fixture.h"

namespace plinth::store::testing {
namespace {

TEST_P(StoreTest, Versions_CreateThenGetAndFindByName) {
  const Model m = make_model("qwen");
  VersionSpec spec;
  spec.model_id = m.id;
  spec.name = "v2-lora";
  spec.provider_type = "openai";
  spec.base_model = "qwen-base";
  spec.lora_adapter = "support-tone";
  spec.default_params = R"({"temperature":0.2})";
  spec.max_params = R"({"max_tokens":2048})";
  spec.source = "s3://weights/qwen";
  spec.release_notes = "tuned for support";
  spec.created_by = "alice";
  auto created = store().create_version(spec);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto got = store().get_version(created->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->model_id, m.id);
  EXPECT_EQ(got->name, "v2-lora");
  EXPECT_EQ(got->base_model, "qwen-base");
  EXPECT_EQ(got->lora_adapter, "support-tone");
  EXPECT_EQ(got->default_params, R"({"temperature":0.2})");
  EXPECT_EQ(got->max_params, R"({"max_tokens":2048})");
  EXPECT_EQ(got->source, "s3://weights/qwen");
  EXPECT_EQ(got->release_notes, "tuned for support");
  EXPECT_EQ(got->created_by, "alice");
  EXPECT_EQ(got->created_at, created->created_at);
  EXPECT_EQ(store().find_version(m.id, "v2-lora")->id, created->id);
  EXPECT_EQ(code_of(store().find_version(m.id, "v9")), ErrorCode::kNotFound);
}

TEST_P(StoreTest, Versions_OfUnknownModelAreRefused) {
  VersionSpec spec;
  spec.model_id = 4242;
  spec.name = "v1";
  spec.provider_type = "openai";
  auto refused = store().create_version(spec);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(refused.error().field, "model_id");
}

TEST_P(StoreTest, Versions_NameIsTakenForGoodWithinItsModel) {
  const Model a = make_model("a");
  const Model b = make_model("b");
  make_version(a.id, "v1");
  VersionSpec again;
  again.model_id = a.id;
  again.name = "v1";
  again.provider_type = "tgi";
  auto refused = store().create_version(again);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("immutable"), std::string::npos);
  EXPECT_EQ(store().find_version(a.id, "v1")->provider_type, "openai");
  make_version(b.id, "v1");  // another model's v1 is another version
}

TEST_P(StoreTest, Versions_UpdateIsRefusedByTheDatabaseItself) {
  const Model m = make_model("frozen");
  const Version v = make_version(m.id, "v1");
  auto db = raw();
  ASSERT_NE(db, nullptr);
  auto changed =
      db->execute("UPDATE versions SET release_notes = 'rewritten' WHERE id = $1", {v.id});
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, ErrorCode::kConflict);
  EXPECT_NE(changed.error().message.find("immutable"), std::string::npos)
      << changed.error().message;
  EXPECT_EQ(store().get_version(v.id)->release_notes, "");
}

TEST_P(StoreTest, Versions_MalformedParamsAreRejectedNamingTheField) {
  const Model m = make_model("m");
  VersionSpec spec;
  spec.model_id = m.id;
  spec.name = "v1";
  spec.provider_type = "openai";
  spec.default_params = "{not json";
  EXPECT_EQ(store().create_version(spec).error().field, "default_params");
  spec.default_params = "{}";
  spec.max_params = "[1,2]";
  EXPECT_EQ(store().create_version(spec).error().field, "max_params");
  spec.max_params = "{}";
  spec.lora_adapter = "adapter-without-base";
  EXPECT_EQ(store().create_version(spec).error().field, "base_model");
  spec.lora_adapter = "";
  spec.provider_type = "";
  EXPECT_EQ(store().create_version(spec).error().field, "provider_type");
}

TEST_P(StoreTest, Versions_ListPagesWithinOneModel) {
  const Model a = make_model("a");
  const Model b = make_model("b");
  for (int i = 0; i < 5; ++i) {
    make_version(a.id, "v" + std::to_string(i));
    make_version(b.id, "v" + std::to_string(i));
  }
  auto first = store().list_versions(a.id, PageRequest{.cursor = "", .limit = 4});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 4u);
  EXPECT_EQ(first->items[0].name, "v0");
  ASSERT_FALSE(first->next_cursor.empty());
  auto rest = store().list_versions(a.id, PageRequest{.cursor = first->next_cursor, .limit = 4});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].name, "v4");
  EXPECT_EQ(rest->items[0].model_id, a.id);
  EXPECT_TRUE(rest->next_cursor.empty());
}

TEST_P(StoreTest, Versions_DeleteTakesEndpointsAlongButIsRefusedWhileReleased) {
  const Model m = make_model("m");
  const Version stable = make_version(m.id, "v1");
  const Version spare = make_version(m.id, "v2");
  auto endpoint = store().create_endpoint(EndpointSpec{spare.id, "http://10.0.0.1:8000", 1, "k"});
  ASSERT_TRUE(endpoint.ok());
  ReleaseSpec release;
  release.stable_version_id = stable.id;
  ASSERT_TRUE(store().put_release(m.id, release, 0, {"publish", "alice"}).ok());
  Status refused = store().delete_version(stable.id);
  EXPECT_EQ(code_of(refused), ErrorCode::kConflict);
  ASSERT_TRUE(store().delete_version(spare.id).ok());
  EXPECT_EQ(code_of(store().get_endpoint(endpoint->id)), ErrorCode::kNotFound);
  EXPECT_EQ(code_of(store().get_version(spare.id)), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace plinth::store::testing
