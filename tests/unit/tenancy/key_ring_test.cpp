#include "tenancy/admin_key.h"
#include "tenancy/key_ring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace plinth::tenancy {
namespace {

TEST(KeyRing, FindsOnlyKnownKeysAndKeepsNoClearText) {
  KeyRing ring;
  ring.add_key("sk-one", Role::kAdmin);
  const Principal* p = ring.find("sk-one");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->role, Role::kAdmin);
  EXPECT_EQ(p->key_id, key_id_of(hash_key("sk-one")));
  EXPECT_EQ(ring.find("sk-one "), nullptr);
  EXPECT_EQ(ring.find(""), nullptr);
}

TEST(AdminKey, GeneratesOnceWithMode0600ThenReuses) {
  auto dir = std::filesystem::temp_directory_path() /
             ("plinth-admin-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  auto first = ensure_admin_key(dir.string(), nullptr);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->generated);
  EXPECT_EQ(first->key.rfind("sk-plinth-", 0), 0u);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "admin.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto second = ensure_admin_key(dir.string(), nullptr);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->generated);
  EXPECT_EQ(second->key, first->key);
  auto env = ensure_admin_key(dir.string(), "sk-env");
  EXPECT_EQ(env->key, "sk-env");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace plinth::tenancy
