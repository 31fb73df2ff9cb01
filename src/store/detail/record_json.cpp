// JSON helpers for the store's text columns, on Boost.JSON (no exceptions cross out).
#include "store/detail/record_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace plinth::store::detail {

std::string to_json_array(const std::vector<std::string>& strings) {
  boost::json::array array;
  for (const auto& s : strings) array.emplace_back(s);
  return boost::json::serialize(array);
}

std::vector<std::string> from_json_array(std::string_view json) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& item : v.get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

Status check_json_object(std::string_view json, const std::string& field) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json, ec);
  if (ec) return Error::invalid(field, field + " must be a JSON object: " + ec.message());
  if (!v.is_object()) return Error::invalid(field, field + " must be a JSON object");
  return {};
}

std::string_view release_state_name(ReleaseState state) {
  return state == ReleaseState::kPaused ? "paused" : "active";
}

ReleaseState release_state_from(std::string_view name) {
  return name == "paused" ? ReleaseState::kPaused : ReleaseState::kActive;
}

std::string release_to_json(const std::optional<Release>& release) {
  if (!release) return "null";
  boost::json::object out;
  out["stable_version_id"] = release->stable_version_id;
  out["stable_version"] = release->stable_version;
  out["state"] = release_state_name(release->state);
  boost::json::array canaries;
  for (const Canary& c : release->canaries) {
    boost::system::error_code ec;
    boost::json::value match = boost::json::parse(c.match, ec);
    if (ec) match = boost::json::object();
    canaries.push_back(boost::json::object{{"version_id", c.version_id},
                                           {"version", c.version},
                                           {"percent", c.percent},
                                           {"match", std::move(match)}});
  }
  out["canaries"] = std::move(canaries);
  out["previous_stable_version_id"] = release->previous_stable_version_id;
  out["previous_stable_version"] = release->previous_stable_version;
  boost::json::array offline;
  for (const auto& name : release->offline_versions) offline.emplace_back(name);
  out["offline_versions"] = std::move(offline);
  out["updated_by"] = release->updated_by;
  out["updated_at"] = release->updated_at;
  out["revision"] = release->revision;
  return boost::json::serialize(out);
}

}  // namespace plinth::store::detail
