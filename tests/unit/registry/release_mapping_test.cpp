// Release mapping: the registry's ReleasePlan (version names) and the store's release record
// (version ids, match rules as JSON) convert into each other without loss.
#include "registry/release_mapping.h"

#include <gtest/gtest.h>

#include "temp_sqlite_store.h"
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "store/secret_box.h"
#include "store/sqlite_store.h"

namespace plinth::registry {
namespace {

namespace json = boost::json;

const std::map<std::string, store::VersionId> kIds = {{"v1", 11}, {"v2", 12}, {"v3", 13},
                                                      {"v4", 14}};

ReleasePlan full_plan() {
  ReleasePlan plan;
  plan.model = "chat";
  plan.stable = "v2";
  plan.previous_stable = "v1";
  plan.paused = true;
  CanaryRule by_group;
  by_group.version = "v3";
  by_group.percent = 12.5;
  by_group.tenants = {"acme"};
  by_group.projects = {"p1", "p2"};
  by_group.users = {"alice"};
  by_group.groups = {"beta", "staff"};
  CanaryRule by_share;
  by_share.version = "v4";
  by_share.percent = 5;
  plan.canaries = {by_group, by_share};
  plan.offline = {"v1"};
  return plan;
}

void expect_same_rule(const CanaryRule& got, const CanaryRule& want) {
  EXPECT_EQ(got.version, want.version);
  EXPECT_DOUBLE_EQ(got.percent, want.percent);
  EXPECT_EQ(got.tenants, want.tenants);
  EXPECT_EQ(got.projects, want.projects);
  EXPECT_EQ(got.users, want.users);
  EXPECT_EQ(got.groups, want.groups);
}

void expect_same_plan(const ReleasePlan& got, const ReleasePlan& want) {
  EXPECT_EQ(got.model, want.model);
  EXPECT_EQ(got.stable, want.stable);
  EXPECT_EQ(got.previous_stable, want.previous_stable);
  EXPECT_EQ(got.paused, want.paused);
  EXPECT_EQ(got.offline, want.offline);
  ASSERT_EQ(got.canaries.size(), want.canaries.size());
  for (std::size_t i = 0; i < got.canaries.size(); ++i) {
    SCOPED_TRACE("canary " + std::to_string(i));
    expect_same_rule(got.canaries[i], want.canaries[i]);
  }
}

TEST(MatchJson, WritesEveryListEvenWhenEmpty) {
  CanaryRule rule;
  rule.users = {"alice", "bob"};
  const json::value v = json::parse(match_json(rule));
  ASSERT_TRUE(v.is_object());
  const json::object& o = v.as_object();
  EXPECT_EQ(o.size(), 4u);
  EXPECT_EQ(o.at("tenants"), json::array());
  EXPECT_EQ(o.at("projects"), json::array());
  EXPECT_EQ(o.at("users"), (json::array{"alice", "bob"}));
  EXPECT_EQ(o.at("groups"), json::array());
}

TEST(MatchJson, ReadsBackWhatItWrote) {
  CanaryRule rule;
  rule.tenants = {"t"};
  rule.projects = {"p1", "p2"};
  rule.users = {"u \"quoted\""};
  rule.groups = {"g/with/slash"};
  CanaryRule back;
  read_match(match_json(rule), back);
  expect_same_rule(back, rule);
}

TEST(MatchJson, ReadIgnoresUnknownKeysNonStringItemsAndGarbage) {
  CanaryRule rule;
  read_match(R"({"users":["a",1,null,"b"],"groups":"not-a-list","colours":["red"]})", rule);
  EXPECT_EQ(rule.users, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(rule.groups.empty());
  EXPECT_TRUE(rule.tenants.empty());

  CanaryRule untouched;
  read_match("{not json", untouched);
  read_match("[1,2]", untouched);
  read_match("", untouched);
  EXPECT_TRUE(untouched.users.empty());
  EXPECT_TRUE(untouched.groups.empty());
}

TEST(SpecFromPlan, MapsNamesToIdsInOrder) {
  auto spec = spec_from_plan(full_plan(), kIds);
  ASSERT_TRUE(spec.ok()) << spec.error().field << ": " << spec.error().message;
  EXPECT_EQ(spec->stable_version_id, 12);
  EXPECT_EQ(spec->previous_stable_version_id, 11);
  EXPECT_EQ(spec->state, store::ReleaseState::kPaused);
  ASSERT_EQ(spec->canaries.size(), 2u);
  EXPECT_EQ(spec->canaries[0].version_id, 13);
  EXPECT_EQ(spec->canaries[0].version, "v3");
  EXPECT_DOUBLE_EQ(spec->canaries[0].percent, 12.5);
  EXPECT_EQ(json::parse(spec->canaries[0].match).as_object().at("groups"),
            (json::array{"beta", "staff"}));
  EXPECT_EQ(spec->canaries[1].version_id, 14);
  EXPECT_EQ(spec->offline_version_ids, (std::vector<store::VersionId>{11}));
}

TEST(SpecFromPlan, NoPreviousStableIsZeroAndActiveStaysActive) {
  ReleasePlan plan;
  plan.model = "chat";
  plan.stable = "v1";
  auto spec = spec_from_plan(plan, kIds);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->stable_version_id, 11);
  EXPECT_EQ(spec->previous_stable_version_id, 0);
  EXPECT_EQ(spec->state, store::ReleaseState::kActive);
  EXPECT_TRUE(spec->canaries.empty());
  EXPECT_TRUE(spec->offline_version_ids.empty());
}

TEST(SpecFromPlan, UnknownVersionNamesAreInvalidRequestsNamingTheField) {
  struct Case {
    const char* what;
    void (*spoil)(ReleasePlan&);
    const char* field;
  };
  const Case cases[] = {
      {"stable", [](ReleasePlan& p) { p.stable = "v9"; }, "stable"},
      {"previous", [](ReleasePlan& p) { p.previous_stable = "v9"; }, "previous_stable"},
      {"canary", [](ReleasePlan& p) { p.canaries[1].version = "v9"; }, "canaries[1].version"},
      {"offline", [](ReleasePlan& p) { p.offline = {"v2", "v9"}; }, "offline[1]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ReleasePlan plan = full_plan();
    c.spoil(plan);
    auto spec = spec_from_plan(plan, kIds);
    ASSERT_FALSE(spec.ok());
    EXPECT_EQ(spec.error().code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(spec.error().field, c.field);
    EXPECT_NE(spec.error().message.find("'v9'"), std::string::npos) << spec.error().message;
    EXPECT_NE(spec.error().message.find("'chat'"), std::string::npos) << spec.error().message;
  }
}

TEST(PlanFromRelease, ReadsNamesStateAndMatchRules) {
  store::Release release;
  release.stable_version_id = 12;
  release.stable_version = "v2";
  release.previous_stable_version = "v1";
  release.offline_versions = {"v1"};
  release.state = store::ReleaseState::kPaused;
  release.canaries = {store::Canary{13, "v3", 30, R"({"users":["alice"],"tenants":["acme"]})"},
                      store::Canary{14, "v4", 0.5, "{}"}};
  const ReleasePlan plan = plan_from_release("chat", release);
  EXPECT_EQ(plan.model, "chat");
  EXPECT_EQ(plan.stable, "v2");
  EXPECT_EQ(plan.previous_stable, "v1");
  EXPECT_TRUE(plan.paused);
  EXPECT_EQ(plan.offline, (std::vector<std::string>{"v1"}));
  ASSERT_EQ(plan.canaries.size(), 2u);
  EXPECT_EQ(plan.canaries[0].version, "v3");
  EXPECT_DOUBLE_EQ(plan.canaries[0].percent, 30);
  EXPECT_EQ(plan.canaries[0].users, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(plan.canaries[0].tenants, (std::vector<std::string>{"acme"}));
  EXPECT_TRUE(plan.canaries[0].groups.empty());
  EXPECT_EQ(plan.canaries[1].version, "v4");
  EXPECT_DOUBLE_EQ(plan.canaries[1].percent, 0.5);
  EXPECT_TRUE(plan.canaries[1].users.empty());
}

TEST(PlanFromRelease, ActiveReleaseIsNotPaused) {
  store::Release release;
  release.stable_version = "v1";
  EXPECT_FALSE(plan_from_release("chat", release).paused);
}

// Through a real store: plan -> spec -> put_release -> get_release -> plan gives the plan back.
class ReleaseMappingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = testing::open_temp_sqlite_store("plinth-release-mapping-", dir_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ReleaseMappingStoreTest, PlanSurvivesARoundTripThroughTheStore) {
  auto model = store_->create_model(store::ModelSpec{.name = "chat"});
  ASSERT_TRUE(model.ok()) << model.error().message;
  std::map<std::string, store::VersionId> ids;
  for (const char* name : {"v1", "v2", "v3", "v4"}) {
    store::VersionSpec spec;
    spec.model_id = model->id;
    spec.name = name;
    spec.provider_type = "simulator";
    auto v = store_->create_version(spec);
    ASSERT_TRUE(v.ok()) << v.error().message;
    ids[name] = v->id;
  }
  const ReleasePlan plan = full_plan();
  auto spec = spec_from_plan(plan, ids);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  auto put = store_->put_release(model->id, *spec, 0, store::ReleaseAction{"publish", "test"});
  ASSERT_TRUE(put.ok()) << put.error().field << ": " << put.error().message;
  auto got = store_->get_release(model->id);
  ASSERT_TRUE(got.ok()) << got.error().message;
  expect_same_plan(plan_from_release("chat", *got), plan);

  // And the store's record maps back to the same spec.
  auto again = spec_from_plan(plan_from_release("chat", *got), ids);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->stable_version_id, spec->stable_version_id);
  EXPECT_EQ(again->previous_stable_version_id, spec->previous_stable_version_id);
  EXPECT_EQ(again->offline_version_ids, spec->offline_version_ids);
  ASSERT_EQ(again->canaries.size(), spec->canaries.size());
  for (std::size_t i = 0; i < again->canaries.size(); ++i) {
    EXPECT_EQ(again->canaries[i].version_id, spec->canaries[i].version_id);
    EXPECT_EQ(json::parse(again->canaries[i].match), json::parse(spec->canaries[i].match));
  }
}

}  // namespace
}  // namespace plinth::registry
