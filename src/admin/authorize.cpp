#include "admin/authorize.h"

namespace plinth::admin {

Status authorize(const tenancy::Principal& principal, Route) {
  if (principal.role == tenancy::Role::kAdmin) return {};
  return Error{ErrorCode::kPermissionDenied, "the admin API needs an admin key"};
}

}  // namespace plinth::admin
