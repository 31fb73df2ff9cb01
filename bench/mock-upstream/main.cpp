// plinth-mock-upstream: an OpenAI-compatible model server for benchmarks (see README.md).
#include <signal.h>

#include <cstdio>
#include <string>

#include "../common/flags.h"
#include "../common/json_writer.h"
#include "../common/net.h"
#include "mock_server.h"

int main(int argc, char** argv) {
  using namespace plinth::bench;
  MockSettings s;
  Flags flags;
  flags.add("listen", &s.listen, "HOST:PORT to listen on; port 0 picks one (127.0.0.1:0)");
  flags.add("threads", &s.threads, "event-loop threads, each with its own listener (1)");
  flags.add("ttft-ms", &s.ttft_ms,
            "delay before the first stream chunk, or before a plain response (0); "
            "header x-mock-ttft-ms");
  flags.add("chunk-gap-ms", &s.chunk_gap_ms,
            "delay between stream chunks (0); header x-mock-chunk-gap-ms");
  flags.add("chunks", &s.chunks, "content chunks per stream (16); header x-mock-chunks");
  flags.add("response-bytes", &s.response_bytes,
            "plain completion body size (300); header x-mock-response-bytes");
  flags.add("embedding-dims", &s.embedding_dims, "embedding vector length (16)");
  flags.add("max-body-bytes", &s.max_body_bytes, "largest request body accepted (64 MiB)");
  flags.add("model", &s.model, "model id in responses and /v1/models (mock)");
  if (std::string error = flags.parse(argc, argv); !error.empty()) {
    std::fprintf(stderr, "plinth-mock-upstream: %s\n", error.c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("usage: plinth-mock-upstream [flags]\n%s", flags.usage().c_str());
    return 0;
  }

  // Workers inherit the blocked set, so only this thread takes SIGINT and SIGTERM.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();

  std::string error;
  auto server = MockServer::start(s, &error);
  if (!server) {
    std::fprintf(stderr, "plinth-mock-upstream: %s\n", error.c_str());
    return 1;
  }
  const std::string host = s.listen.substr(0, s.listen.rfind(':'));
  std::printf("mock-upstream listening on http://%s:%u\n", host.c_str(), unsigned{server->port()});
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server->stop();
  std::fprintf(stderr, "mock-upstream stats: %s\n", server->stats_json().c_str());
  return 0;
}
