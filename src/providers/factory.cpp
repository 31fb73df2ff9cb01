#include "providers/factory.h"

#include "http/upstream_client.h"
#include "providers/openai_compatible.h"
#include "providers/simulator.h"
#include "providers/tgi.h"

#include <utility>

namespace plinth::providers {

namespace {

Result<std::shared_ptr<http::UpstreamClient>> client_for(const ProviderConfig& config) {
  auto origin = http::Origin::parse(config.base_url);
  if (!origin) return std::move(origin).error();
  auto policy = http::AddressPolicy::from_allow_list(config.upstream_allow);
  if (!policy) return std::move(policy).error();
  // An IP literal is judged now, for a clear error at startup; every address is judged
  // again at connect time, which is what actually guards (names, DNS rebinding).
  if (Status allowed = policy->check_host(origin->host); !allowed) {
    return Error::invalid("base_url",
                          "'" + config.base_url + "': " + std::move(allowed).error().message);
  }
  return std::make_shared<http::UpstreamClient>(
      std::move(*origin), config.timeouts, config.max_idle_connections,
      std::make_shared<const http::AddressPolicy>(std::move(policy).value()), nullptr);
}

}  // namespace

Result<std::shared_ptr<Provider>> make_provider(const ProviderConfig& config) {
  if (config.type == "simulator") {
    return std::shared_ptr<Provider>(std::make_shared<Simulator>(config));
  }
  if (config.type == "openai" || config.type == "tgi") {
    auto client = client_for(config);
    if (!client) return std::move(client).error();
    if (config.type == "openai") {
      return std::shared_ptr<Provider>(
          std::make_shared<OpenAiCompatible>(config, std::move(*client)));
    }
    return std::shared_ptr<Provider>(std::make_shared<Tgi>(config, std::move(*client)));
  }
  return Error::invalid("type", "unknown provider type '" + config.type +
                                    "'; expected one of openai, tgi, simulator");
}

}  // namespace plinth::providers
