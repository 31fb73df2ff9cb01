// ApplyVersionParams: the chosen model version's parameter rules. Its defaults fill in what
// the request leaves out; its maxima cap numeric parameters (a larger value is lowered to the
// cap, and a missing max_tokens is set to it, so no request runs past the cap). Runs after
// ResolveModel and keeps the request's typed view in step with the body.
#pragma once

#include "gateway/stage.h"

namespace plinth::gateway {

class ApplyVersionParams final : public Stage {
 public:
  std::string_view name() const override { return "apply_version_params"; }
  Status on_request(Exchange& ex) const override;
};

}  // namespace plinth::gateway
