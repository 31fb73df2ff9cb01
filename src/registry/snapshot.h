// Snapshot: everything the data plane reads per request (models and their providers, API
// keys), immutable once published. The control plane builds a new one and swaps it in
// atomically; requests keep the one they started with (DESIGN.md §2).
#pragma once

#include "providers/provider.h"
#include "tenancy/key_ring.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace plinth::registry {

struct ModelRoute {
  std::string name;  // public name
  std::vector<std::string> aliases;
  std::string provider_name;
  std::string upstream_model;
  std::string description;
  std::int64_t created = 0;  // unix seconds, for /v1/models
  std::shared_ptr<providers::Provider> provider;
};

class Snapshot {
 public:
  Snapshot(std::vector<ModelRoute> models, tenancy::KeyRing keys, std::uint64_t version);

  // By public name or alias; nullptr when unknown.
  const ModelRoute* find_model(std::string_view name) const;
  const std::vector<ModelRoute>& models() const { return models_; }
  const tenancy::KeyRing& keys() const { return keys_; }
  std::uint64_t version() const { return version_; }
  // The /v1/models response body, rendered once at build time.
  const std::string& models_json() const { return models_json_; }

 private:
  std::vector<ModelRoute> models_;
  std::unordered_map<std::string_view, const ModelRoute*> by_name_;
  tenancy::KeyRing keys_;
  std::uint64_t version_;
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
