// Maps a request target to an endpoint. Paths are normalised (query split off, repeated
// slashes collapsed, a trailing slash dropped) so that every spelling of a route reaches the
// same pipeline — and so the same authentication. Nothing is percent-decoded.
#pragma once

#include "gateway/exchange.h"

#include <string>
#include <string_view>

namespace plinth::gateway {

struct Target {
  std::string path;   // normalised
  std::string_view query;
};

Target split_target(std::string_view target);

enum class RouteMatch { kFound, kWrongMethod, kNotFound };

// The endpoint for a normalised path and method.
RouteMatch match_route(std::string_view path, std::string_view method, Endpoint& endpoint);

}  // namespace plinth::gateway
