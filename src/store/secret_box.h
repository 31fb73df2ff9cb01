// SecretBox: encrypts the secrets the store keeps (upstream API keys) with AES-256-GCM.
// Sealed text is "v1:" + base64(nonce[12] | ciphertext | tag[16]); the prefix names the
// format so that a later one can be added without a migration.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/result.h"

namespace plinth::store {

class SecretBox {
 public:
  static constexpr std::size_t kKeySize = 32;
  using Key = std::array<unsigned char, kKeySize>;

  explicit SecretBox(const Key& key) : key_(key) {}
  SecretBox(const SecretBox&) = default;
  SecretBox& operator=(const SecretBox&) = default;
  ~SecretBox();

  // A key written as 64 hex digits or as base64 of 32 bytes (surrounding whitespace is
  // ignored). kInvalidRequest naming `what` otherwise; the text itself is never repeated.
  static Result<SecretBox> from_text(std::string_view text, std::string_view what);

  // The key from `env_value` (PLINTH_SECRET_KEY) when set and not empty; else from
  // `<data_dir>/secret.key`, which is created (mode 0600, a fresh random key) when missing
  // and `create` is true. A key file that group or others may read is refused.
  static Result<SecretBox> load(const std::string& data_dir, const char* env_value, bool create);

  Result<std::string> seal(std::string_view plaintext) const;
  // kInvalidRequest when `sealed` is not in a known format; kPermissionDenied when it was
  // sealed with another key or altered.
  Result<std::string> open(std::string_view sealed) const;

 private:
  Key key_;
};

}  // namespace plinth::store
