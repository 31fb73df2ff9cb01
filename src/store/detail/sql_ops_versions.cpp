// SqlOps for versions: created once, never updated (a trigger refuses UPDATE), deleted only
// when no release uses them.
#include "store/detail/record_json.h"
#include "store/detail/sql_ops.h"

namespace plinth::store::detail {
namespace {

constexpr std::string_view kVersionColumns =
    "id, model_id, name, provider_type, upstream_model, base_model, lora_adapter, "
    "default_params, max_params, source, release_notes, created_by, created_at, revision";

Version version_from_row(const SqlRow& row) {
  Version v;
  v.id = as_int(row[0]);
  v.model_id = as_int(row[1]);
  v.name = as_text(row[2]);
  v.provider_type = as_text(row[3]);
  v.upstream_model = as_text(row[4]);
  v.base_model = as_text(row[5]);
  v.lora_adapter = as_text(row[6]);
  v.default_params = as_text(row[7]);
  v.max_params = as_text(row[8]);
  v.source = as_text(row[9]);
  v.release_notes = as_text(row[10]);
  v.created_by = as_text(row[11]);
  v.created_at = as_int(row[12]);
  v.revision = as_int(row[13]);
  return v;
}

Status check_version_spec(const VersionSpec& spec) {
  if (spec.name.empty()) return Error::invalid("name", "name must not be empty");
  if (spec.provider_type.empty()) {
    return Error::invalid("provider_type", "provider_type must not be empty");
  }
  if (!spec.lora_adapter.empty() && spec.base_model.empty()) {
    return Error::invalid("base_model", "base_model must be set when lora_adapter is");
  }
  Status s = check_json_object(spec.default_params, "default_params");
  if (s.ok()) s = check_json_object(spec.max_params, "max_params");
  return s;
}

}  // namespace

Result<Version> SqlOps::create_version(const VersionSpec& spec) {
  Status valid = check_version_spec(spec);
  if (!valid.ok()) return std::move(valid).error();
  auto revision = begin_write();
  if (!revision.ok()) return std::move(revision).error();
  auto model = get_model(spec.model_id);
  if (!model.ok()) {
    Error e = std::move(model).error();
    if (e.code == ErrorCode::kNotFound) e.field = "model_id";
    return e;
  }
  auto taken = db_.query("SELECT id FROM versions WHERE model_id = $1 AND name = $2",
                         {spec.model_id, spec.name});
  if (!taken.ok()) return std::move(taken).error();
  if (!taken->empty()) {
    return Error{ErrorCode::kConflict,
                 "model '" + model->name + "' already has a version '" + spec.name +
                     "'; versions are immutable, so create one with a new name",
                 "name"};
  }
  Version v;
  static_cast<VersionSpec&>(v) = spec;
  v.created_at = now_millis();
  v.revision = *revision;
  auto rows = db_.query(
      "INSERT INTO versions (model_id, name, provider_type, upstream_model, base_model, "
      "lora_adapter, default_params, max_params, source, release_notes, created_by, created_at, "
      "revision) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
      {v.model_id, v.name, v.provider_type, v.upstream_model, v.base_model, v.lora_adapter,
       v.default_params, v.max_params, v.source, v.release_notes, v.created_by, v.created_at,
       v.revision});
  if (!rows.ok()) return std::move(rows).error();
  v.id = as_int(rows->at(0).at(0));
  return v;
}

Result<Version> SqlOps::get_version(VersionId id) {
  auto rows =
      db_.query("SELECT " + std::string(kVersionColumns) + " FROM versions WHERE id = $1", {id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return not_found("version", id);
  return version_from_row(rows->front());
}

Result<Version> SqlOps::find_version(ModelId model, std::string_view name) {
  auto rows = db_.query(
      "SELECT " + std::string(kVersionColumns) + " FROM versions WHERE model_id = $1 AND name = $2",
      {model, std::string(name)});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) {
    return Error{ErrorCode::kNotFound,
                 "model " + std::to_string(model) + " has no version '" + std::string(name) + "'"};
  }
  return version_from_row(rows->front());
}

Result<Page<Version>> SqlOps::list_versions(ModelId model, const PageRequest& page) {
  auto bounds = page_bounds(page, false);
  if (!bounds.ok()) return std::move(bounds).error();
  auto rows = db_.query("SELECT " + std::string(kVersionColumns) +
                            " FROM versions WHERE model_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                        {model, bounds->after, std::int64_t{bounds->limit + 1}});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<Version> versions;
  for (const auto& row : *rows) versions.push_back(version_from_row(row));
  return make_page(std::move(versions), bounds->limit, [](const Version& v) { return v.id; });
}

Status SqlOps::delete_version(VersionId id) {
  auto revision = begin_write();
  if (!revision.ok()) return std::move(revision).error();
  auto version = get_version(id);
  if (!version.ok()) return std::move(version).error();
  auto used = db_.query(
      "SELECT 1 FROM releases WHERE stable_version_id = $1 "
      "UNION ALL SELECT 1 FROM release_canaries WHERE version_id = $1",
      {id});
  if (!used.ok()) return std::move(used).error();
  if (!used->empty()) {
    return Error{ErrorCode::kConflict, "version '" + version->name +
                                           "' is used by its model's release; change the "
                                           "release first"};
  }
  auto deleted = db_.execute("DELETE FROM versions WHERE id = $1", {id});
  if (!deleted.ok()) return std::move(deleted).error();
  return {};
}

}  // namespace plinth::store::detail
