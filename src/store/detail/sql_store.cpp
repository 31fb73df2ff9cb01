// SqlStore: transactions and connection handling around SqlOps.
#include "store/detail/sql_store.h"

namespace plinth::store::detail {
namespace {

// Reads see one snapshot across their statements. Writes serialise on the revision counter
// (SqlOps::begin_write), so they can read the latest committed rows; SQLite takes its write
// lock up front to avoid a deadlock when upgrading a read lock.
std::string_view begin_statement(Dialect dialect, bool write) {
  if (dialect == Dialect::kSqlite) return write ? "BEGIN IMMEDIATE" : "BEGIN";
  return write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
}

template <class R>
R finish(SqlConnection& db, R result, std::string_view commit, std::string_view rollback) {
  Status ended = db.run_script(result.ok() ? commit : rollback);
  if (result.ok() && !ended.ok()) return std::move(ended).error();
  return result;
}

}  // namespace

Status SqlStore::prepare(SqlConnection& db, const SecretBox& box,
                         std::span<const Migration> migrations) {
  auto version = migrate(db, migrations);
  if (!version.ok()) return std::move(version).error();
  Status begun = db.run_script(begin_statement(db.dialect(), true));
  if (!begun.ok()) return begun;
  SqlOps ops(db, box);
  return finish(db, ops.check_secret_key(), "COMMIT", "ROLLBACK");
}

template <class F>
auto SqlStore::run(Access access, F&& op) -> decltype(op(std::declval<SqlOps&>())) {
  if (bound_) {
    Status saved = bound_->run_script("SAVEPOINT plinth_call");
    if (!saved.ok()) return std::move(saved).error();
    SqlOps ops(*bound_, *box_);
    return finish(*bound_, op(ops), "RELEASE SAVEPOINT plinth_call",
                  "ROLLBACK TO SAVEPOINT plinth_call; RELEASE SAVEPOINT plinth_call");
  }
  auto lease = pool_->acquire();
  if (!lease.ok()) return std::move(lease).error();
  SqlConnection& db = **lease;
  Status begun = db.run_script(begin_statement(db.dialect(), access == Access::kWrite));
  if (!begun.ok()) return std::move(begun).error();
  SqlOps ops(db, *box_);
  return finish(db, op(ops), "COMMIT", "ROLLBACK");
}

Status SqlStore::transact(const std::function<Status(Store&)>& fn) {
  if (bound_) {
    return run(Access::kWrite, [&](SqlOps&) { return fn(*this); });
  }
  auto lease = pool_->acquire();
  if (!lease.ok()) return std::move(lease).error();
  SqlConnection& db = **lease;
  Status begun = db.run_script(begin_statement(db.dialect(), true));
  if (!begun.ok()) return begun;
  SqlStore inner(db, box_);
  return finish(db, fn(inner), "COMMIT", "ROLLBACK");
}

#define PLINTH_SQL_READ(call) run(Access::kRead, [&](SqlOps& ops) { return ops.call; })
#define PLINTH_SQL_WRITE(call) run(Access::kWrite, [&](SqlOps& ops) { return ops.call; })

Result<Revision> SqlStore::revision() { return PLINTH_SQL_READ(revision()); }

Result<Model> SqlStore::create_model(const ModelSpec& spec) {
  return PLINTH_SQL_WRITE(create_model(spec));
}
Result<Model> SqlStore::get_model(ModelId id) { return PLINTH_SQL_READ(get_model(id)); }
Result<Model> SqlStore::find_model(std::string_view name_or_alias) {
  return PLINTH_SQL_READ(find_model(name_or_alias));
}
Result<Page<Model>> SqlStore::list_models(const PageRequest& page) {
  return PLINTH_SQL_READ(list_models(page));
}
Result<Model> SqlStore::update_model(ModelId id, const ModelSpec& spec, Revision expected) {
  return PLINTH_SQL_WRITE(update_model(id, spec, expected));
}
Status SqlStore::delete_model(ModelId id, Revision expected) {
  return PLINTH_SQL_WRITE(delete_model(id, expected));
}

Result<Version> SqlStore::create_version(const VersionSpec& spec) {
  return PLINTH_SQL_WRITE(create_version(spec));
}
Result<Version> SqlStore::get_version(VersionId id) { return PLINTH_SQL_READ(get_version(id)); }
Result<Version> SqlStore::find_version(ModelId model, std::string_view name) {
  return PLINTH_SQL_READ(find_version(model, name));
}
Result<Page<Version>> SqlStore::list_versions(ModelId model, const PageRequest& page) {
  return PLINTH_SQL_READ(list_versions(model, page));
}
Status SqlStore::delete_version(VersionId id) { return PLINTH_SQL_WRITE(delete_version(id)); }

Result<Endpoint> SqlStore::create_endpoint(const EndpointSpec& spec) {
  return PLINTH_SQL_WRITE(create_endpoint(spec));
}
Result<Endpoint> SqlStore::get_endpoint(EndpointId id) { return PLINTH_SQL_READ(get_endpoint(id)); }
Result<std::vector<Endpoint>> SqlStore::list_endpoints(VersionId version) {
  return PLINTH_SQL_READ(list_endpoints(version));
}
Result<Endpoint> SqlStore::update_endpoint(EndpointId id, const EndpointUpdate& update,
                                           Revision expected) {
  return PLINTH_SQL_WRITE(update_endpoint(id, update, expected));
}
Status SqlStore::delete_endpoint(EndpointId id, Revision expected) {
  return PLINTH_SQL_WRITE(delete_endpoint(id, expected));
}
Result<std::optional<std::string>> SqlStore::reveal_endpoint_api_key(EndpointId id) {
  return PLINTH_SQL_READ(reveal_endpoint_api_key(id));
}

Result<Release> SqlStore::get_release(ModelId model) { return PLINTH_SQL_READ(get_release(model)); }
Result<Page<Release>> SqlStore::list_releases(const PageRequest& page) {
  return PLINTH_SQL_READ(list_releases(page));
}
Result<Release> SqlStore::put_release(ModelId model, const ReleaseSpec& spec, Revision expected,
                                      const ReleaseAction& action) {
  return PLINTH_SQL_WRITE(put_release(model, spec, expected, action));
}
Status SqlStore::delete_release(ModelId model, Revision expected, const ReleaseAction& action) {
  return PLINTH_SQL_WRITE(delete_release(model, expected, action));
}
Result<Page<ReleaseEvent>> SqlStore::list_release_history(ModelId model, const PageRequest& page) {
  return PLINTH_SQL_READ(list_release_history(model, page));
}

Status SqlStore::add_call_stats(std::span<const CallStats> buckets) {
  return PLINTH_SQL_WRITE(add_call_stats(buckets));
}
Result<std::vector<CallStats>> SqlStore::list_call_stats(VersionId version, TimeRange range) {
  return PLINTH_SQL_READ(list_call_stats(version, range));
}
Result<CallStats> SqlStore::sum_call_stats(VersionId version, TimeRange range) {
  return PLINTH_SQL_READ(sum_call_stats(version, range));
}

#undef PLINTH_SQL_READ
#undef PLINTH_SQL_WRITE

}  // namespace plinth::store::detail
