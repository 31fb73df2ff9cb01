// StoreConfig and open_store: the one place that picks the store implementation from
// configuration (YAML `store: {kind, path, url, pool_size}`; data_dir comes from the top
// level).
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace plinth::store {

struct StoreConfig {
  std::string kind = "sqlite";     // "sqlite" | "postgres"
  std::string path;                // sqlite: the database file; empty = <data_dir>/plinth.db
  std::string url;                 // postgres: libpq conninfo or postgresql:// URL; never logged
  std::string data_dir = "./var";  // also holds secret.key when PLINTH_SECRET_KEY is unset
  int pool_size = 4;               // postgres connections, 1..64
};

// Checks `config` (kInvalidRequest naming the bad field, e.g. "store.kind"), loads the secret
// key (SecretBox::load with PLINTH_SECRET_KEY) and opens the store. SQLite creates
// <data_dir>/secret.key when neither is there; PostgreSQL refuses to invent a key, because
// every replica must share it: set PLINTH_SECRET_KEY.
Result<std::unique_ptr<Store>> open_store(const StoreConfig& config);

}  // namespace plinth::store
