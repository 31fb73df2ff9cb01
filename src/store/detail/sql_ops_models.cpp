// SqlOps for models: names and aliases share one namespace (the model_names table), so a
// name can never be both a model's name and another model's alias.
#include <set>

#include "store/detail/record_json.h"
#include "store/detail/sql_ops.h"

namespace plinth::store::detail {
namespace {

constexpr std::size_t kMaxNameBytes = 200;
constexpr std::string_view kModelColumns =
    "id, name, aliases, description, task_tags, owner, created_at, updated_at, revision";

Model model_from_row(const SqlRow& row) {
  Model m;
  m.id = as_int(row[0]);
  m.name = as_text(row[1]);
  m.aliases = from_json_array(as_text(row[2]));
  m.description = as_text(row[3]);
  m.task_tags = from_json_array(as_text(row[4]));
  m.owner = as_text(row[5]);
  m.created_at = as_int(row[6]);
  m.updated_at = as_int(row[7]);
  m.revision = as_int(row[8]);
  return m;
}

Status check_name(std::string_view name, const std::string& field) {
  if (name.empty()) return Error::invalid(field, field + " must not be empty");
  if (name.size() > kMaxNameBytes) {
    return Error::invalid(field, field + " must be at most " + std::to_string(kMaxNameBytes) +
                                     " bytes, got " + std::to_string(name.size()));
  }
  for (unsigned char c : name) {
    if (c <= ' ' || c == 0x7f) {
      return Error::invalid(field, field + " must not contain spaces or control characters");
    }
  }
  return {};
}

Status check_model_spec(const ModelSpec& spec) {
  Status s = check_name(spec.name, "name");
  if (!s.ok()) return s;
  std::set<std::string_view> seen{spec.name};
  for (std::size_t i = 0; i < spec.aliases.size(); ++i) {
    const std::string field = "aliases[" + std::to_string(i) + "]";
    s = check_name(spec.aliases[i], field);
    if (!s.ok()) return s;
    if (!seen.insert(spec.aliases[i]).second) {
      return Error::invalid(
          field, field + " '" + spec.aliases[i] + "' repeats the model's name or another alias");
    }
  }
  return {};
}

}  // namespace

Status SqlOps::check_model_names(const ModelSpec& spec, ModelId self) {
  std::vector<std::string> names{spec.name};
  names.insert(names.end(), spec.aliases.begin(), spec.aliases.end());
  for (const auto& name : names) {
    auto rows = db_.query(
        "SELECT m.name FROM model_names n JOIN models m ON m.id = n.model_id "
        "WHERE n.name = $1 AND n.model_id <> $2",
        {name, self});
    if (!rows.ok()) return std::move(rows).error();
    if (!rows->empty()) {
      return Error{
          ErrorCode::kConflict,
          "'" + name + "' is already a name or alias of model '" + as_text((*rows)[0][0]) + "'",
          name == spec.name ? "name" : "aliases"};
    }
  }
  return {};
}

Status SqlOps::write_model_names(ModelId id, const ModelSpec& spec) {
  auto cleared = db_.execute("DELETE FROM model_names WHERE model_id = $1", {id});
  if (!cleared.ok()) return std::move(cleared).error();
  std::vector<std::string> names{spec.name};
  names.insert(names.end(), spec.aliases.begin(), spec.aliases.end());
  for (const auto& name : names) {
    auto added =
        db_.execute("INSERT INTO model_names (name, model_id) VALUES ($1, $2)", {name, id});
    if (!added.ok()) return std::move(added).error();
  }
  return {};
}

Result<Model> SqlOps::create_model(const ModelSpec& spec) {
  Status valid = check_model_spec(spec);
  if (!valid.ok()) return std::move(valid).error();
  auto revision = begin_write();
  if (!revision.ok()) return std::move(revision).error();
  Status free = check_model_names(spec, 0);
  if (!free.ok()) return std::move(free).error();
  Model m;
  static_cast<ModelSpec&>(m) = spec;
  m.created_at = m.updated_at = now_millis();
  m.revision = *revision;
  auto rows = db_.query(
      "INSERT INTO models (name, aliases, description, task_tags, owner, created_at, "
      "updated_at, revision) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
      {m.name, to_json_array(m.aliases), m.description, to_json_array(m.task_tags), m.owner,
       m.created_at, m.updated_at, m.revision});
  if (!rows.ok()) return std::move(rows).error();
  m.id = as_int(rows->at(0).at(0));
  Status named = write_model_names(m.id, spec);
  if (!named.ok()) return std::move(named).error();
  return m;
}

Result<Model> SqlOps::get_model(ModelId id) {
  auto rows =
      db_.query("SELECT " + std::string(kModelColumns) + " FROM models WHERE id = $1", {id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return not_found("model", id);
  return model_from_row(rows->front());
}

Result<Model> SqlOps::find_model(std::string_view name_or_alias) {
  auto rows = db_.query(
      "SELECT m.id, m.name, m.aliases, m.description, m.task_tags, m.owner, m.created_at, "
      "m.updated_at, m.revision FROM model_names n JOIN models m ON m.id = n.model_id "
      "WHERE n.name = $1",
      {std::string(name_or_alias)});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) {
    return Error{ErrorCode::kNotFound, "no model is named '" + std::string(name_or_alias) + "'"};
  }
  return model_from_row(rows->front());
}

Result<Page<Model>> SqlOps::list_models(const PageRequest& page) {
  auto bounds = page_bounds(page, false);
  if (!bounds.ok()) return std::move(bounds).error();
  auto rows = db_.query(
      "SELECT " + std::string(kModelColumns) + " FROM models WHERE id > $1 ORDER BY id LIMIT $2",
      {bounds->after, std::int64_t{bounds->limit + 1}});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<Model> models;
  for (const auto& row : *rows) models.push_back(model_from_row(row));
  return make_page(std::move(models), bounds->limit, [](const Model& m) { return m.id; });
}

Result<Model> SqlOps::update_model(ModelId id, const ModelSpec& spec, Revision expected) {
  Status valid = check_model_spec(spec);
  if (!valid.ok()) return std::move(valid).error();
  auto revision = begin_write();
  if (!revision.ok()) return std::move(revision).error();
  auto current = get_model(id);
  if (!current.ok()) return current;
  if (current->revision != expected) {
    return stale("model '" + current->name + "'", current->revision, expected);
  }
  Status free = check_model_names(spec, id);
  if (!free.ok()) return std::move(free).error();
  Model m = std::move(current).value();
  static_cast<ModelSpec&>(m) = spec;
  m.updated_at = now_millis();
  m.revision = *revision;
  auto changed = db_.execute(
      "UPDATE models SET name = $1, aliases = $2, description = $3, task_tags = $4, owner = $5, "
      "updated_at = $6, revision = $7 WHERE id = $8",
      {m.name, to_json_array(m.aliases), m.description, to_json_array(m.task_tags), m.owner,
       m.updated_at, m.revision, id});
  if (!changed.ok()) return std::move(changed).error();
  Status named = write_model_names(id, spec);
  if (!named.ok()) return std::move(named).error();
  return m;
}

Status SqlOps::delete_model(ModelId id, Revision expected) {
  auto revision = begin_write();
  if (!revision.ok()) return std::move(revision).error();
  auto current = get_model(id);
  if (!current.ok()) return std::move(current).error();
  const std::string what = "model '" + current->name + "'";
  if (current->revision != expected) return stale(what, current->revision, expected);
  auto versions = db_.query("SELECT COUNT(*) FROM versions WHERE model_id = $1", {id});
  if (!versions.ok()) return std::move(versions).error();
  if (const auto n = as_int(versions->at(0).at(0)); n > 0) {
    return Error{ErrorCode::kConflict,
                 what + " still has " + std::to_string(n) + " version(s); delete them first"};
  }
  auto release = db_.query("SELECT 1 FROM releases WHERE model_id = $1", {id});
  if (!release.ok()) return std::move(release).error();
  if (!release->empty()) {
    return Error{ErrorCode::kConflict, what + " still has a release; delete it first"};
  }
  auto deleted = db_.execute("DELETE FROM models WHERE id = $1", {id});
  if (!deleted.ok()) return std::move(deleted).error();
  return {};
}

}  // namespace plinth::store::detail
