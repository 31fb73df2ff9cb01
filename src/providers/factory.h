// Builds the Provider for one configured backend (openai, tgi, simulator).
#pragma once

#include "core/config.h"
#include "core/result.h"
#include "providers/provider.h"

#include <memory>

namespace plinth::providers {

// One provider per ProviderConfig, sharing one UpstreamClient (and so one connection pool
// per io thread) between its routes. Errors (kInvalidRequest, field "type" or "base_url"):
// an unknown type (the message names it and the allowed ones) or a base_url that
// http::Origin::parse rejects (its error as is). Messages do not repeat the provider's name.
// Nothing is connected here: an unreachable upstream shows up on the first call.
Result<std::shared_ptr<Provider>> make_provider(const ProviderConfig& config);

}  // namespace plinth::providers
