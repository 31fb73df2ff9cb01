#include "registry/service.h"

#include "providers/factory.h"
#include "registry/release_mapping.h"

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <spdlog/spdlog.h>

namespace plinth::registry {

namespace {

constexpr int kPageSize = 1000;
constexpr std::string_view kProviderTypes[] = {"openai", "tgi", "simulator"};

bool is_provider_type(std::string_view p) {
  for (auto t : kProviderTypes) {
    if (p == t) return true;
  }
  return false;
}

template <class T, class Fetch>
Result<std::vector<T>> all_pages(Fetch fetch) {
  std::vector<T> out;
  store::PageRequest page{.cursor = {}, .limit = kPageSize};
  while (true) {
    Result<store::Page<T>> got = fetch(page);
    if (!got) return got.error();
    for (auto& item : got->items) out.push_back(std::move(item));
    if (got->next_cursor.empty()) return out;
    page.cursor = got->next_cursor;
  }
}

std::int64_t unix_seconds(store::UnixMillis ms) { return ms / 1000; }

}  // namespace

RegistryService::RegistryService(store::Store& store, Base base, SnapshotHolder& holder)
    : store_(store), base_(std::move(base)), holder_(holder) {
  for (const ModelRoute& m : base_.config_routes) {
    config_names_.insert(m.name);
    config_names_.insert(m.aliases.begin(), m.aliases.end());
  }
  ProviderConfig sim;
  sim.name = "simulator";
  sim.type = "simulator";
  if (auto it = base_.config_providers.find("simulator"); it != base_.config_providers.end()) {
    simulator_ = it->second;
  } else if (auto made = providers::make_provider(sim)) {
    simulator_ = std::move(made).value();
  }
}

bool RegistryService::claimed_by_config(std::string_view name) const {
  return config_names_.contains(std::string(name));
}

Status RegistryService::check_provider(std::string_view provider) const {
  if (is_provider_type(provider) || base_.config_providers.contains(std::string(provider))) {
    return {};
  }
  std::string names;
  for (const auto& [name, p] : base_.config_providers) names += ", " + name;
  return Error::invalid("provider",
                        fmt::format("unknown provider '{}': expected openai, tgi, simulator or "
                                    "the name of a provider in the config{}",
                                    provider.substr(0, 100),
                                    names.empty() ? "" : " (" + names.substr(2) + ")"));
}

Status RegistryService::check_servable(store::Store& store, const store::Version& version) const {
  if (version.provider_type == "simulator" ||
      base_.config_providers.contains(version.provider_type)) {
    return {};
  }
  auto endpoints = store.list_endpoints(version.id);
  if (!endpoints) return endpoints.error();
  for (const store::Endpoint& e : *endpoints) {
    if (e.weight > 0) return {};
  }
  return Error::invalid("version",
                        fmt::format("version '{}' has no endpoint with a weight above 0; add one "
                                    "before sending it traffic",
                                    version.name));
}

std::shared_ptr<VersionGate> RegistryService::gate(store::VersionId version) {
  std::lock_guard lock(gates_mutex_);
  auto& g = gates_[version];
  if (!g) g = std::make_shared<VersionGate>();
  return g;
}

store::Revision RegistryService::published_revision() const { return published_.load(); }

std::shared_ptr<providers::Provider> RegistryService::endpoint_provider(
    const store::Version& version, const store::Endpoint& endpoint, std::set<std::string>& used) {
  // Keyed by the endpoint's revision: an edited endpoint gets a fresh provider, an unchanged
  // one keeps its provider and so its pooled upstream connections.
  const std::string key = fmt::format("{}@{}", endpoint.id, endpoint.revision);
  used.insert(key);
  if (auto it = endpoint_providers_.find(key); it != endpoint_providers_.end()) return it->second;
  auto api_key = store_.reveal_endpoint_api_key(endpoint.id);
  if (!api_key) {
    spdlog::warn("endpoint {} of version {}: cannot read its API key: {}", endpoint.id,
                 version.name, api_key.error().message);
    return nullptr;
  }
  ProviderConfig config;
  config.name = fmt::format("endpoint-{}", endpoint.id);
  config.type = version.provider_type;
  config.base_url = endpoint.url;
  config.api_key = api_key->value_or("");
  config.upstream_allow = base_.upstream_allow;
  auto made = providers::make_provider(config);
  if (!made) {
    spdlog::warn("endpoint {} of version {}: {}", endpoint.id, version.name,
                 made.error().message);
    return nullptr;
  }
  endpoint_providers_[key] = *made;
  return std::move(made).value();
}

Result<VersionRoute> RegistryService::build_version(const store::Version& version,
                                                    std::set<std::string>& used) {
  VersionRoute v;
  v.name = version.name;
  v.id = version.id;
  v.provider_name = version.provider_type;
  v.upstream_model = version.upstream_model;
  v.gate = gate(version.id);
  boost::system::error_code ec;
  if (auto d = boost::json::parse(version.default_params, ec); !ec && d.is_object()) {
    v.default_params = std::move(d.as_object());
  }
  if (auto m = boost::json::parse(version.max_params, ec); !ec && m.is_object()) {
    v.max_params = std::move(m.as_object());
  }
  if (version.provider_type == "simulator") {
    if (simulator_) v.replicas.push_back({simulator_, 1});
  } else if (auto it = base_.config_providers.find(version.provider_type);
             it != base_.config_providers.end()) {
    v.replicas.push_back({it->second, 1});
  } else {
    auto endpoints = store_.list_endpoints(version.id);
    if (!endpoints) return endpoints.error();
    for (const store::Endpoint& e : *endpoints) {
      if (e.weight <= 0) continue;
      if (auto p = endpoint_provider(version, e, used)) v.replicas.push_back({std::move(p), e.weight});
    }
  }
  for (const Replica& r : v.replicas) v.total_weight += r.weight;
  return v;
}

Result<ModelRoute> RegistryService::build_model(const store::Model& model,
                                                const store::Release& release,
                                                std::set<std::string>& used) {
  ModelRoute m;
  m.name = model.name;
  m.aliases = model.aliases;
  m.description = model.description;
  m.owned_by = model.owner.empty() ? "plinth" : model.owner;
  m.created = unix_seconds(model.created_at);
  m.plan = plan_from_release(model.name, release);
  auto versions = all_pages<store::Version>(
      [&](const store::PageRequest& p) { return store_.list_versions(model.id, p); });
  if (!versions) return versions.error();
  // Only versions the plan can choose need replicas.
  std::set<std::string> reachable = {m.plan.stable};
  for (const CanaryRule& c : m.plan.canaries) reachable.insert(c.version);
  for (const store::Version& version : *versions) {
    if (!reachable.contains(version.name)) continue;
    auto v = build_version(version, used);
    if (!v) return v.error();
    if (v->upstream_model.empty()) v->upstream_model = model.name;
    m.versions.push_back(std::move(v).value());
  }
  return m;
}

Result<RegistryService::Built> RegistryService::build_from_store() {
  // Reads are not one transaction: if the store moved meanwhile, read again.
  for (int attempt = 0;; ++attempt) {
    auto before = store_.revision();
    if (!before) return before.error();
    Built built;
    std::set<std::string> used;
    auto models = all_pages<store::Model>(
        [&](const store::PageRequest& p) { return store_.list_models(p); });
    if (!models) return models.error();
    for (const store::Model& model : *models) {
      auto release = store_.get_release(model.id);
      if (!release) {
        if (release.error().code == ErrorCode::kNotFound) continue;  // not released: not served
        return release.error();
      }
      auto route = build_model(model, *release, used);
      if (!route) return route.error();
      built.releases.emplace_back(model.id, release->revision);
      built.routes.push_back(std::move(route).value());
    }
    auto after = store_.revision();
    if (!after) return after.error();
    if (*after == *before || attempt == 3) {
      // Still moving after the last attempt: claim only the revision read before, so the
      // next revision check reloads again.
      built.revision = *before;
      std::erase_if(endpoint_providers_, [&](const auto& kv) { return !used.contains(kv.first); });
      return built;
    }
  }
}

Status RegistryService::reload() {
  std::lock_guard lock(reload_mutex_);
  auto built = build_from_store();
  if (!built) return built.error();
  std::set<std::string> taken;
  for (const ModelRoute& m : built->routes) {
    taken.insert(m.name);
    taken.insert(m.aliases.begin(), m.aliases.end());
  }
  std::vector<ModelRoute> routes;
  for (const ModelRoute& m : base_.config_routes) {
    if (taken.contains(m.name)) {
      spdlog::warn("model '{}' from the config is hidden by the store's model of that name",
                   m.name);
      continue;
    }
    routes.push_back(m);
  }
  const store::Revision before = published_.load();
  if (before >= 0) {
    follow_forced_offline(*built, before);
  } else {
    for (const auto& [model, revision] : built->releases) released_.insert(model);
  }
  // A version the new plan routes to (brought back online, perhaps right after another
  // replica forced it offline) lets requests in again.
  for (const ModelRoute& m : built->routes) {
    for (const VersionRoute& v : m.versions) {
      const bool offline =
          std::find(m.plan.offline.begin(), m.plan.offline.end(), v.name) != m.plan.offline.end();
      if (v.gate->is_cut() && !offline) v.gate->reopen();
    }
  }
  for (ModelRoute& m : built->routes) routes.push_back(std::move(m));
  holder_.publish(std::make_shared<const Snapshot>(std::move(routes), base_.keys,
                                                   static_cast<std::uint64_t>(built->revision)));
  published_.store(built->revision);
  return {};
}

void RegistryService::follow_forced_offline(const Built& built, store::Revision since) {
  // Versions a recorded release holds offline.
  auto offline_names = [](std::string_view recorded) {
    std::set<std::string> out;
    boost::system::error_code ec;
    auto v = boost::json::parse(recorded, ec);
    if (ec || !v.is_object()) return out;
    if (const auto* off = v.as_object().if_contains("offline_versions"); off && off->is_array()) {
      for (const auto& n : off->get_array()) {
        if (n.is_string()) out.emplace(n.get_string());
      }
    }
    return out;
  };
  // Models whose release changed since, and those whose release was deleted since (a forced
  // offline may have come just before the delete).
  std::set<store::ModelId> changed;
  std::set<store::ModelId> released;
  for (const auto& [model, release_revision] : built.releases) {
    released.insert(model);
    if (release_revision > since) changed.insert(model);
  }
  for (store::ModelId model : released_) {
    if (!released.contains(model)) changed.insert(model);
  }
  released_ = std::move(released);
  for (store::ModelId model : changed) {
    // Every event since the last reload, not only the newest: a forced offline followed at
    // once by another action (rollback, online) must still cut what runs here.
    std::set<std::string> forced;
    store::PageRequest page{.cursor = {}, .limit = 50};
    bool older_reached = false;
    while (!older_reached) {
      auto events = store_.list_release_history(model, page);
      if (!events) break;
      for (const store::ReleaseEvent& e : events->items) {
        if (e.revision <= since) {
          older_reached = true;
          break;
        }
        if (e.action != "offline-force") continue;
        const auto before = offline_names(e.before);
        for (const std::string& name : offline_names(e.after)) {
          if (!before.contains(name)) forced.insert(name);
        }
      }
      if (events->next_cursor.empty()) break;
      page.cursor = events->next_cursor;
    }
    for (const std::string& name : forced) {
      auto version = store_.find_version(model, name);
      if (!version) continue;
      auto g = gate(version->id);
      spdlog::info("version '{}' was taken offline by force on another replica: cutting {} "
                   "running requests",
                   name, g->running());
      g->cut_all();
    }
  }
}

Status RegistryService::reload_if_behind(store::Revision seen) {
  if (seen <= published_.load()) return {};
  return reload();
}

}  // namespace plinth::registry
