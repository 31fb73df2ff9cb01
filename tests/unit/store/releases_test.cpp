// Releases in the shared store suite: stable version plus canaries, optimistic concurrency,
// and a history event written in the same transaction as every change.
#include <boost/json/parse.hpp>

#include "store_fixture.h"

namespace plinth::store::testing {
namespace {

ReleaseSpec stable_only(VersionId v) {
  ReleaseSpec spec;
  spec.stable_version_id = v;
  return spec;
}

std::vector<ReleaseEvent> history(Store& store, ModelId model) {
  auto page = store.list_release_history(model, PageRequest{.cursor = "", .limit = 1000});
  EXPECT_TRUE(page.ok()) << page.error().message;
  return page.ok() ? page->items : std::vector<ReleaseEvent>{};
}

TEST_P(StoreTest, Releases_PublishCreatesReleaseAndRecordsHistory) {
  const Model m = make_model("m");
  const Version v1 = make_version(m.id, "v1");
  EXPECT_EQ(code_of(store().get_release(m.id)), ErrorCode::kNotFound);
  auto published = store().put_release(m.id, stable_only(v1.id), 0, {"publish", "alice"});
  ASSERT_TRUE(published.ok()) << published.error().message;
  EXPECT_EQ(published->stable_version, "v1");
  EXPECT_EQ(published->state, ReleaseState::kActive);
  EXPECT_EQ(published->updated_by, "alice");
  auto got = store().get_release(m.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->revision, published->revision);
  const auto events = history(store(), m.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "publish");
  EXPECT_EQ(events[0].actor, "alice");
  EXPECT_EQ(events[0].before, "null");
  EXPECT_EQ(events[0].revision, published->revision);
  const auto after = boost::json::parse(events[0].after);
  EXPECT_EQ(after.at("stable_version").as_string(), "v1");
  EXPECT_EQ(after.at("state").as_string(), "active");
}

TEST_P(StoreTest, Releases_KeepRollbackTargetAndOfflineVersionsInHistoryToo) {
  const Model m = make_model("m");
  const Version v1 = make_version(m.id, "v1");
  const Version v2 = make_version(m.id, "v2");
  const Version v3 = make_version(m.id, "v3");
  ReleaseSpec spec = stable_only(v2.id);
  spec.previous_stable_version_id = v1.id;
  spec.offline_version_ids = {v3.id, v3.id};  // duplicates collapse
  auto put = store().put_release(m.id, spec, 0, {"promote", "alice"});
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(put->previous_stable_version, "v1");
  EXPECT_EQ(put->previous_stable_version_id, v1.id);
  EXPECT_EQ(put->offline_versions, std::vector<std::string>{"v3"});
  const auto after = boost::json::parse(history(store(), m.id).front().after);
  EXPECT_EQ(after.at("previous_stable_version").as_string(), "v1");
  EXPECT_EQ(after.at("offline_versions").as_array().size(), 1u);

  // Clearing both: no rollback target is NULL, not version 0.
  ReleaseSpec cleared = stable_only(v2.id);
  auto again = store().put_release(m.id, cleared, put->revision, {"rollback", "alice"});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->previous_stable_version_id, 0);
  EXPECT_TRUE(again->previous_stable_version.empty());
  EXPECT_TRUE(again->offline_versions.empty());

  // A version of another model cannot be the rollback target.
  const Model other = make_model("other");
  const Version foreign = make_version(other.id, "x");
  ReleaseSpec wrong = stable_only(v2.id);
  wrong.previous_stable_version_id = foreign.id;
  auto refused = store().put_release(m.id, wrong, again->revision, {"put", "alice"});
  EXPECT_EQ(code_of(refused), ErrorCode::kInvalidRequest);
}

TEST_P(StoreTest, Releases_CanariesKeepOrderPercentAndMatchRules) {
  const Model m = make_model("m");
  const Version v1 = make_version(m.id, "v1");
  const Version v2 = make_version(m.id, "v2");
  const Version v3 = make_version(m.id, "v3");
  auto first = store().put_release(m.id, stable_only(v1.id), 0, {"publish", "alice"});
  ASSERT_TRUE(first.ok());
  ReleaseSpec canary = stable_only(v1.id);
  canary.canaries = {Canary{v3.id, "", 2.5, R"({"group":["beta"]})"},
                     Canary{v2.id, "", 10, R"({"tenant":["acme"],"user":["u1"]})"}};
  auto changed = store().put_release(m.id, canary, first->revision, {"canary", "bob"});
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  auto got = store().get_release(m.id);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->canaries.size(), 2u);
  EXPECT_EQ(got->canaries[0].version, "v3");
  EXPECT_DOUBLE_EQ(got->canaries[0].percent, 2.5);
  EXPECT_EQ(got->canaries[0].match, R"({"group":["beta"]})");
  EXPECT_EQ(got->canaries[1].version_id, v2.id);
  EXPECT_DOUBLE_EQ(got->canaries[1].percent, 10);
  const auto events = history(store(), m.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, "canary");  // newest first
  EXPECT_EQ(events[0].before, events[1].after);
  const auto after = boost::json::parse(events[0].after);
  EXPECT_EQ(after.at("canaries").as_array().size(), 2u);
}

TEST_P(StoreTest, Releases_StaleRevisionIsRefusedAndLeavesNoHistory) {
  const Model m = make_model("m");
  const Version v1 = make_version(m.id, "v1");
  const Version v2 = make_version(m.id, "v2");
  auto first = store().put_release(m.id, stable_only(v1.id), 0, {"publish", "alice"});
  ASSERT_TRUE(first.ok());
  auto again = store().put_release(m.id, stable_only(v2.id), 0, {"publish", "bob"});
  EXPECT_EQ(code_of(again), ErrorCode::kPreconditionFailed);
  auto stale =
      store().put_release(m.id, stable_only(v2.id), first->revision - 1, {"rollback", "bob"});
  EXPECT_EQ(code_of(stale), ErrorCode::kPreconditionFailed);
  EXPECT_EQ(history(store(), m.id).size(), 1u);
  EXPECT_EQ(store().get_release(m.id)->stable_version, "v1");
}

TEST_P(StoreTest, Releases_FailedChangeRollsBackReleaseAndHistoryTogether) {
  const Model m = make_model("m");
  const Model other = make_model("other");
  const Version v1 = make_version(m.id, "v1");
  const Version foreign = make_version(other.id, "v1");
  auto first = store().put_release(m.id, stable_only(v1.id), 0, {"publish", "alice"});
  ASSERT_TRUE(first.ok());
  const Revision before = current_revision();
  ReleaseSpec bad = stable_only(v1.id);
  bad.canaries = {Canary{foreign.id, "", 5, "{}"}};
  auto refused = store().put_release(m.id, bad, first->revision, {"canary", "bob"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(refused.error().field, "canaries[0].version_id");
  EXPECT_EQ(history(store(), m.id).size(), 1u);
  EXPECT_EQ(store().get_release(m.id)->revision, first->revision);
  EXPECT_EQ(current_revision(), before);
}

TEST_P(StoreTest, Releases_ChangeIsUndoneWhenItsHistoryCannotBeWritten) {
  const Model m = make_model("m");
  const Version v1 = make_version(m.id, "v1");
  const Version v2 = make_version(m.id, "v2");
  auto first = store().put_release(m.id, stable_only(v1.id), 0, {"publish", "alice"});
  ASSERT_TRUE(first.ok());
  // Make the history insert, the last step of a release change, fail.
  auto db = raw();
  ASSERT_NE(db, nullptr);
  Status broken = db->run_script(
      GetParam() == Backend::kSqlite
          ? "CREATE TRIGGER no_history BEFORE INSERT ON release_history "
            "BEGIN SELECT RAISE(ABORT, 'history is full'); END;"
          : "CREATE FUNCTION no_history() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'history is full'; END $$; "
            "CREATE TRIGGER no_history BEFORE INSERT ON release_history "
            "FOR EACH ROW EXECUTE FUNCTION no_history();");
  ASSERT_TRUE(broken.ok()) << broken.error().message;
  auto refused = store().put_release(m.id, stable_only(v2.id), first->revision, {"rollout", "bob"});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("history is full"), std::string::npos);
  auto release = store().get_release(m.id);
  ASSERT_TRUE(release.ok());
  EXPECT_EQ(release->stable_version, "v1");
  EXPECT_EQ(release->revision, first->revision);
}

TEST_P(StoreTest, Releases_MalformedSpecIsRejectedNamingTheField) {
  const Model m = make_model("m");
  const Version v1 = make_version(m.id, "v1");
  ReleaseSpec spec = stable_only(v1.id);
  spec.canaries = {Canary{v1.id, "", 120, "{}"}};
  EXPECT_EQ(store().put_release(m.id, spec, 0, {"canary", "a"}).error().field,
            "canaries[0].percent");
  spec.canaries = {Canary{v1.id, "", 5, "[]"}};
  EXPECT_EQ(store().put_release(m.id, spec, 0, {"canary", "a"}).error().field, "canaries[0].match");
  EXPECT_EQ(store().put_release(m.id, stable_only(v1.id), 0, {"", "a"}).error().field, "action");
  EXPECT_EQ(code_of(store().put_release(m.id + 50, stable_only(v1.id), 0, {"publish", "a"})),
            ErrorCode::kNotFound);
}

TEST_P(StoreTest, Releases_PauseAndDeleteAreRecordedWithNullAfterOnDelete) {
  const Model m = make_model("m");
  const Version v1 = make_version(m.id, "v1");
  auto first = store().put_release(m.id, stable_only(v1.id), 0, {"publish", "alice"});
  ASSERT_TRUE(first.ok());
  ReleaseSpec paused = stable_only(v1.id);
  paused.state = ReleaseState::kPaused;
  auto p = store().put_release(m.id, paused, first->revision, {"pause", "ops"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->state, ReleaseState::kPaused);
  EXPECT_EQ(code_of(store().delete_release(m.id, first->revision, {"offline", "ops"})),
            ErrorCode::kPreconditionFailed);
  ASSERT_TRUE(store().delete_release(m.id, p->revision, {"offline", "ops"}).ok());
  EXPECT_EQ(code_of(store().get_release(m.id)), ErrorCode::kNotFound);
  const auto events = history(store(), m.id);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].action, "offline");
  EXPECT_EQ(events[0].after, "null");
  EXPECT_EQ(boost::json::parse(events[0].before).at("state").as_string(), "paused");
  // Without a release the model and its versions may go; the history goes with the model.
  ASSERT_TRUE(store().delete_version(v1.id).ok());
  ASSERT_TRUE(store().delete_model(m.id, m.revision).ok());
  EXPECT_TRUE(history(store(), m.id).empty());
}

TEST_P(StoreTest, Releases_HistoryAndListPage) {
  const Model a = make_model("a");
  const Model b = make_model("b");
  const Version va = make_version(a.id, "v1");
  const Version vb = make_version(b.id, "v1");
  auto r = store().put_release(a.id, stable_only(va.id), 0, {"publish", "x"});
  ASSERT_TRUE(r.ok());
  for (int i = 0; i < 4; ++i) {
    r = store().put_release(a.id, stable_only(va.id), r->revision,
                            {"touch" + std::to_string(i), "x"});
    ASSERT_TRUE(r.ok());
  }
  ASSERT_TRUE(store().put_release(b.id, stable_only(vb.id), 0, {"publish", "y"}).ok());
  auto page1 = store().list_release_history(a.id, PageRequest{.cursor = "", .limit = 2});
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->items.size(), 2u);
  EXPECT_EQ(page1->items[0].action, "touch3");
  EXPECT_EQ(page1->items[1].action, "touch2");
  auto page2 = store().list_release_history(a.id, PageRequest{page1->next_cursor, 2});
  ASSERT_TRUE(page2.ok());
  EXPECT_EQ(page2->items[0].action, "touch1");
  auto page3 = store().list_release_history(a.id, PageRequest{page2->next_cursor, 2});
  ASSERT_TRUE(page3.ok());
  ASSERT_EQ(page3->items.size(), 1u);
  EXPECT_EQ(page3->items[0].action, "publish");
  EXPECT_TRUE(page3->next_cursor.empty());
  auto releases = store().list_releases(PageRequest{.cursor = "", .limit = 1});
  ASSERT_TRUE(releases.ok());
  ASSERT_EQ(releases->items.size(), 1u);
  EXPECT_EQ(releases->items[0].model_id, a.id);
  auto rest = store().list_releases(PageRequest{releases->next_cursor, 1});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].model_id, b.id);
}

}  // namespace
}  // namespace plinth::store::testing
