// The first admin key: PLINTH_ADMIN_KEY when set; else <data-dir>/admin.key when present;
// else a new random key written there (mode 0600) and reported as generated so the caller
// prints it once.
#pragma once

#include "core/result.h"

#include <string>

namespace plinth::tenancy {

struct AdminKey {
  std::string key;
  bool generated = false;
};

Result<AdminKey> ensure_admin_key(const std::string& data_dir, const char* env_value);

// "sk-plinth-" + 40 base62 characters from the OS CSPRNG.
std::string generate_api_key();

}  // namespace plinth::tenancy
