// The admin API's route table: every (method, path pattern) the admin API serves. The
// dispatcher and the OpenAPI document's coverage test both read it, so a route cannot be
// served without being documented.
#pragma once

#include <span>
#include <string_view>

namespace plinth::admin {

struct RouteInfo {
  std::string_view method;   // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string_view pattern;  // OpenAPI form: "/admin/v1/models/{model}/versions/{version}"
};

std::span<const RouteInfo> admin_routes();

// The OpenAPI 3.1 document (src/admin/openapi.json, embedded at build time).
std::string_view openapi_document();

}  // namespace plinth::admin
