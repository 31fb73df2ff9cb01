// Loads plinth.yaml (docs/config-schema.md) into Config. yaml-cpp only parses; a Section
// walks each map, checks its keys and values, and collects every problem with its path so
// that one run of the loader reports them all.
#include "core/config.h"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>
#include <sstream>

namespace plinth {

namespace {

class Problems {
 public:
  void add(std::string_view path, std::string_view message) {
    items_.push_back(std::string(path) + ": " + std::string(message));
  }
  bool empty() const { return items_.empty(); }
  // Secrets (api keys) are masked wherever a message might have picked them up.
  void add_secret(std::string secret) {
    if (secret.size() >= 6) secrets_.push_back(std::move(secret));
  }
  std::string joined() const {
    std::string out;
    for (const auto& item : items_) out += (out.empty() ? "" : "; ") + item;
    for (const auto& secret : secrets_) {
      for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
        out.replace(at, secret.size(), "***");
      }
    }
    return out;
  }

 private:
  std::vector<std::string> items_;
  std::vector<std::string> secrets_;
};

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool valid_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Replaces each ${NAME} by the environment variable NAME; nullopt (reported) when one is
// unset or malformed. Values are never echoed: they may be secrets.
std::optional<std::string> expand_env(std::string_view in, std::string_view path,
                                      Problems& problems) {
  std::string out;
  bool ok = true;
  std::size_t i = 0;
  while (i < in.size()) {
    const std::size_t at = in.find("${", i);
    if (at == std::string_view::npos) {
      out.append(in.substr(i));
      break;
    }
    out.append(in.substr(i, at - i));
    const std::size_t end = in.find('}', at + 2);
    const std::string_view name =
        end == std::string_view::npos ? std::string_view() : in.substr(at + 2, end - at - 2);
    if (!valid_env_name(name)) {
      problems.add(path, "malformed ${...} reference: write ${NAME}, NAME of letters, digits, _");
      return std::nullopt;
    }
    if (const char* value = std::getenv(std::string(name).c_str())) {
      out += value;
    } else {
      problems.add(path, "environment variable " + std::string(name) + " is not set");
      ok = false;
    }
    i = end + 1;
  }
  return ok ? std::optional<std::string>(std::move(out)) : std::nullopt;
}

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// "<digits><unit>" with unit from `units` (multipliers); nullopt on junk or overflow.
std::optional<std::int64_t> parse_scaled(
    std::string_view text, std::initializer_list<std::pair<std::string_view, std::int64_t>> units) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  const auto count = parse_number<std::int64_t>(text.substr(0, digits));
  if (!count) return std::nullopt;
  for (const auto& [unit, scale] : units) {
    if (text.substr(digits) != unit) continue;
    if (*count > std::numeric_limits<std::int64_t>::max() / scale) return std::nullopt;
    return *count * scale;
  }
  return std::nullopt;
}

std::string join_path(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

// One YAML map: reports keys outside `known` (and duplicates) once, then reads typed values
// by key, reporting each bad one with its path. An absent or null key keeps the default.
class Section {
 public:
  Section(const YAML::Node& node, std::string path, std::initializer_list<std::string_view> known,
          Problems& problems)
      : path_(std::move(path)), problems_(problems) {
    // A missing key is an "invalid" node that throws on use; keep an empty one instead.
    if (!node.IsDefined() || node.IsNull()) return;
    node_ = node;
    if (!node_.IsMap()) {
      problems_.add(path_.empty() ? "config" : path_, "expected a map of keys");
      node_ = YAML::Node();
      return;
    }
    std::string expected;
    for (auto k : known) expected += (expected.empty() ? "" : ", ") + std::string(k);
    std::set<std::string> seen;
    for (const auto& entry : node_) {
      const std::string key = entry.first.Scalar();
      if (!seen.insert(key).second) {
        problems_.add(join_path(path_, key), "duplicate key");
      } else if (std::find(known.begin(), known.end(), key) == known.end()) {
        problems_.add(join_path(path_, key), "unknown key (expected one of: " + expected + ")");
      }
    }
  }

  const std::string& path() const { return path_; }
  std::string path(std::string_view key) const { return join_path(path_, key); }
  YAML::Node child(std::string_view key) const {
    return node_.IsMap() ? node_[std::string(key)] : YAML::Node();
  }
  bool has(std::string_view key) const {
    const YAML::Node v = child(key);
    return v.IsDefined() && !v.IsNull();
  }
  void problem(std::string_view key, std::string_view message) const {
    problems_.add(path(key), message);
  }

  // The scalar at key with ${NAME} expanded; nullopt when absent, null or bad (reported).
  std::optional<std::string> text(std::string_view key) const {
    if (!has(key)) return std::nullopt;
    const YAML::Node v = child(key);
    if (!v.IsScalar()) {
      problem(key, "expected a single value, not a list or map");
      return std::nullopt;
    }
    return expand_env(v.Scalar(), path(key), problems_);
  }

  void read(std::string_view key, std::string& out) const {
    if (auto v = text(key)) out = std::move(*v);
  }

  void read(std::string_view key, bool& out) const {
    auto v = text(key);
    if (!v) return;
    std::string lower;
    for (char c : *v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "true" || lower == "yes" || lower == "on") {
      out = true;
    } else if (lower == "false" || lower == "no" || lower == "off") {
      out = false;
    } else {
      problem(key, "expected true or false, got " + quoted(*v));
    }
  }

  void read(std::string_view key, int& out, int min, int max) const {
    auto v = text(key);
    if (!v) return;
    const auto n = parse_number<long long>(*v);
    if (!n || *n < min || *n > max) {
      problem(key, "expected an integer from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", got " + quoted(*v));
      return;
    }
    out = static_cast<int>(*n);
  }

  void read(std::string_view key, double& out, double min, double max) const {
    auto v = text(key);
    if (!v) return;
    const auto n = parse_number<double>(*v);
    if (!n || !std::isfinite(*n) || *n < min || *n > max) {
      std::ostringstream range;
      range << "expected a number from " << min << " to " << max << ", got " << quoted(*v);
      problem(key, range.str());
      return;
    }
    out = *n;
  }

  // `min_ms` 0 allows zero.
  void read(std::string_view key, Millis& out, std::int64_t min_ms) const {
    auto v = text(key);
    if (!v) return;
    const auto ms =
        parse_scaled(*v, {{"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}});
    if (!ms) {
      problem(key, "expected a duration such as 250ms, 5s, 2m, 1h or integer milliseconds, got " +
                       quoted(*v));
    } else if (*ms < min_ms) {
      problem(key, "must be at least " + std::to_string(min_ms) + "ms, got " + quoted(*v));
    } else {
      out = Millis{*ms};
    }
  }

  void read_size(std::string_view key, std::size_t& out) const {
    auto v = text(key);
    if (!v) return;
    const auto bytes = parse_scaled(
        *v, {{"", 1}, {"B", 1}, {"KiB", 1LL << 10}, {"MiB", 1LL << 20}, {"GiB", 1LL << 30}});
    if (!bytes) {
      problem(key, "expected a size such as 512, 16KiB, 8MiB or 1GiB, got " + quoted(*v));
    } else if (*bytes < 1) {
      problem(key, "must be at least 1 byte");
    } else {
      out = static_cast<std::size_t>(*bytes);
    }
  }

  // A list of strings; a single string is taken as a list of one.
  void read(std::string_view key, std::vector<std::string>& out) const {
    const YAML::Node v = child(key);
    if (!has(key)) return;
    if (v.IsScalar()) {
      if (auto s = text(key)) out = {std::move(*s)};
      return;
    }
    if (!v.IsSequence()) return problem(key, "expected a list of strings");
    out.clear();
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string item_path = path(key) + "[" + std::to_string(i) + "]";
      if (!v[i].IsScalar()) {
        problems_.add(item_path, "expected a string");
      } else if (auto s = expand_env(v[i].Scalar(), item_path, problems_)) {
        out.push_back(std::move(*s));
      }
    }
  }

  // The items of a list-valued key, each with its path ("providers[2]").
  std::vector<std::pair<YAML::Node, std::string>> items(std::string_view key) const {
    std::vector<std::pair<YAML::Node, std::string>> out;
    if (!has(key)) return out;
    const YAML::Node v = child(key);
    if (!v.IsSequence()) {
      problem(key, "expected a list");
      return out;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      out.emplace_back(v[i], path(key) + "[" + std::to_string(i) + "]");
    }
    return out;
  }

 private:
  YAML::Node node_;
  std::string path_;
  Problems& problems_;
};

// ---- Sections -------------------------------------------------------------------------------

void read_server(const Section& root, ServerConfig& server, Problems& problems) {
  const Section s(root.child("server"), "server",
                  {"listen", "workers", "body_limit", "header_limit", "max_json_depth",
                   "read_timeout", "idle_timeout", "shutdown_grace"},
                  problems);
  if (auto listen = s.text("listen")) {
    if (Status st = apply_listen(server, *listen); !st.ok()) {
      s.problem("listen", st.error().message);
    }
  }
  s.read("workers", server.workers, 0, 1024);
  s.read_size("body_limit", server.body_limit);
  s.read_size("header_limit", server.header_limit);
  s.read("max_json_depth", server.max_json_depth, 1, 1024);
  s.read("read_timeout", server.read_timeout, 1);
  s.read("idle_timeout", server.idle_timeout, 1);
  s.read("shutdown_grace", server.shutdown_grace, 0);
}

void read_log(const Section& root, LogConfig& log, Problems& problems) {
  const Section s(root.child("log"), "log", {"level", "access_log", "access_log_path"}, problems);
  s.read("level", log.level);
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
  if (!kLevels.contains(log.level)) {
    s.problem("level", "expected trace, debug, info, warn or error, got " + quoted(log.level));
  }
  s.read("access_log", log.access_log);
  s.read("access_log_path", log.access_log_path);
}

bool valid_provider_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

// http(s)://HOST[:PORT][/PATH] with no spaces; the upstream client parses it fully.
bool valid_http_url(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return false;
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.starts_with(':')) return false;
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ') return false;
  }
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    const auto port = parse_number<unsigned>(authority.substr(colon + 1));
    if (!port || *port > 65535) return false;
  }
  return true;
}

// An address or CIDR with clear host bits ("169.254.10.0/24", "0.0.0.0", "fd00:ec2::/64").
// The same rules as http::IpNetwork::parse, which core cannot call (http depends on core);
// this one only reports early, with the entry's path.
bool valid_network(const std::string& text) {
  const std::size_t slash = text.find('/');
  const std::string address = text.substr(0, slash);
  unsigned char bytes[16] = {};
  int max = 32;
  if (inet_pton(AF_INET, address.c_str(), bytes) != 1) {
    if (inet_pton(AF_INET6, address.c_str(), bytes) != 1) return false;
    max = 128;
  }
  int prefix = max;
  if (slash != std::string::npos) {
    const std::string_view digits = std::string_view(text).substr(slash + 1);
    const bool decimal = !digits.empty() && digits.size() <= 3 &&
                         std::all_of(digits.begin(), digits.end(),
                                     [](char c) { return c >= '0' && c <= '9'; });
    const auto n = decimal ? parse_number<int>(digits) : std::nullopt;
    if (!n || *n < 0 || *n > max) return false;
    prefix = *n;
  }
  for (int bit = prefix; bit < max; ++bit) {
    if (bytes[bit / 8] & (0x80 >> (bit % 8))) return false;
  }
  return true;
}

void read_upstream_allow(const Section& root, Config& config, Problems& problems) {
  root.read("upstream_allow", config.upstream_allow);
  for (std::size_t i = 0; i < config.upstream_allow.size(); ++i) {
    if (!valid_network(config.upstream_allow[i])) {
      problems.add("upstream_allow[" + std::to_string(i) + "]",
                   "not an address or CIDR (such as 169.254.10.0/24, 0.0.0.0 or fd00:ec2::254), "
                   "got " + quoted(config.upstream_allow[i]));
    }
  }
}

void read_simulator(const Section& provider, ProviderConfig& out, Problems& problems) {
  const Section s(provider.child("simulator"), provider.path("simulator"),
                  {"time_to_first_token", "tokens_per_second", "default_max_tokens"}, problems);
  s.read("time_to_first_token", out.sim_time_to_first_token, 0);
  s.read("tokens_per_second", out.sim_tokens_per_second, 0, 1e9);
  s.read("default_max_tokens", out.sim_default_max_tokens, 1, 100'000);
}

ProviderConfig read_provider(const YAML::Node& node, const std::string& path, Problems& problems) {
  const Section s(node, path,
                  {"name", "type", "base_url", "api_key", "discover", "max_idle_connections",
                   "timeouts", "simulator"},
                  problems);
  ProviderConfig p;
  if (node.IsDefined() && !node.IsMap()) return p;  // reported by Section
  if (!s.has("name")) s.problem("name", "required");
  if (auto name = s.text("name")) {
    p.name = std::move(*name);
    if (!valid_provider_name(p.name)) {
      s.problem("name", "expected letters, digits, '.', '_' or '-', got " + quoted(p.name));
    }
  }
  if (!s.has("type")) s.problem("type", "required (openai, tgi or simulator)");
  if (auto type = s.text("type")) {
    p.type = std::move(*type);
    if (p.type != "openai" && p.type != "tgi" && p.type != "simulator") {
      s.problem("type", "expected openai, tgi or simulator, got " + quoted(p.type));
    }
  }
  const bool http = p.type == "openai" || p.type == "tgi";
  const std::optional<std::string> url = s.text("base_url");
  if (url) p.base_url = *url;
  if (http && !s.has("base_url")) {
    s.problem("base_url", "required for type " + p.type);
  } else if (http && url && !valid_http_url(*url)) {
    s.problem("base_url", "not an http(s) URL: " + quoted(*url));
  } else if (p.type == "simulator" && s.has("base_url")) {
    s.problem("base_url", "not used by type simulator");
  }
  if (s.has("api_key") && !s.child("api_key").IsScalar()) {
    s.problem("api_key", "expected a string");
  } else if (s.has("api_key")) {
    problems.add_secret(s.child("api_key").Scalar());
    s.read("api_key", p.api_key);
    problems.add_secret(p.api_key);
  }
  s.read("discover", p.discover);
  s.read("max_idle_connections", p.max_idle_connections, 0, 100'000);
  const Section t(s.child("timeouts"), s.path("timeouts"),
                  {"connect", "first_token", "idle", "total"}, problems);
  t.read("connect", p.timeouts.connect, 1);
  t.read("first_token", p.timeouts.first_token, 1);
  t.read("idle", p.timeouts.idle, 1);
  t.read("total", p.timeouts.total, 1);
  if (s.has("simulator") && p.type != "simulator") {
    s.problem("simulator", "only for providers of type simulator");
  } else {
    read_simulator(s, p, problems);
  }
  return p;
}

// Public model names and aliases: printable, no spaces ("Qwen/Qwen2.5-7B", "qwen2.5:7b").
bool valid_model_name(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F) return false;
  }
  return true;
}

ModelConfig read_model(const YAML::Node& node, const std::string& path, Problems& problems) {
  const Section s(node, path, {"name", "aliases", "provider", "upstream_model", "description"},
                  problems);
  ModelConfig m;
  if (node.IsDefined() && !node.IsMap()) return m;
  if (!s.has("name")) s.problem("name", "required");
  if (auto name = s.text("name")) {
    m.name = std::move(*name);
    if (!valid_model_name(m.name)) {
      s.problem("name", "expected 1 to 256 characters without spaces, got " + quoted(m.name));
    }
  }
  s.read("aliases", m.aliases);
  for (std::size_t i = 0; i < m.aliases.size(); ++i) {
    if (!valid_model_name(m.aliases[i])) {
      problems.add(s.path("aliases") + "[" + std::to_string(i) + "]",
                   "expected 1 to 256 characters without spaces, got " + quoted(m.aliases[i]));
    }
  }
  s.read("provider", m.provider);
  if (!s.has("provider")) s.problem("provider", "required");
  m.upstream_model = m.name;
  s.read("upstream_model", m.upstream_model);
  if (m.upstream_model.empty()) s.problem("upstream_model", "must not be empty");
  s.read("description", m.description);
  return m;
}

void read_store(const Section& root, StoreOptions& store, Problems& problems) {
  const Section s(root.child("store"), "store", {"kind", "path", "url", "pool_size"}, problems);
  s.read("kind", store.kind);
  if (store.kind != "sqlite" && store.kind != "postgres") {
    s.problem("kind", "expected sqlite or postgres, got " + quoted(store.kind));
  }
  s.read("path", store.path);
  s.read("url", store.url);
  s.read("pool_size", store.pool_size, 1, 64);
  if (store.kind == "postgres" && store.url.empty()) s.problem("url", "required for postgres");
}

bool is_hex_digest(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

ApiKeyConfig read_api_key(const YAML::Node& node, const std::string& path, Problems& problems) {
  const Section s(node, path,
                  {"name", "key", "sha256", "role", "tenant", "project", "user", "groups"},
                  problems);
  ApiKeyConfig k;
  s.read("name", k.name);
  if (k.name.empty()) s.problem("name", "required");
  s.read("key", k.key);
  s.read("sha256", k.sha256);
  if (k.key.empty() == k.sha256.empty()) {
    s.problem("key", "give exactly one of key (the key itself) and sha256 (its hash)");
  } else if (!k.key.empty() && k.key.size() < 16) {
    s.problem("key", "must be at least 16 characters");
  } else if (!k.sha256.empty() && !is_hex_digest(k.sha256)) {
    s.problem("sha256", "expected 64 hexadecimal digits");
  }
  s.read("role", k.role);
  if (k.role != "user" && k.role != "admin") {
    s.problem("role", "expected user or admin, got " + quoted(k.role));
  }
  s.read("tenant", k.tenant);
  s.read("project", k.project);
  s.read("user", k.user);
  s.read("groups", k.groups);
  return k;
}

// Cross-checks: unique provider names, unique model names and aliases, known providers.
void check_references(const Config& config, std::size_t builtin_providers,
                      std::size_t builtin_models, Problems& problems) {
  std::map<std::string, std::string> providers;  // name -> where it was declared
  for (std::size_t i = 0; i < config.providers.size(); ++i) {
    const bool builtin = i < builtin_providers;
    const std::string where = builtin ? "the built-in simulator provider (simulator_models: true)"
                                      : "providers[" + std::to_string(i - builtin_providers) + "]";
    const auto [it, fresh] = providers.emplace(config.providers[i].name, where);
    if (!fresh && !config.providers[i].name.empty()) {
      problems.add(where + ".name",
                   "duplicate provider name " + quoted(it->first) + ", also used by " + it->second);
    }
  }
  std::map<std::string, std::string> names;  // model name or alias -> where
  auto claim = [&](const std::string& name, const std::string& where) {
    const auto [it, fresh] = names.emplace(name, where);
    if (!fresh && !name.empty()) {
      problems.add(where, quoted(name) + " is already used by " + it->second);
    }
  };
  for (std::size_t i = 0; i < config.models.size(); ++i) {
    const ModelConfig& m = config.models[i];
    if (i < builtin_models) {
      claim(m.name, "the built-in model " + m.name + " (simulator_models: true)");
      continue;
    }
    const std::string path = "models[" + std::to_string(i - builtin_models) + "]";
    claim(m.name, path + ".name");
    for (std::size_t a = 0; a < m.aliases.size(); ++a) {
      claim(m.aliases[a], path + ".aliases[" + std::to_string(a) + "]");
    }
    if (!m.provider.empty() && !providers.contains(m.provider)) {
      problems.add(path + ".provider", "no provider named " + quoted(m.provider));
    }
  }
}

}  // namespace

Config default_config() {
  Config config;
  ProviderConfig sim;
  sim.name = "simulator";
  sim.type = "simulator";
  config.providers.push_back(std::move(sim));
  config.models.push_back(ModelConfig{"sim-chat",
                                      {},
                                      "simulator",
                                      "sim-chat",
                                      "Built-in simulator: deterministic chat and completions"});
  config.models.push_back(ModelConfig{
      "sim-embed", {}, "simulator", "sim-embed", "Built-in simulator: deterministic embeddings"});
  return config;
}

Result<Config> parse_config(const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return Error::invalid("", "invalid YAML at line " + std::to_string(e.mark.line + 1) +
                                  ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  Problems problems;
  Config config = default_config();
  try {
    const Section s(root, "",
                    {"server", "data_dir", "simulator_models", "log", "upstream_allow",
                     "providers", "models", "store", "api_keys"},
                    problems);
    read_server(s, config.server, problems);
    s.read("data_dir", config.data_dir);
    if (config.data_dir.empty()) s.problem("data_dir", "must not be empty");
    s.read("simulator_models", config.simulator_models);
    if (!config.simulator_models) {
      config.providers.clear();
      config.models.clear();
    }
    const std::size_t builtin_providers = config.providers.size();
    const std::size_t builtin_models = config.models.size();
    read_log(s, config.log, problems);
    for (const auto& [node, path] : s.items("providers")) {
      config.providers.push_back(read_provider(node, path, problems));
    }
    for (const auto& [node, path] : s.items("models")) {
      config.models.push_back(read_model(node, path, problems));
    }
    check_references(config, builtin_providers, builtin_models, problems);
    read_store(s, config.store, problems);
    for (const auto& [node, path] : s.items("api_keys")) {
      config.api_keys.push_back(read_api_key(node, path, problems));
    }
    read_upstream_allow(s, config, problems);
    for (ProviderConfig& p : config.providers) p.upstream_allow = config.upstream_allow;
  } catch (const YAML::Exception& e) {  // not expected: the reader only uses checked accessors
    problems.add("config", std::string("unreadable: ") + e.what());
  }
  if (!problems.empty()) return Error::invalid("", problems.joined());
  return config;
}

Result<Config> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid("", "cannot read config file " + quoted(path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error::invalid("", "cannot read config file " + quoted(path));
  auto config = parse_config(text.str());
  if (!config.ok()) {
    Error error = std::move(config).error();
    error.message = path + ": " + error.message;
    return error;
  }
  return config;
}

Status apply_listen(ServerConfig& server, const std::string& listen) {
  const std::string expected = "expected HOST:PORT or [IPv6]:PORT, got " + quoted(listen);
  std::string_view host;
  std::string_view port;
  const std::string_view text = listen;
  if (text.find("://") != std::string_view::npos) {
    return Error::invalid("listen", "expected HOST:PORT without a scheme, got " + quoted(listen));
  }
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") {
      return Error::invalid("listen", expected);
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    const bool v6 = !host.empty() && host.find(':') != std::string_view::npos &&
                    host.find_first_not_of("0123456789abcdefABCDEF:.") == std::string_view::npos;
    if (!v6) return Error::invalid("listen", "not an IPv6 address in brackets: " + quoted(listen));
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Error::invalid("listen", expected);
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Error::invalid(
          "listen", "an IPv6 address needs brackets, as in [::1]:8080, got " + quoted(listen));
    }
    if (host.empty()) {
      return Error::invalid(
          "listen", "missing host (0.0.0.0 listens on all interfaces), got " + quoted(listen));
    }
    for (char c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') {
        return Error::invalid("listen", "not a host name or IPv4 address: " + quoted(host));
      }
    }
  }
  const auto number = port.size() <= 5 ? parse_number<unsigned>(port) : std::nullopt;
  if (!number || *number > 65535) {
    return Error::invalid("listen", "port must be a number from 0 to 65535, got " + quoted(port) +
                                        " in " + quoted(listen));
  }
  server.host = std::string(host);
  server.port = static_cast<std::uint16_t>(*number);
  return {};
}

}  // namespace plinth
