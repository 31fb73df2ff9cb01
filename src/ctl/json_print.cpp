// A small pretty-printer: Boost.JSON's serializer is compact only, and writes 0.1 as 1E-1.
#include "ctl/json_print.h"

#include "core/json_text.h"

#include <charconv>
#include <cmath>

namespace plinth::ctl {
namespace json = boost::json;

namespace {

void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {  // cannot come from a JSON parse; keep the output valid anyway
    out += "null";
    return;
  }
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, d);
  std::string_view s(text, static_cast<std::size_t>(end - text));
  out += s;
  // 3.0 prints as "3": keep it a JSON float so readers that care see the same type.
  if (s.find_first_of(".e") == std::string_view::npos) out += ".0";
}

// depth < 0: compact (no newlines, no spaces).
void print(std::string& out, const json::value& v, int depth) {
  const bool pretty = depth >= 0;
  const std::string indent(pretty ? static_cast<std::size_t>(depth + 1) * 2 : 0, ' ');
  const std::string close_indent(pretty ? static_cast<std::size_t>(depth) * 2 : 0, ' ');
  const char* open_sep = pretty ? "\n" : "";
  const char* item_sep = pretty ? ",\n" : ",";
  const int next = pretty ? depth + 1 : depth;
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case json::kind::double_:
      append_double(out, v.get_double());
      break;
    case json::kind::string:
      append_json_string(out, v.get_string());
      break;
    case json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        break;
      }
      out += "[";
      out += open_sep;
      for (std::size_t i = 0; i < a.size(); ++i) {
        out += indent;
        print(out, a[i], next);
        out += i + 1 < a.size() ? item_sep : open_sep;
      }
      out += close_indent + "]";
      break;
    }
    case json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        break;
      }
      out += "{";
      out += open_sep;
      std::size_t i = 0;
      for (const auto& kv : o) {
        out += indent;
        append_json_string(out, kv.key());
        out += pretty ? ": " : ":";
        print(out, kv.value(), next);
        out += ++i < o.size() ? item_sep : open_sep;
      }
      out += close_indent + "}";
      break;
    }
  }
}

}  // namespace

std::string pretty_json(const json::value& value) {
  std::string out;
  print(out, value, 0);
  out += '\n';
  return out;
}

std::string compact_json(const json::value& value) {
  std::string out;
  print(out, value, -1);
  return out;
}

}  // namespace plinth::ctl
