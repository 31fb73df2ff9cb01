// The bytes of the request the load generator sends: every request of a run is the same, so
// they are built once. Pure, so it is unit-tested alone.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::bench {

// A valid request body for the endpoint at `path`, padded to about `bytes` bytes:
// embeddings get an "input", completions a "prompt", anything else a chat "messages" list.
// `stream` adds "stream":true with usage.
inline std::string generated_body(std::string_view path, std::string_view model, size_t bytes,
                                  bool stream) {
  const std::string m(model);
  const std::string tail =
      stream ? R"(,"stream":true,"stream_options":{"include_usage":true}})" : "}";
  std::string head, close;
  if (path.ends_with("/embeddings")) {
    head = R"({"model":")" + m + R"(","input":")";
    close = "\"";
  } else if (path.ends_with("/completions") && !path.ends_with("/chat/completions")) {
    head = R"({"model":")" + m + R"(","max_tokens":16,"prompt":")";
    close = "\"";
  } else {
    head = R"({"model":")" + m + R"(","max_tokens":16,"messages":[{"role":"user","content":")";
    close = "\"}]";
  }
  const size_t skeleton = head.size() + close.size() + tail.size();
  const size_t text = bytes > skeleton ? bytes - skeleton : 1;
  static constexpr std::string_view kWords = "the quick brown fox jumps over the lazy dog ";
  std::string body = head;
  body.reserve(skeleton + text);
  for (size_t i = 0; i < text; ++i) body += kWords[i % kWords.size()];
  return body + close + tail;
}

inline bool has_header(const std::vector<std::string>& headers, std::string_view name) {
  for (const std::string& h : headers) {
    if (h.size() <= name.size() || h[name.size()] != ':') continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = (h[i] | 0x20) == (name[i] | 0x20);
    }
    if (same) return true;
  }
  return false;
}

// An HTTP/1.1 keep-alive request. `headers` are "Name: value" lines added as given.
inline std::string build_request(std::string_view method, std::string_view path,
                                 std::string_view host, const std::vector<std::string>& headers,
                                 std::string_view body) {
  std::string r;
  r.reserve(256 + body.size());
  r.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
  r += "\r\n";
  if (!body.empty() || method == "POST") {
    if (!has_header(headers, "content-type")) r += "Content-Type: application/json\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  for (const std::string& h : headers) r.append(h).append("\r\n");
  r += "\r\n";
  r += body;
  return r;
}

}  // namespace plinth::bench
