// The canonical request and response forms that flow between the gateway and providers.
// They are OpenAI-shaped JSON (the lingua franca of every backend we front) plus a typed,
// validated view of the fields the gateway itself acts on. Adapters translate other wire
// formats (TGI's native API) into and out of this form; nothing else sees backend quirks.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::providers {

enum class Operation { kChat, kCompletion, kEmbedding };

std::string_view operation_name(Operation op);  // "chat", "completion", "embedding"

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  bool estimated = false;  // counted by Plinth because the backend reported none
  std::int64_t total() const { return prompt_tokens + completion_tokens; }
};

// Where the fields a provider rewrites sit in the client's bytes, so that an OpenAI-compatible
// upstream can be sent those bytes with the model swapped instead of a re-serialised tree.
struct RawBodyLayout {
  std::size_t model_begin = 0;  // the top-level "model" string token, quotes included;
  std::size_t model_end = 0;    // both 0 when unknown (escapes): no splice then
  enum class StreamOptions { kAbsent, kIncludeUsageOnly, kOther } stream_options =
      StreamOptions::kAbsent;
};

struct InferenceRequest {
  Operation op = Operation::kChat;
  std::string public_model;    // what the client asked for (name or alias)
  std::string upstream_model;  // what the provider calls it

  // Typed view of the validated body.
  bool stream = false;
  bool include_usage = false;  // the client asked for stream_options.include_usage
  int n = 1;
  std::optional<std::int64_t> max_tokens;
  std::optional<std::int64_t> seed;
  std::optional<double> temperature;
  std::vector<std::string> stop;
  std::string user;                 // the OpenAI `user` field (end-user id), empty when absent
  std::vector<std::string> inputs;  // embeddings: input as strings
  bool base64 = false;              // embeddings: encoding_format == "base64"

  // The client's whole body as a tree. Fields Plinth does not act on (tools, tool_choice,
  // response_format, logprobs, ...) stay in it and are passed through. On the fast path the
  // tree is built only when something asks for it; until then the client's bytes stand in.
  // Not thread-safe (a request belongs to one thread): the first call may build the tree.
  const boost::json::object& body() const;
  boost::json::object& mutable_body();  // builds the tree; the raw bytes no longer match it
  void set_body(boost::json::object body);

  // The client's validated bytes while they still match the body, else empty. A view into
  // the HTTP request, which outlives every provider call made for it. A copy of the request
  // builds its own tree (it may outlive the HTTP request); a move keeps the bytes.
  std::string_view raw_body() const { return body_.raw; }
  const RawBodyLayout& raw_layout() const { return body_.layout; }
  void set_raw_body(std::string_view raw, const RawBodyLayout& layout);

 private:
  struct LazyBody {
    LazyBody() = default;
    LazyBody(const LazyBody& other);
    LazyBody& operator=(const LazyBody& other);
    LazyBody(LazyBody&&) = default;
    LazyBody& operator=(LazyBody&&) = default;
    const boost::json::object& get() const;

    mutable boost::json::object tree;
    mutable bool built = true;
    std::string_view raw;
    RawBodyLayout layout;
  };
  LazyBody body_;
};

// A complete (non-streamed) response in the OpenAI shape of its operation: either the parsed
// `body`, or, when a provider could finish it without building a tree, the final JSON text in
// `raw` (then `body` is empty and `usage` is set).
struct InferenceResponse {
  boost::json::object body;
  std::string raw;
  std::optional<Usage> usage;  // as reported by the backend; empty when it reported none
};

}  // namespace plinth::providers
