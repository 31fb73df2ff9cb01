// Hugging Face text-generation-inference's native wire format (/generate,
// /generate_stream, /info), translated to and from Plinth's canonical OpenAI-shaped form.
// Chat goes through TGI's OpenAI-compatible route (openai_wire.h) instead. Pure: no I/O.
#pragma once

#include "core/result.h"
#include "providers/inference.h"
#include "providers/openai_wire.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::providers::tgi_wire {

// The prompt of a completion request: "prompt" as a string or an array of one string.
// Errors: kInvalidRequest field "prompt" (missing, token ids, several prompts).
Result<std::string_view> prompt_of(const InferenceRequest& request);

// The /generate and /generate_stream body {"inputs", "parameters"} of a completion request:
//   max_tokens -> max_new_tokens; stop, seed as is; "details": true;
//   temperature 0 -> no temperature, do_sample false (TGI rejects 0; greedy);
//   temperature > 0 or absent (OpenAI's default is 1) -> do_sample true;
//   top_p -> top_p, omitted when >= 1 (TGI requires 0 < top_p < 1) or when greedy;
//   frequency_penalty, and vLLM-style top_k / repetition_penalty when given.
// Errors (kInvalidRequest naming the field): n > 1, best_of > 1, echo, negative seed, and
// those of prompt_of.
Result<std::string> generate_body(const InferenceRequest& request);

// TGI finish reasons -> OpenAI: "length" -> "length", "eos_token" / "stop_sequence" -> "stop".
std::string_view finish_reason(std::string_view tgi_reason);

// Who a translated completion says it is: id "cmpl-...", created (unix seconds), the
// public model. `model` must outlive the translation.
struct Identity {
  std::string id;
  std::int64_t created = 0;
  std::string_view model;
};

// A /generate answer -> an OpenAI text_completion. Prompt tokens: the prefill length when
// TGI returned the prompt's tokens (decoder_input_details), else Plinth's estimate of
// `prompt` (usage.estimated). Errors: kUpstreamError (malformed, an error body).
Result<InferenceResponse> parse_generate_response(std::string_view body, const Identity& identity,
                                                  std::string_view prompt);

// GET /info -> [model_id]. Errors: kUpstreamError.
Result<std::vector<std::string>> parse_info(std::string_view body);

// Translates /generate_stream events ({"index","token","generated_text","details"}) into
// text_completion chunks. Each decode() yields zero to two chunks: the token's (none for a
// special token that does not end the stream), and after the last token a usage-only chunk
// ({"choices":[],"usage":{...}}). Prompt tokens come from details.input_length (TGI >= 2.3)
// or are estimated from `prompt`. Chunks live in memory reused per event (see EventArena).
class StreamTranslator {
 public:
  // `identity.model` and `prompt` must outlive the translator.
  StreamTranslator(Identity identity, std::string_view prompt);

  // Errors: kUpstreamError (malformed event, generation error), kInvalidRequest (TGI
  // validation error), kRateLimited (TGI overloaded).
  Status decode(std::string_view data);
  // The chunks of the last decode(), in order; valid until the next decode().
  std::span<boost::json::object* const> chunks() const { return {chunks_, count_}; }
  // Whether the last token has arrived (TGI streams end with the body, no [DONE]).
  bool finished() const { return finished_; }
  // At the end of the body: ok when finished, else kUpstreamError.
  Status finish() const;

 private:
  boost::json::object& start_chunk(std::size_t slot);

  Identity identity_;
  std::string_view prompt_;
  bool finished_ = false;
  std::int64_t tokens_seen_ = 0;  // completion tokens when TGI reports no count
  openai_wire::EventArena arena_;
  boost::json::object* chunks_[openai_wire::EventArena::kSlots] = {};
  std::size_t count_ = 0;
};

}  // namespace plinth::providers::tgi_wire
