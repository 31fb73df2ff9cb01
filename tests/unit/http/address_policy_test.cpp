// AddressPolicy: every refused class, the IPv6 forms that embed a refused IPv4 address, what
// stays allowed, and the allow-list (CIDRs, exact addresses, malformed entries).
#include "http/address_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace plinth::http {
namespace {

IpAddress ip(const std::string& text) {
  auto parsed = IpAddress::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(IpAddress{});
}

AddressPolicy allowing(const std::vector<std::string>& entries) {
  auto policy = AddressPolicy::from_allow_list(entries);
  EXPECT_TRUE(policy.ok()) << policy.error().message;
  return policy.ok() ? std::move(policy).value() : AddressPolicy();
}

// The refusal's message, or "" when the address is allowed.
std::string refusal(const AddressPolicy& policy, const std::string& address) {
  Status status = policy.check(ip(address));
  if (status.ok()) return "";
  EXPECT_EQ(status.error().code, ErrorCode::kPermissionDenied) << address;
  return status.error().message;
}

#define EXPECT_REFUSED(policy, address) \
  EXPECT_NE(refusal(policy, address), "") << (address) << " should be refused"
#define EXPECT_ALLOWED(policy, address) EXPECT_EQ(refusal(policy, address), "") << (address)
#define EXPECT_HAS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

const AddressPolicy kDefault;

TEST(AddressPolicy, RefusesTheUnspecifiedAndThisNetworkAddresses) {
  for (const char* a : {"0.0.0.0", "0.0.0.1", "0.255.255.255", "::"}) EXPECT_REFUSED(kDefault, a);
}

TEST(AddressPolicy, RefusesLinkLocal) {
  for (const char* a :
       {"169.254.0.1", "169.254.255.255", "fe80::1", "fe80::a:b:c:d", "febf:ffff::1"}) {
    EXPECT_REFUSED(kDefault, a);
  }
  EXPECT_ALLOWED(kDefault, "fec0::1");  // just outside fe80::/10
  EXPECT_ALLOWED(kDefault, "169.253.255.255");
  EXPECT_ALLOWED(kDefault, "169.255.0.1");
}

TEST(AddressPolicy, RefusesCloudMetadataAddresses) {
  for (const char* a : {"169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"}) {
    EXPECT_HAS(refusal(kDefault, a), "cloud metadata");
  }
  // Their neighbours in otherwise allowed ranges (100.64/10, fc00::/7) stay allowed.
  EXPECT_ALLOWED(kDefault, "100.100.100.201");
  EXPECT_ALLOWED(kDefault, "fd00:ec2::253");
}

TEST(AddressPolicy, RefusesIpv4MappedForms) {
  for (const char* a : {"::ffff:169.254.169.254", "::ffff:0.0.0.0", "::ffff:0.1.2.3",
                        "::ffff:169.254.1.1", "::ffff:100.100.100.200", "::ffff:a9fe:a9fe"}) {
    EXPECT_REFUSED(kDefault, a);
  }
  EXPECT_ALLOWED(kDefault, "::ffff:127.0.0.1");
  EXPECT_ALLOWED(kDefault, "::ffff:10.0.0.1");
}

TEST(AddressPolicy, RefusesIpv4CompatibleAndTranslatedForms) {
  for (const char* a : {"::169.254.169.254", "::169.254.1.1", "::0.0.0.2", "::ffff:0:a9fe:a9fe"}) {
    EXPECT_REFUSED(kDefault, a);
  }
  EXPECT_ALLOWED(kDefault, "::1");  // loopback, not 0.0.0.1
  EXPECT_ALLOWED(kDefault, "::10.0.0.1");
}

TEST(AddressPolicy, RefusesNat64And6to4AndTeredoEmbeddings) {
  EXPECT_REFUSED(kDefault, "64:ff9b::a9fe:a9fe");  // NAT64 well-known prefix
  EXPECT_REFUSED(kDefault, "64:ff9b::169.254.169.254");
  EXPECT_REFUSED(kDefault, "64:ff9b::0.0.0.0");
  EXPECT_REFUSED(kDefault, "64:ff9b:1::a9fe:a9fe");      // local-use prefix, /96 layout
  EXPECT_REFUSED(kDefault, "64:ff9b:1:a9fe:a9:fe00::");  // local-use prefix, /48 layout
  EXPECT_REFUSED(kDefault, "2002:a9fe:a9fe::1");         // 6to4
  EXPECT_REFUSED(kDefault, "2002::1");                   // 6to4 of 0.0.0.0
  // Teredo: the client address is stored inverted; ~169.254.169.254 = 86.1.86.1 = 5601:5601.
  EXPECT_REFUSED(kDefault, "2001:0:4136:e378:8000:63bf:5601:5601");
  EXPECT_ALLOWED(kDefault, "64:ff9b::808:808");  // NAT64 of 8.8.8.8
  EXPECT_ALLOWED(kDefault, "2002:808:808::1");   // 6to4 of 8.8.8.8
  EXPECT_ALLOWED(kDefault, "2001:db8::1");       // documentation, not Teredo
}

TEST(AddressPolicy, AllowsLoopbackPrivateAndPublicAddresses) {
  for (const char* a : {"127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.20",
                        "100.64.0.1", "fd12:3456::1", "8.8.8.8", "2606:4700::1111", "1.0.0.0"}) {
    EXPECT_ALLOWED(kDefault, a);
  }
}

TEST(AddressPolicy, MessageNamesTheAddressTheReasonAndTheConfigKey) {
  const std::string message = refusal(kDefault, "0.0.0.0");
  EXPECT_HAS(message, "upstream address 0.0.0.0 is refused");
  EXPECT_HAS(message, "0.0.0.0/8");
  EXPECT_HAS(message, "upstream_allow");

  const std::string mapped = refusal(kDefault, "::ffff:169.254.169.254");
  EXPECT_HAS(mapped, "upstream address ::ffff:169.254.169.254 is refused");
  EXPECT_HAS(mapped, "embeds 169.254.169.254");
  EXPECT_HAS(mapped, "cloud metadata");
  EXPECT_HAS(mapped, "add 169.254.169.254 itself");

  EXPECT_HAS(refusal(kDefault, "fe80::1"), "link-local (fe80::/10)");
}

TEST(AddressPolicy, AllowListByCidrLiftsLinkLocalAndThisNetwork) {
  const AddressPolicy policy = allowing({"169.254.10.0/24", "0.0.0.0/8", "fe80::/64"});
  EXPECT_ALLOWED(policy, "169.254.10.7");
  EXPECT_ALLOWED(policy, "::ffff:169.254.10.7");  // the same destination, mapped
  EXPECT_ALLOWED(policy, "0.0.0.0");
  EXPECT_ALLOWED(policy, "fe80::1");
  EXPECT_REFUSED(policy, "169.254.11.1");
  EXPECT_REFUSED(policy, "fe80:0:0:1::1");
  EXPECT_REFUSED(policy, "::");
}

TEST(AddressPolicy, AllowListByExactAddress) {
  const AddressPolicy policy = allowing({"0.0.0.0", "::"});
  EXPECT_ALLOWED(policy, "0.0.0.0");
  EXPECT_ALLOWED(policy, "::ffff:0.0.0.0");
  EXPECT_ALLOWED(policy, "::");
  EXPECT_REFUSED(policy, "0.0.0.1");
}

TEST(AddressPolicy, MetadataAddressNeedsAnExactEntry) {
  const AddressPolicy range = allowing({"169.254.0.0/16", "fd00::/8", "100.64.0.0/10"});
  EXPECT_ALLOWED(range, "169.254.1.1");
  EXPECT_REFUSED(range, "169.254.169.254");
  EXPECT_REFUSED(range, "::ffff:169.254.169.254");
  EXPECT_REFUSED(range, "fd00:ec2::254");
  EXPECT_REFUSED(range, "100.100.100.200");

  const AddressPolicy exact = allowing({"169.254.169.254/32", "fd00:ec2::254"});
  EXPECT_ALLOWED(exact, "169.254.169.254");
  EXPECT_ALLOWED(exact, "::ffff:169.254.169.254");
  EXPECT_ALLOWED(exact, "64:ff9b::a9fe:a9fe");
  EXPECT_ALLOWED(exact, "fd00:ec2::254");
  EXPECT_REFUSED(exact, "169.254.170.2");
}

TEST(AddressPolicy, AllowListEntryForAnEmbeddedFormAllowsThatForm) {
  const AddressPolicy policy = allowing({"64:ff9b::/96", "::ffff:169.254.0.0/112"});
  EXPECT_ALLOWED(policy, "64:ff9b::a9fe:101");
  EXPECT_ALLOWED(policy, "169.254.3.4");         // ::ffff:169.254.0.0/112 is 169.254.0.0/16
  EXPECT_REFUSED(policy, "64:ff9b::a9fe:a9fe");  // metadata still needs an exact entry
}

TEST(AddressPolicy, MalformedAllowListEntriesAreNamedWithTheirIndex) {
  for (const char* bad : {"", "localhost", "10.0.0.0/33", "::/129", "10.0.0.1/8", "10.0.0.0/",
                          "10.0.0.0/-0", "10.0.0.0/+8", "10.0.0.0/8/8", "127.1", "fe80::1%eth0",
                          "[::1]", "10.0.0.0/0008", " 10.0.0.1"}) {
    auto policy = AddressPolicy::from_allow_list({"10.0.0.0/8", "::1", bad});
    ASSERT_FALSE(policy.ok()) << "'" << bad << "'";
    EXPECT_EQ(policy.error().code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(policy.error().field, "upstream_allow");
    EXPECT_EQ(policy.error().message,
              std::string("upstream_allow[2]: not an address or CIDR: '") + bad + "'");
  }
}

TEST(AddressPolicy, CheckHostJudgesIpLiteralsOnly) {
  EXPECT_FALSE(kDefault.check_host("169.254.169.254").ok());
  EXPECT_FALSE(kDefault.check_host("::ffff:0.0.0.0").ok());
  EXPECT_TRUE(kDefault.check_host("metadata.google.internal").ok());  // judged once resolved
  EXPECT_TRUE(kDefault.check_host("127.0.0.1").ok());
}

TEST(IpNetwork, ParsesAndMatches) {
  const auto net = IpNetwork::parse("10.0.0.0/8");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(ip("10.255.0.1")));
  EXPECT_FALSE(net->contains(ip("11.0.0.1")));
  EXPECT_FALSE(net->contains(ip("::ffff:10.0.0.1")));  // families differ: policy maps these

  const auto odd = IpNetwork::parse("172.16.0.0/12");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(ip("172.31.255.255")));
  EXPECT_FALSE(odd->contains(ip("172.32.0.0")));

  const auto all = IpNetwork::parse("::/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->contains(ip("fe80::1")));
  EXPECT_FALSE(all->contains(ip("1.2.3.4")));

  const auto mapped = IpNetwork::parse("::ffff:0.0.0.0");
  ASSERT_TRUE(mapped);
  EXPECT_FALSE(mapped->address.v6);
  EXPECT_EQ(mapped->prefix, 32);
}

TEST(IpAddress, ParsesStrictlyAndPrints) {
  EXPECT_FALSE(IpAddress::parse("127.1"));
  EXPECT_FALSE(IpAddress::parse("2852039166"));
  EXPECT_FALSE(IpAddress::parse("0x7f.0.0.1"));
  EXPECT_FALSE(IpAddress::parse(""));
  EXPECT_EQ(ip("::ffff:a9fe:a9fe").to_string(), "::ffff:169.254.169.254");
  EXPECT_EQ(ip("FD00:EC2:0::254").to_string(), "fd00:ec2::254");
  EXPECT_EQ(IpAddress::v4(169, 254, 169, 254), ip("169.254.169.254"));
}

}  // namespace
}  // namespace plinth::http
