// JSON in and out of the admin API: strict readers for request bodies (unknown fields and
// wrong types are refused, naming the field) and renderers for the store's records.
#pragma once

#include "admin/admin_request.h"
#include "store/records.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::admin {

namespace json = boost::json;

// ---- reading -------------------------------------------------------------------------------

// The body as a JSON object whose keys are all in `known`. An empty body is an empty object.
using FieldNames = std::span<const std::string_view>;
Result<json::object> parse_body(std::string_view body, FieldNames known);
inline Result<json::object> parse_body(std::string_view body,
                                       std::initializer_list<std::string_view> known) {
  return parse_body(body, FieldNames(known.begin(), known.size()));
}
// Refuses keys outside `known`; `where` prefixes field names ("endpoints[0]").
Status check_keys(const json::object& o, FieldNames known, const std::string& where);
inline Status check_keys(const json::object& o, std::initializer_list<std::string_view> known,
                         const std::string& where) {
  return check_keys(o, FieldNames(known.begin(), known.size()), where);
}

std::string field_name(const std::string& where, std::string_view key);

// Typed optional fields: absent or null -> nullopt; a wrong type -> kInvalidRequest.
Result<std::optional<std::string>> opt_string(const json::object& o, std::string_view key,
                                              const std::string& where, std::size_t max_len);
Result<std::optional<std::vector<std::string>>> opt_strings(const json::object& o,
                                                            std::string_view key,
                                                            const std::string& where);
Result<std::optional<double>> opt_number(const json::object& o, std::string_view key,
                                         const std::string& where);
Result<std::optional<std::int64_t>> opt_integer(const json::object& o, std::string_view key,
                                                const std::string& where);
Result<std::optional<bool>> opt_bool(const json::object& o, std::string_view key,
                                     const std::string& where);

// Model names, aliases and version names: 1..128 of [A-Za-z0-9._:/-].
Status check_name(std::string_view name, const std::string& field);

// ?limit= and ?cursor=.
Result<store::PageRequest> page_request(const AdminRequest& request);

// ---- writing -------------------------------------------------------------------------------

std::string rfc3339(store::UnixMillis ms);
// A whole number as an integer (10 rather than Boost.JSON's 1E1); other values rounded to 4
// decimals.
json::value plain_number(double d);
json::object model_json(const store::Model& m);
json::object endpoint_json(const store::Endpoint& e);
json::object version_json(const std::string& model, const store::Version& v,
                          const std::vector<store::Endpoint>& endpoints);
json::object release_json(const std::string& model, const store::Release& r);
// A release as recorded in the history (the store's JSON) in the API's shape; null stays null.
json::value history_release_json(const std::string& model, std::string_view recorded);

// {"object":"list","data":[...],"next_cursor":...}
std::string list_body(json::array items, const std::string& next_cursor);
AdminResponse json_response(int status, const json::value& body, store::Revision etag = 0);

}  // namespace plinth::admin
