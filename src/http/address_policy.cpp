// AddressPolicy: the refused address classes, the IPv6 forms that embed an IPv4 address, and
// the operator's allow-list. Pure byte arithmetic, no Asio: it runs before every connect.
#include "http/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>

namespace plinth::http {
namespace {

constexpr std::string_view kAllowKey = "upstream_allow";

// Why an address is refused. `exact_only`: only an allow-list entry naming this very
// address lifts the refusal (cloud metadata), not a range that happens to contain it.
struct Refusal {
  std::string_view why;
  bool exact_only = false;
};

bool all_zero(const IpAddress& a, int from, int to) {
  return std::all_of(a.bytes.begin() + from, a.bytes.begin() + to,
                     [](std::uint8_t b) { return b == 0; });
}

std::optional<Refusal> refused_v4(const IpAddress& a) {
  // Metadata first: 169.254.169.254 is also link-local, but needs the stricter rule.
  static const IpAddress kMetadata[] = {
      IpAddress::v4(169, 254, 169, 254),  // AWS, GCP, Azure, OCI, DigitalOcean, ...
      IpAddress::v4(169, 254, 170, 2),    // AWS ECS task metadata and credentials
      IpAddress::v4(100, 100, 100, 200),  // Alibaba Cloud (inside 100.64/10, else allowed)
  };
  for (const IpAddress& m : kMetadata) {
    if (a == m) return Refusal{"a cloud metadata address, which hands out credentials", true};
  }
  const auto& b = a.bytes;
  if (b[0] == 0) {
    // Linux connects 0.0.0.0 (and the rest of 0/8 it accepts) to the local host: the
    // bypass a peer's SSRF fix missed.
    return Refusal{"in 0.0.0.0/8 (connecting to it reaches the gateway's own host)"};
  }
  if (b[0] == 169 && b[1] == 254) return Refusal{"link-local (169.254.0.0/16)"};
  return std::nullopt;
}

std::optional<Refusal> refused_v6(const IpAddress& a) {
  static const IpAddress kAwsMetadata = *IpAddress::parse("fd00:ec2::254");
  if (a == kAwsMetadata) {
    return Refusal{"a cloud metadata address, which hands out credentials", true};
  }
  if (all_zero(a, 0, 16)) {
    return Refusal{"the unspecified address (connecting to it reaches the gateway's own host)"};
  }
  if (a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80) return Refusal{"link-local (fe80::/10)"};
  return std::nullopt;
}

// The IPv4 addresses an IPv6 address may be delivered to, at most four.
struct Embedded {
  std::array<IpAddress, 4> v4{};
  int count = 0;

  // The IPv4 address in bytes i0..i3 of `a`, each XORed with `flip`.
  void add(const IpAddress& a, int i0, int i1, int i2, int i3, std::uint8_t flip = 0) {
    if (count == 4) return;
    const auto& b = a.bytes;
    v4[count++] = IpAddress::v4(b[i0] ^ flip, b[i1] ^ flip, b[i2] ^ flip, b[i3] ^ flip);
  }
  void add(const IpAddress& a, int at) { add(a, at, at + 1, at + 2, at + 3); }
};

Embedded embedded_v4(const IpAddress& a) {
  Embedded out;
  const auto& b = a.bytes;
  if (all_zero(a, 0, 10) && b[10] == 0xff && b[11] == 0xff) {
    out.add(a, 12);  // IPv4-mapped ::ffff:a.b.c.d: a dual-stack socket connects to a.b.c.d
  } else if (all_zero(a, 0, 12)) {
    // IPv4-compatible ::a.b.c.d (deprecated; some stacks still route it as IPv4). :: and ::1
    // are not: they are the unspecified and loopback addresses, judged as IPv6.
    if (!(all_zero(a, 12, 15) && b[15] <= 1)) out.add(a, 12);
  } else if (all_zero(a, 0, 8) && b[8] == 0xff && b[9] == 0xff && all_zero(a, 10, 12)) {
    out.add(a, 12);  // SIIT IPv4-translated ::ffff:0:a.b.c.d (RFC 6145)
  } else if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
    if (all_zero(a, 4, 12)) {
      out.add(a, 12);  // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052)
    } else if (b[4] == 0 && b[5] == 1) {
      // NAT64 local-use 64:ff9b:1::/48 (RFC 8215): the operator picks a prefix of /48 to /96,
      // so the IPv4 address may sit in any RFC 6052 layout (byte 8 is the reserved u-octet).
      // Every address here is a translation address: checking all layouts refuses nothing
      // legitimate.
      out.add(a, 12);             // /96
      out.add(a, 9, 10, 11, 12);  // /64
      out.add(a, 7, 9, 10, 11);   // /56
      out.add(a, 6, 7, 9, 10);    // /48
    }
  } else if (b[0] == 0x20 && b[1] == 0x02) {
    out.add(a, 2);  // 6to4 2002:a.b.c.d::/48 (RFC 3056): tunnelled to a.b.c.d
  } else if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
    // Teredo 2001::/32 (RFC 4380): the client's IPv4 address, inverted, in the last 32 bits.
    out.add(a, 12, 13, 14, 15, 0xff);
  }
  return out;
}

Error refusal_error(const IpAddress& address, const IpAddress* embedded, const Refusal& r) {
  const std::string target = (embedded ? *embedded : address).to_string();
  std::string message = "upstream address " + address.to_string() + " is refused: ";
  if (embedded != nullptr) message += "it embeds " + target + ", ";
  message += embedded != nullptr ? std::string(r.why) : "it is " + std::string(r.why);
  message += "; if this upstream is intended, add " + target;
  message += r.exact_only ? " itself (a range does not allow a metadata address)"
                          : " (or a CIDR containing it)";
  message += " to " + std::string(kAllowKey) + " in the config";
  return Error{ErrorCode::kPermissionDenied, std::move(message)};
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);  // inet_pton needs the terminating NUL
  IpAddress out;
  if (::inet_pton(AF_INET, s.c_str(), out.bytes.data()) == 1) return out;
  if (::inet_pton(AF_INET6, s.c_str(), out.bytes.data()) == 1) {
    out.v6 = true;
    return out;
  }
  return std::nullopt;
}

IpAddress IpAddress::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress out;
  out.bytes[0] = a;
  out.bytes[1] = b;
  out.bytes[2] = c;
  out.bytes[3] = d;
  return out;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  const int max = address->v6 ? 128 : 32;
  IpNetwork out{*address, max};
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;  // from_chars alone would take "-0"
    }
    std::from_chars(digits.data(), digits.data() + digits.size(), out.prefix);
    if (out.prefix > max) return std::nullopt;
  }
  // Host bits must be clear: "10.0.0.1/8" is more likely a typo than meant as 10.0.0.0/8.
  for (int bit = out.prefix; bit < max; ++bit) {
    if (out.address.bytes[bit / 8] & (0x80 >> (bit % 8))) return std::nullopt;
  }
  // ::ffff:a.b.c.d/N names the IPv4 network a.b.c.d/(N-96): one rule for both spellings.
  const auto& b = out.address.bytes;
  if (out.address.v6 && out.prefix >= 96 && all_zero(out.address, 0, 10) && b[10] == 0xff &&
      b[11] == 0xff) {
    out = IpNetwork{IpAddress::v4(b[12], b[13], b[14], b[15]), out.prefix - 96};
  }
  return out;
}

bool IpNetwork::contains(const IpAddress& a) const {
  if (a.v6 != address.v6) return false;
  const int whole = prefix / 8;
  if (!std::equal(address.bytes.begin(), address.bytes.begin() + whole, a.bytes.begin())) {
    return false;
  }
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (address.bytes[whole] & mask) == (a.bytes[whole] & mask);
}

Result<AddressPolicy> AddressPolicy::from_allow_list(const std::vector<std::string>& entries) {
  std::vector<IpNetwork> allow;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto network = IpNetwork::parse(entries[i]);
    if (!network) {
      return Error::invalid(std::string(kAllowKey),
                            std::string(kAllowKey) + "[" + std::to_string(i) +
                                "]: not an address or CIDR: '" + entries[i] + "'");
    }
    allow.push_back(*network);
  }
  return AddressPolicy(std::move(allow));
}

const AddressPolicy& AddressPolicy::default_policy() {
  static const AddressPolicy policy;
  return policy;
}

bool AddressPolicy::allowed(const IpAddress& address, bool exact_only) const {
  return std::any_of(allow_.begin(), allow_.end(), [&](const IpNetwork& n) {
    return (!exact_only || n.is_single_address()) && n.contains(address);
  });
}

Status AddressPolicy::check_host(std::string_view host) const {
  const auto address = IpAddress::parse(host);
  return address ? check(*address) : Status{};
}

Status AddressPolicy::check(const IpAddress& address) const {
  if (!address.v6) {
    const auto refusal = refused_v4(address);
    if (refusal && !allowed(address, refusal->exact_only)) {
      return refusal_error(address, nullptr, *refusal);
    }
    return {};
  }
  const auto refusal = refused_v6(address);
  if (refusal && !allowed(address, refusal->exact_only)) {
    return refusal_error(address, nullptr, *refusal);
  }
  // An entry for either spelling allows an embedding: both name the same destination.
  const Embedded embedded = embedded_v4(address);
  for (int i = 0; i < embedded.count; ++i) {
    const IpAddress& v4 = embedded.v4[i];
    const auto inner = refused_v4(v4);
    if (inner && !allowed(v4, inner->exact_only) && !allowed(address, inner->exact_only)) {
      return refusal_error(address, &v4, *inner);
    }
  }
  return {};
}

}  // namespace plinth::http
