// The records the store keeps for the control plane: models, their immutable versions,
// endpoints, releases with their history, and per-version call statistics. Plain values;
// the store fills ids, timestamps and revisions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace plinth::store {

using ModelId = std::int64_t;
using VersionId = std::int64_t;
using EndpointId = std::int64_t;

// The store's change counter. Every configuration write advances it by one and stamps the
// records it writes with the new value, so a record's `revision` doubles as its etag, and a
// replica whose snapshot was built at revision R knows it is stale when the store is past R.
using Revision = std::int64_t;

using UnixMillis = std::int64_t;  // milliseconds since the Unix epoch, UTC

// Keyset pagination: `cursor` is empty for the first page, then the previous page's
// `next_cursor`. Opaque to callers.
struct PageRequest {
  std::string cursor;
  int limit = 100;  // 1..1000
};

template <class T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty on the last page
};

// What a caller may set on a model.
struct ModelSpec {
  std::string name;                  // public name, unique among names and aliases
  std::vector<std::string> aliases;  // each unique among names and aliases
  std::string description;
  std::vector<std::string> task_tags;  // e.g. "chat", "embedding"
  std::string owner;
};

struct Model : ModelSpec {
  ModelId id = 0;
  UnixMillis created_at = 0;
  UnixMillis updated_at = 0;
  Revision revision = 0;
};

// A version never changes once created (the database refuses updates); a change is a new
// version.
struct VersionSpec {
  ModelId model_id = 0;
  std::string name;            // unique within the model, e.g. "v3" or "2024-06-01"
  std::string provider_type;   // "openai" | "tgi" | "simulator" | ... (checked by the registry)
  std::string upstream_model;  // model name the upstream expects; or
  std::string base_model;      // a base model plus
  std::string lora_adapter;    // a LoRA adapter served on it
  std::string default_params = "{}";  // JSON object, e.g. {"temperature":0.7}
  std::string max_params = "{}";      // JSON object, e.g. {"max_tokens":4096}
  std::string source;                 // where the weights come from
  std::string release_notes;
  std::string created_by;
};

struct Version : VersionSpec {
  VersionId id = 0;
  UnixMillis created_at = 0;
  Revision revision = 0;
};

// A replica serving a version. The API key is kept encrypted and never appears in a record;
// `Store::reveal_endpoint_api_key` returns it to the one caller that needs it (the snapshot
// builder).
struct EndpointSpec {
  VersionId version_id = 0;
  std::string url;
  int weight = 1;       // >= 0; 0 drains the endpoint
  std::string api_key;  // empty = none
};

struct EndpointUpdate {
  std::string url;
  int weight = 1;
  enum class Key { kKeep, kReplace, kClear } key_change = Key::kKeep;
  std::string api_key;  // the new key when key_change is kReplace
};

struct Endpoint {
  EndpointId id = 0;
  VersionId version_id = 0;
  std::string url;
  int weight = 1;
  bool has_api_key = false;
  UnixMillis created_at = 0;
  UnixMillis updated_at = 0;
  Revision revision = 0;
};

// A share of a model's traffic sent to another version than the stable one.
struct Canary {
  VersionId version_id = 0;
  std::string version;       // the version's name; filled by the store on read
  // 0..100: the share of callers that no match rule sends elsewhere (registry::CanaryRule).
  double percent = 0;
  // JSON object of lists: {"tenants":[..],"projects":[..],"users":[..],"groups":[..]}; a
  // caller matching any of them goes to this canary whatever `percent` says.
  std::string match = "{}";
};

enum class ReleaseState { kActive, kPaused };

struct ReleaseSpec {
  VersionId stable_version_id = 0;
  std::vector<Canary> canaries;  // kept in this order
  ReleaseState state = ReleaseState::kActive;
  VersionId previous_stable_version_id = 0;  // what a rollback returns to; 0 = none
  std::vector<VersionId> offline_version_ids;  // never chosen for new requests
};

struct Release : ReleaseSpec {
  ModelId model_id = 0;
  std::string stable_version;  // name of stable_version_id; filled by the store
  std::string previous_stable_version;     // name of previous_stable_version_id, or empty
  std::vector<std::string> offline_versions;  // names of offline_version_ids
  std::string updated_by;
  UnixMillis updated_at = 0;
  Revision revision = 0;
};

// Who changed a release and how; recorded in the history with the change.
struct ReleaseAction {
  std::string action;  // "publish" | "canary" | "rollback" | "pause" | "offline" | ...
  std::string actor;
};

struct ReleaseEvent {
  std::int64_t id = 0;
  ModelId model_id = 0;
  std::string action;
  std::string actor;
  UnixMillis at = 0;
  std::string before;  // the release as JSON before the change; "null" when there was none
  std::string after;   // and after it; "null" when it was deleted
  Revision revision = 0;
};

// Upper bounds (inclusive) of the latency histogram buckets, in milliseconds; a last bucket
// counts everything slower.
inline constexpr std::array<std::int64_t, 10> kLatencyBoundsMs = {50,   100,  250,   500,   1000,
                                                                  2500, 5000, 10000, 30000, 60000};
inline constexpr std::size_t kLatencyBuckets = kLatencyBoundsMs.size() + 1;

// One minute of calls to one version. Also the unit of writing: adding a bucket adds its
// counts to the stored bucket of the same version and minute.
struct CallStats {
  VersionId version_id = 0;
  UnixMillis window_start = 0;  // a whole minute
  std::int64_t calls = 0;
  std::int64_t errors = 0;
  std::int64_t latency_ms_sum = 0;
  std::array<std::int64_t, kLatencyBuckets> latency_buckets{};
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;

  void record_call(std::int64_t latency_ms, std::int64_t in, std::int64_t out, bool error);
  // The latency under which a share `q` (0..1] of the calls finished, read from the
  // histogram: a bucket's upper bound (kLatencyBoundsMs.back() for the overflow bucket).
  // 0 when there were no calls.
  std::int64_t latency_quantile_ms(double q) const;
};

struct TimeRange {
  UnixMillis from = 0;  // inclusive
  UnixMillis to = 0;    // exclusive
};

}  // namespace plinth::store
