// JSON the store writes into text columns (aliases, tags, release snapshots in the history)
// and the checks on JSON it is given (parameters, canary match rules).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace plinth::store::detail {

std::string to_json_array(const std::vector<std::string>& strings);
// What to_json_array wrote; an empty list for anything else.
std::vector<std::string> from_json_array(std::string_view json);

// kInvalidRequest naming `field` unless `json` is one JSON object.
Status check_json_object(std::string_view json, const std::string& field);

// The release as recorded in its history; "null" for none.
std::string release_to_json(const std::optional<Release>& release);

std::string_view release_state_name(ReleaseState state);
ReleaseState release_state_from(std::string_view name);

}  // namespace plinth::store::detail
