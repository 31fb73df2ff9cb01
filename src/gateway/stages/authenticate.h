// Authenticate: the caller's `Authorization: Bearer` key must be in the snapshot's KeyRing.
// Depends on the key alone (not Host, not the path's spelling); a key in the query string
// is refused outright, since URLs end up in logs.
#pragma once

#include "gateway/stage.h"

namespace plinth::gateway {

class Authenticate final : public Stage {
 public:
  std::string_view name() const override { return "authenticate"; }
  Status on_request(Exchange& ex) const override;
};

// True when the query string carries something that looks like a credential.
bool query_carries_key(std::string_view query);

}  // namespace plinth::gateway
