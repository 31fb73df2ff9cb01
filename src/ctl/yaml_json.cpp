// yaml-cpp node tree -> Boost.JSON value, with YAML 1.2 core-schema scalar resolution.
#include "ctl/yaml_json.h"

#include "ctl/exit_code.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <regex>

namespace plinth::ctl {
namespace json = boost::json;

namespace {

constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";

std::string prefix(std::string_view source) {
  return source.empty() ? std::string() : std::string(source) + ": ";
}

std::string shown_path(const std::string& path) { return path.empty() ? "(document)" : path; }

// Integers of the core schema: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+.
std::optional<json::value> core_integer(const std::string& s) {
  int base = 10;
  std::string_view digits = s;
  bool negative = false;
  if (s.starts_with("0x")) {
    base = 16;
    digits.remove_prefix(2);
  } else if (s.starts_with("0o")) {
    base = 8;
    digits.remove_prefix(2);
  } else if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) return std::nullopt;
  std::uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (!negative) {
    if (magnitude <= static_cast<std::uint64_t>(INT64_MAX)) {
      return json::value(static_cast<std::int64_t>(magnitude));
    }
    return json::value(magnitude);
  }
  if (magnitude > static_cast<std::uint64_t>(INT64_MAX) + 1) return std::nullopt;
  return json::value(static_cast<std::int64_t>(0 - magnitude));
}

Result<std::optional<json::value>> core_float(const std::string& s, const std::string& path) {
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  static const std::regex kSpecial(R"([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  if (std::regex_match(s, kSpecial)) {
    return Error::invalid(path, shown_path(path) + ": " + s + " has no JSON form");
  }
  if (!std::regex_match(s, kFloat)) return std::optional<json::value>();
  double d = 0;
  const char* first = s.data() + (s.starts_with('+') ? 1 : 0);
  auto [end, ec] = std::from_chars(first, s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return Error::invalid(path, shown_path(path) + ": " + s + " is out of range");
  }
  return std::optional<json::value>(json::value(d));
}

Result<json::value> scalar(const YAML::Node& node, const std::string& path) {
  const std::string& s = node.Scalar();
  // "!" is yaml-cpp's tag for quoted (non-plain) scalars.
  if (node.Tag() == "!" || node.Tag() == kStrTag || node.Tag() == "!!str") return json::value(s);
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return json::value();
  if (s == "true" || s == "True" || s == "TRUE") return json::value(true);
  if (s == "false" || s == "False" || s == "FALSE") return json::value(false);
  if (auto integer = core_integer(s)) return *integer;
  auto real = core_float(s, path);
  if (!real.ok()) return std::move(real).error();
  if (*real) return **real;
  return json::value(s);
}

Result<json::value> convert(const YAML::Node& node, const std::string& path) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return json::value();
    case YAML::NodeType::Scalar:
      return scalar(node, path);
    case YAML::NodeType::Sequence: {
      json::array out;
      for (std::size_t i = 0; i < node.size(); ++i) {
        auto item = convert(node[i], path + "[" + std::to_string(i) + "]");
        if (!item.ok()) return std::move(item).error();
        out.push_back(std::move(*item));
      }
      return json::value(std::move(out));
    }
    case YAML::NodeType::Map: {
      json::object out;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          return Error::invalid(path, shown_path(path) + ": mapping keys must be scalars");
        }
        const std::string key = kv.first.Scalar();
        const std::string child = path.empty() ? key : path + "." + key;
        if (out.contains(key)) {
          return Error::invalid(child, child + ": duplicate key");
        }
        auto value = convert(kv.second, child);
        if (!value.ok()) return std::move(value).error();
        out.emplace(key, std::move(*value));
      }
      return json::value(std::move(out));
    }
  }
  return json::value();
}

}  // namespace

Result<json::value> yaml_to_json(std::string_view yaml, std::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return usage_error(std::string(source), prefix(source) + "line " +
                                                std::to_string(e.mark.line + 1) + ", column " +
                                                std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  auto converted = convert(root, "");
  if (!converted.ok()) {
    Error error = std::move(converted).error();
    error.message = prefix(source) + error.message;
    return error;
  }
  return converted;
}

}  // namespace plinth::ctl
