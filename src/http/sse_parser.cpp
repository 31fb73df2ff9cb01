// SseParser: line splitting and field handling per the WHATWG event-stream rules.
#include "http/sse_parser.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace plinth::http {
namespace {

constexpr std::string_view kDataPrefix = "data: ";

// Offset of the first '\r' or '\n' in `text` at or after `from`, or npos.
// Two memchr scans (vectorised by libc) instead of a byte loop: this runs for every chunk of
// every stream, in both directions.
std::size_t find_line_end(std::string_view text, std::size_t from) {
  if (from >= text.size()) return std::string_view::npos;
  const char* p = text.data() + from;
  const std::size_t n = text.size() - from;
  const void* lf = std::memchr(p, '\n', n);
  const std::size_t cr_span = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - p) : n;
  const void* cr = std::memchr(p, '\r', cr_span);
  const void* hit = cr ? cr : lf;
  if (!hit) return std::string_view::npos;
  return static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
}

// The value of a whole one-line event at `from`: "data:[ ]<value>\n\n" with no \r in it
// (that line ending goes the general way), or nullopt. `end` is where the event ends.
std::optional<std::string_view> one_line_event(std::string_view text, std::size_t from,
                                               std::size_t& end) {
  constexpr std::string_view kField = "data:";
  if (text.size() - from < kField.size() + 2 || text.compare(from, kField.size(), kField) != 0) {
    return std::nullopt;
  }
  const char* line = text.data() + from;
  const std::size_t room = text.size() - from;
  const void* lf = std::memchr(line, '\n', room);
  if (lf == nullptr) return std::nullopt;
  const std::size_t length = static_cast<std::size_t>(static_cast<const char*>(lf) - line);
  if (length + 1 >= room || line[length + 1] != '\n') return std::nullopt;  // not yet whole
  if (std::memchr(line, '\r', length) != nullptr) return std::nullopt;
  std::string_view value(line + kField.size(), length - kField.size());
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  end = from + length + 2;
  return value;
}

}  // namespace

void SseParser::feed(std::string_view bytes) {
  if (overflowed_ || bytes.empty()) return;
  // Drop what next() has consumed so that a long stream does not grow the buffer. What
  // remains is at most one partial line, so the move is short.
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

bool SseParser::next(SseEvent& out) {
  if (overflowed_) return false;
  const std::string_view text = buffer_;
  while (pos_ < text.size()) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (text[pos_] == '\n') {
        ++pos_;
        continue;
      }
    }
    if (!has_data_ && scanned_ == 0 && event_.empty()) {
      std::size_t event_end = 0;
      if (auto value = one_line_event(text, pos_, event_end);
          value && value->size() <= kMaxEventBytes) {
        pos_ = event_end;
        out.event = {};
        out.data = *value;
        return true;
      }
    }
    const std::size_t end = find_line_end(text, pos_ + scanned_);
    if (end == std::string_view::npos) {
      scanned_ = text.size() - pos_;
      if (scanned_ + data_.size() > kMaxEventBytes) overflowed_ = true;
      return false;
    }
    scanned_ = 0;
    const std::string_view line = text.substr(pos_, end - pos_);
    pos_ = end + 1;
    if (text[end] == '\r') skip_lf_ = true;

    if (line.empty()) {  // blank line: dispatch
      if (!has_data_) {
        event_.clear();
        continue;
      }
      std::swap(last_event_, event_);
      std::swap(last_data_, data_);
      event_.clear();
      data_.clear();
      has_data_ = false;
      out.event = last_event_;
      out.data = last_data_;
      return true;
    }
    if (line.front() == ':') continue;  // comment

    const std::size_t colon = line.find(':');
    const std::string_view field = line.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
      if (has_data_) data_.push_back('\n');
      data_.append(value);
      has_data_ = true;
      if (data_.size() > kMaxEventBytes) {
        overflowed_ = true;
        return false;
      }
    } else if (field == "event") {
      event_.assign(value);
    }
    // `id`, `retry` and unknown fields are ignored: nothing downstream uses them.
  }
  return false;
}

void append_sse_data(std::string& out, std::string_view payload) {
  // One `data:` line per payload line, so that a payload with line breaks survives.
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = find_line_end(payload, start);
    out.append(kDataPrefix);
    out.append(payload.substr(start, end == std::string_view::npos ? end : end - start));
    out.push_back('\n');
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (payload[end] == '\r' && start < payload.size() && payload[start] == '\n') ++start;
  }
  out.push_back('\n');
}

}  // namespace plinth::http
