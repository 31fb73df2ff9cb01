// Typed configuration. The YAML file is parsed and validated once, at load (config.cpp);
// code past the loader never sees YAML. Every field has a safe default.
#pragma once

#include "core/result.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace plinth {

using Millis = std::chrono::milliseconds;

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int workers = 0;  // io threads; 0 = one per core
  std::size_t body_limit = 8 * 1024 * 1024;
  std::size_t header_limit = 16 * 1024;
  int max_json_depth = 64;
  Millis read_timeout{30'000};   // to receive a whole request once it has started
  Millis idle_timeout{75'000};   // keep-alive connection with no request
  Millis shutdown_grace{30'000}; // in-flight work may finish for this long after SIGTERM
};

struct UpstreamTimeouts {
  Millis connect{5'000};
  Millis first_token{120'000};  // request sent -> response headers / first SSE event
  Millis idle{60'000};          // between two reads of a response
  Millis total{600'000};
};

struct ProviderConfig {
  std::string name;
  std::string type;      // "openai" | "tgi" | "simulator"
  std::string base_url;  // e.g. http://127.0.0.1:8000/v1 (openai), http://host:8080 (tgi)
  std::string api_key;   // after ${ENV} expansion; never logged
  bool discover = false; // list the upstream's /v1/models at start
  int max_idle_connections = 64;  // per io thread
  UpstreamTimeouts timeouts;
  // Config::upstream_allow, copied here by the loader so that whatever builds the provider's
  // client applies it. Not a per-provider key; never fill it from an admin's request.
  std::vector<std::string> upstream_allow;
  // simulator only
  Millis sim_time_to_first_token{20};
  double sim_tokens_per_second = 200;
  int sim_default_max_tokens = 64;
};

struct ModelConfig {
  std::string name;                  // public name
  std::vector<std::string> aliases;
  std::string provider;              // ProviderConfig::name
  std::string upstream_model;        // defaults to name
  std::string description;
};

// Where the control plane keeps its records (src/store). PostgreSQL lets several replicas share
// one registry; they learn of each other's changes through LISTEN/NOTIFY.
struct StoreOptions {
  std::string kind = "sqlite";  // "sqlite" | "postgres"
  std::string path;             // sqlite file; empty = <data_dir>/plinth.db
  std::string url;              // postgres conninfo or postgresql:// URL; never logged
  int pool_size = 4;            // postgres connections
};

// An API key accepted by the data plane, with the identity release rules match on (canary by
// user, group, project, tenant). Declared in the config until tenancy manages keys.
struct ApiKeyConfig {
  std::string name;    // for logs and errors
  std::string key;     // the key in clear (usually ${ENV}); or
  std::string sha256;  // its SHA-256, 64 hex digits
  std::string role = "user";  // "user" | "admin"
  std::string tenant;
  std::string project;
  std::string user;
  std::vector<std::string> groups;
};

struct LogConfig {
  std::string level = "info";
  bool access_log = true;
  std::string access_log_path;  // empty = stdout
};

struct Config {
  ServerConfig server;
  std::string data_dir = "./var";
  bool simulator_models = true;  // add the built-in `simulator` provider, sim-chat, sim-embed
  std::vector<ProviderConfig> providers;
  std::vector<ModelConfig> models;
  LogConfig log;
  StoreOptions store;
  std::vector<ApiKeyConfig> api_keys;
  // Addresses and CIDRs ("169.254.10.0/24", "0.0.0.0", "fd00:ec2::254") that upstream
  // connections may reach although http::AddressPolicy refuses them by default (link-local,
  // cloud metadata, 0.0.0.0/8, ::). Empty = refuse them all.
  std::vector<std::string> upstream_allow;
};

// The embedded defaults: the simulator provider with `sim-chat` and `sim-embed`.
// parse_config() starts from these and adds what the file declares (docs/config-schema.md);
// `simulator_models: false` drops the built-in provider and models.
Config default_config();

// Parses YAML text. Every problem is reported with its path:
// "providers[2].base_url: not an http(s) URL". ${NAME} in strings expands from the
// environment (an unset variable is an error).
Result<Config> parse_config(const std::string& yaml_text);
Result<Config> load_config_file(const std::string& path);

// Parses "HOST:PORT" or "[v6]:PORT" into server.host/port.
Status apply_listen(ServerConfig& server, const std::string& listen);

}  // namespace plinth
