#include "registry/snapshot.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace plinth::registry {

providers::Provider* VersionRoute::pick() const {
  if (replicas.empty()) return nullptr;
  if (replicas.size() == 1) return replicas.front().provider.get();
  thread_local std::uint64_t turn = 0;
  int unit = static_cast<int>(turn++ % static_cast<std::uint64_t>(total_weight));
  for (const Replica& r : replicas) {
    if (unit < r.weight) return r.provider.get();
    unit -= r.weight;
  }
  return replicas.back().provider.get();
}

const VersionRoute* ModelRoute::version(std::string_view wanted) const {
  for (const VersionRoute& v : versions) {
    if (v.name == wanted) return &v;
  }
  return nullptr;
}

ModelRoute ModelRoute::single(std::string name, std::string provider_name,
                              std::string upstream_model,
                              std::shared_ptr<providers::Provider> provider) {
  ModelRoute m;
  m.name = std::move(name);
  m.owned_by = provider_name;
  VersionRoute v;
  v.name = kConfigVersion;
  v.provider_name = std::move(provider_name);
  v.upstream_model = std::move(upstream_model);
  v.replicas.push_back({std::move(provider), 1});
  v.total_weight = 1;
  m.versions.push_back(std::move(v));
  m.plan.model = m.name;
  m.plan.stable = kConfigVersion;
  return m;
}

Snapshot::Snapshot(std::vector<ModelRoute> models, tenancy::KeyRing keys, std::uint64_t revision)
    : models_(std::move(models)),
      keys_(std::move(keys)),
      revision_(revision),
      revision_text_(std::to_string(revision)) {
  boost::json::array data;
  for (const auto& m : models_) {
    by_name_.emplace(m.name, &m);
    for (const auto& alias : m.aliases) by_name_.emplace(alias, &m);
    boost::json::object entry;
    entry["id"] = m.name;
    entry["object"] = "model";
    entry["created"] = m.created;
    entry["owned_by"] = m.owned_by;
    if (!m.aliases.empty()) {
      boost::json::array aliases;
      for (const auto& a : m.aliases) aliases.emplace_back(a);
      entry["aliases"] = std::move(aliases);
    }
    data.emplace_back(std::move(entry));
  }
  boost::json::object body;
  body["object"] = "list";
  body["data"] = std::move(data);
  models_json_ = boost::json::serialize(body);
}

const ModelRoute* Snapshot::find_model(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

}  // namespace plinth::registry
