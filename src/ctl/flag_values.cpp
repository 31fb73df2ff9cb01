// Flag value parsing.
#include "ctl/flag_values.h"

#include "ctl/exit_code.h"

#include <boost/json/parse.hpp>

#include <charconv>
#include <cmath>

namespace plinth::ctl {
namespace json = boost::json;

namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string number_text(double d) {
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, d);
  return std::string(text, end);
}

}  // namespace

Result<std::int64_t> parse_integer(std::string_view flag, std::string_view text, std::int64_t min,
                                   std::int64_t max) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return usage_error(std::string(flag), std::string(flag) + " must be an integer from " +
                                              std::to_string(min) + " to " + std::to_string(max) +
                                              ", got " + quoted(text));
  }
  return value;
}

Result<json::value> parse_number(std::string_view flag, std::string_view text, double min,
                                 double max) {
  const std::string range = " must be a number from " + number_text(min) + " to " +
                            number_text(max) + ", got " + quoted(text);
  std::int64_t integer = 0;
  auto [iend, iec] = std::from_chars(text.data(), text.data() + text.size(), integer);
  if (!text.empty() && iec == std::errc() && iend == text.data() + text.size()) {
    if (static_cast<double>(integer) < min || static_cast<double>(integer) > max) {
      return usage_error(std::string(flag), std::string(flag) + range);
    }
    return json::value(integer);
  }
  double real = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), real);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(real) || real < min || real > max) {
    return usage_error(std::string(flag), std::string(flag) + range);
  }
  return json::value(real);
}

Result<std::pair<std::string, json::value>> parse_param(std::string_view flag,
                                                        std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return usage_error(std::string(flag),
                       std::string(flag) + " must be KEY=VALUE, got " + quoted(text));
  }
  std::string key(text.substr(0, eq));
  std::string_view raw = text.substr(eq + 1);
  boost::system::error_code ec;
  json::value value = json::parse(raw, ec);
  if (ec) value = json::string(raw);
  return std::pair{std::move(key), std::move(value)};
}

Result<json::object> parse_endpoint(std::string_view flag, std::string_view text) {
  std::string_view url = text;
  std::optional<std::int64_t> weight;
  // The last ",weight=" separates the option: URLs rarely hold a comma, never that one.
  if (auto comma = text.rfind(",weight="); comma != std::string_view::npos) {
    url = text.substr(0, comma);
    auto parsed = parse_integer(std::string(flag) + " weight",
                                text.substr(comma + std::string_view(",weight=").size()), 0, 1000);
    if (!parsed.ok()) return std::move(parsed).error();
    weight = *parsed;
  }
  if (url.empty()) {
    return usage_error(std::string(flag),
                       std::string(flag) + " must be URL[,weight=N], got " + quoted(text));
  }
  json::object endpoint;
  endpoint.emplace("url", url);
  if (weight) endpoint.emplace("weight", *weight);
  return endpoint;
}

Result<std::string> secret_from_env(std::string_view flag, const std::string& variable,
                                    const EnvLookup& env) {
  auto value = env(variable);
  if (!value || value->empty()) {
    return usage_error(std::string(flag), std::string(flag) + " names " + variable +
                                              ", which is not set in the environment");
  }
  return *value;
}

}  // namespace plinth::ctl
