// Reads a text/event-stream body incrementally and checks the chunk sequence the mock
// upstream writes: each chunk's content (or text) carries "tok<seq>", 0-based; the last chunk
// has a finish_reason; a usage event and `data: [DONE]` end the stream. Counts chunks, and
// lost or reordered ones. Pure, so it is unit-tested alone.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::bench {

class SseStreamCheck {
 public:
  static constexpr uint64_t kMaxTrackedSeq = uint64_t{1} << 20;

  void reset() {
    line_.clear();
    data_.clear();
    has_data_ = done_ = malformed_ = false;
    events_ = chunks_ = reordered_ = distinct_ = 0;
    next_seq_ = 0;
    final_seq_ = usage_tokens_ = -1;
    std::fill(seen_.begin(), seen_.begin() + std::min(seen_words_, seen_.size()), 0);
    seen_words_ = 0;
  }

  // Feeds body bytes, split anywhere.
  void feed(std::string_view bytes) {
    while (!bytes.empty()) {
      const size_t nl = bytes.find('\n');
      if (nl == std::string_view::npos) {
        line_.append(bytes);
        if (line_.size() > (1u << 20)) malformed_ = true;
        return;
      }
      std::string_view line = bytes.substr(0, nl);
      if (!line_.empty()) {
        line_.append(line);
        line = line_;
      }
      bytes.remove_prefix(nl + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      on_line(line);
      line_.clear();
    }
  }

  uint64_t events() const { return events_; }  // data events, [DONE] not included
  uint64_t chunks() const { return chunks_; }  // events carrying a sequence number
  bool done() const { return done_; }          // saw data: [DONE]
  bool malformed() const { return malformed_; }
  // Chunks that arrived after a later one (or twice).
  uint64_t reordered() const { return reordered_; }

  // Chunks that never arrived, out of `expected` if it is >= 0; else out of the count the
  // stream itself announces (the chunk with a finish_reason, then the usage event's
  // completion_tokens, then the highest sequence number seen).
  uint64_t lost(int64_t expected = -1) const {
    if (expected < 0) expected = final_seq_ >= 0 ? final_seq_ + 1 : usage_tokens_;
    if (expected < 0) expected = static_cast<int64_t>(next_seq_);
    return static_cast<uint64_t>(expected) > distinct_ ? expected - distinct_ : 0;
  }

 private:
  void on_line(std::string_view line) {
    if (line.empty()) {
      if (has_data_) on_event(data_);
      data_.clear();
      has_data_ = false;
    } else if (line.starts_with("data:")) {
      line.remove_prefix(5);
      if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      if (has_data_) data_ += '\n';
      data_.append(line);
      has_data_ = true;
    }  // event:, id:, retry: and comments carry nothing we check
  }

  void on_event(std::string_view data) {
    if (data == "[DONE]") {
      if (done_) malformed_ = true;
      done_ = true;
      return;
    }
    if (done_) malformed_ = true;
    ++events_;
    int64_t last_seq = -1;
    for (std::string_view key :
         {std::string_view("\"content\":\""), std::string_view("\"text\":\"")}) {
      for (size_t at = data.find(key); at != std::string_view::npos; at = data.find(key, at + 1)) {
        last_seq = std::max(last_seq, scan_content(data, at + key.size()));
      }
    }
    if (last_seq >= 0 && finished(data)) final_seq_ = last_seq;
    if (const size_t at = data.find("\"completion_tokens\":"); at != std::string_view::npos) {
      std::string_view v = data.substr(at + 20);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      int64_t tokens = -1;
      if (std::from_chars(v.data(), v.data() + v.size(), tokens).ec == std::errc()) {
        usage_tokens_ = tokens;
      }
    }
  }

  // Records every "tok<n>" in the JSON string starting at `at`; returns the highest n, or -1.
  int64_t scan_content(std::string_view data, size_t at) {
    size_t end = at;
    while (end < data.size() && data[end] != '"') end += data[end] == '\\' ? 2 : 1;
    std::string_view text = data.substr(at, std::min(end, data.size()) - at);
    int64_t highest = -1;
    for (size_t t = text.find("tok"); t != std::string_view::npos; t = text.find("tok", t + 3)) {
      uint64_t seq = 0;
      const char* first = text.data() + t + 3;
      auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), seq);
      if (ec != std::errc() || ptr == first) continue;
      on_seq(seq);
      highest = std::max(highest, static_cast<int64_t>(seq));
    }
    return highest;
  }

  void on_seq(uint64_t seq) {
    ++chunks_;
    if (seq < next_seq_) ++reordered_;
    next_seq_ = std::max(next_seq_, seq + 1);
    if (seq >= kMaxTrackedSeq) return;
    const size_t word = seq / 64;
    if (word >= seen_.size()) seen_.resize(std::max<size_t>(word + 1, 2 * seen_.size()), 0);
    seen_words_ = std::max(seen_words_, word + 1);
    const uint64_t bit = uint64_t{1} << (seq % 64);
    if ((seen_[word] & bit) == 0) ++distinct_;
    seen_[word] |= bit;
  }

  static bool finished(std::string_view data) {
    const size_t at = data.find("\"finish_reason\":");
    if (at == std::string_view::npos) return false;
    std::string_view v = data.substr(at + 16);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    return v.starts_with("\"");
  }

  std::string line_;  // a line split across feeds
  std::string data_;  // the data of the event being read
  bool has_data_ = false;
  bool done_ = false;
  bool malformed_ = false;
  uint64_t events_ = 0, chunks_ = 0, reordered_ = 0, distinct_ = 0;
  uint64_t next_seq_ = 0;       // one past the highest sequence number seen
  int64_t final_seq_ = -1;      // sequence number of the chunk with a finish_reason
  int64_t usage_tokens_ = -1;   // completion_tokens of the usage event
  std::vector<uint64_t> seen_;  // a bit per sequence number received
  size_t seen_words_ = 0;       // words of seen_ in use
};

}  // namespace plinth::bench
