// /admin/v1/models
#include "admin/handlers.h"
#include "admin/json_io.h"

#include <fmt/format.h>

#include <array>
#include <spdlog/spdlog.h>

namespace plinth::admin {

Result<store::Model> find_model(store::Store& store, const std::string& name) {
  auto m = store.find_model(name);
  if (!m && m.error().code == ErrorCode::kNotFound) {
    return Error{ErrorCode::kNotFound, fmt::format("no model named '{}'", name.substr(0, 128))};
  }
  return m;
}

Result<store::Version> find_version(store::Store& store, const store::Model& model,
                                    const std::string& name) {
  auto v = store.find_version(model.id, name);
  if (!v && v.error().code == ErrorCode::kNotFound) {
    return Error{ErrorCode::kNotFound, fmt::format("model '{}' has no version '{}'", model.name,
                                                   name.substr(0, 128))};
  }
  return v;
}

store::Revision expected_revision(const AdminRequest& request, store::Revision current) {
  return request.if_match.value_or(current);
}

void publish(AdminContext& ctx) {
  if (Status s = ctx.service.reload(); !s) {
    spdlog::error("admin: the change is stored but the snapshot was not rebuilt: {}",
                  s.error().message);
  }
}

namespace {

// Reads the ModelSpec fields present in `o` over `spec`. `creating`: name is required.
Status read_model_spec(AdminContext& ctx, const json::object& o, store::ModelSpec& spec,
                       bool creating) {
  auto name = opt_string(o, "name", "", 128);
  if (!name) return name.error();
  if (*name) spec.name = **name;
  if (creating && !*name) return Error::invalid("name", "name is required");
  if (Status s = check_name(spec.name, "name"); !s) return s;
  auto aliases = opt_strings(o, "aliases", "");
  if (!aliases) return aliases.error();
  if (*aliases) spec.aliases = **aliases;
  for (std::size_t i = 0; i < spec.aliases.size(); ++i) {
    if (Status s = check_name(spec.aliases[i], fmt::format("aliases[{}]", i)); !s) return s;
  }
  auto description = opt_string(o, "description", "", 4096);
  if (!description) return description.error();
  if (*description) spec.description = **description;
  auto tags = opt_strings(o, "task_tags", "");
  if (!tags) return tags.error();
  if (*tags) spec.task_tags = **tags;
  auto owner = opt_string(o, "owner", "", 256);
  if (!owner) return owner.error();
  if (*owner) spec.owner = **owner;
  if (ctx.service.claimed_by_config(spec.name)) {
    return Error{ErrorCode::kConflict,
                 fmt::format("'{}' is a model declared in the config file", spec.name), "name"};
  }
  for (std::size_t i = 0; i < spec.aliases.size(); ++i) {
    if (ctx.service.claimed_by_config(spec.aliases[i])) {
      return Error{ErrorCode::kConflict,
                   fmt::format("'{}' is a model declared in the config file", spec.aliases[i]),
                   fmt::format("aliases[{}]", i)};
    }
  }
  return {};
}

constexpr std::array<std::string_view, 5> kModelFields = {
    "name", "aliases", "description", "task_tags", "owner"};

}  // namespace

Result<AdminResponse> list_models(AdminContext& ctx, const AdminRequest& request) {
  auto page = page_request(request);
  if (!page) return page.error();
  auto models = ctx.service.store().list_models(*page);
  if (!models) return models.error();
  json::array items;
  for (const auto& m : models->items) items.push_back(model_json(m));
  return AdminResponse{200, list_body(std::move(items), models->next_cursor)};
}

Result<AdminResponse> create_model(AdminContext& ctx, const AdminRequest& request) {
  auto body = parse_body(request.body, kModelFields);
  if (!body) return body.error();
  store::ModelSpec spec;
  if (Status s = read_model_spec(ctx, *body, spec, true); !s) return s.error();
  auto created = ctx.service.store().create_model(spec);
  if (!created) return created.error();
  publish(ctx);
  return json_response(201, model_json(*created), created->revision);
}

Result<AdminResponse> get_model(AdminContext& ctx, const AdminRequest& request) {
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  return json_response(200, model_json(*m), m->revision);
}

Result<AdminResponse> patch_model(AdminContext& ctx, const AdminRequest& request) {
  auto body = parse_body(request.body, kModelFields);
  if (!body) return body.error();
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  store::ModelSpec spec = *m;
  if (Status s = read_model_spec(ctx, *body, spec, false); !s) return s.error();
  auto updated =
      ctx.service.store().update_model(m->id, spec, expected_revision(request, m->revision));
  if (!updated) return updated.error();
  publish(ctx);
  return json_response(200, model_json(*updated), updated->revision);
}

Result<AdminResponse> delete_model(AdminContext& ctx, const AdminRequest& request) {
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  Status s = ctx.service.store().delete_model(m->id, expected_revision(request, m->revision));
  if (!s) return s.error();
  publish(ctx);
  return AdminResponse{204, ""};
}

}  // namespace plinth::admin
