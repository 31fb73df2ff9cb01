// A fresh SQLite store for one test, in its own temporary directory (named after the test),
// with a fixed secret key. The caller removes `dir` when done.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/secret_box.h"
#include "store/sqlite_store.h"

namespace plinth::registry::testing {

inline Result<std::unique_ptr<store::Store>> open_temp_sqlite_store(
    const std::string& prefix, std::filesystem::path& dir) {
  dir = std::filesystem::temp_directory_path() /
        (prefix + std::to_string(::getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  store::SecretBox::Key key{};
  key.fill(7);
  return store::open_sqlite_store((dir / "plinth.db").string(),
                                  std::make_shared<const store::SecretBox>(key));
}

}  // namespace plinth::registry::testing
