// The OpenAI wire format as vLLM, SGLang, Ollama, llama.cpp server, TGI's /v1 routes,
// DeepSeek and OpenAI speak it: request bodies, responses, stream events and error bodies,
// translated to and from Plinth's canonical form. Pure: no I/O, so every rule is unit-tested
// against recorded payloads.
#pragma once

#include "core/result.h"
#include "providers/chunk_scan.h"
#include "providers/inference.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::providers::openai_wire {

// "/chat/completions", "/completions" or "/embeddings" (appended to the base URL's path).
std::string_view path_of(Operation op);

// The body to send upstream: the client's body with "model" set to request.upstream_model
// and every other field passed through untouched (tools, response_format, seed, n, ...).
// With `stream`, "stream": true and "stream_options": {"include_usage": true} are forced
// (other stream_options keys are kept): Plinth records usage even when the client did not
// ask for it. Without, "stream" and "stream_options" are dropped (upstreams reject
// stream_options on a non-streamed call). When the client's bytes already say all that (the
// fast path kept them), they are sent with only the model swapped, as the client wrote them:
// a "stream": false stays, and repeated unknown fields stay repeated; else the tree is
// serialised.
std::string request_body(const InferenceRequest& request, bool stream);

// request_body's body when it is the client's bytes with the model swapped in: `before`,
// the upstream model as a JSON string, `after`, `end`, in that order. `before` and `after`
// are views into request.raw_body(), so a large body can be sent around the new model
// without being copied; `end` (stream_options when forced, and the closing brace) views a
// constant. Nothing is allocated. nullopt when the body must be serialised from the tree.
struct BodySplice {
  std::string_view before;
  std::string_view after;
  std::string_view end;
};
std::optional<BodySplice> body_splice(const InferenceRequest& request, bool stream);

// Appends the JSON text of `v` (or of the string `s`, quoted and escaped) to `out`.
void append_json(std::string& out, const boost::json::value& v);
void append_json_string(std::string& out, std::string_view s);

// Parses a 2xx response of any operation: "model" becomes `public_model`, usage is taken
// from "usage" when the upstream sent one. Errors (kUpstreamError): the body is not a JSON
// object, or it is an error object despite the status.
Result<InferenceResponse> parse_response(std::string_view body, std::string_view public_model);

// usage.prompt_tokens / usage.completion_tokens of an OpenAI object (embeddings have no
// completion_tokens: 0); empty when "usage" is absent or null.
std::optional<Usage> usage_of(const boost::json::object& body);

// The human-readable message of an upstream error body: error.message (OpenAI, vLLM >= 0.7,
// Ollama, llama.cpp), error as a string (TGI), message (vLLM 0.6), detail (FastAPI), else the
// body itself truncated to 300 bytes. Never empty.
std::string error_message(std::string_view body);

// Maps a non-2xx upstream answer to an Error; upstream_status is always set and the
// upstream's message is passed on, except for 401/403 (it may echo the credential):
//   400 413 422 -> kInvalidRequest (the message as is: context-length errors reach the
//                  client; field = the upstream's "param" when it names one)
//   429         -> kRateLimited
//   401 403     -> kUpstreamError "upstream rejected Plinth's credentials"
//   404 5xx ... -> kUpstreamError
Error status_error(int status, std::string_view body);

// The ids in a GET /models answer ({"data":[{"id":...}]}). Errors: kUpstreamError.
Result<std::vector<std::string>> parse_model_list(std::string_view body);

// Truncates `text` to at most `max_bytes` without splitting a UTF-8 sequence, adding "...".
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

// Memory for the JSON of one stream event, reused from event to event so that a stream
// allocates nothing per chunk once warm. reset() invalidates every value built in it: a
// sink that keeps a chunk past on_chunk must copy it into other storage
// (boost::json::object kept(chunk, {})) — note that a plain copy shares the storage.
// Not thread-safe; one per stream.
class EventArena {
 public:
  // Holds a typical chunk (~0.5 KiB of JSON) without touching the heap; larger ones spill to
  // the heap until reset(). Kept small: every open stream carries one (bench scenario 5).
  static constexpr std::size_t kBufferBytes = 3 * 1024;

  EventArena();
  EventArena(const EventArena&) = delete;
  EventArena& operator=(const EventArena&) = delete;

  // Drops the previous event's values and recycles their memory.
  void reset();
  // Parses `text` into the arena. Errors (kUpstreamError): not JSON, not an object.
  Result<boost::json::object*> parse(std::string_view text);
  // A fresh empty object in the arena; `slot` < kSlots, each slot valid until reset().
  static constexpr std::size_t kSlots = 2;
  boost::json::object& build(std::size_t slot);

 private:
  alignas(std::max_align_t) unsigned char buffer_[kBufferBytes];
  boost::json::monotonic_resource resource_;
  boost::json::parser parser_;
  boost::json::value parsed_;
  std::array<boost::json::value, kSlots> built_;
};

// Decodes the SSE events of a streamed chat or completion, one at a time.
class StreamDecoder {
 public:
  enum class Step {
    kChunk,  // chunk() holds the event's object, "model" rewritten: forward it
    kText,   // a plain chunk, scanned without a tree: text() is its JSON with "model"
             // rewritten and scanned() its facts; chunk() builds the tree on demand
    kDone,   // "[DONE]": the stream is complete
    kSkip,   // nothing to forward (an event after [DONE])
  };

  // `public_model` must outlive the decoder. With `require_done`, a stream is complete only
  // after "[DONE]"; without (TGI before 2.2 sends none), a chunk with a finish_reason or a
  // usage-only chunk is enough.
  // Without `keep_null_usage` (the client did not ask for usage), plain chunks lose a
  // `"usage":null` member on the way (see scan_chunk).
  StreamDecoder(std::string_view public_model, bool require_done, bool keep_null_usage = true);

  // Errors (kUpstreamError): malformed JSON, an error event ({"error":...}, or `event: error`)
  // carrying the upstream's message.
  Result<Step> decode(std::string_view event, std::string_view data);
  // The last kChunk's or kText's object; valid until the next decode().
  boost::json::object& chunk();
  // The last kText's JSON and facts; valid until the next decode().
  std::string_view text() const { return text_; }
  const ScannedChunk& scanned() const { return scanned_; }
  // At the end of the body: ok when the stream was complete, else kUpstreamError
  // "upstream stream ended before [DONE]".
  Status finish() const;

 private:
  std::string_view public_model_;
  bool require_done_;
  bool done_ = false;
  bool finished_ = false;  // a finish_reason or usage chunk was seen
  // For the events that need a tree (few): made at the first, so that a stream of plain
  // chunks neither builds nor holds one (3 KiB and a parser).
  EventArena& arena();
  std::unique_ptr<EventArena> arena_;
  boost::json::object* chunk_ = nullptr;
  ChunkScanner scanner_;  // plain chunks: no tree, the model spliced into the bytes
  std::string text_;      // reused from event to event
  ScannedChunk scanned_;
};

// The Error of an error event ({"error":{...}} or {"error":"..."}), or empty when `event` is
// not one. Shared by the OpenAI and TGI stream decoders.
std::optional<Error> event_error(const boost::json::object& event);

}  // namespace plinth::providers::openai_wire
