// ParseBody: checks the content type, then validates the JSON body (with a nesting limit) for
// the endpoint into the canonical InferenceRequest on the Exchange: common chat and completion
// bodies in one SAX pass without a tree (request_fast_path.h), everything else parsed once
// into a tree and checked field by field (openai_validation.h).
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
