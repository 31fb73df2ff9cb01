#include "app/serve.h"

#include "admin/admin_api.h"
#include "app/change_follower.h"
#include "app/front_door.h"
#include "registry/call_stats_collector.h"
#include "registry/service.h"
#include "store/open_store.h"

#include "core/config.h"
#include "core/line_log.h"
#include "core/metrics.h"
#include "gateway/gateway.h"
#include "http/server.h"
#include "providers/factory.h"
#include "registry/from_config.h"
#include "registry/snapshot.h"
#include "tenancy/admin_key.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace plinth::app {

namespace {

Result<Config> load(const ServeOptions& o) {
  Result<Config> cfg = o.config_path.empty() ? Result<Config>(default_config())
                                             : load_config_file(o.config_path);
  if (!cfg) return cfg;
  if (!o.listen.empty()) {
    if (Status s = apply_listen(cfg->server, o.listen); !s) return s.error();
  }
  if (!o.data_dir.empty()) cfg->data_dir = o.data_dir;
  if (o.workers != -1) {
    if (o.workers < 0 || o.workers > 1024) {
      return Error{ErrorCode::kInvalidRequest, "--workers must be between 0 and 1024"};
    }
    cfg->server.workers = o.workers;
  }
  return cfg;
}

// The access log (and the admin API's lines): JSON lines to stdout or a file, written in
// batches by a thread of its own (core/line_log.h). None when the access log is off.
std::shared_ptr<LineLog> make_access_log(const LogConfig& log) {
  if (!log.access_log) return nullptr;
  return std::make_shared<LineLog>(log.access_log_path);
}

// Lists the models of every `discover: true` provider, once, at start.
std::vector<registry::Discovered> discover(const Config& cfg, const registry::ProviderMap& map) {
  std::vector<registry::Discovered> found;
  boost::asio::io_context ioc;
  for (const auto& p : cfg.providers) {
    if (!p.discover) continue;
    auto provider = map.at(p.name);
    Result<std::vector<std::string>> ids = Error{ErrorCode::kInternal, "discovery did not run"};
    boost::asio::co_spawn(
        ioc,
        [provider, &ids]() -> Task<void> {
          Cancel cancel;
          providers::CallContext ctx{cancel, "discovery"};
          ids = co_await provider->list_models(ctx);
        },
        boost::asio::detached);
    ioc.restart();
    ioc.run();
    if (!ids) {
      spdlog::warn("provider '{}': model discovery failed: {}", p.name, ids.error().message);
      continue;
    }
    spdlog::info("provider '{}': discovered {} models", p.name, ids->size());
    found.push_back({p.name, std::move(ids).value()});
  }
  return found;
}

// The API keys of the config, as identities release rules can match on.
Status add_config_keys(const Config& cfg, tenancy::KeyRing& keys) {
  for (const ApiKeyConfig& k : cfg.api_keys) {
    tenancy::KeyDigest digest{};
    if (!k.key.empty()) {
      digest = tenancy::hash_key(k.key);
    } else {
      for (std::size_t i = 0; i < digest.size(); ++i) {
        digest[i] = static_cast<unsigned char>(std::stoi(k.sha256.substr(2 * i, 2), nullptr, 16));
      }
    }
    tenancy::Principal who;
    who.role = k.role == "admin" ? tenancy::Role::kAdmin : tenancy::Role::kUser;
    who.name = k.name;
    who.tenant = k.tenant;
    who.project = k.project;
    who.user = k.user;
    who.groups = k.groups;
    keys.add(digest, std::move(who));
  }
  return {};
}

}  // namespace

int serve(const ServeOptions& options) {
  spdlog::set_default_logger(spdlog::stderr_logger_mt("plinth"));
  auto cfg = load(options);
  if (!cfg) {
    std::fprintf(stderr, "plinth: config: %s\n", cfg.error().message.c_str());
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(cfg->log.level));

  auto admin = tenancy::ensure_admin_key(cfg->data_dir, std::getenv("PLINTH_ADMIN_KEY"));
  if (!admin) {
    std::fprintf(stderr, "plinth: %s\n", admin.error().message.c_str());
    return 1;
  }

  registry::ProviderMap providers;
  for (const auto& p : cfg->providers) {
    auto made = providers::make_provider(p);
    if (!made) {
      std::fprintf(stderr, "plinth: provider '%s': %s\n", p.name.c_str(),
                   made.error().message.c_str());
      return 2;
    }
    providers.emplace(p.name, std::move(made).value());
  }
  auto routes = registry::routes_from_config(*cfg, providers, discover(*cfg, providers));
  if (!routes) {
    std::fprintf(stderr, "plinth: config: %s\n", routes.error().message.c_str());
    return 2;
  }
  tenancy::KeyRing keys;
  (void)add_config_keys(*cfg, keys);
  keys.add_key(admin->key, tenancy::Role::kAdmin);  // last: a config entry cannot demote it

  store::StoreConfig store_config;
  store_config.kind = cfg->store.kind;
  store_config.path = cfg->store.path;
  store_config.url = cfg->store.url;
  store_config.pool_size = cfg->store.pool_size;
  store_config.data_dir = cfg->data_dir;
  auto store = store::open_store(store_config);
  if (!store) {
    std::fprintf(stderr, "plinth: store: %s\n", store.error().message.c_str());
    return 1;
  }
  registry::SnapshotHolder snapshots;
  registry::RegistryService registry_service(
      **store, {std::move(routes).value(), providers, std::move(keys), cfg->upstream_allow},
      snapshots);
  if (Status s = registry_service.reload(); !s) {
    std::fprintf(stderr, "plinth: store: %s\n", s.error().message.c_str());
    return 1;
  }
  registry::CallStatsCollector call_stats;

  // Signals are taken by one thread with sigwait; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  metrics::Registry registry;
  std::shared_ptr<LineLog> access_log;
  try {
    access_log = make_access_log(cfg->log);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "plinth: %s\n", e.what());
    return 1;
  }
  http::Server* server_ptr = nullptr;
  gateway::Gateway gateway(
      snapshots, registry, access_log,
      {cfg->server.max_json_depth, cfg->log.access_log, &call_stats},
      [&server_ptr] { return server_ptr && !server_ptr->shutting_down(); });
  admin::AdminApi admin_api(registry_service, call_stats, snapshots, access_log);
  FrontDoor front_door(gateway, admin_api);
  http::Server server(cfg->server, front_door);
  if (Status s = server.bind(); !s) {
    std::fprintf(stderr, "plinth: %s\n", s.error().message.c_str());
    return 1;
  }
  server_ptr = &server;

  if (admin->generated) {
    std::printf("admin key: %s\n(saved to %s/admin.key; shown only once)\n", admin->key.c_str(),
                cfg->data_dir.c_str());
  }
  std::printf("plinth listening on http://%s:%u\n",
              cfg->server.host.find(':') != std::string::npos
                  ? ("[" + cfg->server.host + "]").c_str()
                  : cfg->server.host.c_str(),
              static_cast<unsigned>(server.port()));
  std::fflush(stdout);

  std::optional<ChangeFollower> follower;
  follower.emplace(registry_service, call_stats);
  std::thread signal_thread([&server, &signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("received {}, draining in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    server.shutdown();
  });
  server.run();
  // run() returns after a graceful shutdown; wake the signal thread if it is still waiting.
  if (!server.shutting_down()) pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  // Before the loggers go: both log while they stop (a last statistics flush).
  admin_api.stop();
  follower.reset();
  if (access_log) access_log->flush();
  spdlog::shutdown();
  return 0;
}

}  // namespace plinth::app
