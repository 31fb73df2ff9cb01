#include "providers/openai_wire.h"

#include "core/json_text.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>

#include <optional>
#include <utility>

namespace plinth::providers::openai_wire {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxPlainMessage = 300;  // a non-JSON error body (HTML from a proxy)
constexpr std::size_t kMaxJsonMessage = 2000;  // a structured upstream message
constexpr std::size_t kMaxEventSnippet = 120;  // of a malformed event, in our message

// Serializes through a stack buffer: the serializer keeps no heap state for flat output.
void drain(std::string& out, json::serializer& sr) {
  char buf[4096];
  while (!sr.done()) out.append(sr.read(buf));
}

void append_member(std::string& out, bool& first, std::string_view key) {
  if (!first) out.push_back(',');
  first = false;
  append_json_string(out, key);
  out.push_back(':');
}

const json::string* string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

std::optional<std::int64_t> integer_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  json::error_code ec;
  const auto n = v->to_number<std::int64_t>(ec);
  if (ec) return std::nullopt;
  return n;
}

// The message and param of a parsed error body, when it has a recognised shape.
struct UpstreamMessage {
  std::string text;
  std::string param;
};

std::optional<UpstreamMessage> message_of(const json::object& o) {
  if (const json::value* err = o.if_contains("error")) {
    if (const json::string* s = err->if_string()) return UpstreamMessage{std::string(*s), {}};
    if (const json::object* e = err->if_object()) {
      UpstreamMessage m;
      if (const json::string* s = string_at(*e, "message")) m.text = *s;
      if (const json::string* p = string_at(*e, "param")) m.param = *p;
      if (m.text.empty()) m.text = json::serialize(*e);
      return m;
    }
  }
  if (const json::string* s = string_at(o, "message")) {
    UpstreamMessage m{std::string(*s), {}};
    if (const json::string* p = string_at(o, "param")) m.param = *p;
    return m;
  }
  if (const json::value* d = o.if_contains("detail")) {
    if (const json::string* s = d->if_string()) return UpstreamMessage{std::string(*s), {}};
    return UpstreamMessage{json::serialize(*d), {}};  // FastAPI validation errors: a list
  }
  return std::nullopt;
}

UpstreamMessage parse_message(std::string_view body) {
  json::error_code ec;
  const json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (auto m = message_of(v.get_object())) {
      m->text = truncate_utf8(m->text, kMaxJsonMessage);
      return std::move(*m);
    }
  }
  std::string_view trimmed = body;
  while (!trimmed.empty() &&
         (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' ')) {
    trimmed.remove_suffix(1);
  }
  if (trimmed.empty()) return {"(empty body)", {}};
  return {truncate_utf8(trimmed, kMaxPlainMessage), {}};
}

Error upstream_error(std::string message, int status = 0) {
  Error e{ErrorCode::kUpstreamError, std::move(message)};
  e.upstream_status = status;
  return e;
}

bool has_finish_reason(const json::object& chunk) {
  const json::value* choices = chunk.if_contains("choices");
  const json::array* arr = choices ? choices->if_array() : nullptr;
  if (!arr) return false;
  for (const json::value& c : *arr) {
    const json::object* co = c.if_object();
    if (!co) continue;
    const json::value* fr = co->if_contains("finish_reason");
    if (fr && !fr->is_null()) return true;
  }
  return false;
}

}  // namespace

std::string_view path_of(Operation op) {
  switch (op) {
    case Operation::kChat:
      return "/chat/completions";
    case Operation::kCompletion:
      return "/completions";
    case Operation::kEmbedding:
      return "/embeddings";
  }
  return "/chat/completions";
}

void append_json(std::string& out, const json::value& v) {
  json::serializer sr;
  sr.reset(&v);
  drain(out, sr);
}

void append_json_string(std::string& out, std::string_view s) {
  plinth::append_json_string(out, s);
}

std::optional<BodySplice> body_splice(const InferenceRequest& request, bool stream) {
  using StreamOptions = RawBodyLayout::StreamOptions;
  const std::string_view raw = request.raw_body();
  const RawBodyLayout& at = request.raw_layout();
  if (raw.empty() || at.model_end == 0 || request.stream != stream) return std::nullopt;
  if (stream ? at.stream_options == StreamOptions::kOther
             : at.stream_options != StreamOptions::kAbsent) {
    return std::nullopt;
  }
  std::size_t close = raw.size();  // the object's closing brace; only whitespace may follow
  while (close > 0 && raw[close - 1] != '}') --close;
  if (close == 0 || close - 1 < at.model_end) return std::nullopt;
  --close;
  const bool add_options = stream && at.stream_options == StreamOptions::kAbsent;
  return BodySplice{raw.substr(0, at.model_begin), raw.substr(at.model_end, close - at.model_end),
                    add_options ? std::string_view(R"(,"stream_options":{"include_usage":true}})")
                                : std::string_view("}")};
}

std::string request_body(const InferenceRequest& request, bool stream) {
  if (std::optional<BodySplice> splice = body_splice(request, stream)) {
    std::string out;
    out.reserve(splice->before.size() + request.upstream_model.size() + 2 +
                splice->after.size() + splice->end.size() + 16);
    out.append(splice->before);
    append_json_string(out, request.upstream_model);
    out.append(splice->after).append(splice->end);
    return out;
  }
  std::string out;
  out.reserve(512);
  out.push_back('{');
  bool first = true;
  bool wrote_model = false;
  const json::object* stream_options = nullptr;
  for (const auto& kv : request.body()) {
    const std::string_view key = kv.key();
    if (key == "stream") continue;
    if (key == "stream_options") {
      stream_options = kv.value().if_object();
      continue;
    }
    append_member(out, first, key);
    if (key == "model") {
      append_json_string(out, request.upstream_model);
      wrote_model = true;
    } else {
      append_json(out, kv.value());
    }
  }
  if (!wrote_model) {
    append_member(out, first, "model");
    append_json_string(out, request.upstream_model);
  }
  if (stream) {
    append_member(out, first, "stream");
    out.append("true");
    append_member(out, first, "stream_options");
    out.push_back('{');
    bool inner_first = true;
    if (stream_options) {
      for (const auto& kv : *stream_options) {
        if (kv.key() == "include_usage") continue;
        append_member(out, inner_first, kv.key());
        append_json(out, kv.value());
      }
    }
    append_member(out, inner_first, "include_usage");
    out.append("true}");
  }
  out.push_back('}');
  return out;
}

std::optional<Usage> usage_of(const json::object& body) {
  const json::value* u = body.if_contains("usage");
  const json::object* uo = u ? u->if_object() : nullptr;
  if (!uo) return std::nullopt;
  Usage usage;
  usage.prompt_tokens = integer_at(*uo, "prompt_tokens").value_or(0);
  usage.completion_tokens = integer_at(*uo, "completion_tokens").value_or(0);
  return usage;
}

Result<InferenceResponse> parse_response(std::string_view body, std::string_view public_model) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) {
    return upstream_error("malformed JSON response from upstream: " + ec.message() + ": " +
                          truncate_utf8(body, kMaxEventSnippet));
  }
  json::object* o = v.if_object();
  if (!o) return upstream_error("upstream response is not a JSON object");
  const json::value* err = o->if_contains("error");
  const json::string* kind = string_at(*o, "object");
  if ((err && !err->is_null()) || (kind && *kind == "error")) {
    return upstream_error("upstream answered with an error: " + parse_message(body).text);
  }
  InferenceResponse response;
  response.usage = usage_of(*o);
  response.body = std::move(*o);
  response.body["model"] = public_model;
  return response;
}

std::string error_message(std::string_view body) { return parse_message(body).text; }

Error status_error(int status, std::string_view body) {
  Error e;
  e.upstream_status = status;
  if (status == 401 || status == 403) {
    e.code = ErrorCode::kUpstreamError;
    e.message = "upstream rejected Plinth's credentials (HTTP " + std::to_string(status) +
                "); check the provider's api_key";
    return e;
  }
  UpstreamMessage m = parse_message(body);
  switch (status) {
    case 400:
    case 413:
    case 422:
      e.code = ErrorCode::kInvalidRequest;
      e.message = std::move(m.text);
      e.field = std::move(m.param);
      break;
    case 429:
      e.code = ErrorCode::kRateLimited;
      e.message = "upstream is rate limiting or overloaded (HTTP 429): " + m.text;
      break;
    case 404:
      e.code = ErrorCode::kUpstreamError;
      e.message = "upstream answered 404 (is the upstream model name right?): " + m.text;
      break;
    default:
      e.code = ErrorCode::kUpstreamError;
      e.message = "upstream answered HTTP " + std::to_string(status) + ": " + m.text;
      break;
  }
  return e;
}

Result<std::vector<std::string>> parse_model_list(std::string_view body) {
  json::error_code ec;
  const json::value v = json::parse(body, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* data = o ? o->if_contains("data") : nullptr;
  const json::array* arr = data ? data->if_array() : nullptr;
  if (!arr) {
    return upstream_error("upstream /models answer is not {\"data\":[...]}: " +
                          truncate_utf8(body, kMaxEventSnippet));
  }
  std::vector<std::string> ids;
  ids.reserve(arr->size());
  for (const json::value& m : *arr) {
    const json::object* mo = m.if_object();
    const json::string* id = mo ? string_at(*mo, "id") : nullptr;
    if (id) ids.emplace_back(*id);
  }
  return ids;
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out.append("...");
  return out;
}

std::optional<Error> event_error(const json::object& event) {
  const json::value* err = event.if_contains("error");
  if (!err || err->is_null()) return std::nullopt;
  std::optional<UpstreamMessage> parsed = message_of(event);
  UpstreamMessage m = parsed ? std::move(*parsed) : UpstreamMessage{json::serialize(*err), {}};
  Error e = upstream_error("upstream failed mid-stream: " + truncate_utf8(m.text, kMaxJsonMessage));
  // TGI sends its errors as events even before the first token (with status 200): keep the
  // meaning of validation and overload errors.
  if (const json::string* type = string_at(event, "error_type")) {
    if (*type == "validation") {
      e.code = ErrorCode::kInvalidRequest;
      e.message = truncate_utf8(m.text, kMaxJsonMessage);
    } else if (*type == "overloaded") {
      e.code = ErrorCode::kRateLimited;
      e.message = "upstream is overloaded: " + truncate_utf8(m.text, kMaxJsonMessage);
    }
  }
  return e;
}

// ---------------------------------------------------------------------------------------
// EventArena

EventArena::EventArena()
    : resource_(buffer_, sizeof buffer_),
      parsed_(json::storage_ptr(&resource_)),
      built_{json::value(json::storage_ptr(&resource_)),
             json::value(json::storage_ptr(&resource_))} {}

void EventArena::reset() {
  parsed_.emplace_null();
  for (json::value& v : built_) v.emplace_null();
  resource_.release();
}

Result<json::object*> EventArena::parse(std::string_view text) {
  parser_.reset(json::storage_ptr(&resource_));
  json::error_code ec;
  parser_.write(text.data(), text.size(), ec);
  if (ec) {
    return upstream_error("malformed SSE event from upstream: " + ec.message() + ": " +
                          truncate_utf8(text, kMaxEventSnippet));
  }
  parsed_ = parser_.release();
  json::object* o = parsed_.if_object();
  if (!o) {
    return upstream_error("malformed SSE event from upstream: not a JSON object: " +
                          truncate_utf8(text, kMaxEventSnippet));
  }
  return o;
}

json::object& EventArena::build(std::size_t slot) { return built_.at(slot).emplace_object(); }

// ---------------------------------------------------------------------------------------
// StreamDecoder

StreamDecoder::StreamDecoder(std::string_view public_model, bool require_done,
                             bool keep_null_usage)
    : public_model_(public_model),
      require_done_(require_done),
      scanner_(public_model, keep_null_usage) {}

EventArena& StreamDecoder::arena() {
  if (!arena_) arena_ = std::make_unique<EventArena>();
  return *arena_;
}

Result<StreamDecoder::Step> StreamDecoder::decode(std::string_view event, std::string_view data) {
  if (done_) return Step::kSkip;
  if (data == "[DONE]") {
    done_ = true;
    return Step::kDone;
  }
  chunk_ = nullptr;
  text_.clear();
  // Plain chunks (nearly all) take the scan: no tree, the model spliced into the bytes.
  if (event != "error" && scanner_.scan(data, text_, scanned_)) {
    if (!finished_) finished_ = scanned_.finished;
    return Step::kText;
  }
  arena().reset();
  auto parsed = arena().parse(data);
  if (event == "error") {
    if (!parsed)
      return upstream_error("upstream failed mid-stream: " + truncate_utf8(data, kMaxPlainMessage));
    if (auto e = event_error(**parsed)) return std::move(*e);
    return upstream_error("upstream failed mid-stream: " + parse_message(data).text);
  }
  if (!parsed) return std::move(parsed).error();
  json::object& o = **parsed;
  if (auto e = event_error(o)) return std::move(*e);
  if (const json::string* obj = string_at(o, "object"); obj && *obj == "error") {
    return upstream_error("upstream failed mid-stream: " + parse_message(data).text);
  }
  if (json::value* m = o.if_contains("model")) {
    *m = public_model_;
  } else {
    o.emplace("model", public_model_);
  }
  if (!finished_) {
    const json::value* u = o.if_contains("usage");
    finished_ = (u && u->is_object()) || has_finish_reason(o);
  }
  chunk_ = &o;
  return Step::kChunk;
}

json::object& StreamDecoder::chunk() {
  if (chunk_ == nullptr) {  // a kText event: build its tree now
    arena().reset();
    auto parsed = arena().parse(text_);
    chunk_ = parsed ? *parsed : &arena().build(0);  // the text came from valid JSON
  }
  return *chunk_;
}

Status StreamDecoder::finish() const {
  if (done_ || (!require_done_ && finished_)) return {};
  return upstream_error("upstream stream ended before [DONE]");
}

}  // namespace plinth::providers::openai_wire
