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

struct InferenceRequest {
  Operation op = Operation::kChat;
  std::string public_model;    // what the client asked for (name or alias)
  std::string upstream_model;  // what the provider calls it
  // The client's whole body, parsed once and validated. Fields Plinth does not act on
  // (tools, tool_choice, response_format, logprobs, ...) stay here and are passed through.
  boost::json::object body;

  // Typed view of the validated body.
  bool stream = false;
  bool include_usage = false;  // the client asked for stream_options.include_usage
  int n = 1;
  std::optional<std::int64_t> max_tokens;
  std::optional<std::int64_t> seed;
  std::optional<double> temperature;
  std::vector<std::string> stop;
  std::vector<std::string> inputs;  // embeddings: input as strings
  bool base64 = false;              // embeddings: encoding_format == "base64"
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
