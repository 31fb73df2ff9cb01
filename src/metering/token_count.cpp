#include "metering/token_count.h"

namespace plinth::metering {

namespace {
bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
}  // namespace

std::int64_t count_tokens(std::string_view text) {
  std::int64_t tokens = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (is_space(c)) {
      ++i;
    } else if (is_alnum(c)) {
      std::size_t run = 0;
      while (i < text.size() && is_alnum(static_cast<unsigned char>(text[i]))) {
        ++run;
        ++i;
      }
      tokens += static_cast<std::int64_t>((run + 3) / 4);
    } else if (c < 0x80) {
      ++tokens;
      ++i;
    } else {
      // A UTF-8 lead byte starts one code point; continuation bytes (10xxxxxx) are skipped.
      ++tokens;
      ++i;
      while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    }
  }
  return tokens;
}

}  // namespace plinth::metering
