#include "gateway/stages/apply_version_params.h"

#include <optional>

namespace plinth::gateway {

namespace {

namespace json = boost::json;

// The body's max_tokens field: OpenAI's newer max_completion_tokens counts as the same cap.
constexpr std::string_view kMaxTokens = "max_tokens";
constexpr std::string_view kMaxCompletionTokens = "max_completion_tokens";

// Whole numbers only; the admin API refuses other values for these keys, and this never throws.
std::optional<std::int64_t> integer_of(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  return std::nullopt;
}

void refresh_typed_view(providers::InferenceRequest& r) {
  const json::object& b = r.body();
  if (const auto* t = b.if_contains("temperature"); t && t->is_number()) {
    r.temperature = t->to_number<double>();  // a double never throws
  }
  for (auto key : {kMaxTokens, kMaxCompletionTokens}) {
    if (auto m = integer_of(b.if_contains(key))) r.max_tokens = *m;
  }
  if (auto n = integer_of(b.if_contains("n")); n && *n >= 1 && *n <= 128) r.n = static_cast<int>(*n);
  if (auto s = integer_of(b.if_contains("seed"))) r.seed = *s;
}

}  // namespace

Status ApplyVersionParams::on_request(Exchange& ex) const {
  if (!ex.version) return {};
  const registry::VersionRoute& v = *ex.version;
  if (v.default_params.empty() && v.max_params.empty()) return {};
  // Reads go through the const view: the client's bytes stay usable until a value changes.
  providers::InferenceRequest& request = ex.request;
  const json::object& body = request.body();
  bool changed = false;
  for (const auto& kv : v.default_params) {
    if (kv.key() == "model" || kv.key() == "stream" || kv.key() == "messages") continue;
    const bool is_max_tokens = kv.key() == kMaxTokens || kv.key() == kMaxCompletionTokens;
    const bool present = is_max_tokens ? (body.contains(kMaxTokens) ||
                                          body.contains(kMaxCompletionTokens))
                                       : body.contains(kv.key());
    if (!present) {
      request.mutable_body()[kv.key()] = kv.value();
      changed = true;
    }
  }
  for (const auto& kv : v.max_params) {
    if (!kv.value().is_number()) continue;
    const double cap = kv.value().to_number<double>();
    const bool is_max_tokens = kv.key() == kMaxTokens || kv.key() == kMaxCompletionTokens;
    bool seen = false;
    const std::string_view keys[] = {is_max_tokens ? kMaxTokens : std::string_view(kv.key()),
                                     kMaxCompletionTokens};
    for (std::size_t k = 0; k < (is_max_tokens ? 2u : 1u); ++k) {
      const auto* value = body.if_contains(keys[k]);
      if (!value || !value->is_number()) continue;
      seen = true;
      if (value->to_number<double>() > cap) {
        request.mutable_body()[keys[k]] = kv.value();
        changed = true;
      }
    }
    if (!seen && is_max_tokens && request.op != providers::Operation::kEmbedding) {
      request.mutable_body()[kMaxTokens] = kv.value();
      changed = true;
    }
  }
  if (changed) refresh_typed_view(request);
  return {};
}

}  // namespace plinth::gateway
