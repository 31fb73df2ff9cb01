// The fast path for one streamed OpenAI chunk: a SAX pass (no tree) that reads what the
// gateway needs (usage, token estimate, finish, id) and splices the public model into the
// upstream's bytes, as response_rewrite.h does for whole responses.
#pragma once

#include "providers/provider.h"

#include <string>
#include <string_view>

namespace plinth::providers {

struct ScannedChunk {
  ChunkFacts facts;   // views into the scanned data
  bool finished = false;  // usage or a non-null finish_reason: the stream may end here
};

// True when `data` is a plain chunk: `out` then holds it with "model" set to `public_model`
// and `scanned` its facts. False for anything the full decoder must see: malformed JSON, an
// error event, content parts, a repeated field, a model or key in escapes it cannot place.
// Without `keep_null_usage` a top-level `"usage":null` is cut out of `out` (and not counted
// as a usage member): upstreams asked for usage put it on every chunk (OpenAI does), and a
// client that did not ask should not see it.
bool scan_chunk(std::string_view data, std::string_view public_model, bool keep_null_usage,
                std::string& out, ScannedChunk& scanned);

}  // namespace plinth::providers
