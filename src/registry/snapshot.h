// Snapshot: everything the data plane reads per request (models, their versions and release
// plans, the replicas serving each version, API keys), immutable once published. The control
// plane builds a new one and swaps it in atomically; requests keep the one they started with
// (DESIGN.md §2).
#pragma once

#include "providers/provider.h"

#include <boost/json/object.hpp>
#include "registry/release_plan.h"
#include "registry/version_gate.h"
#include "tenancy/key_ring.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace plinth::registry {

// One replica of a version, with its share of the version's traffic.
struct Replica {
  std::shared_ptr<providers::Provider> provider;
  int weight = 1;  // > 0
};

// A model version as the data plane serves it.
struct VersionRoute {
  std::string name;              // "v2"; kConfigVersion for models declared in the config
  std::int64_t id = 0;           // the store's version id; 0 for config models
  std::string provider_name;     // config provider name, or the store version's provider type
  std::string upstream_model;
  std::vector<Replica> replicas;  // weight > 0 only
  int total_weight = 0;
  std::shared_ptr<VersionGate> gate = std::make_shared<VersionGate>();  // never null
  // Request parameters the version fills in when absent, and numeric caps it enforces
  // (ApplyVersionParams); e.g. {"temperature":0.7} and {"max_tokens":4096}.
  boost::json::object default_params;
  boost::json::object max_params;

  // A replica chosen in proportion to the weights (round robin over the weight units, per
  // thread); nullptr when the version has none.
  providers::Provider* pick() const;
};

// The version name models declared in the config file are served under.
inline constexpr std::string_view kConfigVersion = "config";

struct ModelRoute {
  std::string name;  // public name
  std::vector<std::string> aliases;
  std::string description;
  std::string owned_by;  // /v1/models "owned_by"
  std::int64_t created = 0;  // unix seconds, for /v1/models
  std::vector<VersionRoute> versions;
  ReleasePlan plan;  // names versions of `versions`

  const VersionRoute* version(std::string_view name) const;

  // A model served by one version on one provider (config models, tests).
  static ModelRoute single(std::string name, std::string provider_name,
                           std::string upstream_model,
                           std::shared_ptr<providers::Provider> provider);
};

class Snapshot {
 public:
  // `revision`: the configuration revision it was built from (the store's; 0 before any).
  Snapshot(std::vector<ModelRoute> models, tenancy::KeyRing keys, std::uint64_t revision);

  // By public name or alias; nullptr when unknown.
  const ModelRoute* find_model(std::string_view name) const;
  const std::vector<ModelRoute>& models() const { return models_; }
  const tenancy::KeyRing& keys() const { return keys_; }
  std::uint64_t version() const { return revision_; }
  const std::string& revision_text() const { return revision_text_; }
  // The /v1/models response body, rendered once at build time.
  const std::string& models_json() const { return models_json_; }

 private:
  std::vector<ModelRoute> models_;
  std::unordered_map<std::string_view, const ModelRoute*> by_name_;
  tenancy::KeyRing keys_;
  std::uint64_t revision_;
  std::string revision_text_;
  std::string models_json_;
};

// Holds the current snapshot. load() is lock-free for readers in practice (libstdc++'s
// atomic<shared_ptr> uses a spin bit only while a publish is in progress).
class SnapshotHolder {
 public:
  std::shared_ptr<const Snapshot> load() const { return current_.load(std::memory_order_acquire); }
  void publish(std::shared_ptr<const Snapshot> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace plinth::registry
