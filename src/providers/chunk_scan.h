// The fast path for one streamed OpenAI chunk: a SAX pass (no tree) that reads what the
// gateway needs (usage, token estimate, finish, id) and splices the public model into the
// upstream's bytes, as response_rewrite.h does for whole responses.
#pragma once

#include "providers/provider.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace plinth::providers {

struct ScannedChunk {
  ChunkFacts facts;   // views into the scanned data
  bool finished = false;  // usage or a non-null finish_reason: the stream may end here
  // Where the chunk's one text string (a choice's delta.content or text) sits, without its
  // quotes, in the scanned data (`in`) and in the spliced output (`out`): what ChunkScanner
  // needs to take the next chunk as this one with other text. `in` is npos when the chunk
  // has no such string, several, or one with escapes.
  struct TextSpan {
    std::size_t in = std::string_view::npos;
    std::size_t out = 0;
    std::size_t size = 0;
  } text_span;
};

// True when `data` is a plain chunk: `out` then holds it with "model" set to `public_model`
// and `scanned` its facts. False for anything the full decoder must see: malformed JSON, an
// error event, content parts, a repeated field, a model or key in escapes it cannot place.
// Without `keep_null_usage` a top-level `"usage":null` is cut out of `out` (and not counted
// as a usage member): upstreams asked for usage put it on every chunk (OpenAI does), and a
// client that did not ask should not see it.
bool scan_chunk(std::string_view data, std::string_view public_model, bool keep_null_usage,
                std::string& out, ScannedChunk& scanned);

// scan_chunk for the chunks of one stream, with the same answers. Most chunks of a stream
// are the one before with other text: the same bytes before the text (id, created, model,
// the choice's index and role) and after it (finish_reason null). Such a chunk is not
// parsed again: the bytes around its text are compared with the last scanned chunk's and
// only the text is read (a JSON string without escapes, valid UTF-8, no control
// characters); whatever else comes goes to scan_chunk.
class ChunkScanner {
 public:
  ChunkScanner(std::string_view public_model, bool keep_null_usage)
      : public_model_(public_model), keep_null_usage_(keep_null_usage) {}

  bool scan(std::string_view data, std::string& out, ScannedChunk& scanned);
  // Chunks taken as the last one with other text (not parsed).
  std::uint64_t reused() const { return reused_; }

 private:
  bool reuse(std::string_view data, std::string& out, ScannedChunk& scanned) const;
  void learn(std::string_view data, const std::string& out, const ScannedChunk& scanned);

  // Where a view of the last chunk's facts (id, object) sat: before or after the text.
  struct Place {
    bool after = false;
    std::size_t at = 0, size = 0;
  };

  std::string_view public_model_;
  bool keep_null_usage_;
  bool learned_ = false;
  std::uint64_t reused_ = 0;
  std::string in_before_, in_after_;    // the last chunk's bytes around its text
  std::string out_before_, out_after_;  // the same in its spliced output
  ScannedChunk last_;
  Place id_, object_;
};

}  // namespace plinth::providers
