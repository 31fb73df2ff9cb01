// What a mock-upstream run serves: flags, with per-request overrides from x-mock-* headers.
#pragma once

#include <cstdint>
#include <string>

namespace plinth::bench {

struct MockSettings {
  std::string listen = "127.0.0.1:0";
  int64_t threads = 1;
  double ttft_ms = 0;            // stream: before the first chunk; plain: before the response
  double chunk_gap_ms = 0;       // stream: between chunks
  int64_t chunks = 16;           // stream: content chunks before the usage chunk
  int64_t response_bytes = 300;  // plain chat/completion body size
  int64_t embedding_dims = 16;
  int64_t max_body_bytes = int64_t{64} << 20;
  std::string model = "mock";
};

}  // namespace plinth::bench
