#include "ctl/cli.h"

#include "unit/ctl/fake_transport.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace plinth::ctl {
namespace {

using boost::json::parse;
using testing::FakeTransport;

// Hands the test's FakeTransport to run_cli, which owns what `connect` returns.
class Forward : public Transport {
 public:
  explicit Forward(FakeTransport& t) : t_(t) {}
  Result<HttpResponse> send(const HttpRequest& r) override { return t_.send(r); }

 private:
  FakeTransport& t_;
};

class Cli : public ::testing::Test {
 protected:
  int run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    CliIo io{out_, err_,
             [this](const std::string& name) -> std::optional<std::string> {
               auto it = env_.find(name);
               return it == env_.end() ? std::nullopt : std::optional<std::string>(it->second);
             },
             [this](const ServerUrl& url) {
               url_ = url;
               return std::make_unique<Forward>(transport_);
             }};
    return run_cli(std::move(args), io);
  }
  std::string out() const { return out_.str(); }
  std::string err() const { return err_.str(); }
  const HttpRequest& request(std::size_t i = 0) const { return transport_.requests.at(i); }
  boost::json::value body(std::size_t i = 0) const { return parse(request(i).body); }

  std::map<std::string, std::string> env_{{"PLINTH_ADMIN_KEY", "sk-admin"}};
  FakeTransport transport_;
  ServerUrl url_;
  std::ostringstream out_, err_;
};

TEST_F(Cli, NeedsAnAdminKeyButNotForHelpOrVersion) {
  env_.clear();
  EXPECT_EQ(run({"models", "list"}), 2);
  EXPECT_EQ(err(),
            "plinthctl: no admin key: set PLINTH_ADMIN_KEY or pass --key\n"
            "run 'plinthctl --help' for usage\n");
  EXPECT_TRUE(transport_.requests.empty());
  EXPECT_EQ(run({"version"}), 0);
  EXPECT_EQ(out(), "plinthctl 0.1.0\n");
  EXPECT_EQ(run({"--help"}), 0);
  EXPECT_NE(out().find("exit codes:"), std::string::npos);
  transport_.answer(200, R"({"object":"list","data":[],"next_cursor":null})");
  EXPECT_EQ(run({"models", "list", "--key", "k2"}), 0);
  EXPECT_EQ(transport_.header(0, "Authorization"), "Bearer k2");
}

TEST_F(Cli, UrlComesFromFlagThenEnvThenDefault) {
  for (int i = 0; i < 3; ++i) transport_.answer(200, R"({"data":[],"next_cursor":null})");
  ASSERT_EQ(run({"models", "list"}), 0);
  EXPECT_EQ(url_.host_header, "127.0.0.1:8080");
  env_["PLINTH_URL"] = "http://envhost:1";
  ASSERT_EQ(run({"models", "list"}), 0);
  EXPECT_EQ(url_.host_header, "envhost:1");
  ASSERT_EQ(run({"--url", "https://flag/x", "models", "list"}), 0);
  EXPECT_TRUE(url_.tls);
  EXPECT_EQ(request(2).target, "/x/admin/v1/models?limit=1000");
  EXPECT_EQ(run({"--url", "flag:1", "models", "list"}), 2);
}

TEST_F(Cli, UsageErrorsExitTwoWithTheUsageLine) {
  EXPECT_EQ(run({"nope"}), 2);
  EXPECT_EQ(err(), "plinthctl: unknown command 'nope'\nrun 'plinthctl --help' for usage\n");
  EXPECT_EQ(run({"models"}), 2);
  EXPECT_NE(err().find("missing models command"), std::string::npos);
  EXPECT_EQ(run({"models", "frob"}), 2);
  EXPECT_EQ(run({"versions", "create", "m", "v"}), 2);
  EXPECT_EQ(err(),
            "plinthctl: missing option --provider P\nusage: plinthctl versions create "
            "MODEL VERSION --provider P [--upstream-model M] [--endpoint URL[,weight=N]]"
            "... [--api-key-env VAR] [--default-param K=V]... [--max-param K=V]... "
            "[--base-model B] [--lora-adapter L] [--source S] [--notes N]\n");
  EXPECT_EQ(run({"release", "canary", "m", "v2", "--percent", "101"}), 2);
  EXPECT_EQ(run({"-o", "xml", "models", "list"}), 2);
  EXPECT_TRUE(transport_.requests.empty());
}

TEST_F(Cli, HelpAtEveryLevel) {
  EXPECT_EQ(run({"models", "--help"}), 0);
  EXPECT_NE(out().find("plinthctl models create NAME [--alias A]..."), std::string::npos);
  EXPECT_EQ(run({"release", "canary", "-h"}), 0);
  EXPECT_NE(out().find("--group G"), std::string::npos);
  EXPECT_EQ(run({"help", "release"}), 0);
  EXPECT_NE(out().find("plinthctl release promote MODEL VERSION"), std::string::npos);
  EXPECT_EQ(run({"promote", "--help"}), 0);
  EXPECT_NE(out().find("shortcut for plinthctl release promote"), std::string::npos);
}

TEST_F(Cli, ModelsCreateSendsTheSpec) {
  transport_.answer(201, R"({"name":"demo-chat","revision":1})");
  ASSERT_EQ(run({"models", "create", "demo-chat", "--alias", "demo", "--tag", "chat", "--tag", "en",
                 "--owner", "ml"}),
            0)
      << err();
  EXPECT_EQ(request().method, "POST");
  EXPECT_EQ(request().target, "/admin/v1/models");
  EXPECT_EQ(body(), parse(R"({"name":"demo-chat","aliases":["demo"],"task_tags":["chat","en"],
                              "owner":"ml"})"));
  EXPECT_EQ(out(), "created model demo-chat (revision 1)\n");
}

TEST_F(Cli, VersionsCreateBuildsEndpointsParamsAndSecret) {
  env_["UPSTREAM_KEY"] = "sk-up";
  transport_.answer(201, R"({"model":"demo-chat","name":"v2","endpoints":[{"id":1}]})");
  ASSERT_EQ(run({"versions", "create", "demo-chat", "v2", "--provider", "openai",
                 "--upstream-model", "sim-chat", "--endpoint", "http://127.0.0.1:9/v1,weight=3",
                 "--api-key-env", "UPSTREAM_KEY", "--default-param", "temperature=0.7",
                 "--max-param", "max_tokens=4096", "--notes", "first"}),
            0)
      << err();
  EXPECT_EQ(request().target, "/admin/v1/models/demo-chat/versions");
  EXPECT_EQ(body(), parse(R"({"name":"v2","provider":"openai","upstream_model":"sim-chat",
      "release_notes":"first","default_params":{"temperature":0.7},
      "max_params":{"max_tokens":4096},
      "endpoints":[{"url":"http://127.0.0.1:9/v1","weight":3,"api_key":"sk-up"}]})"));
  EXPECT_EQ(out(), "created version demo-chat/v2 (1 endpoints)\n");
  EXPECT_EQ(run({"versions", "create", "m", "v", "--provider", "openai", "--endpoint", "http://x",
                 "--api-key-env", "MISSING"}),
            2);
  EXPECT_EQ(run({"versions", "create", "m", "v", "--provider", "vllm"}), 2);
}

TEST_F(Cli, ReleaseActionsAndTheirTopLevelShortcuts) {
  const std::string release =
      R"({"model":"demo-chat","stable":"v1","canaries":[{"version":"v2","percent":10,
          "match":{"groups":["beta"]}}],"state":"active","offline":[],"revision":4})";
  for (int i = 0; i < 6; ++i) transport_.answer(200, release);
  ASSERT_EQ(run({"canary", "demo-chat", "v2", "--percent", "10", "--group", "beta"}), 0);
  EXPECT_EQ(request(0).target, "/admin/v1/models/demo-chat/release/canary");
  EXPECT_EQ(body(0), parse(R"({"version":"v2","percent":10,"groups":["beta"]})"));
  EXPECT_EQ(out(), "demo-chat: stable v1, canary v2 10% (groups beta) (revision 4)\n");
  ASSERT_EQ(run({"release", "promote", "demo-chat", "v2", "--if-match", "3"}), 0);
  EXPECT_EQ(request(1).target, "/admin/v1/models/demo-chat/release/promote");
  EXPECT_EQ(body(1), parse(R"({"version":"v2"})"));
  EXPECT_EQ(transport_.header(1, "If-Match"), "\"3\"");
  ASSERT_EQ(run({"promote", "demo-chat", "v2"}), 0);
  EXPECT_EQ(request(2).target, request(1).target);
  ASSERT_EQ(run({"rollback", "demo-chat"}), 0);
  EXPECT_EQ(request(3).target, "/admin/v1/models/demo-chat/release/rollback");
  EXPECT_EQ(body(3), parse("{}"));
  ASSERT_EQ(run({"offline", "demo-chat", "v2", "--force"}), 0);
  EXPECT_EQ(body(4), parse(R"({"version":"v2","force":true})"));
  ASSERT_EQ(run({"release", "offline", "demo-chat", "v2"}), 0);
  EXPECT_EQ(body(5), parse(R"({"version":"v2","force":false})"));
}

TEST_F(Cli, JsonOutputIsTheApiAnswer) {
  transport_.answer(200, R"({"name":"m","revision":2})");
  ASSERT_EQ(run({"-o", "json", "models", "get", "m"}), 0);
  EXPECT_EQ(out(), "{\n  \"name\": \"m\",\n  \"revision\": 2\n}\n");
  EXPECT_EQ(request().target, "/admin/v1/models/m");
}

TEST_F(Cli, ApiErrorsPrintMessageAndParamAndMapExitCodes) {
  transport_.answer(404, R"({"error":{"message":"model 'nope' not found","param":"model"}})")
      .answer(409, R"({"error":{"message":"name 'x' is taken","param":"name"}})")
      .answer(503, R"({"error":{"message":"store unavailable"}})")
      .answer(0);
  EXPECT_EQ(run({"models", "get", "nope"}), 4);
  EXPECT_EQ(err(), "plinthctl: HTTP 404: model 'nope' not found (param: model)\n");
  EXPECT_EQ(run({"models", "create", "x"}), 1);
  EXPECT_EQ(err(), "plinthctl: HTTP 409: name 'x' is taken (param: name)\n");
  EXPECT_EQ(run({"release", "list"}), 3);
  EXPECT_EQ(run({"release", "get", "m"}), 3);
  EXPECT_EQ(err(), "plinthctl: cannot connect to http://127.0.0.1:9: Connection refused\n");
}

TEST_F(Cli, HistoryShowsBeforeAndAfter) {
  transport_.answer(200, R"({"object":"list","next_cursor":null,"data":[
      {"id":2,"action":"canary","actor":"key_1","at":"2026-11-27T18:29:21.123Z","revision":2,
       "before":{"stable":"v1","canaries":[],"state":"active","offline":[]},
       "after":{"stable":"v1","canaries":[{"version":"v2","percent":10}],"state":"active"}},
      {"id":1,"action":"promote","actor":"key_1","at":"2026-11-27T18:29:20.000Z","revision":1,
       "before":null,"after":{"stable":"v1","canaries":[],"state":"active"}}]})");
  ASSERT_EQ(run({"history", "demo-chat", "--limit", "5"}), 0) << err();
  EXPECT_EQ(request().target, "/admin/v1/models/demo-chat/history?limit=5");
  EXPECT_EQ(out(),
            "TIME                      ACTION   ACTOR  REVISION  CHANGE\n"
            "2026-11-27T18:29:21.123Z  canary   key_1  2         stable v1 -> stable v1, canary v2 "
            "10%\n"
            "2026-11-27T18:29:20.000Z  promote  key_1  1         none -> stable v1\n");
}

TEST_F(Cli, StatsTablePerVersion) {
  transport_.answer(200, R"({"model":"demo-chat","from":"F","to":"T","versions":[
      {"version":"v1","calls":180,"errors":2,"error_rate":0.011111,
       "latency_ms":{"mean":40.5,"p50":50,"p90":100,"p99":250},"tokens_in":900,"tokens_out":3000},
      {"version":"v2","calls":20,"errors":0,"error_rate":0,
       "latency_ms":{"mean":0,"p50":null,"p90":null,"p99":null},"tokens_in":0,"tokens_out":0}]})");
  ASSERT_EQ(run({"stats", "demo-chat", "--window", "15m"}), 0) << err();
  EXPECT_EQ(request().target, "/admin/v1/models/demo-chat/stats?window=15m");
  EXPECT_EQ(out(),
            "demo-chat, F to T\n"
            "VERSION  CALLS  ERRORS  ERROR RATE  P50 MS  P90 MS  P99 MS  TOKENS IN  TOKENS OUT\n"
            "v1         180       2       1.11%      50     100     250        900        3000\n"
            "v2          20       0       0.00%       -       -       -          0           0\n");
  transport_.answer(200, R"({"version":"v1","calls":1,"series":[]})");
  ASSERT_EQ(run({"stats", "demo-chat", "v1"}), 0);
  EXPECT_EQ(request(1).target, "/admin/v1/models/demo-chat/versions/v1/stats");
}

TEST_F(Cli, ApplySendsTheYamlAsJsonAndPrintsTheChanges) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("plinthctl-apply-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream f(path);
    f << "models:\n  - name: m\n    versions:\n      - {name: v1, provider: simulator}\n"
         "    release: {stable: v1}\n";
  }
  transport_.answer(200, R"({"dry_run":true,"changes":[
      {"kind":"model","name":"m","change":"created"},
      {"kind":"version","name":"m/v1","change":"created"},
      {"kind":"release","name":"m","change":"unchanged"}]})");
  const int code = run({"apply", "-f", path.string(), "--dry-run"});
  std::filesystem::remove(path);
  ASSERT_EQ(code, 0) << err();
  EXPECT_EQ(request().target, "/admin/v1/apply?dry_run=true");
  EXPECT_EQ(body(), parse(R"({"models":[{"name":"m","versions":[{"name":"v1",
      "provider":"simulator"}],"release":{"stable":"v1"}}]})"));
  EXPECT_EQ(out(),
            "KIND     NAME  CHANGE\n"
            "model    m     created\n"
            "version  m/v1  created\n"
            "release  m     unchanged\n"
            "2 created, 1 unchanged (dry run: nothing was written)\n");
  EXPECT_EQ(run({"apply", "-f", "/nonexistent/plinth.yaml"}), 2);
  EXPECT_EQ(run({"apply"}), 2);
}

TEST_F(Cli, EndpointCommandsAddressTheEndpointById) {
  transport_.answer(200, R"({"id":7,"url":"http://h/v1","weight":0})").answer(204);
  ASSERT_EQ(run({"endpoints", "set-weight", "m", "v1", "7", "0"}), 0) << err();
  EXPECT_EQ(request(0).method, "PATCH");
  EXPECT_EQ(request(0).target, "/admin/v1/models/m/versions/v1/endpoints/7");
  EXPECT_EQ(body(0), parse(R"({"weight":0})"));
  EXPECT_EQ(out(), "updated endpoint 7 http://h/v1 (weight 0)\n");
  ASSERT_EQ(run({"endpoints", "delete", "m", "v1", "7"}), 0);
  EXPECT_EQ(request(1).method, "DELETE");
  EXPECT_EQ(run({"endpoints", "delete", "m", "v1", "seven"}), 2);
}

TEST_F(Cli, NamesWithSlashesStayOneSegment) {
  transport_.answer(200, R"({"name":"org/model"})");
  ASSERT_EQ(run({"models", "get", "org/model"}), 0);
  EXPECT_EQ(request().target, "/admin/v1/models/org%2Fmodel");
}

}  // namespace
}  // namespace plinth::ctl
