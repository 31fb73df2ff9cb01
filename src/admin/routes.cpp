#include "admin/routes.h"

#include "admin/router.h"

#include <array>
#include <vector>

namespace plinth::admin {

namespace {

// Same order as the Route enum (router.h).
constexpr std::array<RouteInfo, static_cast<std::size_t>(Route::kCount)> kRoutes = {{
    {"GET", "/admin/v1/openapi.json"},
    {"GET", "/admin/v1/models"},
    {"POST", "/admin/v1/models"},
    {"GET", "/admin/v1/models/{model}"},
    {"PATCH", "/admin/v1/models/{model}"},
    {"DELETE", "/admin/v1/models/{model}"},
    {"GET", "/admin/v1/models/{model}/versions"},
    {"POST", "/admin/v1/models/{model}/versions"},
    {"GET", "/admin/v1/models/{model}/versions/{version}"},
    {"DELETE", "/admin/v1/models/{model}/versions/{version}"},
    {"GET", "/admin/v1/models/{model}/versions/{version}/endpoints"},
    {"POST", "/admin/v1/models/{model}/versions/{version}/endpoints"},
    {"PATCH", "/admin/v1/models/{model}/versions/{version}/endpoints/{id}"},
    {"DELETE", "/admin/v1/models/{model}/versions/{version}/endpoints/{id}"},
    {"GET", "/admin/v1/models/{model}/versions/{version}/stats"},
    {"GET", "/admin/v1/models/{model}/release"},
    {"PUT", "/admin/v1/models/{model}/release"},
    {"DELETE", "/admin/v1/models/{model}/release"},
    {"POST", "/admin/v1/models/{model}/release/{action}"},
    {"GET", "/admin/v1/models/{model}/history"},
    {"GET", "/admin/v1/models/{model}/stats"},
    {"GET", "/admin/v1/releases"},
    {"POST", "/admin/v1/apply"},
}};

constexpr std::size_t kServed = kRoutes.size();

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return out;
}

}  // namespace

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, Escapes mode) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && mode == Escapes::kLenient) {
      out += ' ';
      continue;
    }
    const int hi = c == '%' && i + 2 < text.size() ? hex(text[i + 1]) : -1;
    const int lo = hi >= 0 ? hex(text[i + 2]) : -1;
    if (c != '%') {
      out += c;
    } else if (lo >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (mode == Escapes::kStrict) {
      return std::nullopt;
    } else {
      out += c;  // a bad escape stays as it is
    }
  }
  return out;
}

std::span<const RouteInfo> admin_routes() { return {kRoutes.data(), kServed}; }

MatchResult match(std::string_view method, std::string_view path) {
  const auto segments = split(path);
  bool path_known = false;
  for (std::size_t r = 0; r < kServed; ++r) {
    const auto pattern = split(kRoutes[r].pattern);
    if (pattern.size() != segments.size()) continue;
    PathParams params;
    bool same = true;
    for (std::size_t i = 0; i < pattern.size() && same; ++i) {
      if (pattern[i].starts_with('{')) {
        auto value = percent_decode(segments[i], Escapes::kStrict);
        if (!value || value->empty()) {
          same = false;
          break;
        }
        params.emplace(std::string(pattern[i].substr(1, pattern[i].size() - 2)),
                       std::move(*value));
      } else if (pattern[i] != segments[i]) {
        same = false;
      }
    }
    if (!same) continue;
    path_known = true;
    if (kRoutes[r].method == method) {
      return MatchResult{static_cast<Route>(r), std::move(params), true, true};
    }
  }
  return MatchResult{Route::kCount, {}, path_known, false};
}

}  // namespace plinth::admin
