// Flags of plinth-loadgen and the request they describe (see options.h).
#include "options.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "../common/flags.h"
#include "request_builder.h"

namespace plinth::bench {
namespace {

Flags make_flags(LoadOptions* o) {
  Flags f;
  f.add("mode", &o->mode, "open (fixed schedule) or closed (saturation) (closed)");
  f.add("rate", &o->rate, "open: requests per second, started on schedule whatever happens");
  f.add("duration", &o->duration_s, "seconds measured (10)");
  f.add("warmup", &o->warmup_s, "seconds of load before measuring (0)");
  f.add("connections", &o->connections,
        "closed: connections, each one request at a time; open: opened up front (64)");
  f.add("max-connections", &o->max_connections,
        "open: most connections; past it a due request waits for a free one (latency from its "
        "scheduled start) and is an error 'backlog' if it cannot start within --timeout (10000)");
  f.add("reuse", &o->reuse,
        "open: the idle connection a request takes: newest (as few connections as the load "
        "needs) or oldest (every open connection stays in use, so their number holds) (newest)");
  f.add("threads", &o->threads, "worker threads, each with its share of load (1)");
  f.add("url", &o->url, "http://HOST:PORT/PATH (required)");
  f.add("method", &o->method, "HTTP method (POST)");
  f.add("body-file", &o->body_file, "request body, sent as is");
  f.add("body-bytes", &o->body_bytes,
        "generate a valid request body of about N bytes for the URL's endpoint (256)");
  f.add("header", &o->headers, "'Name: value', repeatable");
  f.add("stream", &o->stream,
        "ask for and check SSE streams: time to first chunk, gaps, lost/reordered chunks");
  f.add("abort-fraction", &o->abort_fraction,
        "close this fraction of streams mid-way (0..1), for leak tests");
  f.add("expect-chunks", &o->expect_chunks,
        "chunks each stream must carry (default: what the stream announces)");
  f.add("timeout", &o->timeout_s, "seconds before a request counts as 'timeout' (30)");
  f.add("model", &o->model, "model in generated bodies (mock)");
  f.add("out", &o->out, "write the JSON result here instead of stdout");
  f.add("upstream-stats", &o->upstream_stats,
        "mock's /stats URL: report its CPU use over the run, to show it was not the limit");
  return f;
}

}  // namespace

std::string parse_load_options(int argc, char** argv, LoadOptions* options, bool* help) {
  Flags flags = make_flags(options);
  std::string error = flags.parse(argc, argv);
  *help = flags.help_requested();
  if (*help) std::printf("usage: plinth-loadgen --url URL [flags]\n%s", flags.usage().c_str());
  return error;
}

std::optional<LoadTarget> build_target(const LoadOptions& o, std::string* error) {
  auto fail = [&](std::string message) {
    *error = std::move(message);
    return std::nullopt;
  };
  if (o.mode != "open" && o.mode != "closed") {
    return fail("--mode must be open or closed, got '" + o.mode + "'");
  }
  if (o.mode == "open" && !(o.rate > 0)) return fail("--mode open needs --rate above 0");
  if (o.mode == "closed" && o.connections < 1) {
    return fail("--mode closed needs --connections of at least 1");
  }
  if (!(o.duration_s > 0) || o.warmup_s < 0 || !(o.timeout_s > 0)) {
    return fail("--duration and --timeout must be above 0, --warmup at least 0");
  }
  if (o.threads < 1 || o.threads > 64) return fail("--threads must be from 1 to 64");
  if (o.connections < 0 || o.max_connections < o.threads) {
    return fail("--max-connections must be at least --threads, --connections at least 0");
  }
  if (o.reuse != "newest" && o.reuse != "oldest") {
    return fail("--reuse must be newest or oldest, got '" + o.reuse + "'");
  }
  if (o.abort_fraction < 0 || o.abort_fraction > 1) {
    return fail("--abort-fraction must be from 0 to 1, got " + std::to_string(o.abort_fraction));
  }
  if (o.abort_fraction > 0 && !o.stream) return fail("--abort-fraction needs --stream");
  if (!o.body_file.empty() && o.body_bytes >= 0) {
    return fail("give --body-file or --body-bytes, not both");
  }
  if (o.url.empty()) return fail("--url is required");

  LoadTarget target;
  auto url = parse_http_url(o.url, error);
  if (!url) return std::nullopt;
  target.url = *url;
  auto address = resolve_ipv4(url->endpoint, error);
  if (!address) return std::nullopt;
  target.address = *address;

  std::string body;
  if (!o.body_file.empty()) {
    std::ifstream in(o.body_file, std::ios::binary);
    if (!in) return fail("cannot read --body-file '" + o.body_file + "'");
    std::ostringstream content;
    content << in.rdbuf();
    body = content.str();
    if (o.stream && body.find("\"stream\"") == std::string::npos) {
      return fail("--stream, but --body-file '" + o.body_file + "' has no \"stream\": true");
    }
  } else if (o.method == "POST") {
    body = generated_body(url->path, o.model, o.body_bytes >= 0 ? o.body_bytes : 256, o.stream);
  }
  for (const std::string& h : o.headers) {
    if (h.find(':') == std::string::npos || h.find_first_of("\r\n") != std::string::npos) {
      return fail("--header must be 'Name: value', got '" + h + "'");
    }
  }
  target.body_bytes = body.size();
  target.request = build_request(o.method, url->path, url->host_header, o.headers, body);
  return target;
}

}  // namespace plinth::bench
