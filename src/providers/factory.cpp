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
  return std::make_shared<http::UpstreamClient>(std::move(*origin), config.timeouts,
                                                config.max_idle_connections);
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
