// RegistryService: the control plane's side of the registry. Builds the data plane's Snapshot
// from the declarative config (models declared in the YAML: a read-only base) plus the store
// (models, versions, endpoints, releases managed through the admin API), publishes it, and
// rebuilds it after every change, local or reported by another replica. Owns the providers
// built for store endpoints (kept across rebuilds so connection pools survive a change) and
// the per-version gates that a forced offline cuts.
#pragma once

#include "core/config.h"
#include "registry/from_config.h"
#include "registry/snapshot.h"
#include "store/store.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace plinth::registry {

class RegistryService {
 public:
  struct Base {
    std::vector<ModelRoute> config_routes;  // served unless a store model claims the name
    ProviderMap config_providers;           // store versions may name one as their provider
    tenancy::KeyRing keys;
    std::vector<std::string> upstream_allow;  // Config::upstream_allow, for store endpoints
  };

  RegistryService(store::Store& store, Base base, SnapshotHolder& holder);

  store::Store& store() { return store_; }

  // Rebuilds the snapshot from the store at its current revision and publishes it. Calls are
  // serialised. On error the published snapshot stays as it was.
  Status reload();
  // Reloads when the store is past the published revision.
  Status reload_if_behind(store::Revision seen);
  store::Revision published_revision() const;

  // True when `name` is a name or alias of a model declared in the config.
  bool claimed_by_config(std::string_view name) const;
  // A store version's provider: a type ("openai", "tgi", "simulator") or a config provider's
  // name. kInvalidRequest naming field "provider" otherwise.
  Status check_provider(std::string_view provider) const;
  // Whether `version` can take traffic: it needs no endpoints (simulator, config provider) or
  // has one with weight > 0. kInvalidRequest naming "version" otherwise.
  Status check_servable(store::Store& store, const store::Version& version) const;

  const std::vector<std::string>& upstream_allow() const { return base_.upstream_allow; }

  // The gate of a store version (created on first use, kept for the process's life).
  std::shared_ptr<VersionGate> gate(store::VersionId version);

 private:
  struct Built {
    std::vector<ModelRoute> routes;
    store::Revision revision = 0;
    // Each served model's release revision: a release past the last published revision may
    // carry another replica's forced offline.
    std::vector<std::pair<store::ModelId, store::Revision>> releases;
  };
  // Another replica's forced offline: cut what runs here on the versions it took offline.
  void follow_forced_offline(const Built& built, store::Revision since);
  Result<Built> build_from_store();
  Result<ModelRoute> build_model(const store::Model& model, const store::Release& release,
                                 std::set<std::string>& used_providers);
  Result<VersionRoute> build_version(const store::Version& version,
                                     std::set<std::string>& used_providers);
  std::shared_ptr<providers::Provider> endpoint_provider(const store::Version& version,
                                                         const store::Endpoint& endpoint,
                                                         std::set<std::string>& used);

  store::Store& store_;
  Base base_;
  SnapshotHolder& holder_;
  std::set<std::string> config_names_;
  std::shared_ptr<providers::Provider> simulator_;

  std::mutex reload_mutex_;  // one rebuild at a time; guards the members below
  std::map<std::string, std::shared_ptr<providers::Provider>> endpoint_providers_;
  mutable std::mutex gates_mutex_;
  std::map<store::VersionId, std::shared_ptr<VersionGate>> gates_;
  std::atomic<store::Revision> published_{-1};
  std::set<store::ModelId> released_;  // models with a release at the last reload; under reload_mutex_
};

}  // namespace plinth::registry
