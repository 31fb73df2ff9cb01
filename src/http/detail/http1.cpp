#include "http/detail/http1.h"

#include <algorithm>
#include <array>
#include <boost/beast/http/error.hpp>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace plinth::http::detail::http1 {

namespace {

using bhttp_error = boost::beast::http::error;

constexpr std::array<bool, 256> make_tokens() {
  std::array<bool, 256> t{};
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  return t;
}
constexpr std::array<bool, 256> kTokens = make_tokens();

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The longest chunk-size line accepted (hex digits, extensions, CRLF): extensions are
// dropped, and a peer that sends kilobytes of them is not sending a model's answer.
constexpr std::size_t kMaxChunkLine = 4096;

// A decimal Content-Length: digits only, no sign, no list; false on overflow.
bool parse_length(std::string_view s, std::uint64_t& n) {
  if (s.empty()) return false;
  n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) return false;
    n = n * 10 + d;
  }
  return true;
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), a name a
// token, a value a token or a quoted-string (RFC 9112 §7.1.1, RFC 9110 §5.6.4).
bool chunk_extensions_valid(std::string_view ext) {
  std::size_t i = 0;
  const std::size_t n = ext.size();
  auto skip_bws = [&] {
    while (i < n && is_ows(ext[i])) ++i;
  };
  auto token = [&] {
    const std::size_t start = i;
    while (i < n && kTokens[static_cast<unsigned char>(ext[i])]) ++i;
    return i != start;
  };
  auto quoted = [&] {
    ++i;  // the opening DQUOTE
    while (i < n) {
      const auto c = static_cast<unsigned char>(ext[i]);
      if (c == '"') {
        ++i;
        return true;
      }
      if (c == '\\') {  // quoted-pair: HTAB, SP, VCHAR or obs-text
        if (++i == n) return false;
        const auto e = static_cast<unsigned char>(ext[i]);
        if (e != '\t' && (e < 0x20 || e == 0x7F)) return false;
      } else if (c != '\t' && (c < 0x20 || c == 0x7F)) {  // qdtext
        return false;
      }
      ++i;
    }
    return false;  // no closing quote
  };
  for (;;) {
    const std::size_t before = i;
    skip_bws();
    if (i == n) return i == before;  // BWS only before a ';'
    if (ext[i] != ';') return false;
    ++i;
    skip_bws();
    if (!token()) return false;
    const std::size_t after_name = i;
    skip_bws();
    if (i == n || ext[i] != '=') {
      i = after_name;  // that BWS goes before the next ';', or trails (refused above)
      continue;
    }
    ++i;
    skip_bws();
    if (i < n && ext[i] == '"' ? !quoted() : !token()) return false;
  }
}

}  // namespace

bool is_token(char c) { return kTokens[static_cast<unsigned char>(c)]; }

// Sixteen bytes a step where SSE2 is: field values and targets are most of a head's bytes.
const char* find_control(const char* p, const char* end, unsigned char last) {
#if defined(__SSE2__)
  const __m128i top = _mm_set1_epi8(static_cast<char>(last));
  const __m128i del = _mm_set1_epi8(0x7F);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, top), v);  // v <= last, unsigned
    const int mask = _mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(v, del)));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p != end && static_cast<unsigned char>(*p) > last && *p != 0x7F) ++p;
  return p;
}

const char* skip_value(const char* p, const char* end) {
  for (;;) {
    p = find_control(p, end, 0x1F);
    if (p == end || *p != '\t') return p;
    ++p;
  }
}

// OR-ing 0x20 maps exactly the two cases of a letter to the lower one and leaves digits
// alone; only CR, which no name or value holds, would pass for '-'.
bool name_is(std::string_view name, std::string_view lower) {
  const std::size_t n = name.size();
  if (n != lower.size()) return false;
  if (n >= 8) {  // eight bytes a step, the last step overlapping the one before
    constexpr std::uint64_t kCase = 0x2020202020202020;
    auto word = [](const char* p) {
      std::uint64_t w;
      std::memcpy(&w, p, sizeof w);
      return w;
    };
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if ((word(name.data() + i) | kCase) != word(lower.data() + i)) return false;
    }
    return (word(name.data() + n - 8) | kCase) == word(lower.data() + n - 8);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if ((name[i] | 0x20) != lower[i]) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

std::size_t HeadFinder::find(std::string_view in, std::size_t limit, error_code& ec) {
  const char* const data = in.data();
  const std::size_t searchable = std::min(in.size(), limit);
  while (scanned_ < searchable) {
    const void* lf = std::memchr(data + scanned_, '\n', searchable - scanned_);
    if (lf == nullptr) {
      scanned_ = searchable;
      break;
    }
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(lf) - data);
    if (at == 0 || data[at - 1] != '\r') {
      ec = bhttp_error::bad_line_ending;
      return 0;
    }
    scanned_ = at + 1;
    if (at - 1 == line_start_ && line_start_ != 0) return scanned_;  // an empty line
    line_start_ = scanned_;
  }
  if (in.size() >= limit) ec = bhttp_error::header_limit;
  return 0;
}

bool Framing::on_field(std::string_view name, std::string_view value, error_code& ec) {
  switch (name.size()) {
    case 10:
      if (name_is(name, "connection")) {
        bool tokens = true;  // connection-option = token
        for_each_element(value, [&](std::string_view option) {
          tokens = tokens && std::all_of(option.begin(), option.end(), is_token);
          if (name_is(option, "close")) close = true;
          if (name_is(option, "keep-alive")) keep_alive = true;
        });
        if (!tokens) {
          ec = bhttp_error::bad_value;
          return false;
        }
      }
      return true;
    case 14:
      if (name_is(name, "content-length")) {
        // One Content-Length only: two, even equal, are refused (RFC 9112 §6.3 lets a
        // recipient refuse what it cannot reconcile, and a peer may read them apart).
        if (has_length || !parse_length(value, length)) {
          ec = bhttp_error::bad_content_length;
          return false;
        }
        has_length = true;
      }
      return true;
    case 17:
      if (name_is(name, "transfer-encoding")) {
        // The codings accumulate over repeated fields. We read one: chunked, once. Any
        // other (gzip, chunked) would hand on bytes nobody decodes.
        has_transfer_encoding = true;
        for_each_element(value, [this](std::string_view coding) {
          if (chunked || !name_is(coding, "chunked")) bad_coding = true;
          chunked = true;
        });
      }
      return true;
    default:
      return true;
  }
}

bool read_field_line(const char*& p, const char* end, std::string_view& name,
                     std::string_view& value, error_code& ec) {
  const char* q = skip_token(p);
  if (q == p || *q != ':') {  // no name, space before the colon, or obs-fold
    ec = bhttp_error::bad_field;
    return false;
  }
  name = std::string_view(p, static_cast<std::size_t>(q - p));
  const char* v = q + 1;
  q = skip_value(v, end);
  if (q == end || *q != '\r') {  // a control character
    ec = bhttp_error::bad_value;
    return false;
  }
  if (q + 1 == end || q[1] != '\n') {
    ec = bhttp_error::bad_line_ending;
    return false;
  }
  value = trim_ows(std::string_view(v, static_cast<std::size_t>(q - v)));
  p = q + 2;
  return true;
}

bool at_head_end(const char* p, const char* end, error_code& ec) {
  if (end - p == 2 && p[1] == '\n') return true;
  ec = bhttp_error::bad_line_ending;  // a CR alone at a line's start
  return false;
}

bool ChunkedDecoder::size_line(std::string_view line, error_code& ec) {
  // chunk-size [ chunk-ext ]: hex digits (no overflow), then extensions, which we drop but
  // hold to their grammar: a peer reading them otherwise would frame the body otherwise.
  std::uint64_t size = 0;
  std::size_t i = 0;
  bool overflow = false;
  for (; i < line.size() && hex_digit(line[i]) >= 0; ++i) {
    if (size > (UINT64_MAX >> 4)) overflow = true;
    size = size * 16 + static_cast<std::uint64_t>(hex_digit(line[i]));
  }
  if (i == 0 || overflow) {
    ec = bhttp_error::bad_chunk;
    return false;
  }
  if (!chunk_extensions_valid(line.substr(i))) {
    ec = bhttp_error::bad_chunk_extension;
    return false;
  }
  if (size > limit_ - std::min(limit_, total_)) {
    ec = bhttp_error::body_limit;
    return false;
  }
  total_ += size;
  left_ = size;
  state_ = size == 0 ? State::kTrailer : State::kData;
  return true;
}

std::size_t ChunkedDecoder::step(std::string_view in, std::string_view& data, error_code& ec) {
  data = {};
  if (state_ == State::kDone || in.empty()) return 0;
  if (state_ == State::kData) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
    data = in.substr(0, n);
    left_ -= n;
    if (left_ == 0) state_ = State::kDataEnd;
    return n;
  }
  if (state_ == State::kDataEnd && in.size() >= 2 && in[0] == '\r' && in[1] == '\n') {
    state_ = State::kSize;  // the usual case, without a search
    return 2;
  }
  const std::size_t lf = in.find('\n');
  if (lf == std::string_view::npos) {
    if (state_ == State::kTrailer ? trailer_size_ + in.size() > trailer_limit_
                                  : in.size() > kMaxChunkLine) {
      ec = state_ == State::kTrailer ? error_code(bhttp_error::header_limit)
                                     : error_code(bhttp_error::bad_chunk);
    }
    return 0;
  }
  if (lf == 0 || in[lf - 1] != '\r') {
    ec = bhttp_error::bad_line_ending;
    return 0;
  }
  const std::string_view line = in.substr(0, lf - 1);
  switch (state_) {
    case State::kDataEnd:
      if (!line.empty()) {
        ec = bhttp_error::bad_chunk;
        return 0;
      }
      state_ = State::kSize;
      break;
    case State::kSize:
      if (line.size() > kMaxChunkLine) {
        ec = bhttp_error::bad_chunk;
        return 0;
      }
      if (!size_line(line, ec)) return 0;
      break;
    default: {  // kTrailer: fields we drop, until the empty line
      trailer_size_ += lf + 1;
      if (trailer_size_ > trailer_limit_) {
        ec = bhttp_error::header_limit;
        return 0;
      }
      if (line.empty()) {
        state_ = State::kDone;
        break;
      }
      const char* const line_end = line.data() + line.size();
      const char* q = line.data();
      while (q != line_end && is_token(*q)) ++q;
      if (q == line.data() || q == line_end || *q != ':' ||
          skip_value(q + 1, line_end) != line_end) {
        ec = bhttp_error::bad_field;
        return 0;
      }
    }
  }
  return lf + 1;
}

}  // namespace plinth::http::detail::http1
