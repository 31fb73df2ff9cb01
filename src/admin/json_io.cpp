#include "admin/json_io.h"

#include "core/json_text.h"
#include "registry/release_mapping.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

namespace plinth::admin {

namespace {

Error wrong_type(const std::string& field, std::string_view expected) {
  return Error::invalid(field, fmt::format("{} must be {}", field, expected));
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
}

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

json::value parse_or_empty(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::object();
  return v;
}

}  // namespace

const std::string& AdminRequest::param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

std::optional<std::string> AdminRequest::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    const std::string_view raw = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    return percent_decode(raw, Escapes::kLenient);
  }
  return std::nullopt;
}

std::string field_name(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

Status check_keys(const json::object& o, FieldNames known, const std::string& where) {
  for (const auto& kv : o) {
    bool ok = false;
    for (auto k : known) ok = ok || kv.key() == k;
    if (!ok) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      const std::string field = field_name(where, std::string_view(kv.key()).substr(0, 64));
      return Error::invalid(field, fmt::format("unknown field '{}' (expected one of: {})", field,
                                               list));
    }
  }
  return {};
}

Result<json::object> parse_body(std::string_view body, FieldNames known) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return Error::invalid("", "the body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Error::invalid("", "the body must be a JSON object");
  Status s = check_keys(v.get_object(), known, "");
  if (!s) return s.error();
  return std::move(v.get_object());
}

Result<std::optional<std::string>> opt_string(const json::object& o, std::string_view key,
                                              const std::string& where, std::size_t max_len) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::string>();
  const std::string field = field_name(where, key);
  if (!v->is_string()) return wrong_type(field, "a string");
  if (v->get_string().size() > max_len) {
    return Error::invalid(field, fmt::format("{} must be at most {} characters", field, max_len));
  }
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<std::vector<std::string>>> opt_strings(const json::object& o,
                                                            std::string_view key,
                                                            const std::string& where) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::vector<std::string>>();
  const std::string field = field_name(where, key);
  if (!v->is_array()) return wrong_type(field, "a list of strings");
  if (v->get_array().size() > 256) return Error::invalid(field, field + " has too many items");
  std::vector<std::string> out;
  for (const auto& item : v->get_array()) {
    if (!item.is_string() || item.get_string().size() > 256) {
      return wrong_type(field, "a list of strings (each at most 256 characters)");
    }
    out.emplace_back(item.get_string());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::optional<double>> opt_number(const json::object& o, std::string_view key,
                                         const std::string& where) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<double>();
  const std::string field = field_name(where, key);
  if (!v->is_number()) return wrong_type(field, "a number");
  const double d = v->to_number<double>();
  if (!std::isfinite(d)) return wrong_type(field, "a finite number");
  return std::optional<double>(d);
}

Result<std::optional<std::int64_t>> opt_integer(const json::object& o, std::string_view key,
                                                const std::string& where) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::int64_t>();
  const std::string field = field_name(where, key);
  if (v->is_int64()) return std::optional<std::int64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get_uint64()));
  }
  if (v->is_double() && std::floor(v->get_double()) == v->get_double() &&
      std::abs(v->get_double()) < 9e15) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get_double()));
  }
  return wrong_type(field, "an integer");
}

Result<std::optional<bool>> opt_bool(const json::object& o, std::string_view key,
                                     const std::string& where) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<bool>();
  if (!v->is_bool()) return wrong_type(field_name(where, key), "true or false");
  return std::optional<bool>(v->get_bool());
}

Status check_name(std::string_view name, const std::string& field) {
  bool ok = !name.empty() && name.size() <= 128;
  for (char c : name) ok = ok && name_char(c);
  if (!ok) {
    return Error::invalid(field, fmt::format("{} must be 1 to 128 characters of A-Z a-z 0-9 . _ "
                                             ": / -, got '{}'",
                                             field, name.substr(0, 64)));
  }
  return {};
}

Result<store::PageRequest> page_request(const AdminRequest& request) {
  store::PageRequest page;
  if (auto limit = request.query_param("limit")) {
    int n = 0;
    const auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || end != limit->data() + limit->size() || n < 1 || n > 1000) {
      return Error::invalid("limit", fmt::format("limit must be an integer from 1 to 1000, "
                                                 "got '{}'",
                                                 limit->substr(0, 32)));
    }
    page.limit = n;
  }
  if (auto cursor = request.query_param("cursor")) page.cursor = *cursor;
  return page;
}

std::string rfc3339(store::UnixMillis ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

json::value plain_number(double d) {
  if (!std::isfinite(d)) return 0;
  const double rounded = std::round(d * 10000) / 10000;
  if (rounded == std::floor(rounded) && std::abs(rounded) < 9e15) {
    return static_cast<std::int64_t>(rounded);
  }
  return rounded;
}

json::object model_json(const store::Model& m) {
  return json::object{{"id", m.id},
                      {"object", "model"},
                      {"name", m.name},
                      {"aliases", strings(m.aliases)},
                      {"description", m.description},
                      {"task_tags", strings(m.task_tags)},
                      {"owner", m.owner},
                      {"created_at", rfc3339(m.created_at)},
                      {"updated_at", rfc3339(m.updated_at)},
                      {"revision", m.revision}};
}

json::object endpoint_json(const store::Endpoint& e) {
  return json::object{{"id", e.id},
                      {"url", e.url},
                      {"weight", e.weight},
                      {"has_api_key", e.has_api_key},
                      {"created_at", rfc3339(e.created_at)},
                      {"updated_at", rfc3339(e.updated_at)},
                      {"revision", e.revision}};
}

json::object version_json(const std::string& model, const store::Version& v,
                          const std::vector<store::Endpoint>& endpoints) {
  json::array eps;
  for (const auto& e : endpoints) eps.push_back(endpoint_json(e));
  return json::object{{"id", v.id},
                      {"object", "model.version"},
                      {"model", model},
                      {"name", v.name},
                      {"provider", v.provider_type},
                      {"upstream_model", v.upstream_model},
                      {"base_model", v.base_model},
                      {"lora_adapter", v.lora_adapter},
                      {"default_params", parse_or_empty(v.default_params)},
                      {"max_params", parse_or_empty(v.max_params)},
                      {"source", v.source},
                      {"release_notes", v.release_notes},
                      {"created_by", v.created_by},
                      {"created_at", rfc3339(v.created_at)},
                      {"revision", v.revision},
                      {"endpoints", std::move(eps)}};
}

json::object release_json(const std::string& model, const store::Release& r) {
  json::array canaries;
  for (const store::Canary& c : r.canaries) {
    registry::CanaryRule rule;
    registry::read_match(c.match, rule);
    canaries.push_back(json::object{{"version", c.version},
                                    {"percent", plain_number(c.percent)},
                                    {"match", json::parse(registry::match_json(rule))}});
  }
  return json::object{
      {"object", "model.release"},
      {"model", model},
      {"stable", r.stable_version},
      {"previous_stable", r.previous_stable_version.empty()
                              ? json::value()
                              : json::value(r.previous_stable_version)},
      {"canaries", std::move(canaries)},
      {"state", r.state == store::ReleaseState::kPaused ? "paused" : "active"},
      {"offline", strings(r.offline_versions)},
      {"updated_by", r.updated_by},
      {"updated_at", rfc3339(r.updated_at)},
      {"revision", r.revision}};
}

json::value history_release_json(const std::string& model, std::string_view recorded) {
  const json::value v = parse_or_empty(recorded);
  if (!v.is_object()) return nullptr;
  const json::object& o = v.as_object();
  store::Release r;
  auto text = [&](std::string_view k) {
    const auto* f = o.if_contains(k);
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  auto integer = [&](std::string_view k) -> std::int64_t {
    const auto* f = o.if_contains(k);
    return f ? json_integer_or(*f, 0) : 0;
  };
  r.stable_version = text("stable_version");
  r.previous_stable_version = text("previous_stable_version");
  r.state = text("state") == "paused" ? store::ReleaseState::kPaused : store::ReleaseState::kActive;
  r.updated_by = text("updated_by");
  r.updated_at = integer("updated_at");
  r.revision = integer("revision");
  if (const auto* cs = o.if_contains("canaries"); cs && cs->is_array()) {
    for (const auto& c : cs->get_array()) {
      if (!c.is_object()) continue;
      store::Canary canary;
      if (const auto* n = c.as_object().if_contains("version"); n && n->is_string())
        canary.version = std::string(n->get_string());
      if (const auto* p = c.as_object().if_contains("percent"); p && p->is_number())
        canary.percent = p->to_number<double>();
      if (const auto* m = c.as_object().if_contains("match")) canary.match = json::serialize(*m);
      r.canaries.push_back(std::move(canary));
    }
  }
  if (const auto* off = o.if_contains("offline_versions"); off && off->is_array()) {
    for (const auto& n : off->get_array()) {
      if (n.is_string()) r.offline_versions.emplace_back(n.get_string());
    }
  }
  return release_json(model, r);
}

std::string list_body(json::array items, const std::string& next_cursor) {
  json::object o{{"object", "list"},
                 {"data", std::move(items)},
                 {"next_cursor", next_cursor.empty() ? json::value() : json::value(next_cursor)}};
  return json::serialize(o);
}

AdminResponse json_response(int status, const json::value& body, store::Revision etag) {
  return AdminResponse{status, json::serialize(body), etag};
}

}  // namespace plinth::admin
