#include "registry/snapshot.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace plinth::registry {

Snapshot::Snapshot(std::vector<ModelRoute> models, tenancy::KeyRing keys, std::uint64_t version)
    : models_(std::move(models)), keys_(std::move(keys)), version_(version) {
  boost::json::array data;
  for (const auto& m : models_) {
    by_name_.emplace(m.name, &m);
    for (const auto& alias : m.aliases) by_name_.emplace(alias, &m);
    boost::json::object entry;
    entry["id"] = m.name;
    entry["object"] = "model";
    entry["created"] = m.created;
    entry["owned_by"] = m.provider_name;
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
