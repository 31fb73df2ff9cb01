// The change counter and transactions in the shared store suite.
#include "store_fixture.h"

namespace plinth::store::testing {
namespace {

TEST_P(StoreTest, Revision_AdvancesByOneOnEveryConfigurationWrite) {
  Revision last = current_revision();
  EXPECT_EQ(last, 0);
  auto expect_advanced = [&](const char* what) {
    const Revision now = current_revision();
    EXPECT_EQ(now, last + 1) << what;
    last = now;
  };
  Model m = make_model("m");
  expect_advanced("create_model");
  EXPECT_EQ(m.revision, last);
  auto updated = store().update_model(m.id, m, m.revision);
  ASSERT_TRUE(updated.ok());
  expect_advanced("update_model");
  const Version v = make_version(m.id, "v1");
  expect_advanced("create_version");
  auto e = store().create_endpoint(EndpointSpec{v.id, "http://x", 1, ""});
  ASSERT_TRUE(e.ok());
  expect_advanced("create_endpoint");
  ASSERT_TRUE(store().update_endpoint(e->id, EndpointUpdate{"http://y", 2}, e->revision).ok());
  expect_advanced("update_endpoint");
  ReleaseSpec spec;
  spec.stable_version_id = v.id;
  auto r = store().put_release(m.id, spec, 0, {"publish", "a"});
  ASSERT_TRUE(r.ok());
  expect_advanced("put_release");
  ASSERT_TRUE(store().delete_release(m.id, r->revision, {"offline", "a"}).ok());
  expect_advanced("delete_release");
  ASSERT_TRUE(store().delete_version(v.id).ok());
  expect_advanced("delete_version");
  ASSERT_TRUE(store().delete_model(m.id, updated->revision).ok());
  expect_advanced("delete_model");
}

TEST_P(StoreTest, Revision_StaysPutWhenAWriteFailsOrOnlyReads) {
  const Model m = make_model("m");
  const Revision before = current_revision();
  ModelSpec clash;
  clash.name = "m";
  EXPECT_FALSE(store().create_model(clash).ok());
  EXPECT_FALSE(store().update_model(m.id, m, m.revision - 1).ok());
  EXPECT_TRUE(store().get_model(m.id).ok());
  EXPECT_TRUE(store().list_models({}).ok());
  EXPECT_EQ(current_revision(), before);
}

TEST_P(StoreTest, Transact_CommitsEverythingWhenTheFunctionSucceeds) {
  Status s = store().transact([](Store& tx) -> Status {
    auto m = tx.create_model(ModelSpec{.name = "together"});
    if (!m.ok()) return std::move(m).error();
    VersionSpec v;
    v.model_id = m->id;
    v.name = "v1";
    v.provider_type = "openai";
    auto created = tx.create_version(v);
    if (!created.ok()) return std::move(created).error();
    // Reads inside see the transaction's own writes.
    auto seen = tx.find_version(m->id, "v1");
    if (!seen.ok()) return std::move(seen).error();
    ReleaseSpec r;
    r.stable_version_id = created->id;
    auto released = tx.put_release(m->id, r, 0, {"publish", "importer"});
    if (!released.ok()) return std::move(released).error();
    return {};
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto m = store().find_model("together");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(store().get_release(m->id)->stable_version, "v1");
}

TEST_P(StoreTest, Transact_RollsEverythingBackWhenTheFunctionFails) {
  const Revision before = current_revision();
  Status s = store().transact([](Store& tx) -> Status {
    auto m = tx.create_model(ModelSpec{.name = "half-done"});
    if (!m.ok()) return std::move(m).error();
    return Error{ErrorCode::kConflict, "changed my mind"};
  });
  EXPECT_EQ(code_of(s), ErrorCode::kConflict);
  EXPECT_EQ(code_of(store().find_model("half-done")), ErrorCode::kNotFound);
  EXPECT_EQ(current_revision(), before);
}

TEST_P(StoreTest, Transact_AFailedCallInsideLeavesNoTraceAndTheRestCommits) {
  make_model("taken");
  Status s = store().transact([](Store& tx) -> Status {
    auto clash = tx.create_model(ModelSpec{.name = "fresh", .aliases = {"taken"}});
    if (clash.ok()) return Error{ErrorCode::kInternal, "expected a conflict"};
    auto m = tx.create_model(ModelSpec{.name = "fresh"});
    if (!m.ok()) return std::move(m).error();
    // A nested transaction that fails is undone on its own.
    Status nested = tx.transact([](Store& inner) -> Status {
      auto x = inner.create_model(ModelSpec{.name = "nested"});
      if (!x.ok()) return std::move(x).error();
      return Error{ErrorCode::kConflict, "undo the nested part"};
    });
    if (nested.ok()) return Error{ErrorCode::kInternal, "expected the nested part to fail"};
    return {};
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(store().find_model("fresh").ok());
  EXPECT_EQ(code_of(store().find_model("nested")), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace plinth::store::testing
