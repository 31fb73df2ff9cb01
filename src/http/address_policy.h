// AddressPolicy: which IP addresses an upstream connection may go to. Upstream URLs come
// from admins and are untrusted: a URL must not reach the cloud metadata service or, through
// 0.0.0.0 / ::, the gateway's own host. UpstreamClient applies the policy to every resolved
// address right before connecting, so DNS cannot swap in a refused address after a check.
// Asio-free on purpose: the config loader and providers include it.
#pragma once

#include "core/result.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plinth::http {

// An IPv4 or IPv6 address in network byte order; an IPv4 one uses bytes[0..3].
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};

  // A dotted-quad IPv4 or an IPv6 address (no brackets, no zone), as inet_pton reads them;
  // nullopt otherwise. Shorthands such as "127.1" or "2130706433" are not addresses here.
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);

  std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

// A network: an address and a prefix length (0-32 for IPv4, 0-128 for IPv6).
struct IpNetwork {
  IpAddress address;  // host bits cleared
  int prefix = 0;

  // "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128). An IPv4-mapped IPv6 network
  // (::ffff:a.b.c.d/N, N >= 96) is read as the IPv4 network it maps. nullopt on anything else,
  // including set host bits ("10.0.0.1/8"): such an entry is more likely a typo than intent.
  static std::optional<IpNetwork> parse(std::string_view text);

  bool contains(const IpAddress& address) const;
  bool is_single_address() const { return prefix == (address.v6 ? 128 : 32); }
};

// Refused unless the operator's allow-list (config key `upstream_allow`) names them:
//   - 0.0.0.0/8 and :: (unspecified): connecting to them reaches this host on Linux;
//   - 169.254.0.0/16 and fe80::/10 (link-local): where cloud metadata and other host-local
//     services live;
//   - cloud metadata addresses: 169.254.169.254 (AWS, GCP, Azure, OCI, ...), fd00:ec2::254
//     (AWS IPv6), 169.254.170.2 (AWS ECS task credentials), 100.100.100.200 (Alibaba). These
//     hand out credentials, so only an entry naming the address itself (a bare address, /32
//     or /128) allows one: a CIDR allowing a link-local subnet does not open them;
//   - IPv6 addresses that embed one of the IPv4 addresses above and may be delivered to it:
//     IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, SIIT ::ffff:0:0:0/96, NAT64
//     64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32 (client address).
//     An allow-list entry for the embedded IPv4 address allows these forms too.
// Everything else is allowed, loopback and private ranges included: Plinth commonly fronts
// vLLM on localhost or a private network.
// Immutable after construction; safe to share between threads.
class AddressPolicy {
 public:
  // The default policy: nothing on the allow-list.
  AddressPolicy() = default;
  explicit AddressPolicy(std::vector<IpNetwork> allow) : allow_(std::move(allow)) {}

  // Parses allow-list entries (CIDRs or bare addresses). Error kInvalidRequest, field
  // "upstream_allow", message "upstream_allow[2]: not an address or CIDR: 'x'".
  static Result<AddressPolicy> from_allow_list(const std::vector<std::string>& entries);

  // The shared default policy, for clients given none.
  static const AddressPolicy& default_policy();

  // OK, or kPermissionDenied with a message that names the address, why it is refused and
  // how to allow it.
  Status check(const IpAddress& address) const;

  // check() for a URL's host when it is an IP literal; OK for a name, whose addresses are
  // checked as they are resolved. Gives early, clear errors at startup; the check in
  // UpstreamClient, at connect time, is the guard.
  Status check_host(std::string_view host) const;

  const std::vector<IpNetwork>& allow_list() const { return allow_; }

 private:
  bool allowed(const IpAddress& address, bool exact_only) const;

  std::vector<IpNetwork> allow_;
};

}  // namespace plinth::http
