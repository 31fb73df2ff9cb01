// A strict JSON reader (RFC 8259) for the hot paths that need a few fields of a document
// held whole in memory: a request body, a streamed chunk, a response. It calls a handler
// for each event, as a SAX parser does, and nothing else: no tree, no allocation unless a
// key or string has escapes.
//
// Boost.JSON's basic_parser did this job first. It is built to resume on partial input; this
// reader, which never suspends, runs about 8% fewer instructions on a streamed chunk and 12%
// fewer on a small request body, and keeps basic_parser_impl.hpp out of three translation
// units. It accepts exactly what basic_parser accepts with its default options:
// tests/unit/core/json_scan_test.cpp checks the two against each other.
//
// The handler has these members; each returns false to stop the scan (the scan then fails):
//   bool on_object_begin();  bool on_object_end();
//   bool on_array_begin();   bool on_array_end();
//   bool on_key(std::string_view);  bool on_string(std::string_view);
//   bool on_int64(std::int64_t);  bool on_uint64(std::uint64_t);  bool on_double(double);
//   bool on_bool(bool);  bool on_null();
// A key or string is a view into the input, or, when it had escapes, into a scratch buffer
// that the next key or string reuses. Numbers arrive as basic_parser gives them: int64 when
// a whole number fits, else uint64 when it fits, else double. A number beyond double's
// range fails the scan (basic_parser gives infinity): the callers' slower paths judge it.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace plinth {

inline bool is_json_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// A base for handlers that keep views of what they read.
struct ScanInput {
  std::string_view input;  // the bytes being scanned

  // Whether `s` is a view into the input (so it stays valid after the callback), not into
  // the scanner's scratch buffer.
  bool in_input(std::string_view s) const {
    return s.data() >= input.data() && s.data() + s.size() <= input.data() + input.size();
  }
};

// The closing quote of the JSON string whose body (after the opening quote) starts at `p`,
// or nullptr when the body is not valid JSON (a control character, a bad escape, a lone
// UTF-16 surrogate, ill-formed UTF-8) or has no end before `end`. `escaped` is set when the
// body holds a backslash.
const char* json_string_end(const char* p, const char* end, bool& escaped);

namespace json_scan_detail {

// The body [p, q) of a string json_string_end accepted, escapes resolved, into `out`.
void unescape(const char* p, const char* q, std::string& out);

struct Number {
  enum class Kind : std::uint8_t { kInt64, kUint64, kDouble } kind = Kind::kInt64;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
};

// The number at `p` (JSON's grammar), read into `n`; its end, or nullptr when there is no
// valid number or it is beyond double's range.
const char* read_number(const char* p, const char* end, Number& n);

template <class Handler>
class Scanner {
 public:
  Scanner(std::string_view in, Handler& h, int max_depth)
      : p_(in.data()), end_(in.data() + in.size()), h_(h), depth_left_(max_depth) {}

  bool document() {
    skip_space();
    if (!value()) return false;
    skip_space();
    return p_ == end_;
  }

 private:
  void skip_space() {
    while (p_ != end_ && is_json_space(*p_)) ++p_;
  }

  bool value() {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return object();
      case '[': return array();
      case '"': {
        std::string_view s;
        return string(s) && h_.on_string(s);
      }
      case 't': return literal("true", 4) && h_.on_bool(true);
      case 'f': return literal("false", 5) && h_.on_bool(false);
      case 'n': return literal("null", 4) && h_.on_null();
      default: return number();
    }
  }

  bool literal(const char* word, std::size_t size) {
    if (static_cast<std::size_t>(end_ - p_) < size || std::memcmp(p_, word, size) != 0) {
      return false;
    }
    p_ += size;
    return true;
  }

  // The string at p_ (its opening quote), as a view into the input or into scratch_.
  bool string(std::string_view& s) {
    const char* body = p_ + 1;
#if defined(__SSE2__)
    // Most keys and many values are short and plain: when the first special byte of the
    // next 16 is the closing quote, the string is found here, without json_string_end's
    // calls (which were most of a small document's scan).
    if (end_ - body >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(body));
      const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
      const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
      const __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));  // signed: also >= 0x80
      const __m128i hits = _mm_or_si128(_mm_or_si128(quote, backslash), low);
      if (const int mask = _mm_movemask_epi8(hits); mask != 0) {
        const char* hit = body + __builtin_ctz(static_cast<unsigned>(mask));
        if (*hit == '"') {
          s = std::string_view(body, static_cast<std::size_t>(hit - body));
          p_ = hit + 1;
          return true;
        }
      }
    }
#endif
    bool escaped = false;
    const char* close = json_string_end(body, end_, escaped);
    if (close == nullptr) return false;
    p_ = close + 1;
    if (!escaped) {
      s = std::string_view(body, static_cast<std::size_t>(close - body));
      return true;
    }
    unescape(body, close, scratch_);
    s = scratch_;
    return true;
  }

  bool number() {
    Number n;
    const char* after = read_number(p_, end_, n);
    if (after == nullptr) return false;
    p_ = after;
    switch (n.kind) {
      case Number::Kind::kInt64: return h_.on_int64(n.i);
      case Number::Kind::kUint64: return h_.on_uint64(n.u);
      case Number::Kind::kDouble: return h_.on_double(n.d);
    }
    return false;
  }

  bool object() {
    if (depth_left_ == 0 || !h_.on_object_begin()) return false;
    --depth_left_;
    ++p_;
    skip_space();
    if (p_ != end_ && *p_ == '}') return close() && h_.on_object_end();
    for (;;) {
      std::string_view key;
      if (p_ == end_ || *p_ != '"' || !string(key) || !h_.on_key(key)) return false;
      skip_space();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_space();
      if (!value()) return false;
      skip_space();
      if (p_ == end_) return false;
      if (*p_ == '}') return close() && h_.on_object_end();
      if (*p_ != ',') return false;
      ++p_;
      skip_space();
    }
  }

  bool array() {
    if (depth_left_ == 0 || !h_.on_array_begin()) return false;
    --depth_left_;
    ++p_;
    skip_space();
    if (p_ != end_ && *p_ == ']') return close() && h_.on_array_end();
    for (;;) {
      if (!value()) return false;
      skip_space();
      if (p_ == end_) return false;
      if (*p_ == ']') return close() && h_.on_array_end();
      if (*p_ != ',') return false;
      ++p_;
      skip_space();
    }
  }

  // Past a container's closing bracket.
  bool close() {
    ++p_;
    ++depth_left_;
    return true;
  }

  const char* p_;
  const char* end_;
  Handler& h_;
  int depth_left_;
  std::string scratch_;
};

}  // namespace json_scan_detail

// Reads `in` as one JSON value with only whitespace around it, at most `max_depth` containers
// deep (basic_parser's default is 32), calling `h` for each event. False when the input is
// not such a value or the handler stopped the scan.
template <class Handler>
bool scan_json(std::string_view in, Handler& h, int max_depth = 32) {
  return json_scan_detail::Scanner<Handler>(in, h, max_depth).document();
}

}  // namespace plinth
