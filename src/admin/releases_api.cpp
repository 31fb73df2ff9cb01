// /admin/v1/models/{model}/release and its actions; /admin/v1/releases.
#include "admin/handlers.h"
#include "admin/json_io.h"
#include "registry/release_mapping.h"
#include "registry/release_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

namespace plinth::admin {

namespace {

using registry::ReleasePlan;
using PlanChange =
    std::function<Result<ReleasePlan>(std::optional<ReleasePlan> current, store::Store& tx)>;

}  // namespace

Result<std::map<std::string, store::VersionId>> version_ids(store::Store& tx, store::ModelId model) {
  std::map<std::string, store::VersionId> ids;
  store::PageRequest page{.cursor = {}, .limit = 1000};
  while (true) {
    auto got = tx.list_versions(model, page);
    if (!got) return got.error();
    for (const auto& v : got->items) ids.emplace(v.name, v.id);
    if (got->next_cursor.empty()) return ids;
    page.cursor = got->next_cursor;
  }
}

namespace {

// Reads the release, applies `change` to its plan and writes the result, in one transaction.
Result<store::Release> change_release(AdminContext& ctx, const store::Model& model,
                                      const AdminRequest& request, const std::string& action,
                                      const PlanChange& change, bool* created = nullptr) {
  store::Release written;
  Status s = ctx.service.store().transact([&](store::Store& tx) -> Status {
    std::optional<ReleasePlan> plan;
    store::Revision revision = 0;
    auto current = tx.get_release(model.id);
    if (current) {
      plan = registry::plan_from_release(model.name, *current);
      revision = current->revision;
    } else if (current.error().code != ErrorCode::kNotFound) {
      return current.error();
    }
    auto next = change(std::move(plan), tx);
    if (!next) return next.error();
    auto ids = version_ids(tx, model.id);
    if (!ids) return ids.error();
    auto spec = registry::spec_from_plan(*next, *ids);
    if (!spec) return spec.error();
    auto put = tx.put_release(model.id, *spec, expected_revision(request, revision),
                              store::ReleaseAction{action, request.actor});
    if (!put) return put.error();
    if (created) *created = revision == 0;
    written = std::move(put).value();
    return {};
  });
  if (!s) return s.error();
  return written;
}

Error no_release(const store::Model& model) {
  return Error{ErrorCode::kConflict,
               fmt::format("model '{}' has no release yet: promote a version first", model.name)};
}

// The named version of the model, which must be able to take traffic.
Status servable(AdminContext& ctx, store::Store& tx, const store::Model& model,
                const std::string& name) {
  if (name.empty()) return Error::invalid("version", "version is required");
  auto v = find_version(tx, model, name);
  if (!v) {
    Error e = v.error();
    if (e.code == ErrorCode::kNotFound) e = Error::invalid("version", e.message);
    return e;
  }
  return ctx.service.check_servable(tx, *v);
}

Result<AdminResponse> release_response(const store::Model& model, const store::Release& r,
                                       int status = 200) {
  return json_response(status, release_json(model.name, r), r.revision);
}

struct ActionBody {
  std::string version;
  std::optional<double> percent;
  std::optional<std::vector<std::string>> groups, users, tenants, projects;
  bool force = false;
};

Result<ActionBody> read_action_body(const std::string& action, const std::string& body) {
  static constexpr std::string_view kVersion[] = {"version"};
  static constexpr std::string_view kCanary[] = {"version", "percent", "groups",
                                                 "users",   "tenants", "projects"};
  static constexpr std::string_view kOffline[] = {"version", "force"};
  FieldNames known;  // rollback, pause, resume: no fields
  if (action == "promote" || action == "online") known = kVersion;
  if (action == "canary") known = kCanary;
  if (action == "offline") known = kOffline;
  auto o = parse_body(body, known);
  if (!o) return o.error();
  ActionBody out;
  auto version = opt_string(*o, "version", "", 128);
  if (!version) return version.error();
  out.version = version->value_or("");
  auto percent = opt_number(*o, "percent", "");
  if (!percent) return percent.error();
  out.percent = *percent;
  for (auto [key, dest] : {std::pair<std::string_view, std::optional<std::vector<std::string>>*>{
                               "groups", &out.groups},
                           {"users", &out.users},
                           {"tenants", &out.tenants},
                           {"projects", &out.projects}}) {
    auto list = opt_strings(*o, key, "");
    if (!list) return list.error();
    *dest = std::move(list).value();
  }
  auto force = opt_bool(*o, "force", "");
  if (!force) return force.error();
  out.force = force->value_or(false);
  return out;
}

PlanChange action_change(AdminContext& ctx, const store::Model& model, const std::string& action,
                         const ActionBody& body) {
  return [&ctx, &model, action, body](std::optional<ReleasePlan> plan,
                                      store::Store& tx) -> Result<ReleasePlan> {
    if (action == "promote") {
      if (Status s = servable(ctx, tx, model, body.version); !s) return s.error();
      if (!plan) {
        ReleasePlan fresh;
        fresh.model = model.name;
        fresh.stable = body.version;
        return registry::validate(std::move(fresh));
      }
      return registry::promote(std::move(*plan), body.version);
    }
    if (!plan) return no_release(model);
    if (action == "canary") {
      if (Status s = servable(ctx, tx, model, body.version); !s) return s.error();
      const registry::CanaryRule* existing = nullptr;
      for (const auto& c : plan->canaries) {
        if (c.version == body.version) existing = &c;
      }
      const bool has_match = body.groups || body.users || body.tenants || body.projects;
      if (!existing && !body.percent && !has_match) {
        return Error::invalid("percent", "give percent and/or a match list (groups, users, "
                                         "tenants, projects)");
      }
      registry::CanaryRule keep = existing ? *existing : registry::CanaryRule{};
      auto next = registry::canary(std::move(*plan), body.version,
                                   body.percent.value_or(keep.percent),
                                   body.groups.value_or(keep.groups));
      if (!next) return next;
      for (auto& c : next->canaries) {
        if (c.version != body.version) continue;
        c.users = body.users.value_or(keep.users);
        c.tenants = body.tenants.value_or(keep.tenants);
        c.projects = body.projects.value_or(keep.projects);
      }
      return next;
    }
    if (action == "rollback") return registry::rollback(std::move(*plan));
    if (action == "pause") return registry::pause(std::move(*plan));
    if (action == "resume") return registry::resume(std::move(*plan));
    if (action == "offline") {
      if (body.version.empty()) return Error::invalid("version", "version is required");
      if (auto v = find_version(tx, model, body.version); !v) {
        Error e = v.error();
        if (e.code == ErrorCode::kNotFound) e = Error::invalid("version", e.message);
        return e;
      }
      return registry::offline(std::move(*plan), body.version,
                               body.force ? registry::OfflineMode::kForce
                                          : registry::OfflineMode::kGraceful);
    }
    if (action == "online") return registry::online(std::move(*plan), body.version);
    return Error{ErrorCode::kNotFound, fmt::format("unknown release action '{}' (expected promote, "
                                                   "canary, rollback, pause, resume, offline, "
                                                   "online)",
                                                   action.substr(0, 32))};
  };
}

}  // namespace

Result<AdminResponse> list_releases(AdminContext& ctx, const AdminRequest& request) {
  auto page = page_request(request);
  if (!page) return page.error();
  auto releases = ctx.service.store().list_releases(*page);
  if (!releases) return releases.error();
  json::array items;
  for (const auto& r : releases->items) {
    auto m = ctx.service.store().get_model(r.model_id);
    if (!m) return m.error();
    items.push_back(release_json(m->name, r));
  }
  return AdminResponse{200, list_body(std::move(items), releases->next_cursor)};
}

Result<AdminResponse> get_release(AdminContext& ctx, const AdminRequest& request) {
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  auto r = ctx.service.store().get_release(m->id);
  if (!r) {
    if (r.error().code == ErrorCode::kNotFound) {
      return Error{ErrorCode::kNotFound, fmt::format("model '{}' has no release", m->name)};
    }
    return r.error();
  }
  return release_response(*m, *r);
}

Result<AdminResponse> put_release(AdminContext& ctx, const AdminRequest& request) {
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  auto body = parse_body(request.body, {"stable", "canaries", "state"});
  if (!body) return body.error();
  auto plan = release_plan_from_json(*body, "", m->name);
  if (!plan) return plan.error();
  bool created = false;
  auto written = change_release(
      ctx, *m, request, "put",
      [&](std::optional<ReleasePlan> current, store::Store& tx) -> Result<ReleasePlan> {
        ReleasePlan next = *plan;
        if (current) {
          next.offline = current->offline;
          next.previous_stable =
              current->stable != next.stable ? current->stable : current->previous_stable;
        }
        // The same rules as the actions: only versions that can serve and are not offline.
        auto usable = [&](const std::string& version, const std::string& field) -> Status {
          if (std::find(next.offline.begin(), next.offline.end(), version) != next.offline.end()) {
            return Error{ErrorCode::kConflict,
                         fmt::format("version '{}' is offline; bring it online first", version),
                         field};
          }
          if (Status s = servable(ctx, tx, *m, version); !s) {
            Error e = s.error();
            e.field = field;
            return e;
          }
          return {};
        };
        if (Status s = usable(next.stable, "stable"); !s) return s.error();
        for (std::size_t i = 0; i < next.canaries.size(); ++i) {
          Status s = usable(next.canaries[i].version, fmt::format("canaries[{}].version", i));
          if (!s) return s.error();
        }
        return registry::validate(std::move(next));
      },
      &created);
  if (!written) return written.error();
  publish(ctx);
  return release_response(*m, *written, created ? 201 : 200);
}

Result<AdminResponse> delete_release(AdminContext& ctx, const AdminRequest& request) {
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  auto r = ctx.service.store().get_release(m->id);
  if (!r) return r.error();
  Status s = ctx.service.store().delete_release(m->id, expected_revision(request, r->revision),
                                                store::ReleaseAction{"delete", request.actor});
  if (!s) return s.error();
  publish(ctx);
  return AdminResponse{204, ""};
}

Result<AdminResponse> release_action(AdminContext& ctx, const AdminRequest& request) {
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  const std::string& action = request.param("action");
  auto body = read_action_body(action, request.body);
  if (!body) return body.error();
  const std::string recorded =
      action == "offline" && body->force ? std::string("offline-force") : action;
  if (action == "online" && !body->version.empty()) {
    // Let new requests in again before the plan that routes to it is published.
    if (auto v = find_version(ctx.service.store(), *m, body->version)) {
      ctx.service.gate(v->id)->reopen();
    }
  }
  auto written = change_release(ctx, *m, request, recorded, action_change(ctx, *m, action, *body));
  if (!written) return written.error();
  publish(ctx);
  if (action == "offline" && body->force) {
    // Cut what still runs on it; new requests already go elsewhere (or get an error).
    if (auto v = find_version(ctx.service.store(), *m, body->version)) {
      ctx.service.gate(v->id)->cut_all();
    }
  }
  return release_response(*m, *written);
}

Result<ReleasePlan> release_plan_from_json(const json::object& o, const std::string& where,
                                           const std::string& model) {
  if (Status s = check_keys(o, {"stable", "canaries", "state"}, where); !s) return s.error();
  ReleasePlan plan;
  plan.model = model;
  auto stable = opt_string(o, "stable", where, 128);
  if (!stable) return stable.error();
  if (!*stable) {
    return Error::invalid(field_name(where, "stable"), field_name(where, "stable") + " is required");
  }
  plan.stable = **stable;
  auto state = opt_string(o, "state", where, 16);
  if (!state) return state.error();
  if (*state && **state != "active" && **state != "paused") {
    return Error::invalid(field_name(where, "state"), "state must be active or paused");
  }
  plan.paused = *state && **state == "paused";
  if (const auto* cs = o.if_contains("canaries"); cs && !cs->is_null()) {
    const std::string field = field_name(where, "canaries");
    if (!cs->is_array()) return Error::invalid(field, field + " must be a list");
    for (std::size_t i = 0; i < cs->get_array().size(); ++i) {
      const std::string at = fmt::format("{}[{}]", field, i);
      const auto& c = cs->get_array()[i];
      if (!c.is_object()) return Error::invalid(at, at + " must be an object");
      const json::object& co = c.get_object();
      if (Status s = check_keys(co, {"version", "percent", "match"}, at); !s) return s.error();
      registry::CanaryRule rule;
      auto version = opt_string(co, "version", at, 128);
      if (!version) return version.error();
      rule.version = version->value_or("");
      auto percent = opt_number(co, "percent", at);
      if (!percent) return percent.error();
      rule.percent = percent->value_or(0);
      if (const auto* match = co.if_contains("match"); match && !match->is_null()) {
        const std::string mf = at + ".match";
        if (!match->is_object()) return Error::invalid(mf, mf + " must be an object");
        const json::object& mo = match->get_object();
        if (Status s = check_keys(mo, {"groups", "users", "tenants", "projects"}, mf); !s) {
          return s.error();
        }
        for (auto [key, dest] : {std::pair<std::string_view, std::vector<std::string>*>{
                                     "groups", &rule.groups},
                                 {"users", &rule.users},
                                 {"tenants", &rule.tenants},
                                 {"projects", &rule.projects}}) {
          auto list = opt_strings(mo, key, mf);
          if (!list) return list.error();
          if (*list) *dest = std::move(**list);
        }
      }
      plan.canaries.push_back(std::move(rule));
    }
  }
  auto valid = registry::validate(plan);
  if (!valid) {
    Error e = valid.error();
    e.field = field_name(where, e.field);
    return e;
  }
  return plan;
}

}  // namespace plinth::admin
