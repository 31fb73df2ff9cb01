#include "core/json_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace plinth {

namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The four hex digits at `p` (before `end`) as a code unit, or -1.
long hex4(const char* p, const char* end) {
  if (end - p < 4) return -1;
  long v = 0;
  for (int i = 0; i < 4; ++i) {
    const int h = hex_value(p[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

bool is_high_surrogate(long u) { return u >= 0xD800 && u <= 0xDBFF; }
bool is_low_surrogate(long u) { return u >= 0xDC00 && u <= 0xDFFF; }

// Past the escape at `p` (its backslash), or nullptr when it is not a valid one. A \u escape
// of a high surrogate must be followed by one of a low surrogate; a low one alone is invalid
// (basic_parser's rule without allow_invalid_utf16).
const char* skip_escape(const char* p, const char* end) {
  if (end - p < 2) return nullptr;
  switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
      return p + 2;
    case 'u': {
      const long u = hex4(p + 2, end);
      if (u < 0 || is_low_surrogate(u)) return nullptr;
      if (!is_high_surrogate(u)) return p + 6;
      if (end - p < 12 || p[6] != '\\' || p[7] != 'u') return nullptr;
      return is_low_surrogate(hex4(p + 8, end)) ? p + 12 : nullptr;
    }
    default: return nullptr;
  }
}

// Bytes that end a run of plain string bytes: the quote, a backslash, a control character
// or the first byte of a multi-byte UTF-8 sequence.
bool is_special(unsigned char c) { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80; }

// The first special byte at or after `p`, or `end`.
const char* next_special_sse2(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // A signed compare with 0x20 catches both the control characters and bytes >= 0x80.
    const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                   _mm_cmpeq_epi8(v, backslash)),
                                      _mm_cmplt_epi8(v, space));
    if (const int mask = _mm_movemask_epi8(hits); mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p != end && !is_special(static_cast<unsigned char>(*p))) ++p;
  return p;
}

#if defined(__x86_64__) && defined(__GNUC__)
// The same, 32 bytes a step, for CPUs with AVX2 (chosen at run time: the build targets
// baseline x86-64). Prompts are long strings: a chat's content is most of its body.
__attribute__((target("avx2"))) const char* next_special_avx2(const char* p, const char* end) {
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i backslash = _mm256_set1_epi8('\\');
  const __m256i space = _mm256_set1_epi8(0x20);
  while (end - p >= 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hits = _mm256_or_si256(
        _mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, backslash)),
        _mm256_cmpgt_epi8(space, v));
    if (const auto mask = static_cast<unsigned>(_mm256_movemask_epi8(hits)); mask != 0) {
      return p + __builtin_ctz(mask);
    }
    p += 32;
  }
  return next_special_sse2(p, end);
}

const bool kHasAvx2 = (__builtin_cpu_init(), __builtin_cpu_supports("avx2"));

const char* next_special(const char* p, const char* end) {
  return kHasAvx2 ? next_special_avx2(p, end) : next_special_sse2(p, end);
}
#else
const char* next_special(const char* p, const char* end) { return next_special_sse2(p, end); }
#endif

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The length of the UTF-8 sequence at `p` (before `end`) when it is well formed (RFC 3629:
// no overlong forms, no surrogates, nothing past U+10FFFF), else 0.
std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = *p;
  const std::size_t left = static_cast<std::size_t>(end - p);
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && is_continuation(p[1]) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !is_continuation(p[1]) || !is_continuation(p[2])) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;  // overlong
    if (c == 0xED && p[1] > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !is_continuation(p[1]) || !is_continuation(p[2]) ||
        !is_continuation(p[3])) {
      return 0;
    }
    if (c == 0xF0 && p[1] < 0x90) return 0;  // overlong
    if (c == 0xF4 && p[1] > 0x8F) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace


const char* json_string_end(const char* p, const char* end, bool& escaped) {
  for (;;) {
    p = next_special(p, end);
    if (p == end) return nullptr;
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') return p;
    if (c == '\\') {
      escaped = true;
      p = skip_escape(p, end);
      if (p == nullptr) return nullptr;
    } else if (c < 0x20) {
      return nullptr;
    } else {
      const std::size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p),
                                          reinterpret_cast<const unsigned char*>(end));
      if (n == 0) return nullptr;
      p += n;
    }
  }
}

void json_scan_detail::unescape(const char* p, const char* q, std::string& out) {
  out.clear();
  while (p != q) {
    const auto* backslash =
        static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(q - p)));
    if (backslash == nullptr) {
      out.append(p, q);
      return;
    }
    out.append(p, backslash);
    const char e = backslash[1];
    p = backslash + 2;
    switch (e) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        unsigned long cp = static_cast<unsigned long>(hex4(p, q));
        p += 4;
        if (is_high_surrogate(static_cast<long>(cp))) {  // json_string_end saw the low half
          const auto low = static_cast<unsigned long>(hex4(p + 2, q));
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          p += 6;
        }
        append_utf8(out, cp);
        break;
      }
      default: out.push_back(e);  // '"', '\\' or '/'
    }
  }
}

const char* json_scan_detail::read_number(const char* p, const char* end,
                                          json_scan_detail::Number& n) {
  using json_scan_detail::Number;
  const char* begin = p;
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  if (p == end || !is_digit(*p)) return nullptr;
  // Whole-number digits, summed while they fit (19 digits always do).
  std::uint64_t mantissa = 0;
  int digits = 0;
  if (*p == '0') {
    ++p;
  } else {
    while (p != end && is_digit(*p)) {
      if (digits < 19) mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
      ++digits;
      ++p;
    }
  }
  bool whole = true;
  if (p != end && *p == '.') {
    ++p;
    if (p == end || !is_digit(*p)) return nullptr;
    while (p != end && is_digit(*p)) ++p;
    whole = false;
  }
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p != end && (*p == '+' || *p == '-')) ++p;
    if (p == end || !is_digit(*p)) return nullptr;
    while (p != end && is_digit(*p)) ++p;
    whole = false;
  }
  if (whole && digits == 20 && !negative) {
    // 20 digits fit in uint64 up to 18446744073709551615.
    const std::string_view d(begin, static_cast<std::size_t>(p - begin));
    if (d <= "18446744073709551615") {
      std::from_chars(begin, p, n.u);
      n.kind = Number::Kind::kUint64;
      return p;
    }
  }
  if (whole && digits <= 19) {
    if (negative && mantissa <= (std::uint64_t{1} << 63)) {
      n.kind = Number::Kind::kInt64;
      n.i = static_cast<std::int64_t>(~mantissa + 1);
      return p;
    }
    if (!negative) {
      if (mantissa <= static_cast<std::uint64_t>(INT64_MAX)) {
        n.kind = Number::Kind::kInt64;
        n.i = static_cast<std::int64_t>(mantissa);
      } else {
        n.kind = Number::Kind::kUint64;
        n.u = mantissa;
      }
      return p;
    }
  }
  n.kind = Number::Kind::kDouble;
  const auto [ptr, ec] = std::from_chars(begin, p, n.d);
  if (ec != std::errc() || ptr != p) return nullptr;
  return p;
}

}  // namespace plinth
