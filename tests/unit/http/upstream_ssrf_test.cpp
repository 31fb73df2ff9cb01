// UpstreamClient under the AddressPolicy: refused literals and resolved names are never
// connected to, the allow-list lets them through, and redirects are returned, not followed.
#include "http/address_policy.h"
#include "http/upstream_client.h"

#include "client_call.h"
#include "test_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace plinth::http {
namespace {

using namespace plinth::http::testing;

void answer_ok(TestServer::Connection& c) {
  while (auto req = c.read_request()) {
    if (!c.write(response(200, R"({"ok":true})"))) return;
  }
}

class NoEvents : public SseHandler {
 public:
  Task<bool> on_event(std::string_view, std::string_view) override { co_return true; }
};

std::shared_ptr<const AddressPolicy> allowing(const std::vector<std::string>& entries) {
  return std::make_shared<const AddressPolicy>(AddressPolicy::from_allow_list(entries).value());
}

// A HostResolver answering from a fixed table and counting the names it was asked for.
struct FakeDns {
  std::vector<std::pair<std::string, std::vector<std::string>>> table;
  std::shared_ptr<std::vector<std::string>> asked = std::make_shared<std::vector<std::string>>();

  HostResolver resolver() const {
    return
        [table = table, asked = asked](const std::string& host) -> Result<std::vector<IpAddress>> {
          asked->push_back(host);
          for (const auto& [name, addresses] : table) {
            if (name != host) continue;
            std::vector<IpAddress> out;
            for (const auto& a : addresses) out.push_back(IpAddress::parse(a).value());
            return out;
          }
          return Error{ErrorCode::kUpstreamUnreachable, "resolving " + host + " failed: unknown"};
        };
  }
};

class UpstreamSsrfTest : public ::testing::Test {
 protected:
  UpstreamClient client(const std::string& base_url,
                        std::shared_ptr<const AddressPolicy> policy = nullptr,
                        HostResolver resolver = nullptr) {
    return UpstreamClient(Origin::parse(base_url).value(), fast_timeouts(), 64, std::move(policy),
                          std::move(resolver));
  }
  UpstreamRequest request() {
    UpstreamRequest r;
    r.path = "/chat/completions";
    r.body = R"({"model":"m"})";
    return r;
  }
  void expect_refused(const Result<UpstreamResponse>& result, const std::string& part) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnreachable) << result.error().message;
    EXPECT_NE(result.error().message.find(part), std::string::npos) << result.error().message;
    EXPECT_NE(result.error().message.find("upstream_allow"), std::string::npos);
  }

  asio::io_context io_;
  Cancel cancel_;
};

// Refused literals use port 9 (discard): were the guard to regress, the test must not talk
// HTTP to a real metadata service on the machine running it.
TEST_F(UpstreamSsrfTest, MetadataLiteral_IsRefusedWithoutConnecting) {
  UpstreamClient c = client("http://169.254.169.254:9/latest");
  expect_refused(run(io_, c.send(request(), cancel_)), "upstream address 169.254.169.254");
}

TEST_F(UpstreamSsrfTest, Ipv4MappedMetadataLiteral_IsRefused) {
  UpstreamClient c = client("http://[::ffff:169.254.169.254]:9/");
  expect_refused(run(io_, c.send(request(), cancel_)), "embeds 169.254.169.254");
}

TEST_F(UpstreamSsrfTest, StreamToARefusedLiteral_IsRefusedToo) {
  UpstreamClient c = client("http://[fe80::1]:9/v1");
  NoEvents handler;
  expect_refused(run(io_, c.stream(request(), cancel_, handler)), "link-local");
}

// On Linux, connecting to 0.0.0.0 reaches a listener on 127.0.0.1: the server below would
// answer if the client connected.
TEST_F(UpstreamSsrfTest, ZeroAddressReachingALocalServer_IsRefusedAndNothingIsAccepted) {
  TestServer server(answer_ok);
  UpstreamClient c = client("http://0.0.0.0:" + std::to_string(server.port()) + "/v1");

  expect_refused(run(io_, c.send(request(), cancel_)), "0.0.0.0/8");
  EXPECT_EQ(server.accepted(), 0);
}

TEST_F(UpstreamSsrfTest, AllowListLetsZeroAddressThrough) {
  TestServer server(answer_ok);
  UpstreamClient c =
      client("http://0.0.0.0:" + std::to_string(server.port()) + "/v1", allowing({"0.0.0.0"}));

  auto result = run(io_, c.send(request(), cancel_));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamSsrfTest, NameResolvingToMetadata_IsRefusedAfterResolution) {
  FakeDns dns{{{"metadata.test", {"169.254.169.254"}}}};
  UpstreamClient c = client("http://metadata.test/v1", nullptr, dns.resolver());

  const auto result = run(io_, c.send(request(), cancel_));

  expect_refused(result, "every address of metadata.test is refused");
  EXPECT_NE(result.error().message.find("cloud metadata"), std::string::npos);
  EXPECT_EQ(*dns.asked, std::vector<std::string>{"metadata.test"});
}

// The DNS-rebinding shape: a name that passed nothing at load time resolves, at connect
// time, to an address that would reach a local service. The resolved address is judged.
TEST_F(UpstreamSsrfTest, NameResolvingToZeroAddress_IsRefusedAndNothingIsAccepted) {
  TestServer server(answer_ok);
  FakeDns dns{{{"rebind.test", {"0.0.0.0", "::ffff:0.0.0.0"}}}};
  UpstreamClient c = client("http://rebind.test:" + std::to_string(server.port()) + "/v1", nullptr,
                            dns.resolver());

  expect_refused(run(io_, c.send(request(), cancel_)), "every address of rebind.test");
  EXPECT_EQ(server.accepted(), 0);
}

TEST_F(UpstreamSsrfTest, NameWithRefusedAndAllowedAddresses_ConnectsOnlyToTheAllowed) {
  TestServer server(answer_ok);
  FakeDns dns{{{"mixed.test", {"169.254.169.254", "0.0.0.0", "127.0.0.1"}}}};
  UpstreamClient c =
      client("http://mixed.test:" + std::to_string(server.port()) + "/v1", nullptr, dns.resolver());

  auto result = run(io_, c.send(request(), cancel_));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamSsrfTest, ResolverErrorIsReturnedAsIs) {
  FakeDns dns;
  UpstreamClient c = client("http://nowhere.test/v1", nullptr, dns.resolver());

  auto result = run(io_, c.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnreachable);
  EXPECT_EQ(result.error().message, "resolving nowhere.test failed: unknown");
}

TEST_F(UpstreamSsrfTest, RedirectToMetadataIsReturnedNotFollowed) {
  std::atomic<int> requests{0};
  TestServer server([&](TestServer::Connection& conn) {
    while (conn.read_request()) {
      ++requests;
      conn.write(
          response(302, "", "text/plain", "Location: http://metadata.test/latest/meta-data/\r\n"));
    }
  });
  FakeDns dns{{{"upstream.test", {"127.0.0.1"}}, {"metadata.test", {"169.254.169.254"}}}};
  UpstreamClient c = client("http://upstream.test:" + std::to_string(server.port()) + "/v1",
                            nullptr, dns.resolver());

  auto result = run(io_, c.send(request(), cancel_));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 302);
  EXPECT_EQ(requests.load(), 1);
  EXPECT_EQ(*dns.asked, std::vector<std::string>{"upstream.test"});  // Location never looked up
}

}  // namespace
}  // namespace plinth::http
