// The release of a model as pure values: which version each caller gets (sticky, monotone
// canary assignment) and the actions that turn one release plan into the next. No I/O; the
// store keeps plans and the snapshot builder hands them to the data plane.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace plinth::registry {

// Who is calling, as far as release assignment cares. Views into the request's principal;
// only read during choose_version().
struct Caller {
  std::string_view tenant;
  std::string_view project;
  std::string_view user;
  std::span<const std::string> groups;
  std::string_view key_id;  // the API key's id; the sticky identity when `user` is empty
  // The request's own end-user id (OpenAI `user` field): the sticky identity when the key
  // names no user. Only for bucketing: a caller cannot name itself into a `users` rule.
  std::string_view end_user;
};

// A version that gets a share of the traffic and/or the callers that match it.
struct CanaryRule {
  std::string version;
  double percent = 0;  // 0..100, of all callers that no rule sends elsewhere
  // A caller that matches any of these goes to this canary whatever `percent` says.
  std::vector<std::string> tenants;
  std::vector<std::string> projects;
  std::vector<std::string> users;
  std::vector<std::string> groups;
};

struct ReleasePlan {
  std::string model;
  std::string stable;
  std::string previous_stable;       // what rollback() returns to; empty when there is none
  std::vector<CanaryRule> canaries;  // order matters: it fixes the bucket layout (below)
  bool paused = false;               // paused: everyone gets `stable`, canaries are kept
  std::vector<std::string> offline;  // versions taken offline; never chosen
};

// Percentages are resolved to buckets of 0.01 %.
inline constexpr std::uint32_t kReleaseBuckets = 10000;

// The caller's bucket in [0, kReleaseBuckets) for `model`: a 64-bit FNV-1a hash of
// model + '\0' + identity (user if set, else end_user if set, else key_id), mixed and scaled. Stable across
// processes and builds, so every replica puts a caller in the same bucket. Callers without
// user and key_id all share one bucket.
std::uint32_t release_bucket(std::string_view model, const Caller& caller);

// Checks a plan: stable set, each canary's version set and percent in 0..100, percents
// summing to at most 100, no version twice, stable not also a canary. The error's `field`
// names the offender, e.g. "canaries[1].percent".
Result<ReleasePlan> validate(ReleasePlan plan);

// The version `caller` gets, or empty when nothing can serve (the stable version is offline),
// which the caller turns into an error. The view points into `plan`.
//
// Order of decision:
//  1. paused -> stable.
//  2. Explicit rules, most specific first: a user match, then group, project, tenant; among
//     canaries with the same kind of match, the one declared first. Offline canaries are
//     skipped.
//  3. Percentages by bucket. Layout: canaries take contiguous ranges from the TOP of
//     [0, 10000) downward, in declaration order; stable keeps the bottom. Canary i covers
//     [10000 - round(100 * (p_0 + .. + p_i)), 10000 - round(100 * (p_0 + .. + p_(i-1)))).
//     Growing the share of the LAST canary (the common case: one canary) only moves its lower
//     edge down into stable's range, so callers only move stable -> canary, and appending a
//     new canary moves nobody but stable callers. Limitation: growing canary i while later
//     canaries exist shifts every later range down; callers of a later canary j then move to
//     a canary declared before j, and stable callers move into j. So when several shares grow
//     at once (order kept), nobody moves canary -> stable, but callers can move between
//     canaries. Shrinking a share, removing a canary (promote, offline) or reordering re-lays
//     the ranges below it: callers go wherever the new edges put them.
//     A bucket in an offline canary's range gets stable.
//  4. If the result is offline (only stable can be, by 3.) -> empty.
// Assumes a validated plan; an invalid one still returns some version without UB.
std::string_view choose_version(const ReleasePlan& plan, const Caller& caller);

// Actions. Each takes a plan and returns the next one (validated), or an Error whose `field`
// names the input at fault ("version", "previous_stable", "canaries[0].percent").

// Adds `version` as a canary at the end, or updates its percent and groups in place when it
// is one already (keeping its position, so that growing it is monotone; see above). Other
// rule lists of an existing canary are kept.
Result<ReleasePlan> canary(ReleasePlan plan, std::string_view version, double percent,
                           std::vector<std::string> groups = {});

// `version` becomes stable; the old stable becomes previous_stable. The version's canary rule
// (if any) is removed, others are kept. Fails if `version` is offline or already stable.
Result<ReleasePlan> promote(ReleasePlan plan, std::string_view version);

// Back to previous_stable in one step: canaries cleared, previous_stable emptied (a second
// rollback fails rather than undoing the first). Fails when there is no previous stable or
// it is offline.
Result<ReleasePlan> rollback(ReleasePlan plan);

ReleasePlan pause(ReleasePlan plan);
ReleasePlan resume(ReleasePlan plan);

enum class OfflineMode {
  // Refuses the stable version (promote or roll back first); requests already running keep
  // the snapshot they started with, so they finish.
  kGraceful,
  // Takes even the stable version offline: the model then answers with an error.
  kForce,
};

// Marks `version` offline and drops its canary rule (its callers go to stable).
Result<ReleasePlan> offline(ReleasePlan plan, std::string_view version,
                            OfflineMode mode = OfflineMode::kGraceful);

// Takes `version` off the offline list (it serves again once it is stable or a canary). Fails
// when it is not offline.
Result<ReleasePlan> online(ReleasePlan plan, std::string_view version);

}  // namespace plinth::registry
