// JsonLineWriter: one JSON object written key by key into a string (log lines). Built by hand
// because building a JSON value first cost more than the rest of a request's own processing.
#pragma once

#include "core/json_text.h"

#include <fmt/format.h>

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace plinth {

class JsonLineWriter {
 public:
  explicit JsonLineWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  void str(std::string_view key, std::string_view value) {
    this->key(key);
    append_json_string(out_, value);
  }
  void str_or_null(std::string_view key, const std::string* value) {
    if (value) return str(key, *value);
    this->key(key);
    out_.append("null");
  }
  void num(std::string_view key, std::int64_t value) {
    this->key(key);
    fmt::format_to(std::back_inserter(out_), "{}", value);
  }
  void boolean(std::string_view key, bool value) {
    this->key(key);
    out_.append(value ? "true" : "false");
  }
  void close() { out_.push_back('}'); }

 private:
  void key(std::string_view k) {
    if (out_.size() > 1) out_.push_back(',');
    out_.push_back('"');
    out_.append(k);
    out_.append("\":");
  }
  std::string& out_;
};

}  // namespace plinth
