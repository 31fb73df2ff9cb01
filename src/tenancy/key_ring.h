// KeyRing: the API keys Plinth accepts, kept only as SHA-256 hashes. Lookup hashes the
// presented key and compares digests in constant time. Immutable once built; part of the
// Snapshot. (Stored tenant keys arrive with the tenancy issue: they become more entries.)
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace plinth::tenancy {

enum class Role { kAdmin, kUser };

// Who is calling. Never holds the key itself.
struct Principal {
  std::string key_id;  // "key_" + first 12 hex digits of the key's hash: safe to log
  Role role = Role::kUser;
  // Identity that release rules match on (canary by user, group, project, tenant).
  std::string name;
  std::string tenant;
  std::string project;
  std::string user;
  std::vector<std::string> groups;
};

using KeyDigest = std::array<unsigned char, 32>;

KeyDigest hash_key(std::string_view key);
std::string key_id_of(const KeyDigest& digest);

class KeyRing {
 public:
  // Adds a key given in clear (e.g. PLINTH_ADMIN_KEY); only its hash is kept.
  void add_key(std::string_view key, Role role);
  void add_digest(const KeyDigest& digest, Role role);
  // Adds a key by digest with a full identity; `who.key_id` is filled from the digest.
  void add(const KeyDigest& digest, Principal who);

  // nullptr when the key is unknown.
  const Principal* find(std::string_view presented_key) const;
  std::size_t size() const { return keys_.size(); }

 private:
  struct DigestHash {
    std::size_t operator()(const KeyDigest& d) const;
  };
  std::unordered_map<KeyDigest, Principal, DigestHash> keys_;
};

}  // namespace plinth::tenancy
