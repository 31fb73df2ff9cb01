// Matching a request to an admin route (routes.cpp holds the table, in this enum's order).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace plinth::admin {

enum class Route {
  kOpenApi,
  kListModels,
  kCreateModel,
  kGetModel,
  kPatchModel,
  kDeleteModel,
  kListVersions,
  kCreateVersion,
  kGetVersion,
  kDeleteVersion,
  kListEndpoints,
  kCreateEndpoint,
  kPatchEndpoint,
  kDeleteEndpoint,
  kVersionStats,
  kGetRelease,
  kPutRelease,
  kDeleteRelease,
  kReleaseAction,
  kHistory,
  kModelStats,
  kListReleases,
  kApply,
  kCount,
};

// Path parameters by name ("model", "version", "id", "action"), percent-decoded.
using PathParams = std::map<std::string, std::string>;

struct MatchResult {
  Route route = Route::kCount;
  PathParams params;
  bool path_known = false;  // some route has this path (wrong method: 405)
  bool matched = false;
};

MatchResult match(std::string_view method, std::string_view path);

// Percent-decoding. kStrict (path segments): a bad escape refuses the whole text. kLenient
// (query values): a bad escape stays as it is, and '+' is a space.
enum class Escapes { kStrict, kLenient };
std::optional<std::string> percent_decode(std::string_view text, Escapes mode);

}  // namespace plinth::admin
