#include "metering/token_count.h"

#include <gtest/gtest.h>

namespace plinth::metering {
namespace {

TEST(CountTokens, WhitespaceIsFree) { EXPECT_EQ(count_tokens(" \t\n\r "), 0); }

TEST(CountTokens, WordsCountByFourCharacterRuns) {
  EXPECT_EQ(count_tokens("the cat"), 2);
  EXPECT_EQ(count_tokens("internationalization"), 5);  // 20 letters
}

TEST(CountTokens, PunctuationAndCodePointsAreOneEach) {
  EXPECT_EQ(count_tokens("hi, you!"), 4);
  EXPECT_EQ(count_tokens("你好世界"), 4);
  EXPECT_EQ(count_tokens("é"), 1);
}

}  // namespace
}  // namespace plinth::metering
