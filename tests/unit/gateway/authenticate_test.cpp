#include "gateway/stages/authenticate.h"

#include <gtest/gtest.h>

namespace plinth::gateway {
namespace {

std::shared_ptr<const registry::Snapshot> snapshot_with_key(std::string_view key) {
  tenancy::KeyRing keys;
  keys.add_key(key, tenancy::Role::kAdmin);
  return std::make_shared<const registry::Snapshot>(std::vector<registry::ModelRoute>{},
                                                    std::move(keys), 1);
}

TEST(Authenticate, AcceptsTheRightBearerKeyCaseInsensitiveScheme) {
  Exchange ex;
  ex.snapshot = snapshot_with_key("sk-good");
  ex.authorization = "bearer sk-good";
  ASSERT_TRUE(Authenticate().on_request(ex).ok());
  ASSERT_NE(ex.principal, nullptr);
  EXPECT_EQ(ex.principal->key_id.rfind("key_", 0), 0u);
  EXPECT_EQ(ex.principal->key_id.find("sk-good"), std::string::npos);
}

TEST(Authenticate, RefusesMissingWrongAndQueryKeys) {
  Exchange ex;
  ex.snapshot = snapshot_with_key("sk-good");
  EXPECT_EQ(Authenticate().on_request(ex).error().code, ErrorCode::kUnauthenticated);
  ex.authorization = "Bearer sk-bad";
  EXPECT_EQ(Authenticate().on_request(ex).error().code, ErrorCode::kUnauthenticated);
  ex.authorization = "Basic sk-good";
  EXPECT_EQ(Authenticate().on_request(ex).error().code, ErrorCode::kUnauthenticated);
  ex.authorization = "Bearer sk-good";
  ex.query = "x=1&API_KEY=sk-good";
  auto s = Authenticate().on_request(ex);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("URL"), std::string::npos);
}

TEST(Authenticate, RememberedKeyNeitherAdmitsOthersNorOutlivesItsSnapshot) {
  Exchange first;
  first.snapshot = snapshot_with_key("sk-good1");
  first.authorization = "Bearer sk-good1";
  ASSERT_TRUE(Authenticate().on_request(first).ok());

  Exchange same_length;  // same snapshot, a different key of the same length
  same_length.snapshot = first.snapshot;
  same_length.authorization = "Bearer sk-good2";
  EXPECT_FALSE(Authenticate().on_request(same_length).ok());

  Exchange revoked;  // a new snapshot that no longer holds the key
  revoked.snapshot = snapshot_with_key("sk-other");
  revoked.authorization = "Bearer sk-good1";
  EXPECT_FALSE(Authenticate().on_request(revoked).ok());
}

TEST(QueryCarriesKey, MatchesCredentialNamesOnly) {
  EXPECT_TRUE(query_carries_key("key=abc"));
  EXPECT_TRUE(query_carries_key("a=1&access_token=x"));
  EXPECT_FALSE(query_carries_key("limit=10&after=keyboard"));
}

}  // namespace
}  // namespace plinth::gateway
