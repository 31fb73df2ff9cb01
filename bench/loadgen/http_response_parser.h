// Incremental HTTP/1.1 response parser of the load generator: status line, the headers that
// frame the body (Content-Length, chunked, until close), and, for text/event-stream bodies,
// the stream check. Bytes may be split anywhere. Pure, so it is unit-tested alone.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "sse_stream_check.h"

namespace plinth::bench {

class HttpResponseParser {
 public:
  enum class Status { kIncomplete, kComplete, kBad };

  void reset() {
    head_.clear();
    line_.clear();
    head_done_ = event_stream_ = false;
    keep_alive_ = true;
    status_ = 0;
    body_ = Body::kNone;
    chunk_ = Chunk::kSize;
    remaining_ = body_bytes_ = 0;
    sse_.reset();
  }

  // Feeds bytes of the response. On kComplete, *used says how many of them it took (the
  // rest belong to whatever follows).
  Status feed(std::string_view bytes, size_t* used) {
    size_t at = 0;
    if (!head_done_) {
      // Copies only the head: a large body in the same read stays where it is.
      const size_t before = head_.size();
      const size_t end_in_bytes = before == 0 ? bytes.find("\r\n\r\n") : std::string_view::npos;
      head_.append(bytes.substr(
          0, end_in_bytes == std::string_view::npos ? bytes.size() : end_in_bytes + 4));
      const size_t end = head_.find("\r\n\r\n", before > 3 ? before - 3 : 0);
      if (end == std::string::npos) {
        return head_.size() > 65536 ? Status::kBad : Status::kIncomplete;
      }
      at = end + 4 - before;
      head_.resize(end + 2);
      if (!parse_head()) return Status::kBad;
      head_done_ = true;
      if (body_ == Body::kNone || (body_ == Body::kLength && remaining_ == 0)) {
        *used = at;
        return Status::kComplete;
      }
    }
    switch (body_) {
      case Body::kLength: {
        const size_t n = std::min<size_t>(remaining_, bytes.size() - at);
        take_body(bytes.substr(at, n));
        remaining_ -= n;
        *used = at + n;
        return remaining_ == 0 ? Status::kComplete : Status::kIncomplete;
      }
      case Body::kUntilClose:
        take_body(bytes.substr(at));
        *used = bytes.size();
        return Status::kIncomplete;
      case Body::kChunked:
        return feed_chunked(bytes, at, used);
      case Body::kNone:
        break;
    }
    *used = at;
    return Status::kComplete;
  }

  // The connection closed: completes a body that runs until close; anything else is cut.
  Status on_close() const {
    return head_done_ && body_ == Body::kUntilClose ? Status::kComplete : Status::kBad;
  }

  bool head_done() const { return head_done_; }
  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  bool event_stream() const { return event_stream_; }
  uint64_t body_bytes() const { return body_bytes_; }
  const SseStreamCheck& sse() const { return sse_; }

 private:
  enum class Body { kNone, kLength, kChunked, kUntilClose };
  enum class Chunk { kSize, kData, kDataCr, kDataLf, kTrailer };

  bool parse_head() {
    std::string_view head = head_;
    const size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    if (!line.starts_with("HTTP/1.") || line.size() < 12) return false;
    keep_alive_ = line[7] != '0';
    auto [p, ec] = std::from_chars(line.data() + 9, line.data() + 12, status_);
    if (ec != std::errc() || p != line.data() + 12) return false;
    bool has_length = false;
    bool chunked = false;
    for (size_t at = eol + 2; at < head.size();) {
      const size_t next = head.find("\r\n", at);
      std::string_view h = head.substr(at, next - at);
      at = next + 2;
      const size_t colon = h.find(':');
      if (colon == std::string_view::npos) return false;
      std::string_view name = h.substr(0, colon);
      std::string_view value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      if (same(name, "content-length")) {
        auto [q, e] = std::from_chars(value.data(), value.data() + value.size(), remaining_);
        if (e != std::errc() || q != value.data() + value.size()) return false;
        has_length = true;
      } else if (same(name, "transfer-encoding")) {
        chunked = value.find("chunked") != std::string_view::npos;
      } else if (same(name, "content-type")) {
        event_stream_ = value.starts_with("text/event-stream");
      } else if (same(name, "connection")) {
        if (same(value, "close")) keep_alive_ = false;
        if (same(value, "keep-alive")) keep_alive_ = true;
      }
    }
    if (status_ < 200 || status_ == 204 || status_ == 304) {
      body_ = Body::kNone;
    } else if (chunked) {
      body_ = Body::kChunked;
    } else if (has_length) {
      body_ = Body::kLength;
    } else {
      body_ = Body::kUntilClose;
      keep_alive_ = false;
    }
    return true;
  }

  Status feed_chunked(std::string_view bytes, size_t at, size_t* used) {
    while (at < bytes.size()) {
      switch (chunk_) {
        case Chunk::kSize:
        case Chunk::kTrailer: {
          const size_t nl = bytes.find('\n', at);
          const size_t end = nl == std::string_view::npos ? bytes.size() : nl;
          line_.append(bytes.substr(at, end - at));
          if (line_.size() > 4096) return Status::kBad;
          if (nl == std::string_view::npos) return Status::kIncomplete;
          at = nl + 1;
          if (!line_.empty() && line_.back() == '\r') line_.pop_back();
          if (chunk_ == Chunk::kTrailer) {
            const bool last = line_.empty();
            line_.clear();
            if (!last) break;
            *used = at;
            return Status::kComplete;
          }
          const size_t semi = std::min(line_.find(';'), line_.size());
          auto [p, ec] = std::from_chars(line_.data(), line_.data() + semi, remaining_, 16);
          if (ec != std::errc() || p == line_.data()) return Status::kBad;
          line_.clear();
          chunk_ = remaining_ == 0 ? Chunk::kTrailer : Chunk::kData;
          break;
        }
        case Chunk::kData: {
          const size_t n = std::min<size_t>(remaining_, bytes.size() - at);
          take_body(bytes.substr(at, n));
          at += n;
          remaining_ -= n;
          if (remaining_ == 0) chunk_ = Chunk::kDataCr;
          break;
        }
        case Chunk::kDataCr:
          if (bytes[at] == '\n') {
            chunk_ = Chunk::kSize;
          } else if (bytes[at] == '\r') {
            chunk_ = Chunk::kDataLf;
          } else {
            return Status::kBad;
          }
          ++at;
          break;
        case Chunk::kDataLf:
          if (bytes[at++] != '\n') return Status::kBad;
          chunk_ = Chunk::kSize;
          break;
      }
    }
    *used = at;
    return Status::kIncomplete;
  }

  void take_body(std::string_view bytes) {
    body_bytes_ += bytes.size();
    if (event_stream_) sse_.feed(bytes);
  }

  static bool same(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    }
    return true;
  }

  std::string head_;  // the status line and headers, until they are complete
  std::string line_;  // a chunk-size or trailer line split across feeds
  bool head_done_ = false;
  bool keep_alive_ = true;
  bool event_stream_ = false;
  int status_ = 0;
  Body body_ = Body::kNone;
  Chunk chunk_ = Chunk::kSize;
  uint64_t remaining_ = 0;  // bytes left in the Content-Length body or the current chunk
  uint64_t body_bytes_ = 0;
  SseStreamCheck sse_;
};

}  // namespace plinth::bench
