#include "gateway/stages/apply_version_params.h"

namespace plinth::gateway {

namespace {

namespace json = boost::json;

// The body's max_tokens field: OpenAI's newer max_completion_tokens counts as the same cap.
constexpr std::string_view kMaxTokens = "max_tokens";
constexpr std::string_view kMaxCompletionTokens = "max_completion_tokens";

void refresh_typed_view(providers::InferenceRequest& r) {
  const json::object& b = r.body;
  if (const auto* t = b.if_contains("temperature"); t && t->is_number()) {
    r.temperature = t->to_number<double>();
  }
  for (auto key : {kMaxTokens, kMaxCompletionTokens}) {
    if (const auto* m = b.if_contains(key); m && m->is_number()) {
      r.max_tokens = m->to_number<std::int64_t>();
    }
  }
  if (const auto* s = b.if_contains("seed"); s && s->is_int64()) r.seed = s->get_int64();
}

}  // namespace

Status ApplyVersionParams::on_request(Exchange& ex) const {
  if (!ex.version) return {};
  const registry::VersionRoute& v = *ex.version;
  if (v.default_params.empty() && v.max_params.empty()) return {};
  json::object& body = ex.request.body;
  bool changed = false;
  for (const auto& kv : v.default_params) {
    if (kv.key() == "model" || kv.key() == "stream" || kv.key() == "messages") continue;
    const bool is_max_tokens = kv.key() == kMaxTokens || kv.key() == kMaxCompletionTokens;
    const bool present = is_max_tokens ? (body.contains(kMaxTokens) ||
                                          body.contains(kMaxCompletionTokens))
                                       : body.contains(kv.key());
    if (!present) {
      body[kv.key()] = kv.value();
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
      auto* value = body.if_contains(keys[k]);
      if (!value || !value->is_number()) continue;
      seen = true;
      if (value->to_number<double>() > cap) {
        *value = kv.value();
        changed = true;
      }
    }
    if (!seen && is_max_tokens && ex.request.op != providers::Operation::kEmbedding) {
      body[kMaxTokens] = kv.value();
      changed = true;
    }
  }
  if (changed) refresh_typed_view(ex.request);
  return {};
}

}  // namespace plinth::gateway
