// ResolveModel: maps the requested model name or alias to a route in the snapshot.
#pragma once

#include "gateway/stage.h"

namespace plinth::gateway {

class ResolveModel final : public Stage {
 public:
  std::string_view name() const override { return "resolve_model"; }
  Status on_request(Exchange& ex) const override;
};

}  // namespace plinth::gateway
