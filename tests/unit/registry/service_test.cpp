// RegistryService over a real SQLite store: which models the published snapshot serves, how
// store versions get their replicas (providers reused across reloads while an endpoint is
// unchanged), provider and servability checks, and forced offlines followed from the history.
#include "registry/service.h"

#include <gtest/gtest.h>

#include "temp_sqlite_store.h"
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "providers/factory.h"
#include "store/secret_box.h"
#include "store/sqlite_store.h"

namespace plinth::registry {
namespace {

std::shared_ptr<providers::Provider> simulator(const std::string& name) {
  ProviderConfig config;
  config.name = name;
  config.type = "simulator";
  auto made = providers::make_provider(config);
  EXPECT_TRUE(made.ok()) << made.error().message;
  return made.ok() ? *made : nullptr;
}

class RegistryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = testing::open_temp_sqlite_store("plinth-registry-", dir_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    config_provider_ = simulator("sim");
  }

  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The service with one config model, "cfg-chat" (alias "cfg-alias"), served by the config
  // provider "sim".
  RegistryService& service() {
    if (!service_) {
      RegistryService::Base base;
      ModelRoute cfg = ModelRoute::single("cfg-chat", "sim", "cfg-upstream", config_provider_);
      cfg.aliases = {"cfg-alias"};
      base.config_routes.push_back(std::move(cfg));
      base.config_providers["sim"] = config_provider_;
      service_ = std::make_unique<RegistryService>(*store_, std::move(base), holder_);
    }
    return *service_;
  }

  std::shared_ptr<const Snapshot> reload() {
    Status s = service().reload();
    EXPECT_TRUE(s.ok()) << s.error().message;
    return holder_.load();
  }

  store::Model model(const std::string& name) {
    auto m = store_->create_model(store::ModelSpec{.name = name});
    EXPECT_TRUE(m.ok()) << m.error().message;
    return m.ok() ? *m : store::Model{};
  }

  store::Version version(const store::Model& m, const std::string& name,
                         const std::string& provider = "simulator",
                         const std::string& upstream_model = "",
                         const std::string& default_params = "{}",
                         const std::string& max_params = "{}") {
    store::VersionSpec spec;
    spec.model_id = m.id;
    spec.name = name;
    spec.provider_type = provider;
    spec.upstream_model = upstream_model;
    spec.default_params = default_params;
    spec.max_params = max_params;
    auto v = store_->create_version(spec);
    EXPECT_TRUE(v.ok()) << v.error().field << ": " << v.error().message;
    return v.ok() ? *v : store::Version{};
  }

  store::Endpoint endpoint(const store::Version& v, const std::string& url, int weight) {
    auto e = store_->create_endpoint(store::EndpointSpec{v.id, url, weight, ""});
    EXPECT_TRUE(e.ok()) << e.error().field << ": " << e.error().message;
    return e.ok() ? *e : store::Endpoint{};
  }

  // Creates or replaces the model's release.
  void release(const store::Model& m, store::VersionId stable,
               std::vector<store::Canary> canaries = {}, std::vector<store::VersionId> offline = {},
               const std::string& action = "publish") {
    store::ReleaseSpec spec;
    spec.stable_version_id = stable;
    spec.canaries = std::move(canaries);
    spec.offline_version_ids = std::move(offline);
    auto current = store_->get_release(m.id);
    const store::Revision expected = current.ok() ? current->revision : 0;
    auto put = store_->put_release(m.id, spec, expected, store::ReleaseAction{action, "test"});
    ASSERT_TRUE(put.ok()) << put.error().field << ": " << put.error().message;
  }

  // Releases `stable` with `canary` at 10 %, loads it, and registers one request running on
  // the canary that counts its cancellations in `cancelled`.
  void run_on_canary(const store::Model& m, const store::Version& stable,
                     const store::Version& canary, int& cancelled) {
    release(m, stable.id, {store::Canary{canary.id, canary.name, 10, "{}"}});
    reload();
    ASSERT_NE(service().gate(canary.id)->enter([&cancelled] { ++cancelled; }), 0u);
  }

  store::Revision store_revision() {
    auto r = store_->revision();
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : -1;
  }

  static const VersionRoute* route_of(const Snapshot& snap, std::string_view model,
                                      std::string_view version) {
    const ModelRoute* m = snap.find_model(model);
    return m ? m->version(version) : nullptr;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<providers::Provider> config_provider_;
  SnapshotHolder holder_;
  std::unique_ptr<RegistryService> service_;
};

TEST_F(RegistryServiceTest, ConfigRoutesAreServed) {
  auto snap = reload();
  ASSERT_NE(snap, nullptr);
  const ModelRoute* m = snap->find_model("cfg-chat");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(snap->find_model("cfg-alias"), m);
  const VersionRoute* v = m->version(kConfigVersion);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->pick(), config_provider_.get());
  EXPECT_EQ(v->upstream_model, "cfg-upstream");
  EXPECT_TRUE(service().claimed_by_config("cfg-chat"));
  EXPECT_TRUE(service().claimed_by_config("cfg-alias"));
  EXPECT_FALSE(service().claimed_by_config("chat"));
}

TEST_F(RegistryServiceTest, StoreModelWithoutAReleaseIsNotServed) {
  const store::Model m = model("chat");
  version(m, "v1");
  auto snap = reload();
  EXPECT_EQ(snap->find_model("chat"), nullptr);
  EXPECT_NE(snap->find_model("cfg-chat"), nullptr);
}

TEST_F(RegistryServiceTest, StoreModelWithAReleaseIsServedWithItsPlan) {
  const store::Model m = model("chat");
  const store::Version v1 = version(m, "v1", "simulator", "upstream-v1");
  const store::Version v2 = version(m, "v2");
  version(m, "v3");  // in no plan
  release(m, v1.id, {store::Canary{v2.id, "v2", 25, R"({"users":["alice"]})"}});
  auto snap = reload();
  const ModelRoute* route = snap->find_model("chat");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->plan.model, "chat");
  EXPECT_EQ(route->plan.stable, "v1");
  ASSERT_EQ(route->plan.canaries.size(), 1u);
  EXPECT_EQ(route->plan.canaries[0].version, "v2");
  EXPECT_DOUBLE_EQ(route->plan.canaries[0].percent, 25);
  EXPECT_EQ(route->plan.canaries[0].users, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(choose_version(route->plan, Caller{.user = "alice"}), "v2");

  ASSERT_EQ(route->versions.size(), 2u);  // only versions the plan can choose
  const VersionRoute* r1 = route->version("v1");
  const VersionRoute* r2 = route->version("v2");
  ASSERT_NE(r1, nullptr);
  ASSERT_NE(r2, nullptr);
  EXPECT_EQ(route->version("v3"), nullptr);
  EXPECT_EQ(r1->id, v1.id);
  EXPECT_EQ(r1->provider_name, "simulator");
  EXPECT_EQ(r1->upstream_model, "upstream-v1");
  EXPECT_EQ(r2->upstream_model, "chat");  // empty: the model's name
  ASSERT_NE(r1->pick(), nullptr);
  EXPECT_EQ(r1->pick()->type(), "simulator");
  EXPECT_EQ(r1->gate, service().gate(v1.id));
}

TEST_F(RegistryServiceTest, StoreModelHidesTheConfigModelOfTheSameName) {
  const store::Model m = model("cfg-chat");
  const store::Version v1 = version(m, "v1");
  release(m, v1.id);
  auto snap = reload();
  const ModelRoute* route = snap->find_model("cfg-chat");
  ASSERT_NE(route, nullptr);
  EXPECT_NE(route->version("v1"), nullptr);
  EXPECT_EQ(route->version(kConfigVersion), nullptr);
  // The config model is hidden as a whole, aliases included.
  EXPECT_EQ(snap->find_model("cfg-alias"), nullptr);
  EXPECT_EQ(snap->models().size(), 1u);
}

TEST_F(RegistryServiceTest, CheckProviderAcceptsTypesAndConfigProvidersOnly) {
  EXPECT_TRUE(service().check_provider("openai").ok());
  EXPECT_TRUE(service().check_provider("tgi").ok());
  EXPECT_TRUE(service().check_provider("simulator").ok());
  EXPECT_TRUE(service().check_provider("sim").ok());
  for (std::string_view bad : {"vllm", "", "OpenAI", "sim "}) {
    SCOPED_TRACE(std::string(bad));
    Status s = service().check_provider(bad);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(s.error().field, "provider");
    EXPECT_NE(s.error().message.find("'" + std::string(bad) + "'"), std::string::npos)
        << s.error().message;
    EXPECT_NE(s.error().message.find("sim"), std::string::npos) << s.error().message;
  }
}

TEST_F(RegistryServiceTest, CheckServableNeedsAWeightedEndpointUnlessNoneIsNeeded) {
  const store::Model m = model("chat");
  const store::Version sim = version(m, "v-sim", "simulator");
  const store::Version cfg = version(m, "v-cfg", "sim");
  const store::Version openai = version(m, "v-openai", "openai");
  EXPECT_TRUE(service().check_servable(*store_, sim).ok());
  EXPECT_TRUE(service().check_servable(*store_, cfg).ok());

  Status none = service().check_servable(*store_, openai);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(none.error().field, "version");
  EXPECT_NE(none.error().message.find("v-openai"), std::string::npos);

  endpoint(openai, "http://127.0.0.1:9/v1", 0);  // drained
  EXPECT_FALSE(service().check_servable(*store_, openai).ok());
  endpoint(openai, "http://127.0.0.1:10/v1", 2);
  EXPECT_TRUE(service().check_servable(*store_, openai).ok());
}

TEST_F(RegistryServiceTest, ReloadPublishesASnapshotAtTheStoreRevision) {
  auto first = reload();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->version(), static_cast<std::uint64_t>(store_revision()));
  EXPECT_EQ(service().published_revision(), store_revision());

  const store::Model m = model("chat");
  release(m, version(m, "v1").id);
  auto second = reload();
  EXPECT_NE(second, first);
  EXPECT_GT(second->version(), first->version());
  EXPECT_EQ(second->version(), static_cast<std::uint64_t>(store_revision()));
  EXPECT_EQ(service().published_revision(), store_revision());
  EXPECT_NE(second->find_model("chat"), nullptr);
}

TEST_F(RegistryServiceTest, ReloadIfBehindDoesNothingUnlessTheStoreIsAhead) {
  auto first = reload();
  const store::Revision published = service().published_revision();
  const store::Model m = model("chat");
  release(m, version(m, "v1").id);
  ASSERT_GT(store_revision(), published);

  ASSERT_TRUE(service().reload_if_behind(published).ok());
  ASSERT_TRUE(service().reload_if_behind(published - 1).ok());
  EXPECT_EQ(holder_.load(), first);  // not republished
  EXPECT_EQ(service().published_revision(), published);
  EXPECT_EQ(holder_.load()->find_model("chat"), nullptr);

  ASSERT_TRUE(service().reload_if_behind(store_revision()).ok());
  EXPECT_NE(holder_.load(), first);
  EXPECT_EQ(service().published_revision(), store_revision());
  EXPECT_NE(holder_.load()->find_model("chat"), nullptr);
}

TEST_F(RegistryServiceTest, EndpointProvidersAreKeptWhileTheEndpointIsUnchanged) {
  const store::Model m = model("chat");
  const store::Version v = version(m, "v1", "openai", "up");
  const store::Endpoint edited = endpoint(v, "http://127.0.0.1:9/v1", 1);
  endpoint(v, "http://127.0.0.1:10/v1", 1);  // left alone throughout
  release(m, v.id);
  // Replicas follow the endpoints' order: [0] the edited one, [1] the other. Owning
  // pointers, so that a provider the service drops cannot free its address for the next one.
  auto provider_of = [&](const Snapshot& snap, std::size_t index) {
    const VersionRoute* r = route_of(snap, "chat", "v1");
    EXPECT_NE(r, nullptr);
    return r ? r->replicas.at(index).provider : nullptr;
  };
  auto snap = reload();
  ASSERT_EQ(route_of(*snap, "chat", "v1")->replicas.size(), 2u);
  const auto edited_before = provider_of(*snap, 0);
  const auto kept_before = provider_of(*snap, 1);
  ASSERT_NE(edited_before, nullptr);
  EXPECT_EQ(edited_before->type(), "openai");
  EXPECT_NE(edited_before, kept_before);

  // An unrelated change: same providers.
  model("other");
  snap = reload();
  EXPECT_EQ(provider_of(*snap, 0), edited_before);
  EXPECT_EQ(provider_of(*snap, 1), kept_before);

  // A new weight: a new provider for that endpoint only.
  auto reweighed = store_->update_endpoint(
      edited.id, store::EndpointUpdate{.url = edited.url, .weight = 5}, edited.revision);
  ASSERT_TRUE(reweighed.ok()) << reweighed.error().message;
  snap = reload();
  const auto after_weight = provider_of(*snap, 0);
  EXPECT_NE(after_weight, edited_before);
  EXPECT_EQ(route_of(*snap, "chat", "v1")->replicas[0].weight, 5);
  EXPECT_EQ(provider_of(*snap, 1), kept_before);

  // A new URL: a new provider again.
  auto moved = store_->update_endpoint(
      edited.id, store::EndpointUpdate{.url = "http://127.0.0.1:11/v1", .weight = 5},
      reweighed->revision);
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  snap = reload();
  EXPECT_NE(provider_of(*snap, 0), after_weight);
  EXPECT_NE(provider_of(*snap, 0), edited_before);
  EXPECT_EQ(provider_of(*snap, 1), kept_before);

  // Once the service and the snapshots let go of a replaced provider, nobody keeps it.
  EXPECT_EQ(edited_before.use_count(), 1);
  EXPECT_EQ(after_weight.use_count(), 1);
}

TEST_F(RegistryServiceTest, ReplicasShareTrafficByWeight) {
  const store::Model m = model("chat");
  const store::Version v = version(m, "v1", "openai", "up");
  endpoint(v, "http://127.0.0.1:9/v1", 1);
  endpoint(v, "http://127.0.0.1:10/v1", 3);
  endpoint(v, "http://127.0.0.1:11/v1", 0);  // drained: no replica
  release(m, v.id);
  auto snap = reload();
  const VersionRoute* r = route_of(*snap, "chat", "v1");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->replicas.size(), 2u);
  EXPECT_EQ(r->total_weight, 4);
  std::map<const providers::Provider*, int> weight_of;
  for (const Replica& replica : r->replicas) weight_of[replica.provider.get()] = replica.weight;
  ASSERT_EQ(weight_of.size(), 2u);

  std::map<const providers::Provider*, int> picked;
  for (int i = 0; i < 400; ++i) ++picked[r->pick()];
  ASSERT_EQ(picked.size(), 2u);
  for (const auto& [provider, count] : picked) {
    ASSERT_TRUE(weight_of.contains(provider));
    EXPECT_EQ(count, weight_of[provider] * 100) << "weight " << weight_of[provider];
  }
}

TEST_F(RegistryServiceTest, AVersionNamingAConfigProviderIsServedByIt) {
  const store::Model m = model("chat");
  const store::Version v = version(m, "v1", "sim", "up");
  release(m, v.id);
  auto snap = reload();
  const VersionRoute* r = route_of(*snap, "chat", "v1");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->replicas.size(), 1u);
  EXPECT_EQ(r->pick(), config_provider_.get());
  EXPECT_EQ(r->provider_name, "sim");
}

TEST_F(RegistryServiceTest, DefaultAndMaxParamsAreParsedOntoTheVersionRoute) {
  const store::Model m = model("chat");
  const store::Version v = version(m, "v1", "simulator", "", R"({"temperature":0.7,"top_p":1})",
                                   R"({"max_tokens":4096})");
  release(m, v.id);
  auto snap = reload();
  const VersionRoute* r = route_of(*snap, "chat", "v1");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->default_params.size(), 2u);
  EXPECT_DOUBLE_EQ(r->default_params.at("temperature").as_double(), 0.7);
  EXPECT_EQ(r->default_params.at("top_p").to_number<int>(), 1);
  ASSERT_EQ(r->max_params.size(), 1u);
  EXPECT_EQ(r->max_params.at("max_tokens").to_number<int>(), 4096);
}

// Forced offline, as another replica sees it: the store's history says a version was taken
// offline by force since this replica's last reload, so the reload cuts its gate; a later
// reload that serves the version again reopens it.
TEST_F(RegistryServiceTest, ForcedOfflineInTheHistoryCutsTheVersionsGate) {
  const store::Model m = model("chat");
  const store::Version v1 = version(m, "v1");
  const store::Version v2 = version(m, "v2");
  const store::Canary canary{v2.id, "v2", 10, "{}"};
  release(m, v1.id, {canary});
  auto snap = reload();
  const std::shared_ptr<VersionGate> gate = route_of(*snap, "chat", "v2")->gate;
  int cancelled = 0;
  ASSERT_NE(gate->enter([&] { ++cancelled; }), 0u);

  release(m, v1.id, {}, {v2.id}, "offline-force");
  snap = reload();
  EXPECT_TRUE(gate->is_cut());
  EXPECT_EQ(cancelled, 1);
  EXPECT_EQ(gate->enter([] {}), 0u);
  EXPECT_EQ(service().gate(v2.id), gate);
  EXPECT_EQ(route_of(*snap, "chat", "v2"), nullptr);
  EXPECT_FALSE(service().gate(v1.id)->is_cut());

  // Another reload with no new history does not cut anything again.
  model("other");
  reload();
  EXPECT_EQ(cancelled, 1);

  // Online again and a canary again: the gate lets requests in.
  release(m, v1.id, {}, {}, "online");
  release(m, v1.id, {canary}, {}, "canary");
  snap = reload();
  EXPECT_FALSE(gate->is_cut());
  const VersionGate::Ticket t = gate->enter([] {});
  EXPECT_NE(t, 0u);
  gate->leave(t);
  EXPECT_EQ(route_of(*snap, "chat", "v2")->gate, gate);
}

// Another replica forces v2 offline and brings it back before this replica reloads: what ran
// here on v2 is still cut, and the gate lets new requests in since the plan routes to v2.
TEST_F(RegistryServiceTest, ForcedOfflineUndoneBeforeTheReload_CutsRunningRequestsAndReopens) {
  const store::Model m = model("chat");
  const store::Version v1 = version(m, "v1");
  const store::Version v2 = version(m, "v2");
  const store::Canary canary{v2.id, "v2", 10, "{}"};
  release(m, v1.id, {canary});
  reload();
  int cancelled = 0;
  ASSERT_NE(service().gate(v2.id)->enter([&] { ++cancelled; }), 0u);

  release(m, v1.id, {}, {v2.id}, "offline-force");
  release(m, v1.id, {}, {}, "online");
  release(m, v1.id, {canary}, {}, "canary");
  reload();
  EXPECT_EQ(cancelled, 1);
  EXPECT_EQ(service().gate(v2.id)->running(), 0u);
  EXPECT_FALSE(service().gate(v2.id)->is_cut());
}

TEST_F(RegistryServiceTest, GracefulOfflineDoesNotCutRunningRequests) {
  const store::Model m = model("chat");
  const store::Version v1 = version(m, "v1");
  const store::Version v2 = version(m, "v2");
  release(m, v1.id, {store::Canary{v2.id, "v2", 10, "{}"}});
  reload();
  int cancelled = 0;
  const VersionGate::Ticket t = service().gate(v2.id)->enter([&] { ++cancelled; });
  ASSERT_NE(t, 0u);
  release(m, v1.id, {}, {v2.id}, "offline");
  reload();
  EXPECT_FALSE(service().gate(v2.id)->is_cut());
  EXPECT_EQ(cancelled, 0);
  service().gate(v2.id)->leave(t);
}

// Follows only changes made after this replica's first reload: a replica that starts later
// has nothing running that it would need to cut.
TEST_F(RegistryServiceTest, FirstReloadDoesNotFollowAnOlderForcedOffline) {
  const store::Model m = model("chat");
  const store::Version v1 = version(m, "v1");
  const store::Version v2 = version(m, "v2");
  release(m, v1.id, {store::Canary{v2.id, "v2", 10, "{}"}});
  release(m, v1.id, {}, {v2.id}, "offline-force");
  reload();
  EXPECT_FALSE(service().gate(v2.id)->is_cut());
}

// A stable version forced offline (OfflineMode::kForce allows it) stays in the plan, so each
// reload builds its route. An unrelated reload must not reopen its gate while it is still
// offline: requests resolved under an older snapshot could then start on it again.
// FAILS today: reload() reopens the gate of every version its plan routes to, offline or not,
// and a stable version forced offline stays in the plan; so the reload that follows the
// forced offline cuts the gate (running requests are cancelled) and reopens it at once.
TEST_F(RegistryServiceTest, ForcedOfflineStable_StaysCutAcrossAnUnrelatedReload) {
  const store::Model m = model("chat");
  const store::Version v1 = version(m, "v1");
  release(m, v1.id);
  reload();
  int cancelled = 0;
  ASSERT_NE(service().gate(v1.id)->enter([&] { ++cancelled; }), 0u);
  release(m, v1.id, {}, {v1.id}, "offline-force");
  reload();
  EXPECT_EQ(cancelled, 1);
  EXPECT_TRUE(service().gate(v1.id)->is_cut()) << "reopened by the reload that cut it";

  model("other");  // any other change
  reload();
  EXPECT_TRUE(service().gate(v1.id)->is_cut())
      << "the gate of a version that is still offline was reopened";
  EXPECT_EQ(service().gate(v1.id)->enter([] {}), 0u);
}

// Another replica forces v2 offline, then changes the release again (say, a new canary)
// before this replica reloads. The forced offline must still be followed, though it is not
// the newest event in the model's history.
TEST_F(RegistryServiceTest, ForcedOffline_FollowedWhenAnotherChangeOfTheModelCameAfterIt) {
  const store::Model m = model("chat");
  const store::Version v1 = version(m, "v1");
  const store::Version v2 = version(m, "v2");
  const store::Version v3 = version(m, "v3");
  int cancelled = 0;
  run_on_canary(m, v1, v2, cancelled);

  release(m, v1.id, {}, {v2.id}, "offline-force");
  release(m, v1.id, {store::Canary{v3.id, "v3", 5, "{}"}}, {v2.id}, "canary");
  reload();
  EXPECT_TRUE(service().gate(v2.id)->is_cut());
  EXPECT_EQ(cancelled, 1) << "a request on a version forced offline kept running";
}

// Another replica forced v2 offline and then deleted the release before this one reloaded:
// the model is no longer served, but what runs here on v2 is still cut.
TEST_F(RegistryServiceTest, ForcedOffline_FollowedWhenTheReleaseWasDeletedRightAfter) {
  const store::Model m = model("chat");
  const store::Version v1 = version(m, "v1");
  const store::Version v2 = version(m, "v2");
  int cancelled = 0;
  run_on_canary(m, v1, v2, cancelled);

  release(m, v1.id, {}, {v2.id}, "offline-force");
  auto forced = store_->get_release(m.id);
  ASSERT_TRUE(forced.ok());
  ASSERT_TRUE(store_->delete_release(m.id, forced->revision, {"delete", "test"}).ok());
  reload();
  EXPECT_TRUE(service().gate(v2.id)->is_cut());
  EXPECT_EQ(cancelled, 1) << "a request on a version forced offline kept running";
}

}  // namespace
}  // namespace plinth::registry
