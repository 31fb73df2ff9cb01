// Embedding vectors as the OpenAI API sends them with `encoding_format: "base64"`: the
// values as little-endian IEEE-754 float32 bytes, in standard base64 with padding (what the
// OpenAI SDKs decode). Pure functions, no I/O.
#pragma once

#include "core/result.h"

#include <boost/json/array.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::providers {

std::string encode_embedding_base64(std::span<const float> values);

// Encodes a JSON array of numbers (an upstream's float embedding) the same way; each
// number is narrowed to float32. Error (kUpstreamError) when an element is not a number.
Result<std::string> encode_embedding_base64(const boost::json::array& values);

// The inverse. Error (kInvalidRequest) when `text` is not padded standard base64 or does
// not decode to a whole number of float32 values.
Result<std::vector<float>> decode_embedding_base64(std::string_view text);

}  // namespace plinth::providers
