// The pieces of HTTP/1.1 (RFC 9110, RFC 9112) that our request parser (front door) and our
// response parser (upstream) share: byte classes, the search for a head's end, field lines,
// message framing and the chunked coding. Private to src/http/.
//
// Why parsers of our own: Beast's basic_parser looks every field name up in its table of
// known fields and reads each byte through several layers. Finding the head's end first and
// then reading it in one pass, with SSE2 over field values and only the names we act on
// compared, costs a fraction, and keeps Beast's parser out of the request path's code.
#pragma once

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace plinth::http::detail::http1 {

using error_code = boost::system::error_code;

bool is_token(char c);  // RFC 9110 tchar
inline bool is_ows(char c) { return c == ' ' || c == '\t'; }

// The end of the run of token characters at `p`. No bound: only for a head, whose closing
// CR (no token character) comes first.
inline const char* skip_token(const char* p) {
  while (is_token(*p)) ++p;
  return p;
}

// The first byte at or after `p` (before `end`) that is at most `last` or is DEL: with
// `last` 0x1F a control character, with 0x20 also a space.
const char* find_control(const char* p, const char* end, unsigned char last);

// The end of a field value at `p`: the first control character other than HTAB.
const char* skip_value(const char* p, const char* end);

// Whether `name` (a field name, or an element of a field value) is `lower` (lower-case
// letters, digits and '-') in any case.
bool name_is(std::string_view name, std::string_view lower);

std::string_view trim_ows(std::string_view s);

// Calls `f` with each element of a comma-separated list (RFC 9110 §5.6.1), trimmed; empty
// elements are skipped, as the grammar allows.
template <class F>
void for_each_element(std::string_view list, F&& f) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view element = trim_ows(list.substr(0, comma));
    if (!element.empty()) f(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// Finds the end of a head (the first empty line) in bytes offered again and again, each
// time with more, searching only what it has not searched. Every LF must end a CRLF.
class HeadFinder {
 public:
  // The head's size once its end is in `in`, else 0. Sets `ec` to bad_line_ending on a bare
  // LF, and to header_limit when the head is, or would be, longer than `limit` bytes.
  std::size_t find(std::string_view in, std::size_t limit, error_code& ec);

 private:
  std::size_t scanned_ = 0;
  std::size_t line_start_ = 0;
};

// What a head says about framing and the connection: Content-Length, Transfer-Encoding and
// Connection, with the rules both directions share.
struct Framing {
  std::uint64_t length = 0;
  bool has_length = false;
  bool has_transfer_encoding = false;
  bool chunked = false;     // a coding was named
  bool bad_coding = false;  // any coding but one chunked: nothing we can decode
  bool close = false;       // Connection: close
  bool keep_alive = false;  // Connection: keep-alive

  // Takes the field if it is one of the three; false with `ec` set when its value is bad.
  bool on_field(std::string_view name, std::string_view value, error_code& ec);
  // Whether the connection may carry another message, for an HTTP/1.x minor `minor`.
  // An HTTP/1.0 message with Transfer-Encoding may be framed wrongly by a 1.0 peer: read it,
  // then close (RFC 9112 §6.1).
  bool persistent(int minor) const {
    if (minor == 0) return keep_alive && !close && !has_transfer_encoding;
    return !close;
  }
};

// Reads the field lines at `p` up to the head's closing CRLF (which HeadFinder found, so
// the head ends at `end` with it), calling `on_field(name, value, ec)` for each; false, with
// `ec` set, on a malformed line or when on_field returns false. A line folded onto the one
// before (obs-fold) is refused, as RFC 9112 §5.2 allows.
template <class F>
bool read_fields(const char* p, const char* end, error_code& ec, F&& on_field);

// Decodes a chunked body (RFC 9112 §7.1) as it arrives: one step at a time, consuming
// framing and at most one run of data. Chunk extensions and trailer fields are read and
// dropped.
class ChunkedDecoder {
 public:
  // `limit`: the most data bytes the body may hold (body_limit beyond it, checked on each
  // chunk's size line); `trailer_limit`: the most bytes of trailer fields (header_limit).
  ChunkedDecoder(std::uint64_t limit, std::size_t trailer_limit)
      : limit_(limit), trailer_limit_(trailer_limit) {}

  // Consumes from the start of `in` and returns how many bytes; `data` is the run of chunk
  // data among them (a view into `in`), or empty. 0 with no error: a line is incomplete.
  std::size_t step(std::string_view in, std::string_view& data, error_code& ec);
  bool done() const { return state_ == State::kDone; }

  // Steps through `in` as far as it goes, handing each run of data to `on_data(data, ec)`,
  // which returns false (with `ec` set) to stop; the bytes consumed, 0 on an error.
  template <class F>
  std::size_t put(std::string_view in, error_code& ec, F&& on_data) {
    std::size_t used = 0;
    std::string_view data;
    while (!done()) {
      const std::size_t n = step(in.substr(used), data, ec);
      if (ec || (!data.empty() && !on_data(data, ec))) return 0;
      if (n == 0) break;
      used += n;
    }
    return used;
  }

 private:
  enum class State : std::uint8_t { kSize, kData, kDataEnd, kTrailer, kDone };
  bool size_line(std::string_view line, error_code& ec);
  State state_ = State::kSize;
  std::uint64_t left_ = 0;   // data bytes of the current chunk still to come
  std::uint64_t total_ = 0;  // data bytes declared so far
  std::uint64_t limit_;
  std::size_t trailer_limit_;
  std::size_t trailer_size_ = 0;
};

// One field line at `p`, which moves past its CRLF; the value is trimmed of OWS.
bool read_field_line(const char*& p, const char* end, std::string_view& name,
                     std::string_view& value, error_code& ec);
// Whether `p` is at the head's closing CRLF, the last two bytes before `end`.
bool at_head_end(const char* p, const char* end, error_code& ec);

template <class F>
bool read_fields(const char* p, const char* end, error_code& ec, F&& on_field) {
  std::string_view name, value;
  while (*p != '\r') {
    if (!read_field_line(p, end, name, value, ec) || !on_field(name, value, ec)) return false;
  }
  return at_head_end(p, end, ec);
}

}  // namespace plinth::http::detail::http1
