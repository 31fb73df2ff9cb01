#include "gateway/router.h"

namespace plinth::gateway {

std::string_view endpoint_name(Endpoint e) {
  switch (e) {
    case Endpoint::kChat: return "chat.completions";
    case Endpoint::kCompletions: return "completions";
    case Endpoint::kEmbeddings: return "embeddings";
    case Endpoint::kModels: return "models";
    case Endpoint::kNotFound: return "other";
  }
  return "other";
}

Target split_target(std::string_view target) {
  Target t;
  const auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (q != std::string_view::npos) t.query = target.substr(q + 1);
  // The usual path needs no folding: taken whole, not a character at a time.
  if (!path.empty() && path.find("//") == std::string_view::npos &&
      (path.size() == 1 || path.back() != '/')) {
    t.path.assign(path);
    return t;
  }
  t.path.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !t.path.empty() && t.path.back() == '/') continue;
    t.path += c;
  }
  if (t.path.size() > 1 && t.path.back() == '/') t.path.pop_back();
  if (t.path.empty()) t.path.push_back('/');
  return t;
}

RouteMatch match_route(std::string_view path, std::string_view method, Endpoint& endpoint) {
  struct Route {
    std::string_view path;
    std::string_view method;
    Endpoint endpoint;
    bool prefix;
  };
  static constexpr Route kRoutes[] = {
      {"/v1/chat/completions", "POST", Endpoint::kChat, false},
      {"/v1/completions", "POST", Endpoint::kCompletions, false},
      {"/v1/embeddings", "POST", Endpoint::kEmbeddings, false},
      {"/v1/models", "GET", Endpoint::kModels, false},
      {"/v1/models/", "GET", Endpoint::kModels, true},
  };
  for (const auto& r : kRoutes) {
    const bool hit = r.prefix ? path.starts_with(r.path) && path.size() > r.path.size()
                              : path == r.path;
    if (!hit) continue;
    endpoint = r.endpoint;
    return method == r.method ? RouteMatch::kFound : RouteMatch::kWrongMethod;
  }
  endpoint = Endpoint::kNotFound;
  return RouteMatch::kNotFound;
}

}  // namespace plinth::gateway
