#include "providers/embedding_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace plinth::providers {
namespace {

TEST(EmbeddingCodec, EncodesLittleEndianFloat32InStandardBase64) {
  // 1.0f is 0x3F800000: bytes 00 00 80 3F.
  const float one[] = {1.0f};
  EXPECT_EQ(encode_embedding_base64(one), "AACAPw==");
  const float two[] = {1.0f, -2.0f};  // -2.0f is 0xC0000000
  EXPECT_EQ(encode_embedding_base64(two), "AACAPwAAAMA=");
  EXPECT_EQ(encode_embedding_base64(std::span<const float>()), "");
}

TEST(EmbeddingCodec, RoundTripsEveryPaddingLength) {
  for (std::size_t n = 0; n < 7; ++n) {
    std::vector<float> values;
    for (std::size_t i = 0; i < n; ++i) values.push_back(0.1f * static_cast<float>(i) - 0.25f);
    values.push_back(std::numeric_limits<float>::denorm_min());
    const std::string text = encode_embedding_base64(values);
    EXPECT_EQ(text.size() % 4, 0u);
    auto decoded = decode_embedding_base64(text);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, values);
  }
}

TEST(EmbeddingCodec, EncodesJsonNumbersAsFloat32) {
  const boost::json::array values{1, 0.5, -2.0};
  auto text = encode_embedding_base64(values);
  ASSERT_TRUE(text.ok());
  const float expected[] = {1.0f, 0.5f, -2.0f};
  EXPECT_EQ(*text, encode_embedding_base64(expected));
}

TEST(EmbeddingCodec, RejectsJsonArrayWithNonNumber) {
  const boost::json::array values{1, "x"};
  auto text = encode_embedding_base64(values);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kUpstreamError);
  EXPECT_NE(text.error().message.find("element 1"), std::string::npos);
}

TEST(EmbeddingCodec, DecodeRejectsMalformedText) {
  EXPECT_FALSE(decode_embedding_base64("AACAPw=").ok());    // not a multiple of 4
  EXPECT_FALSE(decode_embedding_base64("AAC*Pw==").ok());   // bad character
  EXPECT_FALSE(decode_embedding_base64("AA=APw==").ok());   // padding inside
  EXPECT_FALSE(decode_embedding_base64("AAC\nAPw=").ok());  // whitespace
  auto partial = decode_embedding_base64("AAAA");           // 3 bytes, not a float
  ASSERT_FALSE(partial.ok());
  EXPECT_NE(partial.error().message.find("3 bytes"), std::string::npos);
  auto empty = decode_embedding_base64("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace plinth::providers
