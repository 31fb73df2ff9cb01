// A minimal JSON object writer for the bench tools' reports: fields in insertion order,
// numbers via to_chars, doubles rounded to three decimals.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::bench {

class JsonWriter {
 public:
  JsonWriter() { open('{'); }

  JsonWriter& begin_object(std::string_view key) {
    write_key(key);
    open('{');
    return *this;
  }
  JsonWriter& end_object() {
    out_ += '}';
    first_.pop_back();
    return *this;
  }

  JsonWriter& field(std::string_view key, std::string_view value) {
    write_key(key);
    write_string(value);
    return *this;
  }
  JsonWriter& field(std::string_view key, const char* value) {
    return field(key, std::string_view(value));
  }
  JsonWriter& field(std::string_view key, bool value) {
    write_key(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  JsonWriter& field(std::string_view key, uint64_t value) { return integer(key, value); }
  JsonWriter& field(std::string_view key, int64_t value) { return integer(key, value); }
  JsonWriter& field(std::string_view key, int value) { return integer(key, int64_t{value}); }
  JsonWriter& field(std::string_view key, double value) {
    write_key(key);
    if (!std::isfinite(value)) {
      out_ += "null";
      return *this;
    }
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, std::round(value * 1000.0) / 1000.0);
    out_.append(buf, res.ptr);
    return *this;
  }
  JsonWriter& null_field(std::string_view key) {
    write_key(key);
    out_ += "null";
    return *this;
  }

  // Closes the outermost object and returns the document.
  std::string finish() {
    while (!first_.empty()) end_object();
    return std::move(out_);
  }

 private:
  template <class Int>
  JsonWriter& integer(std::string_view key, Int value) {
    write_key(key);
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, res.ptr);
    return *this;
  }

  void open(char c) {
    out_ += c;
    first_.push_back(true);
  }

  void write_key(std::string_view key) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    write_string(key);
    out_ += ':';
  }

  void write_string(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        out_ += "\\u00";
        out_ += kHex[(c >> 4) & 0xf];
        out_ += kHex[c & 0xf];
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }

  std::string out_;
  std::vector<bool> first_;
};

}  // namespace plinth::bench
