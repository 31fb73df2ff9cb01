#include "ctl/server_url.h"

#include "ctl/exit_code.h"

#include <gtest/gtest.h>

namespace plinth::ctl {
namespace {

TEST(ServerUrl, SplitsHostPortAndPrefix) {
  auto u = parse_server_url("http://127.0.0.1:8080");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->host_header, "127.0.0.1:8080");
  EXPECT_EQ(u->base_path, "");

  auto s = parse_server_url("https://plinth.example.com/gw/");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->tls);
  EXPECT_EQ(s->port, "443");
  EXPECT_EQ(s->host_header, "plinth.example.com");
  EXPECT_EQ(s->base_path, "/gw");
}

TEST(ServerUrl, Ipv6HostHasNoBracketsForResolution) {
  auto u = parse_server_url("http://[::1]:9000");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->host_header, "[::1]:9000");
}

TEST(ServerUrl, RefusesWhatWouldBeDropped) {
  for (const char* bad :
       {"ftp://h", "127.0.0.1:8080", "http://u:p@h", "http://h/?q=1", "http://h/#f", "http://"}) {
    auto u = parse_server_url(bad);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_EQ(exit_code_for(u.error()), ExitCode::kUsage) << bad;
    }
  }
}

}  // namespace
}  // namespace plinth::ctl
