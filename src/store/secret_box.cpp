// SecretBox: AES-256-GCM through OpenSSL EVP; key from the environment or a key file.
#include "store/secret_box.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace plinth::store {
namespace {

constexpr std::string_view kPrefix = "v1:";
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
// Binds the ciphertext to its purpose: bytes sealed by something else do not open.
constexpr std::string_view kAssociatedData = "plinth-store-secret-v1";

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string base64_encode(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Strict standard base64 with padding; nullopt-like empty result with ok=false on error.
bool base64_decode(std::string_view text, std::string& out) {
  if (text.empty() || text.size() % 4 != 0) return false;
  out.assign(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return false;
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return true;
}

Result<SecretBox> generate_key_file(const std::string& path) {
  SecretBox::Key key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return Error{ErrorCode::kInternal, "cannot generate a secret key: RAND_bytes failed"};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string line;
  for (unsigned char b : key) {
    line += kHex[b >> 4];
    line += kHex[b & 15];
  }
  line += '\n';
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return Error{ErrorCode::kInternal, "cannot create " + path + ": " + std::strerror(errno)};
  }
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  OPENSSL_cleanse(line.data(), line.size());
  if (!ok) return Error{ErrorCode::kInternal, "cannot write " + path};
  SecretBox box(key);
  OPENSSL_cleanse(key.data(), key.size());
  return box;
}

}  // namespace

SecretBox::~SecretBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

Result<SecretBox> SecretBox::from_text(std::string_view text, std::string_view what) {
  text = trim(text);
  Key key{};
  if (text.size() == 2 * kKeySize) {
    bool hex = true;
    for (std::size_t i = 0; i < kKeySize && hex; ++i) {
      const int hi = hex_digit(text[2 * i]);
      const int lo = hex_digit(text[2 * i + 1]);
      hex = hi >= 0 && lo >= 0;
      key[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    if (hex) return SecretBox(key);
  }
  std::string raw;
  if (base64_decode(text, raw) && raw.size() == kKeySize) {
    std::memcpy(key.data(), raw.data(), kKeySize);
    OPENSSL_cleanse(raw.data(), raw.size());
    return SecretBox(key);
  }
  return Error::invalid(std::string(what),
                        std::string(what) + " must be 64 hex digits or base64 of 32 bytes");
}

Result<SecretBox> SecretBox::load(const std::string& data_dir, const char* env_value, bool create) {
  if (env_value && *env_value) return from_text(env_value, "PLINTH_SECRET_KEY");
  namespace fs = std::filesystem;
  const std::string path = (fs::path(data_dir) / "secret.key").string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return Error{ErrorCode::kInternal, "cannot read " + path + ": " + std::strerror(errno)};
    }
    if (!create) {
      return Error{ErrorCode::kInvalidRequest,
                   "no secret key: set PLINTH_SECRET_KEY (64 hex digits) or provide " + path};
    }
    std::error_code ec;
    fs::create_directories(data_dir, ec);
    if (ec) {
      return Error{ErrorCode::kInternal,
                   "cannot create data dir '" + data_dir + "': " + ec.message()};
    }
    return generate_key_file(path);
  }
  if ((st.st_mode & 077) != 0) {
    std::ostringstream mode;
    mode << std::oct << (st.st_mode & 0777);
    return Error{ErrorCode::kPermissionDenied,
                 path + " may be read by group or others (mode 0" + mode.str() + "); chmod 600 it"};
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string contents = text.str();
  auto box = from_text(contents, path);
  OPENSSL_cleanse(contents.data(), contents.size());
  return box;
}

Result<std::string> SecretBox::seal(std::string_view plaintext) const {
  std::string buf(kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(buf.data());
  auto* body = nonce + kNonceSize;
  if (RAND_bytes(nonce, kNonceSize) != 1) {
    return Error{ErrorCode::kInternal, "cannot seal a secret: RAND_bytes failed"};
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  int total = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &n,
                              reinterpret_cast<const unsigned char*>(kAssociatedData.data()),
                              static_cast<int>(kAssociatedData.size())) &&
            EVP_EncryptUpdate(ctx.get(), body, &n,
                              reinterpret_cast<const unsigned char*>(plaintext.data()),
                              static_cast<int>(plaintext.size()));
  total = n;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), body + total, &n);
  total += n;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, body + total);
  if (!ok) return Error{ErrorCode::kInternal, "cannot seal a secret: AES-256-GCM failed"};
  std::string sealed = std::string(kPrefix) + base64_encode(nonce, buf.size());
  return sealed;
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  std::string raw;
  if (!sealed.starts_with(kPrefix) || !base64_decode(sealed.substr(kPrefix.size()), raw) ||
      raw.size() < kNonceSize + kTagSize) {
    return Error{ErrorCode::kInvalidRequest,
                 "sealed secret is not in a known format (expected \"v1:\" + base64)"};
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw.data());
  const auto* body = nonce + kNonceSize;
  const std::size_t body_size = raw.size() - kNonceSize - kTagSize;
  std::string plain(body_size, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &n,
                              reinterpret_cast<const unsigned char*>(kAssociatedData.data()),
                              static_cast<int>(kAssociatedData.size())) &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &n, body,
                              static_cast<int>(body_size)) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                                const_cast<unsigned char*>(body + body_size));
  const int total = n;
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + total,
                                 &n) > 0;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return Error{ErrorCode::kPermissionDenied,
                 "sealed secret does not open with this key: PLINTH_SECRET_KEY (or secret.key) "
                 "differs from the one it was sealed with, or the data was altered"};
  }
  return plain;
}

}  // namespace plinth::store
