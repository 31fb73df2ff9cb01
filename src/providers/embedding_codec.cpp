// Base64 via OpenSSL's EVP block coder; the float32 byte order is written out explicitly so
// the encoding is the same on any host.
#include "providers/embedding_codec.h"

#include <openssl/evp.h>

#include <bit>
#include <cstdint>
#include <string>

namespace plinth::providers {

namespace {

void append_le(std::vector<unsigned char>& bytes, float value) {
  const auto bits = std::bit_cast<std::uint32_t>(value);
  for (int shift = 0; shift < 32; shift += 8) {
    bytes.push_back(static_cast<unsigned char>(bits >> shift));
  }
}

std::string to_base64(const std::vector<unsigned char>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  // EVP_EncodeBlock writes a terminating NUL as well, hence the +1 capacity.
  out.reserve(out.size() + 1);
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string encode_embedding_base64(std::span<const float> values) {
  std::vector<unsigned char> bytes;
  bytes.reserve(values.size() * 4);
  for (float v : values) append_le(bytes, v);
  return to_base64(bytes);
}

Result<std::string> encode_embedding_base64(const boost::json::array& values) {
  std::vector<unsigned char> bytes;
  bytes.reserve(values.size() * 4);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& v = values[i];
    if (!v.is_number()) {
      return Error{ErrorCode::kUpstreamError,
                   "embedding element " + std::to_string(i) + " is not a number"};
    }
    append_le(bytes, static_cast<float>(v.to_number<double>()));
  }
  return to_base64(bytes);
}

Result<std::vector<float>> decode_embedding_base64(std::string_view text) {
  // EVP_DecodeBlock tolerates whitespace and does not report padding, so the shape is
  // checked here: groups of four, padding only at the end.
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  bool valid = text.size() % 4 == 0;
  for (std::size_t i = 0; valid && i < text.size() - padding; ++i) {
    valid = is_base64_char(text[i]);
  }
  if (!valid) return Error::invalid("embedding", "not standard base64 (A-Z a-z 0-9 + / =)");
  const std::size_t size = text.size() / 4 * 3 - padding;
  if (size % 4 != 0) {
    return Error::invalid("embedding", "base64 data is " + std::to_string(size) +
                                           " bytes, not a whole number of float32 values");
  }
  std::vector<unsigned char> bytes(text.size() / 4 * 3 + 1);
  EVP_DecodeBlock(bytes.data(), reinterpret_cast<const unsigned char*>(text.data()),
                  static_cast<int>(text.size()));
  std::vector<float> values(size / 4);
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint32_t bits = 0;
    for (int b = 3; b >= 0; --b) bits = (bits << 8) | bytes[i * 4 + static_cast<std::size_t>(b)];
    values[i] = std::bit_cast<float>(bits);
  }
  return values;
}

}  // namespace plinth::providers
