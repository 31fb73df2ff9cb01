#include "providers/response_rewrite.h"

#include "core/json_scan.h"
#include "core/json_text.h"

namespace plinth::providers {

namespace {

// Tracks just enough structure: the current top-level key, the usage object's fields, and
// where the top-level "model" string sits in the input.
struct Scan : ScanInput {
  int depth = 0;
  std::string_view top_key;   // the key of the member being read at depth 1
  std::string_view usage_key; // the key being read inside "usage"
  bool in_usage = false;
  bool usage_seen = false;
  bool error_seen = false;
  const char* model_begin = nullptr;
  std::size_t model_size = 0;
  Usage usage;

  bool on_object_begin() {
    if (depth == 1 && top_key == "usage") in_usage = usage_seen = true;
    ++depth;
    return true;
  }
  bool on_object_end() {
    --depth;
    if (depth == 1) in_usage = false;
    if (depth == 1 && top_key == "error") error_seen = true;
    return true;
  }
  bool on_array_begin() {
    ++depth;
    return true;
  }
  bool on_array_end() {
    --depth;
    return true;
  }
  bool on_key(std::string_view key) {
    // A key with escapes is not one we look for, and a view of it (the scanner's scratch
    // buffer) must not be kept.
    const std::string_view k = in_input(key) ? key : std::string_view();
    if (depth == 1) top_key = k;
    if (depth == 2 && in_usage) usage_key = k;
    return true;
  }
  bool on_string(std::string_view s) {
    if (depth == 1 && top_key == "model" && in_input(s)) {
      model_begin = s.data();
      model_size = s.size();
    }
    if (depth == 1 && top_key == "object" && s == "error") error_seen = true;
    if (depth == 1 && top_key == "error") error_seen = true;
    return true;
  }
  void number(std::int64_t n) {
    if (depth == 2 && in_usage) {
      if (usage_key == "prompt_tokens") usage.prompt_tokens = n;
      if (usage_key == "completion_tokens") usage.completion_tokens = n;
    }
  }
  bool on_int64(std::int64_t n) {
    number(n);
    return true;
  }
  bool on_uint64(std::uint64_t n) {
    number(static_cast<std::int64_t>(n));
    return true;
  }
  bool on_double(double) { return true; }
  bool on_bool(bool) {
    if (depth == 1 && top_key == "error") error_seen = true;
    return true;
  }
  bool on_null() { return true; }
};

}  // namespace

std::optional<InferenceResponse> rewrite_response(std::string_view body,
                                                  std::string_view public_model) {
  Scan scan;
  scan.input = body;
  if (!scan_json(body, scan)) return std::nullopt;
  if (scan.error_seen || !scan.usage_seen || scan.model_begin == nullptr) return std::nullopt;
  // The value's quotes sit right around it when it had no escapes.
  const std::size_t begin = static_cast<std::size_t>(scan.model_begin - body.data());
  if (begin == 0 || body[begin - 1] != '"' || begin + scan.model_size >= body.size() ||
      body[begin + scan.model_size] != '"') {
    return std::nullopt;
  }
  InferenceResponse response;
  response.raw.reserve(body.size() + public_model.size());
  response.raw.append(body.substr(0, begin - 1));
  append_json_string(response.raw, public_model);
  response.raw.append(body.substr(begin + scan.model_size + 1));
  response.usage = scan.usage;
  return response;
}

}  // namespace plinth::providers
