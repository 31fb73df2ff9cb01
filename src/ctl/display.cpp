// Table text for API values.
#include "ctl/display.h"

#include "ctl/json_print.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace plinth::ctl {
namespace json = boost::json;

namespace {

std::string number_text(double d) {
  if (!std::isfinite(d)) return "-";
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, d);
  return std::string(text, end);
}

std::string joined_strings(const json::value* list, std::string_view separator) {
  std::string out;
  if (!list || !list->is_array()) return out;
  for (const auto& item : list->get_array()) {
    if (!out.empty()) out += separator;
    out += item.is_string() ? std::string(item.get_string()) : compact_json(item);
  }
  return out;
}

}  // namespace

std::string display_text(const json::value* value) {
  if (!value) return "-";
  switch (value->kind()) {
    case json::kind::null:
      return "-";
    case json::kind::bool_:
      return value->get_bool() ? "true" : "false";
    case json::kind::int64:
      return std::to_string(value->get_int64());
    case json::kind::uint64:
      return std::to_string(value->get_uint64());
    case json::kind::double_:
      return number_text(value->get_double());
    case json::kind::string:
      return std::string(value->get_string());
    case json::kind::array: {
      for (const auto& item : value->get_array()) {
        if (item.is_structured()) return compact_json(*value);
      }
      std::string out;
      for (const auto& item : value->get_array()) {
        if (!out.empty()) out += ", ";
        out += display_text(&item);
      }
      return out.empty() ? "-" : out;
    }
    case json::kind::object:
      return compact_json(*value);
  }
  return "-";
}

std::string display_field(const json::object& object, std::string_view key) {
  return display_text(object.if_contains(key));
}

std::string display_field(const json::value& object, std::string_view key) {
  return object.is_object() ? display_field(object.get_object(), key) : "-";
}

const json::value& member(const json::value& object, std::string_view key) {
  static const json::value kNull;
  const json::value* v = object.is_object() ? object.get_object().if_contains(key) : nullptr;
  return v ? *v : kNull;
}

double number_field(const json::value& object, std::string_view key, double fallback) {
  const json::value* v = object.is_object() ? object.get_object().if_contains(key) : nullptr;
  if (!v) return fallback;
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_double()) return v->get_double();
  return fallback;
}

std::string canary_summary(const json::value& canary) {
  std::string out = display_field(canary, "version") + " " + display_field(canary, "percent") + "%";
  const json::value* match =
      canary.is_object() ? canary.get_object().if_contains("match") : nullptr;
  if (!match || !match->is_object()) return out;
  std::string rules;
  for (std::string_view list : {"users", "groups", "projects", "tenants"}) {
    std::string names = joined_strings(match->get_object().if_contains(list), ",");
    if (names.empty()) continue;
    if (!rules.empty()) rules += "; ";
    rules += std::string(list) + " " + names;
  }
  return rules.empty() ? out : out + " (" + rules + ")";
}

std::string release_summary(const json::value& release) {
  if (!release.is_object()) return "none";
  const auto& r = release.get_object();
  std::string out = "stable " + display_field(r, "stable");
  if (const auto* canaries = r.if_contains("canaries"); canaries && canaries->is_array()) {
    for (const auto& c : canaries->get_array()) out += ", canary " + canary_summary(c);
  }
  if (const auto* state = r.if_contains("state");
      state && state->is_string() && state->get_string() != "active") {
    out += ", " + std::string(state->get_string());
  }
  if (std::string offline = joined_strings(r.if_contains("offline"), ","); !offline.empty()) {
    out += ", offline " + offline;
  }
  return out;
}

std::string format_rate(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", fraction * 100.0);
  return text;
}

}  // namespace plinth::ctl
