#include "registry/from_config.h"

#include <chrono>
#include <set>

namespace plinth::registry {

Result<std::vector<ModelRoute>> routes_from_config(const Config& config,
                                                   const ProviderMap& providers,
                                                   const std::vector<Discovered>& discovered) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  std::vector<ModelRoute> routes;
  std::set<std::string> taken;
  for (std::size_t i = 0; i < config.models.size(); ++i) {
    const ModelConfig& m = config.models[i];
    auto p = providers.find(m.provider);
    if (p == providers.end()) {
      return Error{ErrorCode::kInvalidRequest, "models[" + std::to_string(i) + "].provider: no "
                                               "provider named '" + m.provider + "'"};
    }
    ModelRoute r = ModelRoute::single(m.name, m.provider,
                                      m.upstream_model.empty() ? m.name : m.upstream_model,
                                      p->second);
    r.aliases = m.aliases;
    r.description = m.description;
    r.created = now;
    taken.insert(r.name);
    taken.insert(r.aliases.begin(), r.aliases.end());
    routes.push_back(std::move(r));
  }
  for (const Discovered& d : discovered) {
    auto p = providers.find(d.provider);
    if (p == providers.end()) continue;
    for (const std::string& id : d.model_ids) {
      if (!taken.insert(id).second) continue;
      ModelRoute r = ModelRoute::single(id, d.provider, id, p->second);
      r.created = now;
      routes.push_back(std::move(r));
    }
  }
  return routes;
}

}  // namespace plinth::registry
