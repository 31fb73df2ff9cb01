#include "providers/tgi_wire.h"

#include "metering/token_count.h"

#include <boost/json/parse.hpp>

#include <optional>
#include <utility>

namespace plinth::providers::tgi_wire {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxSnippet = 120;

std::optional<double> number_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  json::error_code ec;
  const double d = v->to_number<double>(ec);
  if (ec) return std::nullopt;
  return d;
}

std::optional<std::int64_t> integer_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  json::error_code ec;
  const auto n = v->to_number<std::int64_t>(ec);
  if (ec) return std::nullopt;
  return n;
}

const json::object* object_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

const json::string* string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

Error upstream_error(std::string message) {
  return Error{ErrorCode::kUpstreamError, std::move(message)};
}

// Writes `"key":` after a comma unless it is the first member.
void member(std::string& out, bool& first, std::string_view key) {
  if (!first) out.push_back(',');
  first = false;
  openai_wire::append_json_string(out, key);
  out.push_back(':');
}

void fill_usage(json::object& usage, const Usage& u) {
  usage.reserve(3);
  usage.emplace("prompt_tokens", u.prompt_tokens);
  usage.emplace("completion_tokens", u.completion_tokens);
  usage.emplace("total_tokens", u.total());
}

// {"id","object":"text_completion","created","model"} at the start of every answer.
void fill_identity(json::object& o, const Identity& identity) {
  o.emplace("id", identity.id);
  o.emplace("object", "text_completion");
  o.emplace("created", identity.created);
  o.emplace("model", identity.model);
}

void fill_choice(json::object& choice, std::string_view text, json::value finish) {
  choice.reserve(4);
  choice.emplace("index", 0);
  choice.emplace("text", text);
  choice.emplace("finish_reason", std::move(finish));
  choice.emplace("logprobs", nullptr);
}

}  // namespace

Result<std::string_view> prompt_of(const InferenceRequest& request) {
  const json::value* p = request.body().if_contains("prompt");
  if (!p) return Error::invalid("prompt", "prompt is required");
  if (const json::string* s = p->if_string()) return std::string_view(*s);
  if (const json::array* a = p->if_array(); a && a->size() == 1 && (*a)[0].is_string()) {
    return std::string_view((*a)[0].get_string());
  }
  return Error::invalid("prompt", "model " + request.public_model +
                                      " is served by TGI, which takes one prompt: a string "
                                      "or an array of one string");
}

Result<std::string> generate_body(const InferenceRequest& request) {
  const auto refuse = [&](std::string field, std::string what) {
    return Error::invalid(std::move(field),
                          "model " + request.public_model + " is served by TGI, which " + what);
  };
  if (request.n > 1) {
    return refuse(
        "n", "generates one choice per request: n must be 1, got " + std::to_string(request.n));
  }
  const json::object& body = request.body();
  if (auto best_of = integer_at(body, "best_of"); best_of && *best_of > 1) {
    return refuse("best_of", "does not support best_of > 1 here");
  }
  if (const json::value* echo = body.if_contains("echo");
      echo && echo->is_bool() && echo->get_bool()) {
    return refuse("echo", "cannot echo the prompt");
  }
  if (request.seed && *request.seed < 0) {
    return Error::invalid("seed",
                          "seed must be >= 0 for TGI models, got " + std::to_string(*request.seed));
  }
  auto prompt = prompt_of(request);
  if (!prompt) return std::move(prompt).error();

  std::string out;
  out.reserve(prompt->size() + 256);
  out.append("{\"inputs\":");
  openai_wire::append_json_string(out, *prompt);
  out.append(",\"parameters\":{");
  bool first = true;
  if (request.max_tokens) {
    member(out, first, "max_new_tokens");
    out.append(std::to_string(*request.max_tokens));
  }
  // TGI rejects temperature 0 and samples whenever temperature or top_p is present.
  const bool greedy = request.temperature && *request.temperature <= 0;
  member(out, first, "do_sample");
  out.append(greedy ? "false" : "true");
  if (request.temperature && !greedy) {
    member(out, first, "temperature");
    openai_wire::append_json(out, json::value(*request.temperature));
  }
  if (auto top_p = number_at(body, "top_p"); top_p && *top_p < 1 && !greedy) {
    member(out, first, "top_p");
    openai_wire::append_json(out, json::value(*top_p));
  }
  if (!request.stop.empty()) {
    member(out, first, "stop");
    out.push_back('[');
    for (std::size_t i = 0; i < request.stop.size(); ++i) {
      if (i) out.push_back(',');
      openai_wire::append_json_string(out, request.stop[i]);
    }
    out.push_back(']');
  }
  if (request.seed) {
    member(out, first, "seed");
    out.append(std::to_string(*request.seed));
  }
  if (auto fp = number_at(body, "frequency_penalty"); fp && *fp != 0) {
    member(out, first, "frequency_penalty");
    openai_wire::append_json(out, json::value(*fp));
  }
  if (auto top_k = integer_at(body, "top_k"); top_k && *top_k > 0) {
    member(out, first, "top_k");
    out.append(std::to_string(*top_k));
  }
  if (auto rp = number_at(body, "repetition_penalty"); rp && *rp != 1) {
    member(out, first, "repetition_penalty");
    openai_wire::append_json(out, json::value(*rp));
  }
  member(out, first, "details");
  out.append("true}}");
  return out;
}

std::string_view finish_reason(std::string_view tgi_reason) {
  return tgi_reason == "length" ? "length" : "stop";
}

Result<InferenceResponse> parse_generate_response(std::string_view body, const Identity& identity,
                                                  std::string_view prompt) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  json::object* in = ec ? nullptr : v.if_object();
  if (!in) {
    return upstream_error("malformed /generate answer from TGI: " +
                          openai_wire::truncate_utf8(body, kMaxSnippet));
  }
  if (auto e = openai_wire::event_error(*in)) return std::move(*e);
  json::value* text_v = in->if_contains("generated_text");
  if (!text_v || !text_v->is_string()) {
    return upstream_error("TGI's /generate answer has no generated_text: " +
                          openai_wire::truncate_utf8(body, kMaxSnippet));
  }
  const json::string& text = text_v->get_string();

  Usage usage;
  std::string_view finish = "stop";
  const json::object* details = object_at(*in, "details");
  const json::value* prefill = details ? details->if_contains("prefill") : nullptr;
  if (prefill && prefill->is_array() && !prefill->get_array().empty()) {
    usage.prompt_tokens = static_cast<std::int64_t>(prefill->get_array().size());
  } else {
    usage.prompt_tokens = metering::count_tokens(prompt);
    usage.estimated = true;
  }
  if (auto generated = details ? integer_at(*details, "generated_tokens") : std::nullopt) {
    usage.completion_tokens = *generated;
  } else {
    usage.completion_tokens = metering::count_tokens(text);
    usage.estimated = true;
  }
  if (const json::string* fr = details ? string_at(*details, "finish_reason") : nullptr) {
    finish = finish_reason(*fr);
  }

  InferenceResponse response;
  json::object& out = response.body;
  out.reserve(6);
  fill_identity(out, identity);
  json::array& choices = out["choices"].emplace_array();
  fill_choice(choices.emplace_back(json::object()).get_object(), text, json::value(finish));
  fill_usage(out["usage"].emplace_object(), usage);
  response.usage = usage;
  return response;
}

Result<std::vector<std::string>> parse_info(std::string_view body) {
  json::error_code ec;
  const json::value v = json::parse(body, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::string* id = o ? string_at(*o, "model_id") : nullptr;
  if (!id) {
    return upstream_error("TGI's /info answer has no model_id: " +
                          openai_wire::truncate_utf8(body, kMaxSnippet));
  }
  return std::vector<std::string>{std::string(*id)};
}

// ---------------------------------------------------------------------------------------
// StreamTranslator

StreamTranslator::StreamTranslator(Identity identity, std::string_view prompt)
    : identity_(std::move(identity)), prompt_(prompt) {}

json::object& StreamTranslator::start_chunk(std::size_t slot) {
  json::object& chunk = arena_.build(slot);
  chunk.reserve(6);
  fill_identity(chunk, identity_);
  chunks_[count_++] = &chunk;
  return chunk;
}

Status StreamTranslator::decode(std::string_view data) {
  count_ = 0;
  if (finished_) return {};  // nothing follows the last token
  arena_.reset();
  auto parsed = arena_.parse(data);
  if (!parsed) return std::move(parsed).error();
  const json::object& event = **parsed;
  if (auto e = openai_wire::event_error(event)) return std::move(*e);

  const json::object* token = object_at(event, "token");
  if (!token) {
    return upstream_error("TGI stream event has no token: " +
                          openai_wire::truncate_utf8(data, kMaxSnippet));
  }
  ++tokens_seen_;
  const json::value* special = token->if_contains("special");
  const bool is_special = special && special->is_bool() && special->get_bool();
  const json::object* details = object_at(event, "details");
  const json::value* generated = event.if_contains("generated_text");
  const bool last = details || (generated && generated->is_string());
  if (is_special && !last) return {};

  std::string_view text;
  if (!is_special) {
    if (const json::string* t = string_at(*token, "text")) text = *t;
  }
  json::value finish(nullptr);
  if (last) {
    const json::string* fr = details ? string_at(*details, "finish_reason") : nullptr;
    finish = fr ? finish_reason(*fr) : std::string_view("stop");
  }
  json::object& chunk = start_chunk(0);
  fill_choice(chunk["choices"].emplace_array().emplace_back(json::object()).get_object(), text,
              std::move(finish));
  if (!last) return {};

  finished_ = true;
  Usage usage;
  if (auto input = details ? integer_at(*details, "input_length") : std::nullopt) {
    usage.prompt_tokens = *input;
  } else {
    usage.prompt_tokens = metering::count_tokens(prompt_);
  }
  usage.completion_tokens =
      details ? integer_at(*details, "generated_tokens").value_or(tokens_seen_) : tokens_seen_;
  json::object& usage_chunk = start_chunk(1);
  usage_chunk.emplace("choices", json::array());
  fill_usage(usage_chunk["usage"].emplace_object(), usage);
  return {};
}

Status StreamTranslator::finish() const {
  if (finished_) return {};
  return upstream_error("TGI stream ended before its last token (no details event)");
}

}  // namespace plinth::providers::tgi_wire
