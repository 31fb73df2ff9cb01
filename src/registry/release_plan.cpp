// Release assignment and release actions; see release_plan.h for the bucket layout.
#include "registry/release_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace plinth::registry {
namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

std::uint64_t fnv1a(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

// MurmurHash3's finalizer: FNV-1a's low and high bits alone are not well mixed for short keys.
std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

bool contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool is_offline(const ReleasePlan& plan, std::string_view version) {
  return contains(plan.offline, version);
}

bool matches_any_group(const CanaryRule& rule, std::span<const std::string> groups) {
  return std::any_of(groups.begin(), groups.end(),
                     [&](const std::string& g) { return contains(rule.groups, g); });
}

// The canary an explicit rule sends the caller to, most specific kind of match first.
const CanaryRule* match_rule(const ReleasePlan& plan, const Caller& caller) {
  auto first = [&](auto&& pred) -> const CanaryRule* {
    for (const CanaryRule& c : plan.canaries) {
      if (!is_offline(plan, c.version) && pred(c)) return &c;
    }
    return nullptr;
  };
  const CanaryRule* hit = nullptr;
  if (!caller.user.empty())
    hit = first([&](const CanaryRule& c) { return contains(c.users, caller.user); });
  if (!hit && !caller.groups.empty()) {
    hit = first([&](const CanaryRule& c) { return matches_any_group(c, caller.groups); });
  }
  if (!hit && !caller.project.empty()) {
    hit = first([&](const CanaryRule& c) { return contains(c.projects, caller.project); });
  }
  if (!hit && !caller.tenant.empty()) {
    hit = first([&](const CanaryRule& c) { return contains(c.tenants, caller.tenant); });
  }
  return hit;
}

// Lower edge of the range that canaries 0..i cover together: 10000 - round(100 * sum).
// Rounded from the cumulative sum, so edges never cross and never go below 0.
std::int64_t lower_edge(double cumulative_percent) {
  double clamped = std::clamp(cumulative_percent, 0.0, 100.0);
  return static_cast<std::int64_t>(kReleaseBuckets) -
         std::llround(clamped * (kReleaseBuckets / 100.0));
}

const CanaryRule* canary_by_bucket(const ReleasePlan& plan, std::uint32_t bucket) {
  double cumulative = 0;
  for (const CanaryRule& c : plan.canaries) {
    // NaN shares (invalid plans) count as 0 rather than poisoning the rest.
    if (c.percent > 0) cumulative += c.percent;
    if (static_cast<std::int64_t>(bucket) >= lower_edge(cumulative)) return &c;
  }
  return nullptr;
}

std::vector<CanaryRule>::iterator find_canary(ReleasePlan& plan, std::string_view version) {
  return std::find_if(plan.canaries.begin(), plan.canaries.end(),
                      [&](const CanaryRule& c) { return c.version == version; });
}

std::string percent_text(double p) { return fmt::format("{:g}", p); }

}  // namespace

std::uint32_t release_bucket(std::string_view model, const Caller& caller) {
  std::string_view identity = !caller.user.empty()       ? caller.user
                              : !caller.end_user.empty() ? caller.end_user
                                                         : caller.key_id;
  std::uint64_t h = fnv1a(kFnvOffset, model);
  h = fnv1a(h, std::string_view("\0", 1));
  h = fnv1a(h, identity);
  // Multiply-shift maps the full 64-bit range onto the buckets without modulo bias.
  return static_cast<std::uint32_t>((static_cast<unsigned __int128>(mix(h)) * kReleaseBuckets) >>
                                    64);
}

Result<ReleasePlan> validate(ReleasePlan plan) {
  if (plan.stable.empty()) return Error::invalid("stable", "stable version must be set");
  double sum = 0;
  for (std::size_t i = 0; i < plan.canaries.size(); ++i) {
    const CanaryRule& c = plan.canaries[i];
    std::string at = fmt::format("canaries[{}]", i);
    if (c.version.empty()) return Error::invalid(at + ".version", "canary version must be set");
    if (c.version == plan.stable) {
      return Error::invalid(at + ".version",
                            fmt::format("version '{}' is the stable version and cannot also be "
                                        "a canary",
                                        c.version));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (plan.canaries[j].version == c.version) {
        return Error::invalid(
            at + ".version",
            fmt::format("version '{}' appears twice, also at canaries[{}]", c.version, j));
      }
    }
    if (!(c.percent >= 0 && c.percent <= 100)) {  // also refuses NaN
      return Error::invalid(at + ".percent", fmt::format("percent must be between 0 and 100, "
                                                         "got {}",
                                                         percent_text(c.percent)));
    }
    sum += c.percent;
  }
  if (sum > 100 + 1e-9) {
    // Names the last canary's percent: growing that one is what usually overflows.
    return Error::invalid(fmt::format("canaries[{}].percent", plan.canaries.size() - 1),
                          fmt::format("canary percents must sum to at most 100, got {}",
                                                  percent_text(sum)));
  }
  return plan;
}

std::string_view choose_version(const ReleasePlan& plan, const Caller& caller) {
  std::string_view chosen = plan.stable;
  if (!plan.paused && !plan.canaries.empty()) {  // no canary: no hashing on the hot path
    const CanaryRule* c = match_rule(plan, caller);
    if (c == nullptr) c = canary_by_bucket(plan, release_bucket(plan.model, caller));
    if (c != nullptr && !is_offline(plan, c->version)) chosen = c->version;
  }
  if (is_offline(plan, chosen)) return {};
  return chosen;
}

Result<ReleasePlan> canary(ReleasePlan plan, std::string_view version, double percent,
                           std::vector<std::string> groups) {
  if (version.empty()) return Error::invalid("version", "canary version must be set");
  if (is_offline(plan, version)) {
    return Error::invalid("version", fmt::format("version '{}' is offline", version));
  }
  if (version == plan.stable) {
    return Error::invalid("version",
                          fmt::format("version '{}' is already the stable version", version));
  }
  auto it = find_canary(plan, version);
  if (it == plan.canaries.end()) {
    plan.canaries.push_back(CanaryRule{.version = std::string(version)});
    it = plan.canaries.end() - 1;
  }
  it->percent = percent;
  it->groups = std::move(groups);
  return validate(std::move(plan));
}

Result<ReleasePlan> promote(ReleasePlan plan, std::string_view version) {
  if (version.empty()) return Error::invalid("version", "version to promote must be set");
  if (is_offline(plan, version)) {
    return Error::invalid("version", fmt::format("version '{}' is offline", version));
  }
  if (version == plan.stable) {
    return Error{ErrorCode::kConflict,
                 fmt::format("version '{}' is already the stable version", version), "version"};
  }
  if (auto it = find_canary(plan, version); it != plan.canaries.end()) plan.canaries.erase(it);
  plan.previous_stable = std::exchange(plan.stable, std::string(version));
  return validate(std::move(plan));
}

Result<ReleasePlan> rollback(ReleasePlan plan) {
  if (plan.previous_stable.empty()) {
    return Error{
        ErrorCode::kConflict,
        fmt::format("model '{}' has no previous stable version to roll back to", plan.model),
        "previous_stable"};
  }
  if (is_offline(plan, plan.previous_stable)) {
    return Error{ErrorCode::kConflict,
                 fmt::format("previous stable version '{}' is offline", plan.previous_stable),
                 "previous_stable"};
  }
  plan.stable = std::exchange(plan.previous_stable, std::string());
  plan.canaries.clear();
  return validate(std::move(plan));
}

ReleasePlan pause(ReleasePlan plan) {
  plan.paused = true;
  return plan;
}

ReleasePlan resume(ReleasePlan plan) {
  plan.paused = false;
  return plan;
}

Result<ReleasePlan> offline(ReleasePlan plan, std::string_view version, OfflineMode mode) {
  if (version.empty()) return Error::invalid("version", "version to take offline must be set");
  if (version == plan.stable && mode == OfflineMode::kGraceful) {
    return Error{ErrorCode::kConflict,
                 fmt::format("version '{}' is the stable version; promote another version or "
                             "roll back first, or take it offline by force",
                             version),
                 "version"};
  }
  if (auto it = find_canary(plan, version); it != plan.canaries.end()) plan.canaries.erase(it);
  if (!is_offline(plan, version)) plan.offline.emplace_back(version);
  // A forced offline of the stable version leaves a plan that validates but serves nothing.
  return validate(std::move(plan));
}

Result<ReleasePlan> online(ReleasePlan plan, std::string_view version) {
  auto it = std::find(plan.offline.begin(), plan.offline.end(), version);
  if (it == plan.offline.end()) {
    return Error::invalid("version", fmt::format("version '{}' is not offline", version));
  }
  plan.offline.erase(it);
  return validate(std::move(plan));
}

}  // namespace plinth::registry
