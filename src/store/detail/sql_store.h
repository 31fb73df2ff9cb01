// SqlStore: the Store on top of SqlOps. It lends a pooled connection per call and wraps the
// call in a transaction; inside `transact` it runs each call under a savepoint on the
// transaction's connection, so a failed call leaves no trace and the caller decides.
#pragma once

#include <memory>

#include "store/detail/connection_pool.h"
#include "store/detail/sql_ops.h"
#include "store/migrations.h"
#include "store/secret_box.h"
#include "store/store.h"

namespace plinth::store::detail {

class SqlStore : public Store {
 public:
  // Runs `migrations` and the secret-key check on `db`, the pool's first connection.
  static Status prepare(SqlConnection& db, const SecretBox& box,
                        std::span<const Migration> migrations);

  SqlStore(std::unique_ptr<ConnectionPool> pool, std::shared_ptr<const SecretBox> box)
      : pool_(std::move(pool)), box_(std::move(box)) {}

  Result<Revision> revision() override;
  Result<Model> create_model(const ModelSpec& spec) override;
  Result<Model> get_model(ModelId id) override;
  Result<Model> find_model(std::string_view name_or_alias) override;
  Result<Page<Model>> list_models(const PageRequest& page) override;
  Result<Model> update_model(ModelId id, const ModelSpec& spec, Revision expected) override;
  Status delete_model(ModelId id, Revision expected) override;
  Result<Version> create_version(const VersionSpec& spec) override;
  Result<Version> get_version(VersionId id) override;
  Result<Version> find_version(ModelId model, std::string_view name) override;
  Result<Page<Version>> list_versions(ModelId model, const PageRequest& page) override;
  Status delete_version(VersionId id) override;
  Result<Endpoint> create_endpoint(const EndpointSpec& spec) override;
  Result<Endpoint> get_endpoint(EndpointId id) override;
  Result<std::vector<Endpoint>> list_endpoints(VersionId version) override;
  Result<Endpoint> update_endpoint(EndpointId id, const EndpointUpdate& update,
                                   Revision expected) override;
  Status delete_endpoint(EndpointId id, Revision expected) override;
  Result<std::optional<std::string>> reveal_endpoint_api_key(EndpointId id) override;
  Result<Release> get_release(ModelId model) override;
  Result<Page<Release>> list_releases(const PageRequest& page) override;
  Result<Release> put_release(ModelId model, const ReleaseSpec& spec, Revision expected,
                              const ReleaseAction& action) override;
  Status delete_release(ModelId model, Revision expected, const ReleaseAction& action) override;
  Result<Page<ReleaseEvent>> list_release_history(ModelId model, const PageRequest& page) override;
  Status add_call_stats(std::span<const CallStats> buckets) override;
  Result<std::vector<CallStats>> list_call_stats(VersionId version, TimeRange range) override;
  Result<CallStats> sum_call_stats(VersionId version, TimeRange range) override;
  Status transact(const std::function<Status(Store&)>& fn) override;

 private:
  enum class Access { kRead, kWrite };
  // Inside `transact`: bound to the transaction's connection.
  SqlStore(SqlConnection& bound, std::shared_ptr<const SecretBox> box)
      : bound_(&bound), box_(std::move(box)) {}

  template <class F>
  auto run(Access access, F&& op) -> decltype(op(std::declval<SqlOps&>()));

  std::unique_ptr<ConnectionPool> pool_;
  SqlConnection* bound_ = nullptr;
  std::shared_ptr<const SecretBox> box_;
};

}  // namespace plinth::store::detail
