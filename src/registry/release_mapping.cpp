#include "registry/release_mapping.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace plinth::registry {

namespace json = boost::json;

namespace {

json::array to_array(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

void read_list(const json::object& o, std::string_view key, std::vector<std::string>& out) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_array()) return;
  for (const auto& item : v->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
}

}  // namespace

std::string match_json(const CanaryRule& rule) {
  json::object o;
  o["tenants"] = to_array(rule.tenants);
  o["projects"] = to_array(rule.projects);
  o["users"] = to_array(rule.users);
  o["groups"] = to_array(rule.groups);
  return json::serialize(o);
}

void read_match(std::string_view text, CanaryRule& rule) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return;
  const json::object& o = v.get_object();
  read_list(o, "tenants", rule.tenants);
  read_list(o, "projects", rule.projects);
  read_list(o, "users", rule.users);
  read_list(o, "groups", rule.groups);
}

ReleasePlan plan_from_release(const std::string& model, const store::Release& release) {
  ReleasePlan plan;
  plan.model = model;
  plan.stable = release.stable_version;
  plan.previous_stable = release.previous_stable_version;
  plan.paused = release.state == store::ReleaseState::kPaused;
  plan.offline = release.offline_versions;
  for (const store::Canary& c : release.canaries) {
    CanaryRule rule;
    rule.version = c.version;
    rule.percent = c.percent;
    read_match(c.match, rule);
    plan.canaries.push_back(std::move(rule));
  }
  return plan;
}

Result<store::ReleaseSpec> spec_from_plan(const ReleasePlan& plan,
                                          const std::map<std::string, store::VersionId>& ids) {
  auto id_of = [&](const std::string& name, const std::string& field) -> Result<store::VersionId> {
    auto it = ids.find(name);
    if (it == ids.end()) {
      return Error::invalid(field, "model '" + plan.model + "' has no version '" + name + "'");
    }
    return it->second;
  };
  store::ReleaseSpec spec;
  auto stable = id_of(plan.stable, "stable");
  if (!stable) return stable.error();
  spec.stable_version_id = *stable;
  spec.state = plan.paused ? store::ReleaseState::kPaused : store::ReleaseState::kActive;
  if (!plan.previous_stable.empty()) {
    auto previous = id_of(plan.previous_stable, "previous_stable");
    if (!previous) return previous.error();
    spec.previous_stable_version_id = *previous;
  }
  for (std::size_t i = 0; i < plan.canaries.size(); ++i) {
    const CanaryRule& rule = plan.canaries[i];
    auto id = id_of(rule.version, "canaries[" + std::to_string(i) + "].version");
    if (!id) return id.error();
    spec.canaries.push_back(store::Canary{*id, rule.version, rule.percent, match_json(rule)});
  }
  for (std::size_t i = 0; i < plan.offline.size(); ++i) {
    auto id = id_of(plan.offline[i], "offline[" + std::to_string(i) + "]");
    if (!id) return id.error();
    spec.offline_version_ids.push_back(*id);
  }
  return spec;
}

}  // namespace plinth::registry
