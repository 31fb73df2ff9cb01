#include "tenancy/key_ring.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

namespace plinth::tenancy {

KeyDigest hash_key(std::string_view key) {
  KeyDigest d{};
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), d.data());
  return d;
}

std::string key_id_of(const KeyDigest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "key_";
  for (int i = 0; i < 6; ++i) {
    id += kHex[digest[i] >> 4];
    id += kHex[digest[i] & 0xf];
  }
  return id;
}

std::size_t KeyRing::DigestHash::operator()(const KeyDigest& d) const {
  std::size_t h;
  std::memcpy(&h, d.data(), sizeof h);
  return h;
}

void KeyRing::add_key(std::string_view key, Role role) { add_digest(hash_key(key), role); }

void KeyRing::add_digest(const KeyDigest& digest, Role role) {
  keys_[digest] = Principal{key_id_of(digest), role};
}

const Principal* KeyRing::find(std::string_view presented_key) const {
  const KeyDigest d = hash_key(presented_key);
  auto it = keys_.find(d);
  if (it == keys_.end()) return nullptr;
  // The bucket lookup already matched; compare the whole digest in constant time anyway so
  // no code path compares key material with an early exit.
  if (CRYPTO_memcmp(it->first.data(), d.data(), d.size()) != 0) return nullptr;
  return &it->second;
}

}  // namespace plinth::tenancy
