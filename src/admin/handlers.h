// The admin API's handlers, one file per resource (models_api.cpp, versions_api.cpp, ...),
// and the helpers they share.
#pragma once

#include "admin/admin_request.h"
#include "registry/release_plan.h"

#include <boost/json/object.hpp>

#include <array>
#include <map>
#include <string_view>
#include <vector>

namespace plinth::admin {

// Shared by handlers.
Result<store::Model> find_model(store::Store& store, const std::string& name);
Result<store::Version> find_version(store::Store& store, const store::Model& model,
                                    const std::string& name);
// If-Match when given, else the record's current revision.
store::Revision expected_revision(const AdminRequest& request, store::Revision current);
// Publishes the store's new state to the data plane after a write (a failure is logged; the
// reload loop retries).
void publish(AdminContext& ctx);

// models_api.cpp
Result<AdminResponse> list_models(AdminContext&, const AdminRequest&);
Result<AdminResponse> create_model(AdminContext&, const AdminRequest&);
Result<AdminResponse> get_model(AdminContext&, const AdminRequest&);
Result<AdminResponse> patch_model(AdminContext&, const AdminRequest&);
Result<AdminResponse> delete_model(AdminContext&, const AdminRequest&);

// versions_api.cpp
inline constexpr std::array<std::string_view, 10> kVersionFields = {
    "name",   "provider", "upstream_model", "base_model",    "lora_adapter",
    "default_params", "max_params", "source", "release_notes", "endpoints"};
struct VersionInput {
  store::VersionSpec spec;
  std::vector<store::EndpointSpec> endpoints;
  // Per endpoint: whether the document gave its weight and api_key (apply keeps the stored
  // values of what it does not give).
  std::vector<bool> weight_given;
  std::vector<bool> api_key_given;
};
// Reads and checks a VersionSpec object (also used by apply); `where` prefixes field names.
Result<VersionInput> read_version_input(AdminContext& ctx, const boost::json::object& o,
                                        const std::string& where, const store::Model& model,
                                        const std::string& actor);
// Creates the version and its endpoints in one transaction.
Result<store::Version> create_version_with_endpoints(store::Store& store, const VersionInput& in,
                                                     std::vector<store::Endpoint>& endpoints);
Result<AdminResponse> list_versions(AdminContext&, const AdminRequest&);
Result<AdminResponse> create_version(AdminContext&, const AdminRequest&);
Result<AdminResponse> get_version(AdminContext&, const AdminRequest&);
Result<AdminResponse> delete_version(AdminContext&, const AdminRequest&);

// endpoints_api.cpp
Result<AdminResponse> list_endpoints(AdminContext&, const AdminRequest&);
Result<AdminResponse> create_endpoint(AdminContext&, const AdminRequest&);
Result<AdminResponse> patch_endpoint(AdminContext&, const AdminRequest&);
Result<AdminResponse> delete_endpoint(AdminContext&, const AdminRequest&);
Result<store::EndpointSpec> read_endpoint_spec(AdminContext& ctx, const boost::json::object& o,
                                               const std::string& where);
// Checks an endpoint URL an admin gives (scheme, no user info, refused literal addresses).
Status check_endpoint_url(AdminContext& ctx, std::string_view url, const std::string& field);

// releases_api.cpp
// Version name -> id for every version of the model.
Result<std::map<std::string, store::VersionId>> version_ids(store::Store& tx, store::ModelId model);
// Reads {"stable","canaries","state"} into a validated plan (also used by apply).
Result<registry::ReleasePlan> release_plan_from_json(const boost::json::object& o,
                                                     const std::string& where,
                                                     const std::string& model);
Result<AdminResponse> list_releases(AdminContext&, const AdminRequest&);
Result<AdminResponse> get_release(AdminContext&, const AdminRequest&);
Result<AdminResponse> put_release(AdminContext&, const AdminRequest&);
Result<AdminResponse> delete_release(AdminContext&, const AdminRequest&);
Result<AdminResponse> release_action(AdminContext&, const AdminRequest&);

// insights_api.cpp
Result<AdminResponse> history(AdminContext&, const AdminRequest&);
Result<AdminResponse> model_stats(AdminContext&, const AdminRequest&);
Result<AdminResponse> version_stats(AdminContext&, const AdminRequest&);

// apply_api.cpp
Result<AdminResponse> apply(AdminContext&, const AdminRequest&);

}  // namespace plinth::admin
