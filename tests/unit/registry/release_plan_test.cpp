#include "registry/release_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace plinth::registry {
namespace {

constexpr int kCallers = 10000;
// release_bucket("chat", user "alice"), computed apart from this code (a Python replica of
// FNV-1a 64, the Murmur3 finalizer and the multiply-shift to 10000 buckets).
constexpr std::uint32_t kPinnedAliceBucket = 497;

std::vector<std::string> user_names(int n) {
  std::vector<std::string> names;
  names.reserve(n);
  for (int i = 0; i < n; ++i) names.push_back("user-" + std::to_string(i));
  return names;
}

ReleasePlan plan_with_stable(std::string stable) {
  ReleasePlan plan;
  plan.model = "chat";
  plan.stable = std::move(stable);
  return plan;
}

ReleasePlan must(Result<ReleasePlan> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
  return r.ok() ? std::move(r).value() : ReleasePlan{};
}

// The version each of `users` gets, as owned strings so plans can change afterwards.
std::vector<std::string> assign(const ReleasePlan& plan, const std::vector<std::string>& users) {
  std::vector<std::string> out;
  out.reserve(users.size());
  for (const std::string& u : users) out.emplace_back(choose_version(plan, Caller{.user = u}));
  return out;
}

int count_of(const std::vector<std::string>& versions, std::string_view v) {
  return static_cast<int>(std::count(versions.begin(), versions.end(), v));
}

TEST(ReleaseBucket, IsPinnedSoEveryReplicaAndBuildAgrees) {
  // A changed hash would move callers between versions on upgrade; change it deliberately.
  EXPECT_EQ(release_bucket("chat", Caller{.user = "alice"}),
            release_bucket("chat", Caller{.user = "alice"}));
  EXPECT_EQ(release_bucket("chat", Caller{.user = "alice"}), kPinnedAliceBucket);
}

TEST(ReleaseBucket, UsesUserBeforeKeyIdAndSaltsByModel) {
  EXPECT_EQ(release_bucket("chat", Caller{.user = "u", .key_id = "k1"}),
            release_bucket("chat", Caller{.user = "u", .key_id = "k2"}));
  EXPECT_EQ(release_bucket("chat", Caller{.key_id = "k1"}),
            release_bucket("chat", Caller{.user = "k1"}));
  // Different models spread the same callers independently.
  int same = 0;
  for (const std::string& u : user_names(1000)) {
    same += release_bucket("chat", Caller{.user = u}) == release_bucket("embed", Caller{.user = u});
  }
  EXPECT_LT(same, 10);
}

TEST(CanaryAssignment, TenPercentCanaryGetsTenPercentOfCallers) {
  ReleasePlan plan = must(canary(plan_with_stable("v1"), "v2", 10));
  auto got = assign(plan, user_names(kCallers));
  int on_canary = count_of(got, "v2");
  EXPECT_NEAR(on_canary, kCallers / 10, kCallers * 0.015);
  EXPECT_EQ(on_canary + count_of(got, "v1"), kCallers);
}

TEST(CanaryAssignment, GroupRuleSendsEveryMemberWhateverThePercent) {
  ReleasePlan plan = must(canary(plan_with_stable("v1"), "v2", 0, {"beta"}));
  const std::vector<std::string> beta = {"staff", "beta"};
  const std::vector<std::string> staff = {"staff"};
  for (const std::string& u : user_names(1000)) {
    EXPECT_EQ(choose_version(plan, Caller{.user = u, .groups = beta}), "v2") << u;
    EXPECT_EQ(choose_version(plan, Caller{.user = u, .groups = staff}), "v1") << u;
  }
}

TEST(CanaryAssignment, MostSpecificRuleWinsUserOverGroupOverProjectOverTenant) {
  ReleasePlan plan = plan_with_stable("v1");
  plan.canaries = {CanaryRule{.version = "t", .tenants = {"acme"}},
                   CanaryRule{.version = "p", .projects = {"search"}},
                   CanaryRule{.version = "g", .groups = {"beta"}},
                   CanaryRule{.version = "u", .users = {"alice"}}};
  plan = must(validate(plan));
  const std::vector<std::string> beta = {"beta"};
  EXPECT_EQ(choose_version(plan, Caller{.tenant = "acme"}), "t");
  EXPECT_EQ(choose_version(plan, Caller{.tenant = "acme", .project = "search"}), "p");
  EXPECT_EQ(choose_version(plan, Caller{.tenant = "acme", .project = "search", .groups = beta}),
            "g");
  EXPECT_EQ(
      choose_version(
          plan, Caller{.tenant = "acme", .project = "search", .user = "alice", .groups = beta}),
      "u");
  EXPECT_EQ(choose_version(plan, Caller{.tenant = "other", .user = "bob"}), "v1");
}

TEST(CanaryAssignment, IsStickyPerCallerAcrossCallsAndPlanCopies) {
  ReleasePlan plan = must(canary(plan_with_stable("v1"), "v2", 30));
  ReleasePlan copy = plan;
  ReleasePlan rebuilt = must(canary(plan_with_stable("v1"), "v2", 30));
  for (const std::string& u : user_names(2000)) {
    Caller c{.user = u};
    std::string first(choose_version(plan, c));
    EXPECT_EQ(choose_version(plan, c), first);
    EXPECT_EQ(choose_version(copy, c), first);
    EXPECT_EQ(choose_version(rebuilt, c), first);
  }
}

TEST(CanaryAssignment, GrowingTheCanaryOnlyMovesCallersFromStableToCanary) {
  auto users = user_names(kCallers);
  ReleasePlan plan = must(canary(plan_with_stable("v1"), "v2", 10));
  auto before = assign(plan, users);
  for (double percent : {20.0, 50.0}) {
    plan = must(canary(plan, "v2", percent));
    auto after = assign(plan, users);
    int moved = 0;
    for (std::size_t i = 0; i < users.size(); ++i) {
      if (before[i] == after[i]) continue;
      ++moved;
      EXPECT_EQ(before[i], "v1") << users[i] << " left the canary at " << percent << "%";
      EXPECT_EQ(after[i], "v2") << users[i];
    }
    EXPECT_GT(moved, 0);
    EXPECT_NEAR(count_of(after, "v2"), kCallers * percent / 100, kCallers * 0.015);
    before = std::move(after);
  }
}

TEST(CanaryAssignment, AddingOrGrowingTheLastCanaryKeepsEarlierCanaryCallers) {
  auto users = user_names(kCallers);
  ReleasePlan plan = must(canary(plan_with_stable("v1"), "v2", 10));
  auto one = assign(plan, users);
  plan = must(canary(plan, "v3", 10));
  auto two = assign(plan, users);
  plan = must(canary(plan, "v3", 30));
  auto grown = assign(plan, users);
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (one[i] == "v2") {
      EXPECT_EQ(two[i], "v2") << users[i];
      EXPECT_EQ(grown[i], "v2") << users[i];
    }
    if (two[i] != one[i]) {
      EXPECT_EQ(two[i], "v3") << users[i];
    }
    if (grown[i] != two[i]) {
      EXPECT_EQ(two[i], "v1") << users[i];
      EXPECT_EQ(grown[i], "v3") << users[i];
    }
  }
}

TEST(ReleaseActions, PauseSendsEveryoneToStableAndResumeRestores) {
  auto users = user_names(1000);
  ReleasePlan plan = must(canary(plan_with_stable("v1"), "v2", 50, {"beta"}));
  auto active = assign(plan, users);
  ReleasePlan paused = pause(plan);
  const std::vector<std::string> beta = {"beta"};
  EXPECT_EQ(choose_version(paused, Caller{.user = "x", .groups = beta}), "v1");
  EXPECT_EQ(count_of(assign(paused, users), "v1"), 1000);
  EXPECT_EQ(assign(resume(paused), users), active);
}

TEST(ReleaseActions, RollbackRestoresThePreviousStableInOneStep) {
  ReleasePlan plan = must(canary(plan_with_stable("v1"), "v2", 20));
  plan = must(promote(plan, "v2"));
  EXPECT_EQ(plan.stable, "v2");
  EXPECT_EQ(plan.previous_stable, "v1");
  EXPECT_TRUE(plan.canaries.empty());
  plan = must(canary(plan, "v3", 40, {"beta"}));

  ReleasePlan back = must(rollback(plan));
  EXPECT_EQ(back.stable, "v1");
  EXPECT_TRUE(back.canaries.empty());
  EXPECT_TRUE(back.previous_stable.empty());
  const std::vector<std::string> beta = {"beta"};
  EXPECT_EQ(count_of(assign(back, user_names(1000)), "v1"), 1000);
  EXPECT_EQ(choose_version(back, Caller{.user = "x", .groups = beta}), "v1");

  auto again = rollback(back);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST(ReleaseActions, PromoteKeepsOtherCanariesAndRefusesTheStableVersion) {
  ReleasePlan plan = must(canary(plan_with_stable("v1"), "v2", 10));
  plan = must(canary(plan, "v3", 5));
  plan = must(promote(plan, "v3"));
  ASSERT_EQ(plan.canaries.size(), 1u);
  EXPECT_EQ(plan.canaries[0].version, "v2");
  auto same = promote(plan, "v3");
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(canary(plan, "v3", 10).ok());  // the stable version cannot be a canary
}

TEST(ReleaseActions, OfflineVersionIsNeverChosen) {
  auto users = user_names(kCallers);
  ReleasePlan plan = must(canary(plan_with_stable("v1"), "v2", 50, {"beta"}));
  // Even a hand-built plan that still lists the offline canary sends its callers to stable.
  ReleasePlan listed = plan;
  listed.offline = {"v2"};
  ReleasePlan dropped = must(offline(plan, "v2"));
  EXPECT_TRUE(dropped.canaries.empty());
  const std::vector<std::string> beta = {"beta"};
  for (const ReleasePlan& p : {listed, dropped}) {
    EXPECT_EQ(count_of(assign(p, users), "v2"), 0);
    EXPECT_EQ(choose_version(p, Caller{.user = "x", .groups = beta}), "v1");
  }
  EXPECT_FALSE(canary(dropped, "v2", 10).ok());
  EXPECT_FALSE(promote(dropped, "v2").ok());
}

TEST(ReleaseActions, OfflineOfStableIsRefusedGracefullyAndLeavesNothingByForce) {
  ReleasePlan plan = must(canary(plan_with_stable("v1"), "v2", 50));
  auto graceful = offline(plan, "v1");
  ASSERT_FALSE(graceful.ok());
  EXPECT_EQ(graceful.error().code, ErrorCode::kConflict);
  EXPECT_EQ(graceful.error().field, "version");

  ReleasePlan forced = must(offline(plan, "v1", OfflineMode::kForce));
  auto got = assign(forced, user_names(1000));
  EXPECT_EQ(count_of(got, "v1"), 0);
  EXPECT_GT(count_of(got, ""), 0);
  EXPECT_EQ(count_of(got, "") + count_of(got, "v2"), 1000);
  // Every caller not on the canary gets nothing rather than the offline stable.
  ReleasePlan only_stable = must(offline(plan_with_stable("v1"), "v1", OfflineMode::kForce));
  EXPECT_EQ(choose_version(only_stable, Caller{.user = "x"}), "");
}

TEST(ReleaseValidation, NamesTheFieldAndTheValue) {
  struct Case {
    std::vector<CanaryRule> canaries;
    std::string stable;
    std::string field;
    std::string in_message;
  };
  const std::vector<Case> cases = {
      {{{.version = "v2", .percent = -1}}, "v1", "canaries[0].percent", "got -1"},
      {{{.version = "v2", .percent = 100.5}}, "v1", "canaries[0].percent", "got 100.5"},
      {{{.version = "v2", .percent = std::nan("")}}, "v1", "canaries[0].percent", "between 0"},
      {{{.version = "v2", .percent = 60}, {.version = "v3", .percent = 50}},
       "v1",
       "canaries[1].percent",
       "got 110"},
      {{{.version = "v2", .percent = 1}, {.version = "v2", .percent = 1}},
       "v1",
       "canaries[1].version",
       "canaries[0]"},
      {{{.version = "v2", .percent = 1}, {.version = "v1", .percent = 1}},
       "v1",
       "canaries[1].version",
       "stable"},
      {{{.version = "", .percent = 1}}, "v1", "canaries[0].version", "must be set"},
      {{}, "", "stable", "must be set"},
  };
  for (const Case& c : cases) {
    ReleasePlan plan = plan_with_stable(c.stable);
    plan.canaries = c.canaries;
    auto r = validate(plan);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(r.error().field, c.field);
    EXPECT_NE(r.error().message.find(c.in_message), std::string::npos) << r.error().message;
  }
  ReleasePlan full = plan_with_stable("v1");
  full.canaries = {{.version = "v2", .percent = 60}, {.version = "v3", .percent = 40}};
  EXPECT_TRUE(validate(full).ok());
  EXPECT_FALSE(canary(must(canary(plan_with_stable("v1"), "v2", 60)), "v3", 41).ok());
}

}  // namespace
}  // namespace plinth::registry

namespace plinth::registry {
namespace {

TEST(CanaryAssignment, TheRequestsEndUserIsStickyButMatchesNoUserRule) {
  // The end user (OpenAI `user` field) places the caller like a user would...
  EXPECT_EQ(release_bucket("chat", Caller{.key_id = "k", .end_user = "alice"}),
            release_bucket("chat", Caller{.user = "alice"}));
  // ...but a users rule matches only the key's own user.
  ReleasePlan plan;
  plan.model = "chat";
  plan.stable = "v1";
  plan.canaries.push_back(CanaryRule{.version = "v2", .percent = 0, .users = {"alice"}});
  EXPECT_EQ(choose_version(plan, Caller{.key_id = "k", .end_user = "alice"}), "v1");
  EXPECT_EQ(choose_version(plan, Caller{.user = "alice", .key_id = "k"}), "v2");
}

}  // namespace
}  // namespace plinth::registry
