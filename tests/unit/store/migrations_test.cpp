// Schema migrations, on both dialects: from empty, from the previous version with data in
// it, idempotent reopen, and refusal of a schema newer than the binary.
#include "store_fixture.h"

namespace plinth::store::testing {
namespace {

std::vector<std::int64_t> applied_versions(detail::SqlConnection& db) {
  std::vector<std::int64_t> out;
  auto rows = db.query("SELECT version FROM schema_migrations ORDER BY version");
  EXPECT_TRUE(rows.ok()) << rows.error().message;
  if (rows.ok()) {
    for (const auto& r : *rows) out.push_back(detail::as_int(r[0]));
  }
  return out;
}

TEST(Migrations, AreNumberedOneUpWithoutGaps) {
  const auto all = known_migrations();
  ASSERT_GE(all.size(), 2u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(all[i].name.empty());
  }
  EXPECT_EQ(latest_schema_version(), all.back().version);
}

TEST_P(StoreTest, Migrations_FromEmptyReachTheLatestVersionAndRecordEachStep) {
  auto db = raw();
  ASSERT_NE(db, nullptr);
  std::vector<std::int64_t> expected;
  for (const auto& m : known_migrations()) expected.push_back(m.version);
  EXPECT_EQ(applied_versions(*db), expected);
  auto at = db->query("SELECT applied_at FROM schema_migrations WHERE version = 1");
  ASSERT_TRUE(at.ok());
  EXPECT_GT(detail::as_int(at->at(0).at(0)), 0);
}

TEST_P(StoreTest, Migrations_ReopeningAppliesNothingAndKeepsData) {
  const Model m = make_model("kept");
  store_.reset();
  auto again = open();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ((*again)->get_model(m.id)->name, "kept");
  auto db = raw();
  EXPECT_EQ(applied_versions(*db).size(), known_migrations().size());
}

TEST_P(StoreTest, Migrations_FromThePreviousVersionKeepDataAndAddTheNewSchema) {
  // Start over on an empty database that only knows migration 1, as an older binary left it.
  store_.reset();
  remove_database();
  create_empty_database();
  const auto all = known_migrations();
  const auto previous = all.first(all.size() - 1);
  {
    auto old = open(previous);
    ASSERT_TRUE(old.ok()) << old.error().message;
    const Model m = [&] {
      auto r = (*old)->create_model(ModelSpec{.name = "from-v1"});
      EXPECT_TRUE(r.ok());
      return r.ok() ? *r : Model{};
    }();
    VersionSpec v;
    v.model_id = m.id;
    v.name = "v1";
    v.provider_type = "openai";
    ASSERT_TRUE((*old)->create_version(v).ok());
  }
  {
    auto db = raw();
    EXPECT_EQ(applied_versions(*db).back(), previous.back().version);
  }
  auto upgraded = open();
  ASSERT_TRUE(upgraded.ok()) << upgraded.error().message;
  auto m = (*upgraded)->find_model("from-v1");
  ASSERT_TRUE(m.ok());
  auto v = (*upgraded)->find_version(m->id, "v1");
  ASSERT_TRUE(v.ok());
  // Migration 3's release columns work on the old data: a rollback target and an offline
  // version.
  VersionSpec v2;
  v2.model_id = m->id;
  v2.name = "v2";
  v2.provider_type = "openai";
  auto second = (*upgraded)->create_version(v2);
  ASSERT_TRUE(second.ok());
  ReleaseSpec release;
  release.stable_version_id = second->id;
  release.previous_stable_version_id = v->id;
  release.offline_version_ids = {v->id};
  auto put = (*upgraded)->put_release(m->id, release, 0, ReleaseAction{"promote", "test"});
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(put->previous_stable_version, "v1");
  EXPECT_EQ(put->offline_versions, std::vector<std::string>{"v1"});
  // Migration 2's table works on the old data.
  CallStats s;
  s.version_id = v->id;
  s.window_start = 60'000;
  s.record_call(10, 1, 1, false);
  const CallStats buckets[] = {s};
  EXPECT_TRUE((*upgraded)->add_call_stats(buckets).ok());
  auto db = raw();
  EXPECT_EQ(applied_versions(*db).back(), latest_schema_version());
  store_ = std::move(upgraded).value();
}

TEST_P(StoreTest, Migrations_ANewerSchemaIsRefusedWithAClearMessage) {
  const Model m = make_model("future");
  store_.reset();
  {
    auto db = raw();
    ASSERT_TRUE(db->execute("INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES ($1, 'from_the_future', 0)",
                            {std::int64_t{latest_schema_version() + 1}})
                    .ok());
  }
  auto refused = open();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find("version " + std::to_string(latest_schema_version() + 1)),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("up to " + std::to_string(latest_schema_version())), std::string::npos)
      << message;
  EXPECT_NE(message.find("newer plinth"), std::string::npos) << message;
  // Nothing was touched.
  auto db = raw();
  auto rows = db->query("SELECT name FROM models WHERE id = $1", {m.id});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 1u);
}

}  // namespace
}  // namespace plinth::store::testing
