// Models in the shared store suite: CRUD, names and aliases, optimistic concurrency, paging.
#include "store_fixture.h"

namespace plinth::store::testing {
namespace {

TEST_P(StoreTest, Models_CreateThenGetReturnsWhatWasStored) {
  const Model created = make_model("qwen-72b", {"qwen", "default-chat"});
  EXPECT_GT(created.id, 0);
  EXPECT_GT(created.revision, 0);
  EXPECT_GT(created.created_at, 0);
  auto got = store().get_model(created.id);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->name, "qwen-72b");
  EXPECT_EQ(got->aliases, (std::vector<std::string>{"qwen", "default-chat"}));
  EXPECT_EQ(got->description, "a model");
  EXPECT_EQ(got->task_tags, std::vector<std::string>{"chat"});
  EXPECT_EQ(got->owner, "team-a");
  EXPECT_EQ(got->created_at, created.created_at);
  EXPECT_EQ(got->revision, created.revision);
}

TEST_P(StoreTest, Models_FindByNameOrAliasButNotUnknown) {
  const Model m = make_model("llama-3-8b", {"llama"});
  auto by_name = store().find_model("llama-3-8b");
  auto by_alias = store().find_model("llama");
  ASSERT_TRUE(by_name.ok() && by_alias.ok());
  EXPECT_EQ(by_name->id, m.id);
  EXPECT_EQ(by_alias->id, m.id);
  auto unknown = store().find_model("gpt-5");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message.find("gpt-5"), std::string::npos);
  EXPECT_EQ(code_of(store().get_model(m.id + 100)), ErrorCode::kNotFound);
}

TEST_P(StoreTest, Models_NamesAndAliasesAreUniqueAcrossModels) {
  make_model("alpha", {"a"});
  ModelSpec spec;
  spec.name = "a";  // another model's alias
  auto clash = store().create_model(spec);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  EXPECT_NE(clash.error().message.find("alpha"), std::string::npos) << clash.error().message;
  spec.name = "beta";
  spec.aliases = {"alpha"};  // another model's name
  EXPECT_EQ(code_of(store().create_model(spec)), ErrorCode::kConflict);
  spec.aliases = {"b"};
  EXPECT_TRUE(store().create_model(spec).ok());
}

TEST_P(StoreTest, Models_MalformedSpecIsRejectedNamingTheField) {
  ModelSpec spec;
  auto empty = store().create_model(spec);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(empty.error().field, "name");
  spec.name = "m";
  spec.aliases = {"x", "m"};
  auto repeated = store().create_model(spec);
  ASSERT_FALSE(repeated.ok());
  EXPECT_EQ(repeated.error().field, "aliases[1]");
  spec.aliases = {"has space"};
  EXPECT_EQ(store().create_model(spec).error().field, "aliases[0]");
}

TEST_P(StoreTest, Models_UpdateWithCurrentRevisionReplacesFieldsAndNames) {
  const Model m = make_model("old-name", {"old-alias"});
  ModelSpec spec = m;
  spec.name = "new-name";
  spec.aliases = {"new-alias"};
  spec.description = "changed";
  auto updated = store().update_model(m.id, spec, m.revision);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_GT(updated->revision, m.revision);
  EXPECT_EQ(updated->created_at, m.created_at);
  EXPECT_EQ(store().find_model("new-alias")->id, m.id);
  EXPECT_EQ(code_of(store().find_model("old-alias")), ErrorCode::kNotFound);
  EXPECT_EQ(code_of(store().find_model("old-name")), ErrorCode::kNotFound);
  EXPECT_EQ(store().get_model(m.id)->description, "changed");
  // The freed name is free for another model.
  make_model("old-name");
}

TEST_P(StoreTest, Models_StaleRevisionIsPreconditionFailed) {
  const Model m = make_model("contended");
  ModelSpec first = m;
  first.description = "first writer";
  ASSERT_TRUE(store().update_model(m.id, first, m.revision).ok());
  ModelSpec second = m;
  second.description = "second writer";
  auto lost = store().update_model(m.id, second, m.revision);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kPreconditionFailed);
  EXPECT_NE(lost.error().message.find("contended"), std::string::npos);
  EXPECT_EQ(store().get_model(m.id)->description, "first writer");
  EXPECT_EQ(code_of(store().delete_model(m.id, m.revision)), ErrorCode::kPreconditionFailed);
}

TEST_P(StoreTest, Models_DeleteRemovesModelAndFreesItsNames) {
  const Model m = make_model("doomed", {"d"});
  ASSERT_TRUE(store().delete_model(m.id, m.revision).ok());
  EXPECT_EQ(code_of(store().get_model(m.id)), ErrorCode::kNotFound);
  EXPECT_EQ(code_of(store().find_model("d")), ErrorCode::kNotFound);
  EXPECT_EQ(code_of(store().delete_model(m.id, m.revision)), ErrorCode::kNotFound);
  make_model("d");
}

TEST_P(StoreTest, Models_DeleteIsRefusedWhileVersionsExist) {
  const Model m = make_model("has-versions");
  const Version v = make_version(m.id, "v1");
  Status refused = store().delete_model(m.id, m.revision);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("1 version"), std::string::npos)
      << refused.error().message;
  ASSERT_TRUE(store().delete_version(v.id).ok());
  EXPECT_TRUE(store().delete_model(m.id, m.revision).ok());
}

TEST_P(StoreTest, Models_ListPagesThroughAllInIdOrder) {
  std::vector<ModelId> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(make_model("m" + std::to_string(i)).id);
  std::vector<ModelId> seen;
  PageRequest page{.cursor = "", .limit = 3};
  int pages = 0;
  for (;;) {
    auto got = store().list_models(page);
    ASSERT_TRUE(got.ok()) << got.error().message;
    ++pages;
    for (const auto& m : got->items) seen.push_back(m.id);
    if (got->next_cursor.empty()) break;
    page.cursor = got->next_cursor;
  }
  EXPECT_EQ(seen, ids);
  EXPECT_EQ(pages, 3);
}

TEST_P(StoreTest, Models_MalformedCursorOrLimitIsInvalidRequest) {
  auto bad_limit = store().list_models(PageRequest{.cursor = "", .limit = 0});
  ASSERT_FALSE(bad_limit.ok());
  EXPECT_EQ(bad_limit.error().field, "limit");
  auto bad_cursor = store().list_models(PageRequest{.cursor = "abc", .limit = 10});
  ASSERT_FALSE(bad_cursor.ok());
  EXPECT_EQ(bad_cursor.error().field, "cursor");
}

}  // namespace
}  // namespace plinth::store::testing
