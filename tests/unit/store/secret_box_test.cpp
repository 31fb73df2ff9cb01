// SecretBox: AES-256-GCM sealing, the "v1:" format, and where the key comes from.
#include "store/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace plinth::store {
namespace {

SecretBox box_of(unsigned char fill) {
  SecretBox::Key key{};
  key.fill(fill);
  return SecretBox(key);
}

std::filesystem::path temp_dir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("plinth-secret-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(SecretBox, SealThenOpenRoundTrips) {
  const SecretBox box = box_of(1);
  for (std::string plain : {std::string(), std::string("sk-abc"), std::string(5000, 'x')}) {
    auto sealed = box.seal(plain);
    ASSERT_TRUE(sealed.ok());
    auto opened = box.open(*sealed);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
}

TEST(SecretBox, SealedTextIsVersionedRandomisedAndHidesThePlaintext) {
  const SecretBox box = box_of(1);
  auto a = box.seal("sk-live-secret");
  auto b = box.seal("sk-live-secret");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->starts_with("v1:"));
  EXPECT_NE(*a, *b);  // a fresh nonce each time
  EXPECT_EQ(a->find("secret"), std::string::npos);
}

TEST(SecretBox, AlteredOrForeignTextDoesNotOpen) {
  const SecretBox box = box_of(1);
  auto sealed = box.seal("sk-live-secret");
  ASSERT_TRUE(sealed.ok());
  std::string altered = *sealed;
  altered[10] = altered[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(box.open(altered).error().code, ErrorCode::kPermissionDenied);
  auto other = box_of(2).open(*sealed);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(box.open("sk-live-secret").error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(box.open("v2:AAAA").error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(box.open("v1:!!!!").error().code, ErrorCode::kInvalidRequest);
}

TEST(SecretBox, KeyTextIsHexOrBase64AndNeverEchoed) {
  const std::string hex(64, 'a');
  auto from_hex = SecretBox::from_text(" " + hex + "\n", "PLINTH_SECRET_KEY");
  ASSERT_TRUE(from_hex.ok());
  // The same 32 bytes of 0xaa, in base64.
  auto from_b64 =
      SecretBox::from_text("qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=", "PLINTH_SECRET_KEY");
  ASSERT_TRUE(from_b64.ok());
  EXPECT_EQ(*from_b64->open(*from_hex->seal("x")), "x");
  auto bad = SecretBox::from_text("not-a-key-at-all", "PLINTH_SECRET_KEY");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "PLINTH_SECRET_KEY");
  EXPECT_EQ(bad.error().message.find("not-a-key"), std::string::npos);
  EXPECT_FALSE(SecretBox::from_text(std::string(62, 'a'), "k").ok());
  EXPECT_FALSE(SecretBox::from_text("qqqq", "k").ok());  // base64, but not 32 bytes
}

TEST(SecretBox, GeneratesAKeyFileWithMode0600OnceThenReusesIt) {
  const auto dir = temp_dir();
  auto first = SecretBox::load(dir.string(), nullptr, true);
  ASSERT_TRUE(first.ok()) << first.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((dir / "secret.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto second = SecretBox::load(dir.string(), nullptr, true);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second->open(*first->seal("same key")), "same key");
  std::filesystem::remove_all(dir);
}

TEST(SecretBox, EnvironmentKeyWinsOverTheFile) {
  const auto dir = temp_dir();
  auto file_box = SecretBox::load(dir.string(), nullptr, true);
  ASSERT_TRUE(file_box.ok());
  const std::string hex(64, 'b');
  auto env_box = SecretBox::load(dir.string(), hex.c_str(), true);
  ASSERT_TRUE(env_box.ok());
  auto sealed = env_box->seal("x");
  EXPECT_TRUE(SecretBox::from_text(hex, "k")->open(*sealed).ok());
  EXPECT_FALSE(file_box->open(*sealed).ok());
  std::filesystem::remove_all(dir);
}

TEST(SecretBox, MissingKeyIsAnErrorWhenNotAllowedToCreateOne) {
  const auto dir = temp_dir();
  auto missing = SecretBox::load(dir.string(), nullptr, false);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("PLINTH_SECRET_KEY"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "secret.key"));
}

TEST(SecretBox, KeyFileReadableByOthersIsRefused) {
  const auto dir = temp_dir();
  std::filesystem::create_directories(dir);
  const auto path = dir / "secret.key";
  std::ofstream(path) << std::string(64, 'c') << "\n";
  ::chmod(path.c_str(), 0644);
  auto refused = SecretBox::load(dir.string(), nullptr, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(refused.error().message.find("chmod 600"), std::string::npos);
  ::chmod(path.c_str(), 0600);
  EXPECT_TRUE(SecretBox::load(dir.string(), nullptr, true).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace plinth::store
