// SqlOps for endpoints. API keys go in sealed (SecretBox) and come out only through
// reveal_endpoint_api_key.
#include "store/detail/sql_ops.h"

namespace plinth::store::detail {
namespace {

constexpr std::string_view kEndpointColumns =
    "id, version_id, url, weight, api_key_sealed IS NOT NULL, created_at, updated_at, revision";

Endpoint endpoint_from_row(const SqlRow& row) {
  Endpoint e;
  e.id = as_int(row[0]);
  e.version_id = as_int(row[1]);
  e.url = as_text(row[2]);
  e.weight = static_cast<int>(as_int(row[3]));
  // SQLite answers 1/0, PostgreSQL "t"/"f".
  const std::string has_key = as_text(row[4]);
  e.has_api_key = has_key == "1" || has_key == "t";
  e.created_at = as_int(row[5]);
  e.updated_at = as_int(row[6]);
  e.revision = as_int(row[7]);
  return e;
}

Status check_endpoint(std::string_view url, int weight) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Error::invalid("url", "url must start with http:// or https://");
  }
  if (weight < 0) {
    return Error::invalid("weight", "weight must be 0 or more, got " + std::to_string(weight));
  }
  return {};
}

}  // namespace

Result<Endpoint> SqlOps::create_endpoint(const EndpointSpec& spec) {
  Status valid = check_endpoint(spec.url, spec.weight);
  if (!valid.ok()) return std::move(valid).error();
  auto revision = begin_write();
  if (!revision.ok()) return std::move(revision).error();
  auto version = get_version(spec.version_id);
  if (!version.ok()) {
    Error e = std::move(version).error();
    if (e.code == ErrorCode::kNotFound) e.field = "version_id";
    return e;
  }
  SqlValue sealed = std::monostate{};
  if (!spec.api_key.empty()) {
    auto s = box_.seal(spec.api_key);
    if (!s.ok()) return std::move(s).error();
    sealed = std::move(s).value();
  }
  const UnixMillis now = now_millis();
  auto rows = db_.query(
      "INSERT INTO endpoints (version_id, url, weight, api_key_sealed, created_at, updated_at, "
      "revision) VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
      {spec.version_id, spec.url, std::int64_t{spec.weight}, sealed, now, *revision});
  if (!rows.ok()) return std::move(rows).error();
  return Endpoint{as_int(rows->at(0).at(0)),
                  spec.version_id,
                  spec.url,
                  spec.weight,
                  !spec.api_key.empty(),
                  now,
                  now,
                  *revision};
}

Result<Endpoint> SqlOps::get_endpoint(EndpointId id) {
  auto rows =
      db_.query("SELECT " + std::string(kEndpointColumns) + " FROM endpoints WHERE id = $1", {id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return not_found("endpoint", id);
  return endpoint_from_row(rows->front());
}

Result<std::vector<Endpoint>> SqlOps::list_endpoints(VersionId version) {
  auto rows = db_.query("SELECT " + std::string(kEndpointColumns) +
                            " FROM endpoints WHERE version_id = $1 ORDER BY id",
                        {version});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<Endpoint> endpoints;
  for (const auto& row : *rows) endpoints.push_back(endpoint_from_row(row));
  return endpoints;
}

Result<Endpoint> SqlOps::update_endpoint(EndpointId id, const EndpointUpdate& update,
                                         Revision expected) {
  Status valid = check_endpoint(update.url, update.weight);
  if (!valid.ok()) return std::move(valid).error();
  if (update.key_change == EndpointUpdate::Key::kReplace && update.api_key.empty()) {
    return Error::invalid("api_key", "api_key must not be empty when replacing it");
  }
  auto revision = begin_write();
  if (!revision.ok()) return std::move(revision).error();
  auto current = get_endpoint(id);
  if (!current.ok()) return current;
  if (current->revision != expected) {
    return stale("endpoint " + std::to_string(id), current->revision, expected);
  }
  Endpoint e = std::move(current).value();
  e.url = update.url;
  e.weight = update.weight;
  e.updated_at = now_millis();
  e.revision = *revision;
  Result<std::int64_t> changed = std::int64_t{0};
  if (update.key_change == EndpointUpdate::Key::kKeep) {
    changed = db_.execute(
        "UPDATE endpoints SET url = $1, weight = $2, updated_at = $3, revision = $4 "
        "WHERE id = $5",
        {e.url, std::int64_t{e.weight}, e.updated_at, e.revision, id});
  } else {
    SqlValue sealed = std::monostate{};
    if (update.key_change == EndpointUpdate::Key::kReplace) {
      auto s = box_.seal(update.api_key);
      if (!s.ok()) return std::move(s).error();
      sealed = std::move(s).value();
    }
    e.has_api_key = !is_null(sealed);
    changed = db_.execute(
        "UPDATE endpoints SET url = $1, weight = $2, updated_at = $3, revision = $4, "
        "api_key_sealed = $5 WHERE id = $6",
        {e.url, std::int64_t{e.weight}, e.updated_at, e.revision, sealed, id});
  }
  if (!changed.ok()) return std::move(changed).error();
  return e;
}

Status SqlOps::delete_endpoint(EndpointId id, Revision expected) {
  auto revision = begin_write();
  if (!revision.ok()) return std::move(revision).error();
  auto current = get_endpoint(id);
  if (!current.ok()) return std::move(current).error();
  if (current->revision != expected) {
    return stale("endpoint " + std::to_string(id), current->revision, expected);
  }
  auto deleted = db_.execute("DELETE FROM endpoints WHERE id = $1", {id});
  if (!deleted.ok()) return std::move(deleted).error();
  return {};
}

Result<std::optional<std::string>> SqlOps::reveal_endpoint_api_key(EndpointId id) {
  auto rows = db_.query("SELECT api_key_sealed FROM endpoints WHERE id = $1", {id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return not_found("endpoint", id);
  const SqlValue& sealed = rows->front()[0];
  if (is_null(sealed)) return std::optional<std::string>();
  auto plain = box_.open(as_text(sealed));
  if (!plain.ok()) {
    Error e = std::move(plain).error();
    e.message = "endpoint " + std::to_string(id) + " api key: " + e.message;
    return e;
  }
  return std::optional<std::string>(std::move(plain).value());
}

}  // namespace plinth::store::detail
