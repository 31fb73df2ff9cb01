// SqlOps for releases: each change writes the release, its canaries and a history event with
// the state before and after, in the caller's one transaction.
#include "store/detail/record_json.h"
#include "store/detail/sql_ops.h"

#include <algorithm>

namespace plinth::store::detail {
namespace {

Status check_release_spec(const ReleaseSpec& spec, const ReleaseAction& action) {
  if (action.action.empty()) return Error::invalid("action", "action must not be empty");
  if (spec.stable_version_id <= 0) {
    return Error::invalid("stable_version_id", "stable_version_id must name a version");
  }
  for (std::size_t i = 0; i < spec.canaries.size(); ++i) {
    const Canary& c = spec.canaries[i];
    const std::string field = "canaries[" + std::to_string(i) + "]";
    if (!(c.percent >= 0 && c.percent <= 100)) {
      return Error::invalid(field + ".percent", field + ".percent must be between 0 and 100, got " +
                                                    std::to_string(c.percent));
    }
    Status s = check_json_object(c.match, field + ".match");
    if (!s.ok()) return s;
  }
  return {};
}

}  // namespace

Result<std::optional<Release>> SqlOps::read_release(ModelId model) {
  auto rows = db_.query(
      "SELECT r.stable_version_id, v.name, r.state, r.updated_by, r.updated_at, r.revision, "
      "COALESCE(r.previous_stable_version_id, 0), COALESCE(p.name, '') "
      "FROM releases r JOIN versions v ON v.id = r.stable_version_id "
      "LEFT JOIN versions p ON p.id = r.previous_stable_version_id WHERE r.model_id = $1",
      {model});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<Release>();
  const SqlRow& row = rows->front();
  Release r;
  r.model_id = model;
  r.stable_version_id = as_int(row[0]);
  r.stable_version = as_text(row[1]);
  r.state = release_state_from(as_text(row[2]));
  r.updated_by = as_text(row[3]);
  r.updated_at = as_int(row[4]);
  r.revision = as_int(row[5]);
  r.previous_stable_version_id = as_int(row[6]);
  r.previous_stable_version = as_text(row[7]);
  auto offline = db_.query(
      "SELECT o.version_id, v.name FROM release_offline o JOIN versions v ON v.id = o.version_id "
      "WHERE o.model_id = $1 ORDER BY o.version_id",
      {model});
  if (!offline.ok()) return std::move(offline).error();
  for (const auto& o : *offline) {
    r.offline_version_ids.push_back(as_int(o[0]));
    r.offline_versions.push_back(as_text(o[1]));
  }
  auto canaries = db_.query(
      "SELECT c.version_id, v.name, c.percent, c.match_rules FROM release_canaries c "
      "JOIN versions v ON v.id = c.version_id WHERE c.model_id = $1 ORDER BY c.ordinal",
      {model});
  if (!canaries.ok()) return std::move(canaries).error();
  for (const auto& c : *canaries) {
    r.canaries.push_back(Canary{as_int(c[0]), as_text(c[1]), as_double(c[2]), as_text(c[3])});
  }
  return std::optional<Release>(std::move(r));
}

Status SqlOps::check_release_versions(ModelId model, const std::string& model_name,
                                      const ReleaseSpec& spec) {
  auto check = [&](VersionId id, const std::string& field) -> Status {
    auto rows = db_.query("SELECT model_id FROM versions WHERE id = $1", {id});
    if (!rows.ok()) return std::move(rows).error();
    if (rows->empty()) {
      return Error::invalid(field, field + ": version " + std::to_string(id) + " does not exist");
    }
    if (as_int(rows->front()[0]) != model) {
      return Error::invalid(field, field + ": version " + std::to_string(id) +
                                       " is not a version of model '" + model_name + "'");
    }
    return {};
  };
  Status s = check(spec.stable_version_id, "stable_version_id");
  for (std::size_t i = 0; s.ok() && i < spec.canaries.size(); ++i) {
    s = check(spec.canaries[i].version_id, "canaries[" + std::to_string(i) + "].version_id");
  }
  if (s.ok() && spec.previous_stable_version_id != 0) {
    s = check(spec.previous_stable_version_id, "previous_stable_version_id");
  }
  for (std::size_t i = 0; s.ok() && i < spec.offline_version_ids.size(); ++i) {
    s = check(spec.offline_version_ids[i], "offline_version_ids[" + std::to_string(i) + "]");
  }
  return s;
}

Status SqlOps::write_release(ModelId model, const ReleaseSpec& spec, const ReleaseAction& action,
                             Revision revision, bool exists) {
  const std::string state(release_state_name(spec.state));
  const UnixMillis now = now_millis();
  Result<std::int64_t> written = std::int64_t{0};
  // NULLIF: NULL, not 0, when there is no previous stable version (it is a foreign key).
  const std::int64_t previous = spec.previous_stable_version_id;
  if (exists) {
    written = db_.execute(
        "UPDATE releases SET stable_version_id = $1, state = $2, updated_by = $3, "
        "updated_at = $4, revision = $5, previous_stable_version_id = NULLIF($6, 0) WHERE model_id = $7",
        {spec.stable_version_id, state, action.actor, now, revision, previous, model});
    if (written.ok())
      written = db_.execute("DELETE FROM release_canaries WHERE model_id = $1", {model});
    if (written.ok())
      written = db_.execute("DELETE FROM release_offline WHERE model_id = $1", {model});
  } else {
    written = db_.execute(
        "INSERT INTO releases (model_id, stable_version_id, state, updated_by, updated_at, "
        "revision, previous_stable_version_id) VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, 0))",
        {model, spec.stable_version_id, state, action.actor, now, revision, previous});
  }
  std::vector<VersionId> offline = spec.offline_version_ids;
  std::sort(offline.begin(), offline.end());
  offline.erase(std::unique(offline.begin(), offline.end()), offline.end());
  for (std::size_t i = 0; written.ok() && i < offline.size(); ++i) {
    written = db_.execute("INSERT INTO release_offline (model_id, version_id) VALUES ($1, $2)",
                          {model, offline[i]});
  }
  for (std::size_t i = 0; written.ok() && i < spec.canaries.size(); ++i) {
    const Canary& c = spec.canaries[i];
    written = db_.execute(
        "INSERT INTO release_canaries (model_id, ordinal, version_id, percent, match_rules) "
        "VALUES ($1, $2, $3, $4, $5)",
        {model, static_cast<std::int64_t>(i), c.version_id, c.percent, c.match});
  }
  if (!written.ok()) return std::move(written).error();
  return {};
}

Status SqlOps::append_history(ModelId model, const ReleaseAction& action, Revision revision,
                              const std::optional<Release>& before,
                              const std::optional<Release>& after) {
  auto added = db_.execute(
      "INSERT INTO release_history (model_id, action, actor, at, before_state, after_state, "
      "revision) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {model, action.action, action.actor, now_millis(), release_to_json(before),
       release_to_json(after), revision});
  if (!added.ok()) return std::move(added).error();
  return {};
}

Result<Release> SqlOps::get_release(ModelId model) {
  auto release = read_release(model);
  if (!release.ok()) return std::move(release).error();
  if (!*release) {
    return Error{ErrorCode::kNotFound, "model " + std::to_string(model) + " has no release"};
  }
  return std::move(**release);
}

Result<Page<Release>> SqlOps::list_releases(const PageRequest& page) {
  auto bounds = page_bounds(page, false);
  if (!bounds.ok()) return std::move(bounds).error();
  auto rows = db_.query(
      "SELECT model_id FROM releases WHERE model_id > $1 ORDER BY model_id "
      "LIMIT $2",
      {bounds->after, std::int64_t{bounds->limit + 1}});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<Release> releases;
  for (const auto& row : *rows) {
    auto release = read_release(as_int(row[0]));
    if (!release.ok()) return std::move(release).error();
    if (*release) releases.push_back(std::move(**release));
  }
  return make_page(std::move(releases), bounds->limit, [](const Release& r) { return r.model_id; });
}

Result<Release> SqlOps::put_release(ModelId model, const ReleaseSpec& spec, Revision expected,
                                    const ReleaseAction& action) {
  Status valid = check_release_spec(spec, action);
  if (!valid.ok()) return std::move(valid).error();
  auto revision = begin_write();
  if (!revision.ok()) return std::move(revision).error();
  auto owner = get_model(model);
  if (!owner.ok()) return std::move(owner).error();
  auto before = read_release(model);
  if (!before.ok()) return std::move(before).error();
  const Revision current = *before ? (*before)->revision : 0;
  if (current != expected) {
    return stale("release of model '" + owner->name + "'", current, expected);
  }
  Status s = check_release_versions(model, owner->name, spec);
  if (s.ok()) s = write_release(model, spec, action, *revision, before->has_value());
  if (!s.ok()) return std::move(s).error();
  auto after = read_release(model);
  if (!after.ok()) return std::move(after).error();
  s = append_history(model, action, *revision, *before, *after);
  if (!s.ok()) return std::move(s).error();
  return std::move(**after);
}

Status SqlOps::delete_release(ModelId model, Revision expected, const ReleaseAction& action) {
  if (action.action.empty()) return Error::invalid("action", "action must not be empty");
  auto revision = begin_write();
  if (!revision.ok()) return std::move(revision).error();
  auto before = read_release(model);
  if (!before.ok()) return std::move(before).error();
  if (!*before) {
    return Error{ErrorCode::kNotFound, "model " + std::to_string(model) + " has no release"};
  }
  if ((*before)->revision != expected) {
    return stale("release of model " + std::to_string(model), (*before)->revision, expected);
  }
  auto deleted = db_.execute("DELETE FROM releases WHERE model_id = $1", {model});
  if (!deleted.ok()) return std::move(deleted).error();
  return append_history(model, action, *revision, *before, std::nullopt);
}

Result<Page<ReleaseEvent>> SqlOps::list_release_history(ModelId model, const PageRequest& page) {
  auto bounds = page_bounds(page, true);
  if (!bounds.ok()) return std::move(bounds).error();
  auto rows = db_.query(
      "SELECT id, action, actor, at, before_state, after_state, revision FROM release_history "
      "WHERE model_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
      {model, bounds->after, std::int64_t{bounds->limit + 1}});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<ReleaseEvent> events;
  for (const auto& row : *rows) {
    events.push_back(ReleaseEvent{as_int(row[0]), model, as_text(row[1]), as_text(row[2]),
                                  as_int(row[3]), as_text(row[4]), as_text(row[5]),
                                  as_int(row[6])});
  }
  return make_page(std::move(events), bounds->limit, [](const ReleaseEvent& e) { return e.id; });
}

}  // namespace plinth::store::detail
