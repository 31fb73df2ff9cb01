// SqlOps: every Store operation written once, in SQL both dialects accept, against one
// connection that is already inside a transaction (SqlStore provides it). The few dialect
// differences are in the migrations and in begin_write's notification.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "store/detail/sql_connection.h"
#include "store/records.h"
#include "store/secret_box.h"

namespace plinth::store::detail {

class SqlOps {
 public:
  SqlOps(SqlConnection& db, const SecretBox& box) : db_(db), box_(box) {}

  Result<Revision> revision();
  // Seals a known value on first use and checks later that it still opens, so that a wrong
  // key is refused at start rather than when an endpoint key is first needed.
  Status check_secret_key();

  Result<Model> create_model(const ModelSpec& spec);
  Result<Model> get_model(ModelId id);
  Result<Model> find_model(std::string_view name_or_alias);
  Result<Page<Model>> list_models(const PageRequest& page);
  Result<Model> update_model(ModelId id, const ModelSpec& spec, Revision expected);
  Status delete_model(ModelId id, Revision expected);

  Result<Version> create_version(const VersionSpec& spec);
  Result<Version> get_version(VersionId id);
  Result<Version> find_version(ModelId model, std::string_view name);
  Result<Page<Version>> list_versions(ModelId model, const PageRequest& page);
  Status delete_version(VersionId id);

  Result<Endpoint> create_endpoint(const EndpointSpec& spec);
  Result<Endpoint> get_endpoint(EndpointId id);
  Result<std::vector<Endpoint>> list_endpoints(VersionId version);
  Result<Endpoint> update_endpoint(EndpointId id, const EndpointUpdate& update, Revision expected);
  Status delete_endpoint(EndpointId id, Revision expected);
  Result<std::optional<std::string>> reveal_endpoint_api_key(EndpointId id);

  Result<Release> get_release(ModelId model);
  Result<Page<Release>> list_releases(const PageRequest& page);
  Result<Release> put_release(ModelId model, const ReleaseSpec& spec, Revision expected,
                              const ReleaseAction& action);
  Status delete_release(ModelId model, Revision expected, const ReleaseAction& action);
  Result<Page<ReleaseEvent>> list_release_history(ModelId model, const PageRequest& page);

  Status add_call_stats(std::span<const CallStats> buckets);
  Result<std::vector<CallStats>> list_call_stats(VersionId version, TimeRange range);
  Result<CallStats> sum_call_stats(VersionId version, TimeRange range);

 private:
  // The first statement of every configuration write: advances the change counter, which
  // also serialises writers (the counter's row stays locked until commit), so the checks
  // that follow it cannot race. PostgreSQL also queues a NOTIFY, sent at commit.
  Result<Revision> begin_write();
  Status check_model_names(const ModelSpec& spec, ModelId self);
  Status write_model_names(ModelId id, const ModelSpec& spec);
  Result<std::optional<Release>> read_release(ModelId model);
  Status check_release_versions(ModelId model, const std::string& model_name,
                                const ReleaseSpec& spec);
  Status write_release(ModelId model, const ReleaseSpec& spec, const ReleaseAction& action,
                       Revision revision, bool exists);
  Status append_history(ModelId model, const ReleaseAction& action, Revision revision,
                        const std::optional<Release>& before, const std::optional<Release>& after);

  SqlConnection& db_;
  const SecretBox& box_;
};

// Shared by the sql_ops*.cpp files.
UnixMillis now_millis();

struct PageBounds {
  std::int64_t after = 0;  // ids strictly past this one (below it when newest first)
  int limit = 0;
};
// kInvalidRequest naming "cursor" or "limit" when they are malformed.
Result<PageBounds> page_bounds(const PageRequest& page, bool newest_first);

// Takes up to limit + 1 fetched items: drops the extra one and sets next_cursor from the last
// kept id when there was more.
template <class T, class IdOf>
Page<T> make_page(std::vector<T> items, int limit, IdOf id_of) {
  Page<T> page;
  if (items.size() > static_cast<std::size_t>(limit)) {
    items.resize(static_cast<std::size_t>(limit));
    page.next_cursor = std::to_string(id_of(items.back()));
  }
  page.items = std::move(items);
  return page;
}

Error not_found(std::string_view what, std::int64_t id);
Error stale(std::string_view what, Revision current, Revision expected);

}  // namespace plinth::store::detail
