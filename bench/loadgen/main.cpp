// plinth-loadgen: open- and closed-loop HTTP load with streaming checks (see README.md).
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include "../common/clock.h"
#include "../common/net.h"
#include "load_worker.h"
#include "options.h"
#include "report.h"
#include "upstream_stats.h"

namespace {

using namespace plinth::bench;

void sleep_until(int64_t when_ns) {
  const timespec ts{static_cast<time_t>(when_ns / 1'000'000'000),
                    static_cast<long>(when_ns % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

// This thread's share of `total` when it is split over `parts` threads.
int64_t share(int64_t total, int64_t parts, int64_t index) {
  return total / parts + (index < total % parts ? 1 : 0);
}

// The mock's stats once it has seen this run's connections close (at most 1 s later).
std::optional<UpstreamSample> settled_upstream(const HttpUrl& url) {
  std::string error;
  std::optional<UpstreamSample> sample;
  for (int i = 0; i < 100; ++i) {
    sample = sample_upstream(url, &error);
    if (!sample || (sample->active_streams == 0 && sample->connections <= 1)) break;
    sleep_until(mono_ns() + 10'000'000);
  }
  return sample;
}

}  // namespace

int main(int argc, char** argv) {
  LoadOptions options;
  bool help = false;
  if (std::string error = parse_load_options(argc, argv, &options, &help); !error.empty()) {
    std::fprintf(stderr, "plinth-loadgen: %s\n", error.c_str());
    return 2;
  }
  if (help) return 0;
  std::string error;
  auto target = build_target(options, &error);
  if (!target) {
    std::fprintf(stderr, "plinth-loadgen: %s\n", error.c_str());
    return 2;
  }
  std::optional<HttpUrl> stats_url;
  if (!options.upstream_stats.empty()) {
    stats_url = parse_http_url(options.upstream_stats, &error);
    if (!stats_url) {
      std::fprintf(stderr, "plinth-loadgen: --upstream-stats: %s\n", error.c_str());
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();

  const int64_t start = mono_ns() + 20'000'000;
  const int64_t measure = start + static_cast<int64_t>(options.warmup_s * 1e9);
  const int64_t end = measure + static_cast<int64_t>(options.duration_s * 1e9);
  const int64_t threads = options.threads;
  std::vector<RunStats> results(threads);
  std::vector<std::thread> workers;
  for (int64_t t = 0; t < threads; ++t) {
    LoadPlan plan;
    plan.open_loop = options.mode == "open";
    plan.rate = options.rate / threads;
    plan.schedule_offset_ns = plan.open_loop ? static_cast<int64_t>(t * 1e9 / options.rate) : 0;
    plan.max_connections = share(options.max_connections, threads, t);
    plan.connections = std::min(share(options.connections, threads, t), plan.max_connections);
    plan.start_ns = start;
    plan.measure_ns = measure;
    plan.end_ns = end;
    plan.timeout_ns = static_cast<int64_t>(options.timeout_s * 1e9);
    plan.stream = options.stream;
    plan.abort_fraction = options.abort_fraction;
    plan.reuse_oldest = options.reuse == "oldest";
    plan.expect_chunks = options.expect_chunks;
    plan.address = target->address;
    plan.request = &target->request;
    workers.emplace_back([plan, &result = results[t]] { result = LoadWorker(plan).run(); });
  }

  RunContext context;
  context.window_s = options.duration_s;
  sleep_until(measure);
  const CpuTime cpu_before = process_cpu_time();
  if (stats_url) context.upstream_before = sample_upstream(*stats_url, &context.upstream_error);
  sleep_until(end);
  const CpuTime cpu_after = process_cpu_time();
  if (stats_url) context.upstream_after = sample_upstream(*stats_url, &context.upstream_error);
  context.loadgen_cpu_s =
      (cpu_after.user_s + cpu_after.sys_s) - (cpu_before.user_s + cpu_before.sys_s);
  for (auto& w : workers) w.join();
  if (stats_url) context.upstream_settled = settled_upstream(*stats_url);

  RunStats total;
  for (const RunStats& r : results) total.merge(r);
  const std::string json = report_json(options, *target, total, context) + "\n";
  if (options.out.empty()) {
    std::fputs(json.c_str(), stdout);
  } else {
    std::ofstream(options.out) << json;
  }
  return 0;
}
