// Builds the registry part of a Snapshot from the declarative config: one ModelRoute per
// declared model, plus the models that `discover: true` providers listed at start.
#pragma once

#include "core/config.h"
#include "core/result.h"
#include "registry/snapshot.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace plinth::registry {

using ProviderMap = std::map<std::string, std::shared_ptr<providers::Provider>>;

// Upstream model ids listed by a provider with `discover: true`.
struct Discovered {
  std::string provider;
  std::vector<std::string> model_ids;
};

// Routes for the config's models; discovered ids that no declared name or alias already
// claims are added under their own id. Errors name the model and provider at fault.
Result<std::vector<ModelRoute>> routes_from_config(const Config& config,
                                                   const ProviderMap& providers,
                                                   const std::vector<Discovered>& discovered);

}  // namespace plinth::registry
