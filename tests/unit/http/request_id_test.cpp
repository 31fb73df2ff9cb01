#include "http/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace plinth::http {
namespace {

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST(RequestIdSource, IdsAreReqPrefixThenHexAndDistinct) {
  RequestIdSource source;
  std::set<std::string> seen;
  std::string first_prefix;
  for (int i = 0; i < 5000; ++i) {
    const std::string id = source.next();
    ASSERT_EQ(id.size(), 4u + 16u + 6u) << id;
    EXPECT_EQ(id.substr(0, 4), "req_");
    EXPECT_TRUE(is_lower_hex(id.substr(4))) << id;
    EXPECT_TRUE(is_acceptable_request_id(id)) << id;
    if (first_prefix.empty()) first_prefix = id.substr(4, 16);
    EXPECT_EQ(id.substr(4, 16), first_prefix);  // one prefix per thread
    EXPECT_TRUE(seen.insert(id).second) << "repeated " << id;
  }
}

TEST(RequestIdSource, TheCounterPartCountsUpInHex) {
  RequestIdSource source;
  const std::string a = source.next();
  const std::string b = source.next();
  const unsigned long long ca = std::stoull(a.substr(20), nullptr, 16);
  const unsigned long long cb = std::stoull(b.substr(20), nullptr, 16);
  EXPECT_EQ(cb, ca + 1);
}

}  // namespace
}  // namespace plinth::http
