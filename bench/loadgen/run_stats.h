// What a load-generator worker measured; the workers' stats merge into the run's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>

#include "../common/histogram.h"

namespace plinth::bench {

struct RunStats {
  LatencyHistogram latency;       // request start (open: its due time) to last byte
  LatencyHistogram ttfb;          // streams: start to the first data event
  LatencyHistogram chunk_gap;     // streams: between numbered chunks, as read
  LatencyHistogram schedule_lag;  // open: how late the load generator started requests
  uint64_t sent = 0;              // requests started in the measured window
  uint64_t requests = 0;          // ... that succeeded (2xx, and for streams a valid stream)
  uint64_t aborted = 0;           // streams closed on purpose (--abort-fraction)
  uint64_t chunks = 0;
  uint64_t lost_chunks = 0;
  uint64_t reordered_chunks = 0;
  uint64_t connections_opened = 0;
  int64_t peak_connections = 0;
  std::map<std::string, uint64_t> errors;  // by kind: connect, status_<code>, timeout, ...

  void merge(const RunStats& o) {
    latency.merge(o.latency);
    ttfb.merge(o.ttfb);
    chunk_gap.merge(o.chunk_gap);
    schedule_lag.merge(o.schedule_lag);
    sent += o.sent;
    requests += o.requests;
    aborted += o.aborted;
    chunks += o.chunks;
    lost_chunks += o.lost_chunks;
    reordered_chunks += o.reordered_chunks;
    connections_opened += o.connections_opened;
    peak_connections += o.peak_connections;
    for (const auto& [kind, n] : o.errors) errors[kind] += n;
  }
};

}  // namespace plinth::bench
