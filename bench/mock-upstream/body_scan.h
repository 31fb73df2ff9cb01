// Cheap looks into request bodies without parsing JSON: the mock must cost next to nothing
// per request, so it finds what it needs by substring search.
#pragma once

#include <cstddef>
#include <string_view>

namespace plinth::bench {

inline size_t skip_space(std::string_view s, size_t at) {
  while (at < s.size() && (s[at] == ' ' || s[at] == '\t' || s[at] == '\n' || s[at] == '\r')) {
    ++at;
  }
  return at;
}

// Where the value of the first `"key":` member starts, or npos.
inline size_t find_member_value(std::string_view body, std::string_view quoted_key) {
  for (size_t at = body.find(quoted_key); at != std::string_view::npos;
       at = body.find(quoted_key, at + 1)) {
    size_t v = skip_space(body, at + quoted_key.size());
    if (v < body.size() && body[v] == ':') return skip_space(body, v + 1);
  }
  return std::string_view::npos;
}

// True when the body asks for a stream ("stream": true, any spacing).
inline bool wants_stream(std::string_view body) {
  for (size_t at = body.find("\"stream\""); at != std::string_view::npos;
       at = body.find("\"stream\"", at + 1)) {
    size_t v = skip_space(body, at + 8);
    if (v >= body.size() || body[v] != ':') continue;
    v = skip_space(body, v + 1);
    if (body.substr(v, 4) == "true") return true;
  }
  return false;
}

// How many inputs an embeddings request carries: a string or a token array is one; an array
// of strings or of token arrays is one per element. At least 1.
inline size_t count_embedding_inputs(std::string_view body) {
  size_t at = find_member_value(body, "\"input\"");
  if (at == std::string_view::npos || body[at] != '[') return 1;
  size_t count = 0;
  int depth = 0;
  bool in_string = false;
  for (; at < body.size(); ++at) {
    const char c = body[at];
    if (in_string) {
      if (c == '\\') {
        ++at;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      if (depth == 1) ++count;
    } else if (c == '[') {
      if (++depth == 2) ++count;
    } else if (c == ']') {
      if (--depth == 0) break;
    }
  }
  return count == 0 ? 1 : count;
}

}  // namespace plinth::bench
