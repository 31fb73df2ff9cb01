// Incremental parser for text/event-stream (WHATWG SSE): bytes arrive in arbitrary pieces;
// events may be split across reads or several may share one read; lines end in \n, \r\n or
// \r; lines starting with ':' are comments. Pure, no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace plinth::http {

struct SseEvent {
  std::string event;  // "" when the event had no `event:` field
  std::string data;   // `data:` lines joined with \n
};

class SseParser {
 public:
  // Appends bytes to the parser's buffer.
  void feed(std::string_view bytes);
  // Pops the next complete event into `out`; false when none is complete yet. Events with
  // no data field (only comments, or only `event:`) are skipped.
  bool next(SseEvent& out);
  // Bytes buffered but not yet part of a complete event.
  std::size_t pending() const { return buffer_.size() - pos_; }
  // Upper bound for a single event; a larger one makes next() fail through overflowed().
  static constexpr std::size_t kMaxEventBytes = 16 * 1024 * 1024;
  bool overflowed() const { return overflowed_; }

 private:
  std::string buffer_;
  std::size_t pos_ = 0;      // start of unparsed bytes in buffer_
  std::size_t scanned_ = 0;  // bytes after pos_ known to hold no line end (no rescans)
  bool skip_lf_ = false;     // previous line ended in \r; a following \n belongs to it
  SseEvent current_;
  bool has_data_ = false;
  bool overflowed_ = false;
};

// Formats one SSE event `data: <payload>\n\n` into out (appending).
void append_sse_data(std::string& out, std::string_view payload);

}  // namespace plinth::http
