#include "tenancy/admin_key.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace plinth::tenancy {

std::string generate_api_key() {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string key = "sk-plinth-";
  while (key.size() < 50) {
    unsigned char bytes[64];
    if (RAND_bytes(bytes, sizeof bytes) != 1) continue;
    for (unsigned char b : bytes) {
      if (b >= 248) continue;  // 248 = 4 * 62: reject to keep the alphabet uniform
      key += kAlphabet[b % 62];
      if (key.size() == 50) break;
    }
  }
  return key;
}

Result<AdminKey> ensure_admin_key(const std::string& data_dir, const char* env_value) {
  if (env_value && *env_value) return AdminKey{env_value, false};
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    return Error{ErrorCode::kInternal, "cannot create data dir '" + data_dir + "': " + ec.message()};
  }
  const std::string path = (fs::path(data_dir) / "admin.key").string();
  if (std::ifstream in(path); in) {
    std::string key;
    std::getline(in, key);
    if (!key.empty()) return AdminKey{key, false};
  }
  std::string key = generate_api_key();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    return Error{ErrorCode::kInternal, "cannot write " + path + ": " + std::strerror(errno)};
  }
  ::fchmod(fd, 0600);
  const std::string line = key + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return Error{ErrorCode::kInternal, "cannot write " + path};
  return AdminKey{key, true};
}

}  // namespace plinth::tenancy
