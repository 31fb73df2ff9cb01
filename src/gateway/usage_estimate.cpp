#include "gateway/usage_estimate.h"

#include "metering/token_count.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace plinth::gateway {

namespace json = boost::json;
using metering::count_tokens;

namespace {

std::int64_t content_tokens(const json::value& content) {
  if (content.is_string()) return count_tokens(content.get_string());
  std::int64_t n = 0;
  if (content.is_array()) {
    for (const auto& part : content.get_array()) {
      if (!part.is_object()) continue;
      if (const json::value* text = part.get_object().if_contains("text"); text && text->is_string())
        n += count_tokens(text->get_string());
    }
  }
  return n;
}

std::int64_t string_or_array_tokens(const json::value& v) {
  if (v.is_string()) return count_tokens(v.get_string());
  std::int64_t n = 0;
  if (v.is_array()) {
    for (const auto& item : v.get_array()) {
      if (item.is_string()) n += count_tokens(item.get_string());
      else if (item.is_array()) n += static_cast<std::int64_t>(item.get_array().size());
      else if (item.is_number()) n += 1;  // a token id
    }
  }
  return n;
}

// Sums count_tokens over choices[i].<outer>.<field> (or choices[i].<field> when outer empty).
std::int64_t choices_tokens(const json::object& obj, std::string_view outer,
                            std::string_view field) {
  const json::value* choices = obj.if_contains("choices");
  if (!choices || !choices->is_array()) return 0;
  std::int64_t n = 0;
  for (const auto& c : choices->get_array()) {
    if (!c.is_object()) continue;
    const json::object* holder = &c.get_object();
    if (!outer.empty()) {
      const json::value* o = holder->if_contains(outer);
      if (!o || !o->is_object()) continue;
      holder = &o->get_object();
    }
    if (const json::value* v = holder->if_contains(field); v) n += content_tokens(*v);
  }
  return n;
}

}  // namespace

std::int64_t estimate_prompt_tokens(const providers::InferenceRequest& request) {
  const json::object& body = request.body();
  switch (request.op) {
    case providers::Operation::kChat: {
      std::int64_t n = 0;
      if (const json::value* msgs = body.if_contains("messages"); msgs && msgs->is_array()) {
        for (const auto& m : msgs->get_array()) {
          if (!m.is_object()) continue;
          if (const json::value* c = m.get_object().if_contains("content"); c) n += content_tokens(*c);
        }
      }
      return n;
    }
    case providers::Operation::kCompletion:
      if (const json::value* p = body.if_contains("prompt"); p) return string_or_array_tokens(*p);
      return 0;
    case providers::Operation::kEmbedding:
      if (const json::value* i = body.if_contains("input"); i) return string_or_array_tokens(*i);
      return 0;
  }
  return 0;
}

std::int64_t estimate_output_tokens(const json::object& response) {
  return choices_tokens(response, "message", "content") + choices_tokens(response, "", "text");
}

std::int64_t estimate_chunk_tokens(const json::object& chunk) {
  return choices_tokens(chunk, "delta", "content") + choices_tokens(chunk, "", "text");
}

}  // namespace plinth::gateway
