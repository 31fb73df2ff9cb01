// The embedded store: one SQLite file (WAL, foreign keys on, a busy timeout), one connection
// shared under a mutex. Right for one plinth process; several processes may open the same
// file (the CLI, say) and wait on each other's writes up to the busy timeout.
#pragma once

#include <memory>
#include <string>

#include "store/migrations.h"
#include "store/secret_box.h"
#include "store/store.h"

namespace plinth::store {

// Opens or creates the database at `path`, applies the pending migrations and checks that
// `box` opens the secrets already stored. Errors: kUnavailable (cannot open; schema newer
// than this binary), kPermissionDenied (another secret key), kInternal (a migration failed).
Result<std::unique_ptr<Store>> open_sqlite_store(
    const std::string& path, std::shared_ptr<const SecretBox> box,
    std::span<const Migration> migrations = known_migrations());

}  // namespace plinth::store
