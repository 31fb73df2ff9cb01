// Incremental HTTP/1.1 request parser for the mock upstream: the request line, the few
// headers the mock acts on, and a body framed by Content-Length or chunked encoding.
// Pure (no I/O), so it is unit-tested alone.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace plinth::bench {

// Per-request overrides of the mock's settings, from x-mock-* headers; negative = not given.
struct MockOverrides {
  double ttft_ms = -1;
  double chunk_gap_ms = -1;
  int64_t chunks = -1;
  int64_t response_bytes = -1;
};

struct HttpRequest {
  std::string_view method;
  std::string_view path;  // without the query string
  bool keep_alive = true;
  MockOverrides overrides;
  std::string_view body;
};

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

class RequestParser {
 public:
  enum class Status { kIncomplete, kComplete, kBad, kTooLarge };

  explicit RequestParser(size_t max_body_bytes = size_t{64} << 20,
                         size_t max_head_bytes = size_t{64} << 10)
      : max_body_(max_body_bytes), max_head_(max_head_bytes) {}

  // Parses the request at the start of `input`: every byte received and not yet consumed.
  // After kIncomplete, call again with the same bytes plus more. After kComplete, request()
  // points into `input` (and into the parser) until either changes, and the request used the
  // first consumed() bytes; call reset() before parsing the next one.
  Status parse(std::string_view input) {
    if (head_len_ == 0) {
      Status s = parse_head(input);
      if (s != Status::kComplete) return s;
    }
    if (chunked_) return parse_chunked(input);
    if (input.size() - head_len_ < content_length_) return Status::kIncomplete;
    consumed_ = head_len_ + content_length_;
    return finish(input, input.substr(head_len_, content_length_));
  }

  const HttpRequest& request() const { return request_; }
  size_t consumed() const { return consumed_; }

  // True once, when the head asked for "Expect: 100-continue" and the body is still due.
  bool take_continue() {
    const bool due = expect_continue_ && head_len_ != 0;
    if (due) expect_continue_ = false;
    return due;
  }

  // Bytes still missing from a Content-Length body (0 when unknown), to size reads.
  size_t body_bytes_missing(size_t input_size) const {
    if (head_len_ == 0 || chunked_) return 0;
    const size_t have = input_size - head_len_;
    return have >= content_length_ ? 0 : content_length_ - have;
  }

  void reset() {
    head_len_ = scan_from_ = content_length_ = consumed_ = chunk_left_ = pos_ = 0;
    chunked_ = expect_continue_ = false;
    chunk_state_ = ChunkState::kSize;
    body_.clear();
    request_ = HttpRequest{};
    method_end_ = path_begin_ = path_end_ = 0;
  }

 private:
  enum class ChunkState { kSize, kData, kDataEnd, kTrailer };

  Status parse_head(std::string_view input) {
    const size_t from = scan_from_ > 3 ? scan_from_ - 3 : 0;
    const size_t end = input.find("\r\n\r\n", from);
    if (end == std::string_view::npos) {
      scan_from_ = input.size();
      return input.size() > max_head_ ? Status::kBad : Status::kIncomplete;
    }
    head_len_ = end + 4;
    std::string_view head = input.substr(0, end + 2);
    size_t line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    method_end_ = line.find(' ');
    if (method_end_ == std::string_view::npos || method_end_ == 0) return Status::kBad;
    path_begin_ = method_end_ + 1;
    const size_t version_at = line.find(' ', path_begin_);
    if (version_at == std::string_view::npos) return Status::kBad;
    std::string_view target = line.substr(path_begin_, version_at - path_begin_);
    path_end_ = path_begin_ + std::min(target.find('?'), target.size());
    std::string_view version = line.substr(version_at + 1);
    if (!version.starts_with("HTTP/1.")) return Status::kBad;
    request_.keep_alive = version != "HTTP/1.0";

    for (size_t at = line_end + 2; at < head.size();) {
      const size_t next = head.find("\r\n", at);
      if (!header(head.substr(at, next - at))) return Status::kBad;
      at = next + 2;
    }
    if (!chunked_ && content_length_ > max_body_) return Status::kTooLarge;
    pos_ = head_len_;
    return Status::kComplete;
  }

  // Reads one header line; false when it is malformed.
  bool header(std::string_view line) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) return number(value, &content_length_);
    if (iequals(name, "transfer-encoding")) {
      chunked_ = value.find("chunked") != std::string_view::npos;
    } else if (iequals(name, "expect")) {
      expect_continue_ = iequals(value, "100-continue");
    } else if (iequals(name, "connection")) {
      if (iequals(value, "close")) request_.keep_alive = false;
      if (iequals(value, "keep-alive")) request_.keep_alive = true;
    } else if (name.size() > 7 && iequals(name.substr(0, 7), "x-mock-")) {
      std::string_view key = name.substr(7);
      MockOverrides& o = request_.overrides;
      if (iequals(key, "ttft-ms")) return number(value, &o.ttft_ms);
      if (iequals(key, "chunk-gap-ms")) return number(value, &o.chunk_gap_ms);
      if (iequals(key, "chunks")) return number(value, &o.chunks);
      if (iequals(key, "response-bytes")) return number(value, &o.response_bytes);
    }
    return true;
  }

  Status parse_chunked(std::string_view input) {
    while (true) {
      switch (chunk_state_) {
        case ChunkState::kSize:
        case ChunkState::kTrailer: {
          const size_t eol = input.find("\r\n", pos_);
          if (eol == std::string_view::npos) {
            return input.size() - pos_ > 4096 ? Status::kBad : Status::kIncomplete;
          }
          std::string_view line = input.substr(pos_, eol - pos_);
          pos_ = eol + 2;
          if (chunk_state_ == ChunkState::kTrailer) {
            if (!line.empty()) break;  // a trailer field: ignored
            consumed_ = pos_;
            return finish(input, body_);
          }
          line = line.substr(0, line.find(';'));
          auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), chunk_left_, 16);
          if (ec != std::errc() || end == line.data()) return Status::kBad;
          if (body_.size() + chunk_left_ > max_body_) return Status::kTooLarge;
          chunk_state_ = chunk_left_ == 0 ? ChunkState::kTrailer : ChunkState::kData;
          break;
        }
        case ChunkState::kData: {
          const size_t n = std::min(chunk_left_, input.size() - pos_);
          body_.append(input.substr(pos_, n));
          pos_ += n;
          chunk_left_ -= n;
          if (chunk_left_ > 0) return Status::kIncomplete;
          chunk_state_ = ChunkState::kDataEnd;
          break;
        }
        case ChunkState::kDataEnd:
          if (input.size() - pos_ < 2) return Status::kIncomplete;
          if (input.substr(pos_, 2) != "\r\n") return Status::kBad;
          pos_ += 2;
          chunk_state_ = ChunkState::kSize;
          break;
      }
    }
  }

  Status finish(std::string_view input, std::string_view body) {
    request_.method = input.substr(0, method_end_);
    request_.path = input.substr(path_begin_, path_end_ - path_begin_);
    request_.body = body;
    return Status::kComplete;
  }

  template <class Number>
  static bool number(std::string_view text, Number* out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return ec == std::errc() && end == text.data() + text.size();
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }

  const size_t max_body_;
  const size_t max_head_;
  HttpRequest request_;
  size_t method_end_ = 0, path_begin_ = 0, path_end_ = 0;
  size_t head_len_ = 0;   // bytes of the request line and headers, 0 until all arrived
  size_t scan_from_ = 0;  // where to resume looking for the end of the head
  size_t content_length_ = 0;
  size_t consumed_ = 0;
  bool chunked_ = false;
  bool expect_continue_ = false;
  ChunkState chunk_state_ = ChunkState::kSize;
  size_t chunk_left_ = 0;  // bytes of the current chunk not yet read
  size_t pos_ = 0;         // next byte of `input` the chunked decoder looks at
  std::string body_;       // the decoded chunked body
};

}  // namespace plinth::bench
