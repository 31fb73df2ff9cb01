// Exchange: one request's state as it moves through the pipeline. Stages read the request
// and the Snapshot and fill in what they decide; nothing here does I/O.
#pragma once

#include "core/result.h"
#include "providers/inference.h"
#include "registry/snapshot.h"
#include "tenancy/key_ring.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace plinth::gateway {

using Clock = std::chrono::steady_clock;

enum class Endpoint { kChat, kCompletions, kEmbeddings, kModels, kNotFound };

std::string_view endpoint_name(Endpoint e);  // "chat.completions", "completions", ...

struct Exchange {
  // The request as received.
  std::string_view method;
  std::string_view path;   // normalised path (no query)
  std::string_view query;  // raw query, without '?'
  std::string_view body;
  std::string_view authorization;
  std::string_view content_type;
  std::string_view request_id;
  Endpoint endpoint = Endpoint::kNotFound;
  std::shared_ptr<const registry::Snapshot> snapshot;
  Clock::time_point started = Clock::now();

  // Decided by stages.
  const tenancy::Principal* principal = nullptr;
  const registry::ModelRoute* route = nullptr;
  const registry::VersionRoute* version = nullptr;  // chosen by the model's release plan
  providers::Provider* provider = nullptr;          // the version's replica for this request
  providers::InferenceRequest request;

  // Outcome, filled while responding.
  int status = 0;
  std::optional<Error> error;
  std::optional<providers::Usage> usage;
  bool streamed = false;
  bool client_gone = false;
  std::int64_t chunks = 0;
  Clock::time_point upstream_started{};
  Clock::time_point write_started{};  // the upstream request's write began (when known)
  Clock::duration connect_wait{};    // of the time before, spent opening connections
  Clock::time_point upstream_headers{};
  Clock::time_point first_token{};
  Clock::time_point response_ready{};  // non-streamed: body serialised, client write starts
  Clock::time_point finished{};
};

}  // namespace plinth::gateway
