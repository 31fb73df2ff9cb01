// open_store: configuration -> SqliteStore or PostgresStore.
#include "store/open_store.h"

#include <cstdlib>
#include <filesystem>

#include "store/postgres_store.h"
#include "store/secret_box.h"
#include "store/sqlite_store.h"

namespace plinth::store {

Result<std::unique_ptr<Store>> open_store(const StoreConfig& config) {
  const bool sqlite = config.kind == "sqlite";
  if (!sqlite && config.kind != "postgres") {
    return Error::invalid(
        "store.kind", "store.kind must be \"sqlite\" or \"postgres\", got \"" + config.kind + "\"");
  }
  if (!sqlite && config.url.empty()) {
    return Error::invalid("store.url", "store.url must be set when store.kind is \"postgres\"");
  }
  if (config.pool_size < 1 || config.pool_size > 64) {
    return Error::invalid("store.pool_size", "store.pool_size must be between 1 and 64, got " +
                                                 std::to_string(config.pool_size));
  }
  auto box = SecretBox::load(config.data_dir, std::getenv("PLINTH_SECRET_KEY"), sqlite);
  if (!box.ok()) return std::move(box).error();
  auto shared_box = std::make_shared<const SecretBox>(std::move(box).value());
  if (!sqlite) {
    auto pg = PostgresStore::open(config.url, std::move(shared_box), config.pool_size);
    if (!pg.ok()) return std::move(pg).error();
    return std::unique_ptr<Store>(std::move(pg).value());
  }
  namespace fs = std::filesystem;
  const std::string path =
      config.path.empty() ? (fs::path(config.data_dir) / "plinth.db").string() : config.path;
  std::error_code ec;
  if (const auto parent = fs::path(path).parent_path(); !parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) {
      return Error{ErrorCode::kUnavailable,
                   "cannot create the directory of the store '" + path + "': " + ec.message()};
    }
  }
  return open_sqlite_store(path, std::move(shared_box));
}

}  // namespace plinth::store
