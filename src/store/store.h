// Store: the control plane's source of truth (models, versions, endpoints, releases, call
// statistics). Two implementations behind this one interface: SQLite (embedded default) and
// PostgreSQL (several replicas). Synchronous: only the control plane calls it; the data plane
// reads immutable snapshots built from it.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace plinth::store {

// Contract shared by all methods:
// - Each call is atomic. `transact` makes several calls one atomic unit.
// - Errors: kInvalidRequest (a spec field is malformed; Error::field names it), kNotFound,
//   kConflict (a name or alias is taken; a record is still referenced),
//   kPreconditionFailed (`expected` is not the record's current revision),
//   kUnavailable (the database cannot be reached or stays busy), kInternal.
// - Every configuration write advances `revision()` by one. Call statistics do not.
// - Thread-safe: calls from several threads are serialised or spread over a small pool.
class Store {
 public:
  virtual ~Store() = default;

  virtual Result<Revision> revision() = 0;

  // Models. Deleting a model is refused while it has versions or a release; its release
  // history goes with it.
  virtual Result<Model> create_model(const ModelSpec& spec) = 0;
  virtual Result<Model> get_model(ModelId id) = 0;
  virtual Result<Model> find_model(std::string_view name_or_alias) = 0;
  virtual Result<Page<Model>> list_models(const PageRequest& page) = 0;  // by id
  virtual Result<Model> update_model(ModelId id, const ModelSpec& spec, Revision expected) = 0;
  virtual Status delete_model(ModelId id, Revision expected) = 0;

  // Versions are immutable: there is no update, and a taken name is kConflict. Deleting a
  // version is refused while a release uses it; its endpoints and statistics go with it.
  virtual Result<Version> create_version(const VersionSpec& spec) = 0;
  virtual Result<Version> get_version(VersionId id) = 0;
  virtual Result<Version> find_version(ModelId model, std::string_view name) = 0;
  virtual Result<Page<Version>> list_versions(ModelId model, const PageRequest& page) = 0;
  virtual Status delete_version(VersionId id) = 0;

  // Endpoints of a version. API keys are encrypted at rest (SecretBox).
  virtual Result<Endpoint> create_endpoint(const EndpointSpec& spec) = 0;
  virtual Result<Endpoint> get_endpoint(EndpointId id) = 0;
  virtual Result<std::vector<Endpoint>> list_endpoints(VersionId version) = 0;
  virtual Result<Endpoint> update_endpoint(EndpointId id, const EndpointUpdate& update,
                                           Revision expected) = 0;
  virtual Status delete_endpoint(EndpointId id, Revision expected) = 0;
  // The decrypted key, or nullopt when the endpoint has none. For building snapshots only:
  // never return it from an API or log it.
  virtual Result<std::optional<std::string>> reveal_endpoint_api_key(EndpointId id) = 0;

  // Releases: one per model. `put_release` creates (expected == 0) or replaces (expected ==
  // the current revision) it; it and `delete_release` append a ReleaseEvent with the state
  // before and after in the same transaction. Versions must belong to the model.
  virtual Result<Release> get_release(ModelId model) = 0;
  virtual Result<Page<Release>> list_releases(const PageRequest& page) = 0;  // by model id
  virtual Result<Release> put_release(ModelId model, const ReleaseSpec& spec, Revision expected,
                                      const ReleaseAction& action) = 0;
  virtual Status delete_release(ModelId model, Revision expected, const ReleaseAction& action) = 0;
  // Newest first.
  virtual Result<Page<ReleaseEvent>> list_release_history(ModelId model,
                                                          const PageRequest& page) = 0;

  // Call statistics, one bucket per version and minute. Adding a bucket adds its counts to
  // the stored one (an upsert); several buckets are added atomically.
  virtual Status add_call_stats(std::span<const CallStats> buckets) = 0;
  // The version's buckets whose minute starts within `range`, oldest first.
  virtual Result<std::vector<CallStats>> list_call_stats(VersionId version, TimeRange range) = 0;
  // Their sum, with window_start = range.from.
  virtual Result<CallStats> sum_call_stats(VersionId version, TimeRange range) = 0;

  // Runs `fn` in one transaction: committed when it returns ok, rolled back otherwise. Use
  // only the Store passed to `fn` inside it (this one may be waiting for the same
  // connection); nested `transact` calls join the outer transaction.
  virtual Status transact(const std::function<Status(Store&)>& fn) = 0;
};

}  // namespace plinth::store
