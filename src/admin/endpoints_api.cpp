// /admin/v1/models/{model}/versions/{version}/endpoints
#include "admin/handlers.h"
#include "admin/json_io.h"
#include "http/address_policy.h"
#include "http/upstream_client.h"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace plinth::admin {

namespace {

constexpr std::array<std::string_view, 3> kEndpointFields = {"url", "weight", "api_key"};

Result<std::pair<store::Model, store::Version>> owner_of(AdminContext& ctx,
                                                         const AdminRequest& request) {
  auto m = find_model(ctx.service.store(), request.param("model"));
  if (!m) return m.error();
  auto v = find_version(ctx.service.store(), *m, request.param("version"));
  if (!v) return v.error();
  return std::make_pair(std::move(m).value(), std::move(v).value());
}

Result<int> read_weight(const json::object& o, const std::string& where, int fallback) {
  auto weight = opt_integer(o, "weight", where);
  if (!weight) return weight.error();
  if (!*weight) return fallback;
  if (**weight < 0 || **weight > 1000) {
    const std::string field = field_name(where, "weight");
    return Error::invalid(field, fmt::format("{} must be from 0 to 1000, got {}", field, **weight));
  }
  return static_cast<int>(**weight);
}

Result<store::EndpointId> endpoint_id(const AdminRequest& request) {
  const std::string& text = request.param("id");
  store::EndpointId id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Error{ErrorCode::kNotFound, fmt::format("no endpoint {}", text.substr(0, 32))};
  }
  return id;
}

}  // namespace

Status check_endpoint_url(AdminContext& ctx, std::string_view url, const std::string& field) {
  auto origin = http::Origin::parse(url);
  if (!origin) return Error::invalid(field, field + ": " + origin.error().message);
  auto policy = http::AddressPolicy::from_allow_list(ctx.service.upstream_allow());
  if (!policy) return policy.error();
  if (Status s = policy->check_host(origin->host); !s) {
    return Error::invalid(field, field + ": " + s.error().message);
  }
  return {};
}

// Reads one endpoint object (also used by version creation and apply).
Result<store::EndpointSpec> read_endpoint_spec(AdminContext& ctx, const json::object& o,
                                               const std::string& where) {
  if (Status s = check_keys(o, kEndpointFields, where); !s) return s.error();
  store::EndpointSpec spec;
  auto url = opt_string(o, "url", where, 2048);
  if (!url) return url.error();
  if (!*url) return Error::invalid(field_name(where, "url"), field_name(where, "url") + " is required");
  spec.url = **url;
  if (Status s = check_endpoint_url(ctx, spec.url, field_name(where, "url")); !s) return s.error();
  auto weight = read_weight(o, where, 1);
  if (!weight) return weight.error();
  spec.weight = *weight;
  auto key = opt_string(o, "api_key", where, 4096);
  if (!key) return key.error();
  if (*key) spec.api_key = **key;
  return spec;
}

// A version has few endpoints (at most 64 per request that creates them): the store lists
// them whole, and the page is cut here by id, as every other list is.
Result<AdminResponse> list_endpoints(AdminContext& ctx, const AdminRequest& request) {
  auto page = page_request(request);
  if (!page) return page.error();
  store::EndpointId after = 0;
  if (!page->cursor.empty()) {
    const auto [end, ec] = std::from_chars(page->cursor.data(),
                                           page->cursor.data() + page->cursor.size(), after);
    if (ec != std::errc() || end != page->cursor.data() + page->cursor.size() || after < 0) {
      return Error::invalid("cursor", "cursor must be a next_cursor this API returned");
    }
  }
  auto owner = owner_of(ctx, request);
  if (!owner) return owner.error();
  auto endpoints = ctx.service.store().list_endpoints(owner->second.id);
  if (!endpoints) return endpoints.error();
  json::array items;
  std::string next;
  for (const auto& e : *endpoints) {
    if (e.id <= after) continue;
    if (static_cast<int>(items.size()) == page->limit) {
      next = std::to_string(items.back().as_object().at("id").as_int64());
      break;
    }
    items.push_back(endpoint_json(e));
  }
  return AdminResponse{200, list_body(std::move(items), next)};
}

Result<AdminResponse> create_endpoint(AdminContext& ctx, const AdminRequest& request) {
  auto owner = owner_of(ctx, request);
  if (!owner) return owner.error();
  auto body = parse_body(request.body, kEndpointFields);
  if (!body) return body.error();
  auto spec = read_endpoint_spec(ctx, *body, "");
  if (!spec) return spec.error();
  if (owner->second.provider_type == "simulator") {
    return Error::invalid("url", "simulator versions take no endpoints");
  }
  spec->version_id = owner->second.id;
  auto created = ctx.service.store().create_endpoint(*spec);
  if (!created) return created.error();
  publish(ctx);
  return json_response(201, endpoint_json(*created), created->revision);
}

Result<AdminResponse> patch_endpoint(AdminContext& ctx, const AdminRequest& request) {
  auto owner = owner_of(ctx, request);
  if (!owner) return owner.error();
  auto id = endpoint_id(request);
  if (!id) return id.error();
  auto body = parse_body(request.body, kEndpointFields);
  if (!body) return body.error();
  auto current = ctx.service.store().get_endpoint(*id);
  if (!current || current->version_id != owner->second.id) {
    return Error{ErrorCode::kNotFound, fmt::format("version '{}' has no endpoint {}",
                                                   owner->second.name, *id)};
  }
  store::EndpointUpdate update;
  update.url = current->url;
  auto url = opt_string(*body, "url", "", 2048);
  if (!url) return url.error();
  if (*url) {
    if (Status s = check_endpoint_url(ctx, **url, "url"); !s) return s.error();
    update.url = **url;
  }
  auto weight = read_weight(*body, "", current->weight);
  if (!weight) return weight.error();
  update.weight = *weight;
  if (const auto* key = body->if_contains("api_key")) {
    if (key->is_null()) {
      update.key_change = store::EndpointUpdate::Key::kClear;
    } else if (key->is_string()) {
      update.key_change = store::EndpointUpdate::Key::kReplace;
      update.api_key = std::string(key->get_string());
    } else {
      return Error::invalid("api_key", "api_key must be a string, or null to remove it");
    }
  }
  auto updated = ctx.service.store().update_endpoint(
      *id, update, expected_revision(request, current->revision));
  if (!updated) return updated.error();
  publish(ctx);
  return json_response(200, endpoint_json(*updated), updated->revision);
}

Result<AdminResponse> delete_endpoint(AdminContext& ctx, const AdminRequest& request) {
  auto owner = owner_of(ctx, request);
  if (!owner) return owner.error();
  auto id = endpoint_id(request);
  if (!id) return id.error();
  auto current = ctx.service.store().get_endpoint(*id);
  if (!current || current->version_id != owner->second.id) {
    return Error{ErrorCode::kNotFound, fmt::format("version '{}' has no endpoint {}",
                                                   owner->second.name, *id)};
  }
  Status s = ctx.service.store().delete_endpoint(*id, expected_revision(request, current->revision));
  if (!s) return s.error();
  publish(ctx);
  return AdminResponse{204, ""};
}

}  // namespace plinth::admin
