// Converts between the store's release record (version ids, match rules as JSON) and the
// registry's ReleasePlan (version names, rule lists) that choose_version() and the actions
// work on.
#pragma once

#include "core/result.h"
#include "registry/release_plan.h"
#include "store/records.h"

#include <map>
#include <string>

namespace plinth::registry {

ReleasePlan plan_from_release(const std::string& model, const store::Release& release);

// `ids`: version name -> id for the model. kInvalidRequest naming the unknown version.
Result<store::ReleaseSpec> spec_from_plan(const ReleasePlan& plan,
                                          const std::map<std::string, store::VersionId>& ids);

// {"tenants":[..],"projects":[..],"users":[..],"groups":[..]} of a rule (lists always present).
std::string match_json(const CanaryRule& rule);
// Reads those lists into `rule`; unknown keys and non-string items are ignored.
void read_match(std::string_view json, CanaryRule& rule);

}  // namespace plinth::registry
