// /admin/v1/models/{model}/versions
#include "admin/handlers.h"
#include "admin/json_io.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <cmath>

namespace plinth::admin {

namespace {

bool is_integer(const json::value& v) { return v.is_int64() || v.is_uint64(); }

// The parameter rules a version applies to requests (ApplyVersionParams): checked here so that
// a request never meets a value it cannot hold. `maxima`: every value is a numeric cap.
Status check_param(const std::string& field, std::string_view name, const json::value& v,
                   bool maxima) {
  static constexpr std::string_view kNotParameters[] = {"model", "messages", "prompt", "input",
                                                        "stream", "stream_options"};
  for (auto k : kNotParameters) {
    if (name == k) return Error::invalid(field, field + " is not a parameter a version can set");
  }
  const bool number = v.is_number() && std::isfinite(v.to_number<double>());
  if (maxima && !number) return Error::invalid(field, field + " must be a number (a cap)");
  const bool counted = name == "max_tokens" || name == "max_completion_tokens" || name == "n";
  if (counted && (!is_integer(v) || v.to_number<double>() < 1)) {
    return Error::invalid(field, field + " must be an integer of at least 1");
  }
  if (name == "seed" && !is_integer(v)) return Error::invalid(field, field + " must be an integer");
  if (name == "temperature" && !(number && v.to_number<double>() >= 0 && v.to_number<double>() <= 2)) {
    return Error::invalid(field, field + " must be a number from 0 to 2");
  }
  if (name == "top_p" && !(number && v.to_number<double>() >= 0 && v.to_number<double>() <= 1)) {
    return Error::invalid(field, field + " must be a number from 0 to 1");
  }
  return {};
}

Result<std::string> params_object(const json::object& o, std::string_view key,
                                  const std::string& where) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::string("{}");
  const std::string field = field_name(where, key);
  if (!v->is_object()) return Error::invalid(field, field + " must be a JSON object");
  if (v->get_object().size() > 64) return Error::invalid(field, field + ": at most 64 parameters");
  for (const auto& kv : v->get_object()) {
    const std::string name(kv.key().substr(0, 64));
    if (Status s = check_param(field + "." + name, kv.key(), kv.value(), key == "max_params"); !s) {
      return s.error();
    }
  }
  return json::serialize(*v);
}

}  // namespace

Result<VersionInput> read_version_input(AdminContext& ctx, const json::object& o,
                                        const std::string& where, const store::Model& model,
                                        const std::string& actor) {
  if (Status s = check_keys(o, kVersionFields, where); !s) return s.error();
  VersionInput in;
  store::VersionSpec& spec = in.spec;
  spec.model_id = model.id;
  spec.created_by = actor;
  auto text = [&](std::string_view key, std::string& out, std::size_t max) -> Status {
    auto v = opt_string(o, key, where, max);
    if (!v) return v.error();
    if (*v) out = **v;
    return {};
  };
  for (auto [key, out, max] : {std::tuple<std::string_view, std::string*, std::size_t>{
                                   "name", &spec.name, 128},
                               {"provider", &spec.provider_type, 128},
                               {"upstream_model", &spec.upstream_model, 512},
                               {"base_model", &spec.base_model, 512},
                               {"lora_adapter", &spec.lora_adapter, 512},
                               {"source", &spec.source, 2048},
                               {"release_notes", &spec.release_notes, 16384}}) {
    if (Status s = text(key, *out, max); !s) return s.error();
  }
  if (Status s = check_name(spec.name, field_name(where, "name")); !s) return s.error();
  if (spec.provider_type.empty()) {
    return Error::invalid(field_name(where, "provider"), field_name(where, "provider") +
                                                             " is required");
  }
  if (Status s = ctx.service.check_provider(spec.provider_type); !s) {
    Error e = s.error();
    e.field = field_name(where, "provider");
    return e;
  }
  if (!spec.lora_adapter.empty() && spec.base_model.empty()) {
    return Error::invalid(field_name(where, "base_model"),
                          field_name(where, "base_model") + " is required with lora_adapter");
  }
  // What the upstream is asked for: vLLM serves a LoRA adapter under the adapter's name.
  if (spec.upstream_model.empty()) {
    spec.upstream_model = !spec.lora_adapter.empty() ? spec.lora_adapter : model.name;
  }
  auto defaults = params_object(o, "default_params", where);
  if (!defaults) return defaults.error();
  spec.default_params = *defaults;
  auto maxima = params_object(o, "max_params", where);
  if (!maxima) return maxima.error();
  spec.max_params = *maxima;
  if (const auto* eps = o.if_contains("endpoints"); eps && !eps->is_null()) {
    const std::string field = field_name(where, "endpoints");
    if (!eps->is_array()) return Error::invalid(field, field + " must be a list");
    if (eps->get_array().size() > 64) return Error::invalid(field, field + ": at most 64");
    for (std::size_t i = 0; i < eps->get_array().size(); ++i) {
      const std::string at = fmt::format("{}[{}]", field, i);
      const auto& e = eps->get_array()[i];
      if (!e.is_object()) return Error::invalid(at, at + " must be an object");
      auto ep = read_endpoint_spec(ctx, e.get_object(), at);
      if (!ep) return ep.error();
      in.endpoints.push_back(std::move(ep).value());
      in.weight_given.push_back(e.get_object().contains("weight"));
      in.api_key_given.push_back(e.get_object().contains("api_key"));
    }
    if (!in.endpoints.empty() && spec.provider_type == "simulator") {
      return Error::invalid(field, "simulator versions take no endpoints");
    }
  }
  return in;
}

Result<store::Version> create_version_with_endpoints(store::Store& store, const VersionInput& in,
                                                     std::vector<store::Endpoint>& endpoints) {
  store::Version created;
  Status s = store.transact([&](store::Store& tx) -> Status {
    auto v = tx.create_version(in.spec);
    if (!v) return v.error();
    created = *v;
    for (store::EndpointSpec e : in.endpoints) {
      e.version_id = v->id;
      auto made = tx.create_endpoint(e);
      if (!made) return made.error();
      endpoints.push_back(*made);
    }
    return {};
  });
  if (!s) return s.error();
  return created;
}

Result<AdminResponse> list_versions(AdminContext& ctx, const AdminRequest& request) {
  auto page = page_request(request);
  if (!page) return page.error();
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  auto versions = ctx.service.store().list_versions(m->id, *page);
  if (!versions) return versions.error();
  json::array items;
  for (const auto& v : versions->items) {
    auto endpoints = ctx.service.store().list_endpoints(v.id);
    if (!endpoints) return endpoints.error();
    items.push_back(version_json(m->name, v, *endpoints));
  }
  return AdminResponse{200, list_body(std::move(items), versions->next_cursor)};
}

Result<AdminResponse> create_version(AdminContext& ctx, const AdminRequest& request) {
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  auto body = parse_body(request.body, kVersionFields);
  if (!body) return body.error();
  auto in = read_version_input(ctx, *body, "", *m, request.actor);
  if (!in) return in.error();
  std::vector<store::Endpoint> endpoints;
  auto created = create_version_with_endpoints(ctx.service.store(), *in, endpoints);
  if (!created) return created.error();
  publish(ctx);
  return json_response(201, version_json(m->name, *created, endpoints), created->revision);
}

Result<AdminResponse> get_version(AdminContext& ctx, const AdminRequest& request) {
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  auto v = find_version(ctx.service.store(), *m, request.param("version"));
  if (!v) return v.error();
  auto endpoints = ctx.service.store().list_endpoints(v->id);
  if (!endpoints) return endpoints.error();
  return json_response(200, version_json(m->name, *v, *endpoints), v->revision);
}

Result<AdminResponse> delete_version(AdminContext& ctx, const AdminRequest& request) {
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  auto v = find_version(ctx.service.store(), *m, request.param("version"));
  if (!v) return v.error();
  if (request.if_match && *request.if_match != v->revision) {
    return Error{ErrorCode::kPreconditionFailed,
                 fmt::format("version '{}' is at revision {}, not {}", v->name, v->revision,
                             *request.if_match)};
  }
  Status s = ctx.service.store().delete_version(v->id);
  if (!s) return s.error();
  publish(ctx);
  return AdminResponse{204, ""};
}

}  // namespace plinth::admin
