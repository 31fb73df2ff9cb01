#include "core/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace plinth {
namespace {

using namespace std::chrono_literals;

// The error message of a config that must not load.
std::string problems(const std::string& yaml) {
  auto config = parse_config(yaml);
  EXPECT_FALSE(config.ok()) << "loaded:\n" << yaml;
  return config.ok() ? std::string() : config.error().message;
}

Config loaded(const std::string& yaml) {
  auto config = parse_config(yaml);
  EXPECT_TRUE(config.ok()) << config.error().message;
  return config.ok() ? std::move(config).value() : Config{};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_TRUE(contains(haystack, needle)) << "'" << needle << "' not in: " << haystack

// Sets an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

std::filesystem::path repo_root() {
  // PLINTH_TEST_DATA is <repo>/tests/data under ctest; fall back to this file's location.
  if (const char* data = std::getenv("PLINTH_TEST_DATA")) {
    return std::filesystem::path(data).parent_path().parent_path();
  }
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---- defaults ----------------------------------------------------------------------------

TEST(Config, DefaultsServeTheSimulatorModels) {
  const Config config = default_config();
  ASSERT_EQ(config.providers.size(), 1u);
  EXPECT_EQ(config.providers[0].name, "simulator");
  EXPECT_EQ(config.providers[0].type, "simulator");
  ASSERT_EQ(config.models.size(), 2u);
  EXPECT_EQ(config.models[0].name, "sim-chat");
  EXPECT_EQ(config.models[0].upstream_model, "sim-chat");
  EXPECT_EQ(config.models[0].provider, "simulator");
  EXPECT_EQ(config.models[1].name, "sim-embed");
  EXPECT_EQ(config.server.port, 8080);
  EXPECT_EQ(config.server.host, "127.0.0.1");
}

TEST(Config, EmptyFileGivesTheDefaults) {
  for (const char* text : {"", "# nothing\n", "---\n"}) {
    const Config config = loaded(text);
    EXPECT_EQ(config.providers.size(), 1u);
    EXPECT_EQ(config.models.size(), 2u);
    EXPECT_EQ(config.server.body_limit, 8u * 1024 * 1024);
  }
}

TEST(Config, SimulatorModelsFalseDropsTheBuiltIns) {
  const Config config = loaded("simulator_models: false\n");
  EXPECT_FALSE(config.simulator_models);
  EXPECT_TRUE(config.providers.empty());
  EXPECT_TRUE(config.models.empty());
  // ... and then its names are free to reuse.
  const Config own = loaded(R"(
simulator_models: false
providers: [{name: simulator, type: simulator}]
models: [{name: sim-chat, provider: simulator}]
)");
  ASSERT_EQ(own.models.size(), 1u);
}

// ---- a full file -------------------------------------------------------------------------

TEST(Config, ParsesEveryOption) {
  ScopedEnv key("PLINTH_TEST_KEY", "sk-test-123456");
  ScopedEnv host("PLINTH_TEST_HOST", "10.0.0.7");
  const Config c = loaded(R"(
server:
  listen: "[::1]:9090"
  workers: 4
  body_limit: 1MiB
  header_limit: 8KiB
  max_json_depth: 32
  read_timeout: 10s
  idle_timeout: 2m
  shutdown_grace: 0
data_dir: /tmp/plinth
simulator_models: true
log:
  level: debug
  access_log: false
  access_log_path: /tmp/access.log
providers:
  - name: vllm-a
    type: openai
    base_url: http://${PLINTH_TEST_HOST}:8000/v1
    api_key: ${PLINTH_TEST_KEY}
    discover: true
    max_idle_connections: 8
    timeouts: {connect: 250ms, first_token: 1h, idle: 1500, total: 10m}
  - name: tgi_b
    type: tgi
    base_url: https://tgi.example.com
  - name: slow.sim
    type: simulator
    simulator: {time_to_first_token: 1s, tokens_per_second: 2.5, default_max_tokens: 10}
models:
  - name: qwen2.5-7b
    aliases: [qwen, q7]
    provider: vllm-a
    upstream_model: Qwen/Qwen2.5-7B-Instruct
    description: the model
  - name: mistral
    provider: tgi_b
)");
  EXPECT_EQ(c.server.host, "::1");
  EXPECT_EQ(c.server.port, 9090);
  EXPECT_EQ(c.server.workers, 4);
  EXPECT_EQ(c.server.body_limit, 1u << 20);
  EXPECT_EQ(c.server.header_limit, 8u << 10);
  EXPECT_EQ(c.server.max_json_depth, 32);
  EXPECT_EQ(c.server.read_timeout, 10s);
  EXPECT_EQ(c.server.idle_timeout, 2min);
  EXPECT_EQ(c.server.shutdown_grace, 0ms);
  EXPECT_EQ(c.data_dir, "/tmp/plinth");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_FALSE(c.log.access_log);
  EXPECT_EQ(c.log.access_log_path, "/tmp/access.log");

  ASSERT_EQ(c.providers.size(), 4u);  // the built-in simulator first
  const ProviderConfig& a = c.providers[1];
  EXPECT_EQ(a.name, "vllm-a");
  EXPECT_EQ(a.type, "openai");
  EXPECT_EQ(a.base_url, "http://10.0.0.7:8000/v1");
  EXPECT_EQ(a.api_key, "sk-test-123456");
  EXPECT_TRUE(a.discover);
  EXPECT_EQ(a.max_idle_connections, 8);
  EXPECT_EQ(a.timeouts.connect, 250ms);
  EXPECT_EQ(a.timeouts.first_token, 1h);
  EXPECT_EQ(a.timeouts.idle, 1500ms);
  EXPECT_EQ(a.timeouts.total, 10min);
  EXPECT_EQ(c.providers[2].timeouts.total, 600s);  // default
  const ProviderConfig& sim = c.providers[3];
  EXPECT_EQ(sim.sim_time_to_first_token, 1s);
  EXPECT_DOUBLE_EQ(sim.sim_tokens_per_second, 2.5);
  EXPECT_EQ(sim.sim_default_max_tokens, 10);

  ASSERT_EQ(c.models.size(), 4u);
  const ModelConfig& q = c.models[2];
  EXPECT_EQ(q.name, "qwen2.5-7b");
  EXPECT_EQ(q.aliases, (std::vector<std::string>{"qwen", "q7"}));
  EXPECT_EQ(q.provider, "vllm-a");
  EXPECT_EQ(q.upstream_model, "Qwen/Qwen2.5-7B-Instruct");
  EXPECT_EQ(q.description, "the model");
  EXPECT_EQ(c.models[3].upstream_model, "mistral");  // defaults to name
}

TEST(Config, ParsesTheExampleFile) {
  const auto path = repo_root() / "plinth.example.yaml";
  auto config = load_config_file(path.string());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->simulator_models);
  std::vector<std::string> types;
  for (const auto& p : config->providers) types.push_back(p.type);
  EXPECT_EQ(types, (std::vector<std::string>{"simulator", "openai", "openai", "tgi", "simulator"}));
  EXPECT_EQ(config->providers[2].base_url, "http://127.0.0.1:11434/v1");

  // The commented-out options (DeepSeek, api keys) are valid too once uncommented.
  ScopedEnv vllm("VLLM_API_KEY", "vllm-secret");
  ScopedEnv deepseek("DEEPSEEK_API_KEY", "sk-deepseek-secret");
  ScopedEnv beta("BETA_APP_KEY", "sk-beta-app-0123456789");
  const std::string text = read_file(path);
  ASSERT_TRUE(contains(text, "${DEEPSEEK_API_KEY}"));
  const std::string uncommented = std::regex_replace(
      text, std::regex(R"(^(\s*)# (\s*(- )?[a-z_]+:( |$)))", std::regex::multiline), "$1$2");
  auto full = parse_config(uncommented);
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->providers.back().name, "deepseek");
  EXPECT_EQ(full->providers.back().api_key, "sk-deepseek-secret");
  EXPECT_EQ(full->providers[1].api_key, "vllm-secret");
  EXPECT_EQ(full->models.back().provider, "deepseek");
  ASSERT_EQ(full->api_keys.size(), 1u);
  EXPECT_EQ(full->api_keys[0].groups, std::vector<std::string>{"beta"});
}

TEST(Config, LoadFileReportsAnUnreadableFile) {
  auto config = load_config_file("/nonexistent/plinth.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_HAS(config.error().message, "/nonexistent/plinth.yaml");
}

TEST(Config, LoadFileNamesTheFileInProblems) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("plinth-config-test-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << "server: {workers: -1}\n";
  auto config = load_config_file(path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(config.ok());
  EXPECT_HAS(config.error().message, path.string() + ": server.workers");
}

// ---- validation --------------------------------------------------------------------------

TEST(Config, ReportsInvalidYamlWithItsLine) {
  EXPECT_HAS(problems("server:\n  listen: [a\n"), "invalid YAML at line");
  EXPECT_HAS(problems("- a\n- b\n"), "config: expected a map");
}

TEST(Config, ReportsUnknownAndDuplicateKeys) {
  const std::string message = problems(R"(
server:
  listn: 1.2.3.4:80
  workers: 1
  workers: 2
colour: blue
providers:
  - {name: a, type: openai, base_url: "http://h/v1", timeouts: {conect: 1s}}
)");
  EXPECT_HAS(message, "server.listn: unknown key (expected one of: listen, workers");
  EXPECT_HAS(message, "server.workers: duplicate key");
  EXPECT_HAS(message, "colour: unknown key");
  EXPECT_HAS(message, "providers[0].timeouts.conect: unknown key");
}

TEST(Config, ReportsEveryProblemJoined) {
  const std::string message = problems(R"(
server: {workers: 2000, listen: "nonsense"}
log: {level: loud}
providers:
  - {name: ok, type: openai, base_url: "http://h:8000/v1"}
  - {name: ok, type: vllm}
  - {type: tgi, base_url: "ftp://h"}
models:
  - {name: m, provider: x}
)");
  EXPECT_HAS(message, "server.workers: expected an integer from 0 to 1024, got '2000'");
  EXPECT_HAS(message, "server.listen: expected HOST:PORT");
  EXPECT_HAS(message, "log.level: expected trace, debug, info, warn or error, got 'loud'");
  EXPECT_HAS(message, "providers[1].type: expected openai, tgi or simulator, got 'vllm'");
  EXPECT_HAS(message, "providers[1].name: duplicate provider name 'ok', also used by providers[0]");
  EXPECT_HAS(message, "providers[2].name: required");
  EXPECT_HAS(message, "providers[2].base_url: not an http(s) URL");
  EXPECT_HAS(message, "models[0].provider: no provider named 'x'");
  EXPECT_HAS(message, "; ");
}

TEST(Config, ProviderRules) {
  EXPECT_HAS(problems("providers: [{name: a, type: openai}]"),
             "providers[0].base_url: required for type openai");
  EXPECT_HAS(problems("providers: [{name: a, type: tgi}]"),
             "providers[0].base_url: required for type tgi");
  EXPECT_HAS(problems("providers: [{name: a}]"), "providers[0].type: required");
  EXPECT_HAS(problems("providers: [{name: 'a b', type: simulator}]"),
             "providers[0].name: expected letters, digits");
  EXPECT_HAS(problems("providers: [{name: a, type: simulator, base_url: 'http://h'}]"),
             "providers[0].base_url: not used by type simulator");
  EXPECT_HAS(problems("providers: [{name: a, type: openai, base_url: 'http://h', simulator: {}}]"),
             "providers[0].simulator: only for providers of type simulator");
  EXPECT_HAS(problems("providers: [{name: simulator, type: simulator}]"),
             "duplicate provider name 'simulator', also used by the built-in simulator provider");
  EXPECT_HAS(problems("providers: {name: a}"), "providers: expected a list");
  EXPECT_HAS(problems("providers: [{name: a, type: simulator, "
                      "simulator: {tokens_per_second: -1, default_max_tokens: 0}}]"),
             "providers[0].simulator.tokens_per_second: expected a number from 0");
  EXPECT_HAS(
      problems("providers: [{name: a, type: simulator, simulator: {default_max_tokens: 0}}]"),
      "providers[0].simulator.default_max_tokens: expected an integer from 1");
  for (const char* url : {"localhost:8000", "http://", "http://:80/v1", "http://h:99999",
                          "http://h/v 1", "https//h"}) {
    EXPECT_HAS(
        problems(std::string("providers: [{name: a, type: openai, base_url: '") + url + "'}]"),
        "providers[0].base_url: not an http(s) URL");
  }
  EXPECT_EQ(loaded("providers: [{name: a, type: openai, base_url: 'http://[::1]:8000/v1'}]")
                .providers[1]
                .base_url,
            "http://[::1]:8000/v1");
}

TEST(Config, UpstreamAllowIsReadAndGivenToEveryProvider) {
  const Config c = loaded(R"(
upstream_allow: [169.254.10.0/24, 0.0.0.0, "fd00:ec2::254", "::ffff:0.0.0.0/104"]
providers: [{name: a, type: openai, base_url: 'http://h/v1'}]
)");
  const std::vector<std::string> expected = {"169.254.10.0/24", "0.0.0.0", "fd00:ec2::254",
                                             "::ffff:0.0.0.0/104"};
  EXPECT_EQ(c.upstream_allow, expected);
  ASSERT_EQ(c.providers.size(), 2u);
  for (const auto& p : c.providers) EXPECT_EQ(p.upstream_allow, expected) << p.name;
  EXPECT_TRUE(loaded("").upstream_allow.empty());
}

TEST(Config, UpstreamAllowEntriesMustBeAddressesOrCidrs) {
  const std::string message =
      problems("upstream_allow: [10.0.0.0/8, '::1', localhost, 10.0.0.1/8, 10.0.0.0/33, "
               "'fe80::/129', '10.0.0.0/-0', '']");
  EXPECT_HAS(message, "upstream_allow[2]: not an address or CIDR");
  EXPECT_HAS(message, "got 'localhost'");
  EXPECT_HAS(message, "upstream_allow[3]: not an address or CIDR");
  EXPECT_HAS(message, "upstream_allow[4]: not an address or CIDR");
  EXPECT_HAS(message, "upstream_allow[5]: not an address or CIDR");
  EXPECT_HAS(message, "upstream_allow[6]: not an address or CIDR");
  EXPECT_HAS(message, "upstream_allow[7]: not an address or CIDR");
  EXPECT_FALSE(contains(message, "upstream_allow[0]"));
  EXPECT_FALSE(contains(message, "upstream_allow[1]"));
  EXPECT_HAS(problems("upstream_allow: {a: 1}"), "upstream_allow: expected a list of strings");
  EXPECT_HAS(problems("providers: [{name: a, type: openai, base_url: 'http://h', "
                      "upstream_allow: [0.0.0.0]}]"),
             "providers[0].upstream_allow: unknown key");  // operator-wide only
}

TEST(Config, ModelRules) {
  const std::string message = problems(R"(
providers: [{name: p, type: simulator}]
models:
  - {name: a, aliases: [b, sim-chat], provider: p}
  - {name: b, provider: p}
  - {aliases: [c, c], provider: p}
  - {name: "has space", provider: p, upstream_model: ""}
  - {name: d}
)");
  EXPECT_HAS(message, "models[0].aliases[1]: 'sim-chat' is already used by the built-in model");
  EXPECT_HAS(message, "models[1].name: 'b' is already used by models[0].aliases[0]");
  EXPECT_HAS(message, "models[2].name: required");
  EXPECT_HAS(message, "models[2].aliases[1]: 'c' is already used by models[2].aliases[0]");
  EXPECT_HAS(message, "models[3].name: expected 1 to 256 characters without spaces");
  EXPECT_HAS(message, "models[3].upstream_model: must not be empty");
  EXPECT_HAS(message, "models[4].provider: required");
  // Models can use the built-in provider; a single alias may be a plain string.
  const Config c = loaded("models: [{name: chat2, aliases: c2, provider: simulator}]");
  EXPECT_EQ(c.models.back().aliases, std::vector<std::string>{"c2"});
}

TEST(Config, StoreAndApiKeys) {
  const Config c = loaded(R"(
store: {kind: postgres, url: "host=127.0.0.1 dbname=plinth", pool_size: 8}
api_keys:
  - {name: app, key: sk-app-0123456789abcdef, tenant: acme, project: chat, user: u1,
     groups: [beta, staff]}
  - {name: ops, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,
     role: admin}
)");
  EXPECT_EQ(c.store.kind, "postgres");
  EXPECT_EQ(c.store.pool_size, 8);
  ASSERT_EQ(c.api_keys.size(), 2u);
  EXPECT_EQ(c.api_keys[0].role, "user");
  EXPECT_EQ(c.api_keys[0].groups, (std::vector<std::string>{"beta", "staff"}));
  EXPECT_EQ(c.api_keys[1].role, "admin");

  const std::string message = problems(R"(
store: {kind: mysql, pool_size: 0}
api_keys:
  - {key: short}
  - {name: both, key: sk-app-0123456789abcdef, sha256: abc}
  - {name: bad-hash, sha256: xyz, role: root}
)");
  EXPECT_HAS(message, "store.kind: expected sqlite or postgres, got 'mysql'");
  EXPECT_HAS(message, "store.pool_size: expected an integer from 1 to 64");
  EXPECT_HAS(message, "api_keys[0].name: required");
  EXPECT_HAS(message, "api_keys[0].key: must be at least 16 characters");
  EXPECT_HAS(message, "api_keys[1].key: give exactly one of key");
  EXPECT_HAS(message, "api_keys[2].sha256: expected 64 hexadecimal digits");
  EXPECT_HAS(message, "api_keys[2].role: expected user or admin, got 'root'");
  EXPECT_HAS(problems("store: {kind: postgres}"), "store.url: required for postgres");
}

TEST(Config, DurationsAndSizes) {
  const Config c = loaded(
      "server: {read_timeout: 250ms, idle_timeout: 1h, shutdown_grace: 90, body_limit: 512, "
      "header_limit: 1GiB}");
  EXPECT_EQ(c.server.read_timeout, 250ms);
  EXPECT_EQ(c.server.idle_timeout, 1h);
  EXPECT_EQ(c.server.shutdown_grace, 90ms);
  EXPECT_EQ(c.server.body_limit, 512u);
  EXPECT_EQ(c.server.header_limit, std::size_t{1} << 30);
  for (const char* bad : {"5 s", "5sec", "-1s", "1.5s", "s", "99999999999999999999h"}) {
    EXPECT_HAS(problems(std::string("server: {read_timeout: '") + bad + "'}"),
               "server.read_timeout: expected a duration such as 250ms");
  }
  EXPECT_HAS(problems("server: {read_timeout: 0}"), "server.read_timeout: must be at least 1ms");
  EXPECT_HAS(problems("providers: [{name: a, type: tgi, base_url: 'http://h', "
                      "timeouts: {total: 0s}}]"),
             "providers[0].timeouts.total: must be at least 1ms");
  for (const char* bad : {"8MB", "8 MiB", "-1", "1TiB", "lots", "99999999999999GiB"}) {
    EXPECT_HAS(problems(std::string("server: {body_limit: '") + bad + "'}"),
               "server.body_limit: expected a size such as 512");
  }
  EXPECT_HAS(problems("server: {body_limit: 0}"), "server.body_limit: must be at least 1 byte");
}

TEST(Config, ScalarTypes) {
  EXPECT_HAS(problems("log: {access_log: maybe}"),
             "log.access_log: expected true or false, got 'maybe'");
  EXPECT_HAS(problems("server: {workers: [1]}"), "server.workers: expected a single value");
  EXPECT_HAS(problems("server: {workers: 1.5}"), "server.workers: expected an integer");
  EXPECT_HAS(problems("server: 3"), "server: expected a map");
  EXPECT_HAS(problems("data_dir: ''"), "data_dir: must not be empty");
  EXPECT_TRUE(loaded("log: {access_log: no}").log.access_log == false);
  // Null values keep the defaults.
  const Config c = loaded("server:\n  workers:\nlog:\n");
  EXPECT_EQ(c.server.workers, 0);
}

TEST(Config, ExpandsEnvironmentVariables) {
  ScopedEnv dir("PLINTH_TEST_DIR", "/srv/plinth");
  ScopedEnv port("PLINTH_TEST_PORT", "7000");
  const Config c =
      loaded("data_dir: ${PLINTH_TEST_DIR}/data\nserver: {listen: '0.0.0.0:${PLINTH_TEST_PORT}'}");
  EXPECT_EQ(c.data_dir, "/srv/plinth/data");
  EXPECT_EQ(c.server.port, 7000);
  EXPECT_EQ(c.server.host, "0.0.0.0");
  EXPECT_EQ(loaded("data_dir: a$b$").data_dir, "a$b$");  // a lone $ is literal
}

TEST(Config, UnsetVariableNamesVariableAndPath) {
  ::unsetenv("PLINTH_TEST_UNSET");
  const std::string message = problems(R"(
providers: [{name: a, type: openai, base_url: 'http://h/v1', api_key: '${PLINTH_TEST_UNSET}'}]
models: [{name: m, provider: a, aliases: ['${PLINTH_TEST_UNSET}']}]
)");
  EXPECT_HAS(message, "providers[0].api_key: environment variable PLINTH_TEST_UNSET is not set");
  EXPECT_HAS(message, "models[0].aliases[0]: environment variable PLINTH_TEST_UNSET is not set");
  EXPECT_HAS(problems("data_dir: '${BAD-NAME}'"), "data_dir: malformed ${...} reference");
  EXPECT_HAS(problems("data_dir: '${UNCLOSED'"), "data_dir: malformed ${...} reference");
}

TEST(Config, ApiKeyNeverAppearsInErrors) {
  ScopedEnv key("PLINTH_TEST_SECRET", "sk-live-SECRET-value");
  for (const char* yaml : {
           // the key leaks into another field's echoed value
           "providers: [{name: a, type: openai, base_url: '${PLINTH_TEST_SECRET}', "
           "api_key: '${PLINTH_TEST_SECRET}'}]",
           // a literal key with an error elsewhere
           "providers: [{name: 'sk-live-SECRET-value', type: x, api_key: sk-live-SECRET-value}]",
           // a malformed reference inside a key
           "providers: [{name: a, type: tgi, base_url: 'http://h', api_key: 'sk-${live-SECRET'}]",
           "providers: [{name: a, type: tgi, base_url: 'http://h', api_key: [sk-live-SECRET]}]",
       }) {
    const std::string message = problems(yaml);
    EXPECT_FALSE(contains(message, "SECRET")) << message;
  }
}

// ---- apply_listen ------------------------------------------------------------------------

TEST(Config, ApplyListenParsesHostAndPort) {
  ServerConfig s;
  ASSERT_TRUE(apply_listen(s, "0.0.0.0:80").ok());
  EXPECT_EQ(s.host, "0.0.0.0");
  EXPECT_EQ(s.port, 80);
  ASSERT_TRUE(apply_listen(s, "localhost:0").ok());
  EXPECT_EQ(s.host, "localhost");
  EXPECT_EQ(s.port, 0);
  ASSERT_TRUE(apply_listen(s, "[::1]:65535").ok());
  EXPECT_EQ(s.host, "::1");
  EXPECT_EQ(s.port, 65535);
  ASSERT_TRUE(apply_listen(s, "[::]:8080").ok());
  EXPECT_EQ(s.host, "::");
}

TEST(Config, ApplyListenRejectsJunk) {
  struct Case {
    const char* listen;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"8080", "expected HOST:PORT or [IPv6]:PORT"},
           {"", "expected HOST:PORT"},
           {"host:", "port must be a number from 0 to 65535"},
           {"host:http", "port must be a number"},
           {"host:65536", "port must be a number"},
           {"host:-1", "port must be a number"},
           {"host:000008080", "port must be a number"},
           {":8080", "missing host"},
           {"::1:8080", "an IPv6 address needs brackets"},
           {"[::1]8080", "expected HOST:PORT"},
           {"[::1:8080", "expected HOST:PORT"},
           {"[]:80", "not an IPv6 address"},
           {"[example.com]:80", "not an IPv6 address"},
           {"ho st:80", "not a host name"},
           {"http://h:80", "without a scheme"},
       }) {
    ServerConfig s;
    Status status = apply_listen(s, c.listen);
    ASSERT_FALSE(status.ok()) << c.listen;
    EXPECT_HAS(status.error().message, c.message);
    EXPECT_EQ(s.port, 8080) << "unchanged on error";
  }
}

}  // namespace
}  // namespace plinth
