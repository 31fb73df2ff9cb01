// Incremental parser for text/event-stream (WHATWG SSE): bytes arrive in arbitrary pieces;
// events may be split across reads or several may share one read; lines end in \n, \r\n or
// \r; lines starting with ':' are comments. Pure, no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace plinth::http {

// One event, as views into the parser: valid until its next feed() or next().
struct SseEvent {
  std::string_view event;  // "" when the event had no `event:` field
  std::string_view data;   // `data:` lines joined with \n
};

class SseParser {
 public:
  // Appends bytes to the parser's buffer.
  void feed(std::string_view bytes);
  // Pops the next complete event into `out`; false when none is complete yet. Events with
  // no data field (only comments, or only `event:`) are skipped. An event of one `data:`
  // line (nearly every event of a model's stream) is viewed where it lies, not copied.
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
  // The event being assembled line by line, and the last one so assembled (what `out`
  // views when the one-line path did not apply).
  std::string event_, data_;
  std::string last_event_, last_data_;
  bool has_data_ = false;
  bool overflowed_ = false;
};

// Formats one SSE event `data: <payload>\n\n` into out (appending).
void append_sse_data(std::string& out, std::string_view payload);

}  // namespace plinth::http
