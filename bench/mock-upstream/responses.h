// The mock upstream's responses: OpenAI-shaped JSON bodies built once at start, and stream
// events whose content carries a sequence number ("tok<seq> ") so that a client can check the
// order and completeness of a stream. Pure (no I/O), so it is unit-tested alone.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "mock_settings.h"

namespace plinth::bench {

enum class ApiKind { kChat, kCompletion };

// The `created` timestamp of every mock object: fixed, so bodies can be built once.
inline constexpr std::string_view kCreated = "1700000000";

// Every stream starts with this head; its events follow as HTTP chunks.
inline constexpr std::string_view kStreamHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

// A whole HTTP response, head and body, ready to write in one call.
struct PreparedResponse {
  std::string bytes;
  size_t head_len = 0;

  std::string_view head() const { return std::string_view(bytes).substr(0, head_len); }
  std::string_view body() const { return std::string_view(bytes).substr(head_len); }
};

inline std::string_view status_text(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    default:
      return "Error";
  }
}

inline PreparedResponse prepare_response(int status, std::string_view content_type,
                                         std::string_view body, bool close = false) {
  PreparedResponse r;
  r.bytes = "HTTP/1.1 " + std::to_string(status) + " " + std::string(status_text(status)) +
            "\r\nContent-Type: " + std::string(content_type) +
            "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
            (close ? "Connection: close\r\n" : "") + "\r\n";
  r.head_len = r.bytes.size();
  r.bytes += body;
  return r;
}

// `size` bytes of plain words, safe inside a JSON string.
inline std::string filler_text(size_t size) {
  static constexpr std::string_view kWords = "lorem ipsum dolor sit amet consectetur ";
  std::string s;
  s.reserve(size);
  while (s.size() < size) s += kWords.substr(0, std::min(kWords.size(), size - s.size()));
  return s;
}

// A chat.completion (kChat) or text_completion (kCompletion) body of about `target_bytes`.
inline std::string completion_body(ApiKind kind, std::string_view model, size_t target_bytes) {
  const std::string m(model);
  auto build = [&](const std::string& text) {
    const std::string tokens = std::to_string(std::max<size_t>(1, text.size() / 6));
    const std::string usage = R"(,"usage":{"prompt_tokens":10,"completion_tokens":)" + tokens +
                              R"(,"total_tokens":)" +
                              std::to_string(10 + std::max<size_t>(1, text.size() / 6)) + "}}";
    if (kind == ApiKind::kChat) {
      return R"({"id":"chatcmpl-mock","object":"chat.completion","created":)" +
             std::string(kCreated) + R"(,"model":")" + m +
             R"(","choices":[{"index":0,"message":{"role":"assistant","content":")" + text +
             R"("},"logprobs":null,"finish_reason":"stop"}])" + usage;
    }
    return R"({"id":"cmpl-mock","object":"text_completion","created":)" + std::string(kCreated) +
           R"(,"model":")" + m + R"(","choices":[{"index":0,"text":")" + text +
           R"(","logprobs":null,"finish_reason":"stop"}])" + usage;
  };
  // The token count's digits move the size a little: correct once.
  const size_t skeleton = build("x").size() - 1;
  size_t text = target_bytes > skeleton ? target_bytes - skeleton : 1;
  const size_t first = build(filler_text(text)).size();
  if (first > target_bytes && text > first - target_bytes) text -= first - target_bytes;
  return build(filler_text(text));
}

inline std::string embeddings_body(std::string_view model, size_t inputs, size_t dims) {
  std::string vector = "[";
  for (size_t d = 0; d < dims; ++d) {
    char buf[16];
    const int n = std::snprintf(buf, sizeof buf, "%s%.4f", d == 0 ? "" : ",",
                                static_cast<double>(int((d * 7919) % 2001) - 1000) / 1000.0);
    vector.append(buf, n);
  }
  vector += "]";
  std::string s = R"({"object":"list","data":[)";
  for (size_t i = 0; i < inputs; ++i) {
    s += (i == 0 ? "" : ",");
    s +=
        R"({"object":"embedding","index":)" + std::to_string(i) + R"(,"embedding":)" + vector + "}";
  }
  s += R"(],"model":")" + std::string(model) + R"(","usage":{"prompt_tokens":)" +
       std::to_string(8 * inputs) + R"(,"total_tokens":)" + std::to_string(8 * inputs) + "}}";
  return s;
}

inline std::string models_body(std::string_view model) {
  return R"({"object":"list","data":[{"id":")" + std::string(model) +
         R"(","object":"model","created":)" + std::string(kCreated) +
         R"(,"owned_by":"plinth-mock"}]})";
}

inline std::string error_body(std::string_view message, std::string_view type) {
  return R"({"error":{"message":")" + std::string(message) + R"(","type":")" + std::string(type) +
         R"(","code":null}})";
}

// Writes the events of one kind of stream: chunk `seq` carries content "tok<seq> ", the first
// also the assistant role, the last finish_reason "stop"; then a usage event with
// "choices":[] and `data: [DONE]`. Each event is its own HTTP chunk.
class StreamWriter {
 public:
  StreamWriter(ApiKind kind, std::string_view model) {
    const std::string m(model);
    if (kind == ApiKind::kChat) {
      const std::string prefix = R"(data: {"id":"chatcmpl-mock","object":"chat.completion.chunk",)"
                                 R"("created":)" +
                                 std::string(kCreated) + R"(,"model":")" + m +
                                 R"(","choices":[{"index":0,"delta":{)";
      head_first_ = prefix + R"("role":"assistant","content":"tok)";
      head_ = prefix + R"("content":"tok)";
      tail_ = R"( "},"logprobs":null,"finish_reason":null}]})"
              "\n\n";
      tail_last_ = R"( "},"logprobs":null,"finish_reason":"stop"}]})"
                   "\n\n";
      usage_head_ = R"(data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":)" +
                    std::string(kCreated) + R"(,"model":")" + m + R"(","choices":[],"usage":)";
    } else {
      head_ = R"(data: {"id":"cmpl-mock","object":"text_completion","created":)" +
              std::string(kCreated) + R"(,"model":")" + m +
              R"(","choices":[{"index":0,"text":"tok)";
      head_first_ = head_;
      tail_ = R"( ","logprobs":null,"finish_reason":null}]})"
              "\n\n";
      tail_last_ = R"( ","logprobs":null,"finish_reason":"stop"}]})"
                   "\n\n";
      usage_head_ = R"(data: {"id":"cmpl-mock","object":"text_completion","created":)" +
                    std::string(kCreated) + R"(,"model":")" + m + R"(","choices":[],"usage":)";
    }
  }

  // Appends chunk `seq` (0-based) of a stream of `total` chunks to `out`.
  void append_chunk(std::string& out, uint64_t seq, uint64_t total) const {
    char digits[24];
    const auto res = std::to_chars(digits, digits + sizeof digits, seq);
    const std::string_view number(digits, res.ptr - digits);
    const std::string& head = seq == 0 ? head_first_ : head_;
    const std::string& tail = seq + 1 == total ? tail_last_ : tail_;
    append_http_chunk_size(out, head.size() + number.size() + tail.size());
    out += head;
    out += number;
    out += tail;
    out += "\r\n";
  }

  // Appends the usage event, `data: [DONE]` and the last (empty) HTTP chunk.
  void append_end(std::string& out, uint64_t prompt_tokens, uint64_t completion_tokens) const {
    char usage[128];
    const int n =
        std::snprintf(usage, sizeof usage,
                      R"({"prompt_tokens":%llu,"completion_tokens":%llu,"total_tokens":%llu}})"
                      "\n\n",
                      static_cast<unsigned long long>(prompt_tokens),
                      static_cast<unsigned long long>(completion_tokens),
                      static_cast<unsigned long long>(prompt_tokens + completion_tokens));
    append_http_chunk_size(out, usage_head_.size() + n);
    out += usage_head_;
    out.append(usage, n);
    out += "\r\n";
    static constexpr std::string_view kDone = "data: [DONE]\n\n";
    append_http_chunk_size(out, kDone.size());
    out += kDone;
    out += "\r\n0\r\n\r\n";
  }

 private:
  static void append_http_chunk_size(std::string& out, size_t size) {
    char hex[20];
    const auto res = std::to_chars(hex, hex + sizeof hex, size, 16);
    out.append(hex, res.ptr);
    out += "\r\n";
  }

  std::string head_first_, head_, tail_, tail_last_, usage_head_;
};

// Everything the workers send that can be built before the first request.
struct MockResponses {
  explicit MockResponses(const MockSettings& s)
      : chat(prepare_response(200, "application/json",
                              completion_body(ApiKind::kChat, s.model, s.response_bytes))),
        completion(
            prepare_response(200, "application/json",
                             completion_body(ApiKind::kCompletion, s.model, s.response_bytes))),
        embedding(prepare_response(200, "application/json",
                                   embeddings_body(s.model, 1, s.embedding_dims))),
        models(prepare_response(200, "application/json", models_body(s.model))),
        health(prepare_response(200, "text/plain", "ok\n")),
        not_found(prepare_response(
            404, "application/json",
            error_body("no such route on the mock upstream", "invalid_request_error"))),
        wrong_method(prepare_response(405, "application/json",
                                      error_body("method not allowed", "invalid_request_error"))),
        bad_request(prepare_response(400, "application/json",
                                     error_body("malformed HTTP request", "invalid_request_error"),
                                     true)),
        too_large(prepare_response(413, "application/json",
                                   error_body("request body too large", "invalid_request_error"),
                                   true)),
        chat_stream(ApiKind::kChat, s.model),
        completion_stream(ApiKind::kCompletion, s.model) {}

  PreparedResponse chat, completion, embedding, models, health, not_found, wrong_method,
      bad_request, too_large;
  StreamWriter chat_stream, completion_stream;
};

}  // namespace plinth::bench
