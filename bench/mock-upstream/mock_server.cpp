// The mock upstream server (see mock_server.h): binds the listeners, runs one MockWorker per
// thread, sums their counters for /stats.
#include "mock_server.h"

#include <netinet/in.h>

#include "../common/clock.h"
#include "../common/json_writer.h"
#include "../common/net.h"
#include "mock_worker.h"
#include "responses.h"

namespace plinth::bench {

std::unique_ptr<MockServer> MockServer::start(const MockSettings& settings, std::string* error) {
  if (settings.threads < 1 || settings.chunks < 0 || settings.response_bytes < 0 ||
      settings.embedding_dims < 1 || settings.max_body_bytes < 1) {
    *error =
        "threads, embedding-dims and max-body-bytes must be at least 1, chunks and "
        "response-bytes at least 0";
    return nullptr;
  }
  if (settings.model.find_first_of("\"\\") != std::string::npos) {
    *error = "model must not contain quotes or backslashes, got '" + settings.model + "'";
    return nullptr;
  }
  auto endpoint = parse_host_port(settings.listen, error);
  if (!endpoint) return nullptr;
  auto address = resolve_ipv4(*endpoint, error);
  if (!address) return nullptr;

  std::unique_ptr<MockServer> server(new MockServer());
  server->started_ns_ = mono_ns();
  server->settings_ = settings;
  server->responses_ = std::make_unique<const MockResponses>(settings);
  for (int64_t i = 0; i < settings.threads; ++i) {
    const int fd = listen_reuseport(*address, error);
    if (fd < 0) return nullptr;
    if (i == 0) {
      server->port_ = local_port(fd);
      address->sin_port = htons(server->port_);
    }
    server->workers_.push_back(
        std::make_unique<MockWorker>(fd, server->settings_, *server->responses_,
                                     [s = server.get()] { return s->stats_json(); }));
  }
  for (auto& worker : server->workers_) {
    server->threads_.emplace_back([w = worker.get()] { w->run(); });
  }
  return server;
}

MockServer::MockServer() = default;

MockServer::~MockServer() { stop(); }

void MockServer::stop() {
  for (auto& worker : workers_) worker->stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

std::string MockServer::stats_json() const {
  uint64_t requests = 0, streams = 0, chunks = 0, aborted = 0;
  int64_t active = 0, connections = 0;
  for (const auto& worker : workers_) {
    const MockCounters& c = worker->counters();
    requests += c.requests.load(std::memory_order_relaxed);
    streams += c.streams.load(std::memory_order_relaxed);
    chunks += c.chunks.load(std::memory_order_relaxed);
    aborted += c.aborted_streams.load(std::memory_order_relaxed);
    active += c.active_streams.load(std::memory_order_relaxed);
    connections += c.connections.load(std::memory_order_relaxed);
  }
  const CpuTime cpu = process_cpu_time();
  JsonWriter json;
  json.field("requests", requests)
      .field("streams", streams)
      .field("chunks", chunks)
      .field("aborted_streams", aborted)
      .field("active_streams", active)
      .field("connections", connections)
      .field("cpu_user_s", cpu.user_s)
      .field("cpu_sys_s", cpu.sys_s)
      .field("threads", static_cast<uint64_t>(workers_.size()))
      .field("uptime_s", (mono_ns() - started_ns_) / 1e9);
  return json.finish();
}

}  // namespace plinth::bench
