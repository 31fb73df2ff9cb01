#include "tenancy/key_ring.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

namespace plinth::tenancy {

KeyDigest hash_key(std::string_view key) {
  // OpenSSL 3's one-shot SHA256() looks the algorithm up (under a lock) and allocates a
  // context on every call; this runs per request, so fetch once and reuse a context per
  // thread.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  KeyDigest d{};
  unsigned int len = 0;
  if (EVP_DigestInit_ex(ctx.get(), sha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), key.data(), key.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), d.data(), &len) != 1) {
    // Never authenticate on a failed hash: an all-zero digest matches no stored key.
    d.fill(0);
  }
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
  Principal who;
  who.role = role;
  add(digest, std::move(who));
}

void KeyRing::add(const KeyDigest& digest, Principal who) {
  who.key_id = key_id_of(digest);
  keys_[digest] = std::move(who);
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
