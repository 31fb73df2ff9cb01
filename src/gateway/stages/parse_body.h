// ParseBody: checks the content type, parses the JSON body once (with a nesting limit) and
// validates it for the endpoint into the canonical InferenceRequest on the Exchange.
#pragma once

#include "gateway/stage.h"

namespace plinth::gateway {

class ParseBody final : public Stage {
 public:
  explicit ParseBody(int max_depth) : max_depth_(max_depth) {}
  std::string_view name() const override { return "parse_body"; }
  Status on_request(Exchange& ex) const override;

 private:
  int max_depth_;
};

}  // namespace plinth::gateway
