// Who may call which admin route: the one place the admin API decides it. Today every route
// needs an admin key; tenant roles (the tenancy issue) slot in here.
#pragma once

#include "admin/router.h"
#include "core/result.h"
#include "tenancy/key_ring.h"

namespace plinth::admin {

Status authorize(const tenancy::Principal& principal, Route route);

}  // namespace plinth::admin
