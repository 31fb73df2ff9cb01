// Plinth's own token estimate, used when a backend reports no usage and by the simulator
// (whose counts are therefore exact under this measure). A token is a run of up to four
// ASCII letters/digits, one other ASCII non-space character, or one non-ASCII code point
// (CJK text is roughly a token per character). Whitespace is free.
#pragma once

#include <cstdint>
#include <string_view>

namespace plinth::metering {

std::int64_t count_tokens(std::string_view utf8_text);

}  // namespace plinth::metering
