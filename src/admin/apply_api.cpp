// POST /admin/v1/apply: make the store match a declarative document (GitOps), idempotently and
// in one transaction. Creates and updates; never deletes what the document does not name.
#include "admin/handlers.h"
#include "admin/json_io.h"
#include "registry/release_mapping.h"

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <cctype>

namespace plinth::admin {

namespace {

struct Change {
  std::string kind, name, change;
};

json::value parsed(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value() : v;
}

bool same_rules(const registry::ReleasePlan& a, const registry::ReleasePlan& b) {
  if (a.stable != b.stable || a.paused != b.paused || a.canaries.size() != b.canaries.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.canaries.size(); ++i) {
    const auto& x = a.canaries[i];
    const auto& y = b.canaries[i];
    if (x.version != y.version || x.percent != y.percent || x.groups != y.groups ||
        x.users != y.users || x.tenants != y.tenants || x.projects != y.projects) {
      return false;
    }
  }
  return true;
}

Result<store::Model> apply_model(AdminContext& ctx, store::Store& tx, const json::object& o,
                                 const std::string& where, std::vector<Change>& changes) {
  auto name = opt_string(o, "name", where, 128);
  if (!name) return name.error();
  if (!*name) return Error::invalid(field_name(where, "name"), field_name(where, "name") + " is required");
  if (Status s = check_name(**name, field_name(where, "name")); !s) return s.error();
  if (ctx.service.claimed_by_config(**name)) {
    return Error{ErrorCode::kConflict,
                 fmt::format("'{}' is a model declared in the config file", **name),
                 field_name(where, "name")};
  }
  auto existing = tx.find_model(**name);
  if (!existing && existing.error().code != ErrorCode::kNotFound) return existing.error();
  if (existing && existing->name != **name) {
    // find_model also matches aliases: never rename a model through its alias.
    return Error{ErrorCode::kConflict,
                 fmt::format("'{}' is an alias of model '{}'; name the model by its name",
                             **name, existing->name),
                 field_name(where, "name")};
  }
  store::ModelSpec spec;
  if (existing) spec = *existing;
  spec.name = **name;
  auto aliases = opt_strings(o, "aliases", where);
  if (!aliases) return aliases.error();
  if (*aliases) spec.aliases = **aliases;
  auto description = opt_string(o, "description", where, 4096);
  if (!description) return description.error();
  if (*description) spec.description = **description;
  auto tags = opt_strings(o, "task_tags", where);
  if (!tags) return tags.error();
  if (*tags) spec.task_tags = **tags;
  auto owner = opt_string(o, "owner", where, 256);
  if (!owner) return owner.error();
  if (*owner) spec.owner = **owner;
  for (std::size_t i = 0; i < spec.aliases.size(); ++i) {
    const std::string field = fmt::format("{}.aliases[{}]", where, i);
    if (Status s = check_name(spec.aliases[i], field); !s) return s.error();
    if (ctx.service.claimed_by_config(spec.aliases[i])) {
      return Error{ErrorCode::kConflict,
                   fmt::format("'{}' is a model declared in the config file", spec.aliases[i]),
                   field};
    }
  }
  if (!existing) {
    auto created = tx.create_model(spec);
    if (created) changes.push_back({"model", spec.name, "created"});
    return created;
  }
  const store::ModelSpec& old = *existing;
  if (old.aliases == spec.aliases && old.description == spec.description &&
      old.task_tags == spec.task_tags && old.owner == spec.owner) {
    changes.push_back({"model", spec.name, "unchanged"});
    return existing;
  }
  auto updated = tx.update_model(existing->id, spec, existing->revision);
  if (updated) changes.push_back({"model", spec.name, "updated"});
  return updated;
}

// Endpoints are matched by URL. A weight or api_key the document leaves out keeps its stored
// value (keys are never read back through the API, so an exported document has none).
Status apply_endpoints(store::Store& tx, const store::Version& version, const VersionInput& in,
                       const std::string& label, std::vector<Change>& changes) {
  auto have = tx.list_endpoints(version.id);
  if (!have) return have.error();
  for (std::size_t i = 0; i < in.endpoints.size(); ++i) {
    store::EndpointSpec e = in.endpoints[i];
    const std::string name = label + " " + e.url;
    const store::Endpoint* match = nullptr;
    for (const auto& h : *have) {
      if (h.url == e.url) match = &h;
    }
    if (!match) {
      e.version_id = version.id;
      auto made = tx.create_endpoint(e);
      if (!made) return made.error();
      changes.push_back({"endpoint", name, "created"});
      continue;
    }
    if (!in.weight_given[i]) e.weight = match->weight;
    auto key = tx.reveal_endpoint_api_key(match->id);
    if (!key) return key.error();
    if (!in.api_key_given[i]) e.api_key = key->value_or("");
    const bool same_key = key->value_or("") == e.api_key;
    if (match->weight == e.weight && same_key) {
      changes.push_back({"endpoint", name, "unchanged"});
      continue;
    }
    store::EndpointUpdate update{e.url, e.weight,
                                 same_key ? store::EndpointUpdate::Key::kKeep
                                 : e.api_key.empty() ? store::EndpointUpdate::Key::kClear
                                                     : store::EndpointUpdate::Key::kReplace,
                                 e.api_key};
    auto updated = tx.update_endpoint(match->id, update, match->revision);
    if (!updated) return updated.error();
    changes.push_back({"endpoint", name, "updated"});
  }
  return {};
}

Status apply_version(AdminContext& ctx, store::Store& tx, const store::Model& model,
                     const json::object& o, const std::string& where, const std::string& actor,
                     std::vector<Change>& changes) {
  auto in = read_version_input(ctx, o, where, model, actor);
  if (!in) return in.error();
  const std::string label = model.name + "/" + in->spec.name;
  auto existing = tx.find_version(model.id, in->spec.name);
  if (!existing) {
    if (existing.error().code != ErrorCode::kNotFound) return existing.error();
    std::vector<store::Endpoint> made;
    auto created = create_version_with_endpoints(tx, *in, made);
    if (!created) return created.error();
    changes.push_back({"version", label, "created"});
    for (const auto& e : made) changes.push_back({"endpoint", label + " " + e.url, "created"});
    return {};
  }
  const store::VersionSpec& a = *existing;
  const store::VersionSpec& b = in->spec;
  if (a.provider_type != b.provider_type || a.upstream_model != b.upstream_model ||
      a.base_model != b.base_model || a.lora_adapter != b.lora_adapter ||
      a.source != b.source || a.release_notes != b.release_notes ||
      parsed(a.default_params) != parsed(b.default_params) ||
      parsed(a.max_params) != parsed(b.max_params)) {
    return Error{ErrorCode::kConflict,
                 fmt::format("version '{}' exists with different content; versions are "
                             "immutable: give the change a new version name",
                             label),
                 field_name(where, "name")};
  }
  changes.push_back({"version", label, "unchanged"});
  return apply_endpoints(tx, *existing, *in, label, changes);
}

Status apply_release(AdminContext& ctx, store::Store& tx, const store::Model& model,
                     const json::object& o, const std::string& where, const std::string& actor,
                     std::vector<Change>& changes) {
  auto wanted = release_plan_from_json(o, where, model.name);
  if (!wanted) return wanted.error();
  auto current = tx.get_release(model.id);
  if (!current && current.error().code != ErrorCode::kNotFound) return current.error();
  registry::ReleasePlan next = *wanted;
  if (current) {
    const registry::ReleasePlan now = registry::plan_from_release(model.name, *current);
    if (same_rules(now, next)) {
      changes.push_back({"release", model.name, "unchanged"});
      return {};
    }
    next.offline = now.offline;
    next.previous_stable = now.stable != next.stable ? now.stable : now.previous_stable;
  }
  std::vector<std::string> needed = {next.stable};
  for (const auto& c : next.canaries) needed.push_back(c.version);
  for (const auto& name : needed) {
    auto v = tx.find_version(model.id, name);
    if (!v) {
      return Error::invalid(field_name(where, "stable"),
                            fmt::format("model '{}' has no version '{}'", model.name, name));
    }
    if (Status s = ctx.service.check_servable(tx, *v); !s) return s;
  }
  auto ids = version_ids(tx, model.id);
  if (!ids) return ids.error();
  auto spec = registry::spec_from_plan(next, *ids);
  if (!spec) return spec.error();
  auto put = tx.put_release(model.id, *spec, current ? current->revision : 0,
                            store::ReleaseAction{"apply", actor});
  if (!put) return put.error();
  changes.push_back({"release", model.name, current ? "updated" : "created"});
  return {};
}

}  // namespace

Result<AdminResponse> apply(AdminContext& ctx, const AdminRequest& request) {
  auto body = parse_body(request.body, {"models"});
  if (!body) return body.error();
  const auto* models = body->if_contains("models");
  if (!models || !models->is_array()) return Error::invalid("models", "models must be a list");
  bool dry_run = false;
  if (auto flag = request.query_param("dry_run")) {
    std::string v;
    for (char c : *flag) v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (v == "true" || v == "1" || v == "yes" || v == "on") {
      dry_run = true;
    } else if (v != "false" && v != "0" && v != "no" && v != "off") {
      return Error::invalid("dry_run", "dry_run must be true or false");
    }
  }
  std::vector<Change> changes;
  // A dry run does everything in the transaction, then rolls it back.
  const Error kRollBack{ErrorCode::kCancelled, "dry run"};
  Status s = ctx.service.store().transact([&](store::Store& tx) -> Status {
    for (std::size_t i = 0; i < models->get_array().size(); ++i) {
      const std::string where = fmt::format("models[{}]", i);
      const auto& mv = models->get_array()[i];
      if (!mv.is_object()) return Error::invalid(where, where + " must be an object");
      const json::object& mo = mv.get_object();
      if (Status k = check_keys(mo, {"name", "aliases", "description", "task_tags", "owner",
                                     "versions", "release"},
                                where);
          !k) {
        return k;
      }
      auto model = apply_model(ctx, tx, mo, where, changes);
      if (!model) return model.error();
      if (const auto* vs = mo.if_contains("versions"); vs && !vs->is_null()) {
        if (!vs->is_array()) return Error::invalid(where + ".versions", "versions must be a list");
        for (std::size_t j = 0; j < vs->get_array().size(); ++j) {
          const std::string at = fmt::format("{}.versions[{}]", where, j);
          if (!vs->get_array()[j].is_object()) return Error::invalid(at, at + " must be an object");
          Status v = apply_version(ctx, tx, *model, vs->get_array()[j].get_object(), at,
                                   request.actor, changes);
          if (!v) return v;
        }
      }
      if (const auto* r = mo.if_contains("release"); r && !r->is_null()) {
        if (!r->is_object()) return Error::invalid(where + ".release", "release must be an object");
        Status rs = apply_release(ctx, tx, *model, r->get_object(), where + ".release",
                                  request.actor, changes);
        if (!rs) return rs;
      }
    }
    if (dry_run) return kRollBack;
    return {};
  });
  if (!s && !(dry_run && s.error().code == ErrorCode::kCancelled)) return s.error();
  bool wrote = false;
  json::array out;
  for (const auto& c : changes) {
    wrote = wrote || c.change != "unchanged";
    out.push_back(json::object{{"kind", c.kind}, {"name", c.name}, {"change", c.change}});
  }
  if (!dry_run && wrote) publish(ctx);
  return json_response(200, json::object{{"object", "apply.result"},
                                         {"dry_run", dry_run},
                                         {"changes", std::move(out)}});
}

}  // namespace plinth::admin
