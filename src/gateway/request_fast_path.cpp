#include "gateway/request_fast_path.h"

#include "core/json_scan.h"

#include <array>
#include <cstdint>

namespace plinth::gateway {

namespace {

using providers::InferenceRequest;
using providers::Operation;
using providers::RawBodyLayout;

// The top-level fields the validators act on. Anything else passes through unread.
enum class Field : std::uint8_t {
  kOther,
  kModel,
  kMessages,
  kPrompt,
  kTemperature,
  kTopP,
  kPresencePenalty,
  kFrequencyPenalty,
  kN,
  kMaxTokens,
  kMaxCompletionTokens,
  kSeed,
  kStop,
  kStream,
  kStreamOptions,
  kLogitBias,
  kUser,
  kTools,
  kToolChoice,
  kResponseFormat,
  kTopLogprobs,
  kLogprobs,
  kBestOf,
  kEcho,
  kSuffix,
};

enum class Ops : std::uint8_t { kChat = 1, kCompletion = 2, kBoth = 3 };

struct FieldName {
  std::string_view name;
  Field field;
  Ops ops;
};

// Mirrors openai_validation.cpp: a field listed for one operation only is another field's
// pass-through data in the other.
constexpr std::array<FieldName, 24> kFields{{
    {"model", Field::kModel, Ops::kBoth},
    {"messages", Field::kMessages, Ops::kChat},
    {"prompt", Field::kPrompt, Ops::kCompletion},
    {"temperature", Field::kTemperature, Ops::kBoth},
    {"top_p", Field::kTopP, Ops::kBoth},
    {"presence_penalty", Field::kPresencePenalty, Ops::kBoth},
    {"frequency_penalty", Field::kFrequencyPenalty, Ops::kBoth},
    {"n", Field::kN, Ops::kBoth},
    {"max_tokens", Field::kMaxTokens, Ops::kBoth},
    {"max_completion_tokens", Field::kMaxCompletionTokens, Ops::kChat},
    {"seed", Field::kSeed, Ops::kBoth},
    {"stop", Field::kStop, Ops::kBoth},
    {"stream", Field::kStream, Ops::kBoth},
    {"stream_options", Field::kStreamOptions, Ops::kBoth},
    {"logit_bias", Field::kLogitBias, Ops::kBoth},
    {"user", Field::kUser, Ops::kBoth},
    {"tools", Field::kTools, Ops::kChat},
    {"tool_choice", Field::kToolChoice, Ops::kChat},
    {"response_format", Field::kResponseFormat, Ops::kChat},
    {"top_logprobs", Field::kTopLogprobs, Ops::kChat},
    {"logprobs", Field::kLogprobs, Ops::kCompletion},
    {"best_of", Field::kBestOf, Ops::kCompletion},
    {"echo", Field::kEcho, Ops::kCompletion},
    {"suffix", Field::kSuffix, Ops::kCompletion},
}};

Field field_of(std::string_view key, Operation op) {
  const Ops want = op == Operation::kChat ? Ops::kChat : Ops::kCompletion;
  for (const FieldName& f : kFields) {
    if (f.name.size() == key.size() && f.name == key) {
      return (static_cast<int>(f.ops) & static_cast<int>(want)) ? f.field : Field::kOther;
    }
  }
  return Field::kOther;
}

struct Range {
  double lo, hi;
};

// What a JSON event is, for the checks below.
enum class Kind : std::uint8_t { kNull, kBool, kInt, kUint, kDouble, kString, kObject, kArray };

bool is_number(Kind k) { return k == Kind::kInt || k == Kind::kUint || k == Kind::kDouble; }

// The SAX handler. Every callback returns false (stopping the parse) the moment the body
// leaves the shape this path accepts.
struct Scan : ScanInput {
  Operation op = Operation::kChat;
  InferenceRequest req;
  RawBodyLayout layout;

  int depth = 0;                 // containers open around the next event
  Field top = Field::kOther;     // the member being read at depth 1
  std::uint32_t seen = 0;        // fields met at depth 1, by bit
  std::string_view key;          // the key being read below depth 1 (messages, options)

  std::size_t messages = 0;
  bool role_seen = false, assistant = false, content_seen = false, content_given = false;
  std::size_t stops = 0;
  bool format_type_ok = false;
  bool options_other = false;  // stream_options holds more than include_usage
  std::optional<std::int64_t> max_completion;

  bool in_message() const { return depth == 3 && top == Field::kMessages; }

  // A value event at the current depth (containers: before their contents).
  bool value(Kind kind, std::string_view s, std::int64_t i, double d, bool b) {
    if (depth == 0) return kind == Kind::kObject;
    if (depth == 1) return top_value(kind, s, i, d, b);
    if (depth == 2) {
      switch (top) {
        case Field::kMessages:
          if (kind != Kind::kObject) return false;
          ++messages;
          role_seen = assistant = content_seen = content_given = false;
          return true;
        case Field::kStop:
          if (kind != Kind::kString || ++stops > 4) return false;
          req.stop.emplace_back(s);
          return true;
        case Field::kResponseFormat:
          if (key != "type") return true;
          if (kind != Kind::kString) return false;
          format_type_ok = s == "text" || s == "json_object" || s == "json_schema";
          return format_type_ok;
        case Field::kStreamOptions:
          if (key != "include_usage") {
            options_other = true;
            return true;
          }
          if (kind != Kind::kBool) return false;
          req.include_usage = b;
          return true;
        default:
          return true;  // inside a pass-through value
      }
    }
    if (in_message()) {
      if (key == "role") {
        if (kind != Kind::kString) return false;
        if (s != "system" && s != "user" && s != "assistant" && s != "tool" &&
            s != "developer" && s != "function") {
          return false;
        }
        role_seen = true;
        assistant = s == "assistant";
      } else if (key == "content") {
        if (kind == Kind::kString) content_given = true;
        else if (kind != Kind::kNull) return false;  // content parts: the full validator
      }
    }
    return true;
  }

  bool top_value(Kind kind, std::string_view s, std::int64_t i, double d, bool b) {
    const bool null = kind == Kind::kNull;
    auto number = [&](Range r, std::optional<double>* out) {
      if (null) return true;
      if (!is_number(kind) || !(d >= r.lo && d <= r.hi)) return false;
      if (out) *out = d;
      return true;
    };
    // Whole numbers that arrive as int64; other spellings take the full validator.
    auto integer = [&](std::int64_t lo, std::int64_t hi, std::optional<std::int64_t>* out) {
      if (null) return true;
      if (kind != Kind::kInt || i < lo || i > hi) return false;
      if (out) *out = i;
      return true;
    };
    auto one_of = [&](std::initializer_list<Kind> kinds) {
      if (null) return true;
      for (Kind k : kinds) {
        if (k == kind) return true;
      }
      return false;
    };
    switch (top) {
      case Field::kOther: return true;
      case Field::kModel:
        if (kind != Kind::kString || s.empty()) return false;
        req.public_model = s;
        if (s.data() > input.data() && s.data() + s.size() < input.data() + input.size() &&
            s.data()[-1] == '"' && s.data()[s.size()] == '"') {
          layout.model_begin = static_cast<std::size_t>(s.data() - input.data()) - 1;
          layout.model_end = layout.model_begin + s.size() + 2;
        }
        return true;
      case Field::kMessages: return kind == Kind::kArray;
      case Field::kPrompt: return kind == Kind::kString;
      case Field::kTemperature: {
        std::optional<double> t;
        if (!number({0, 2}, &t)) return false;
        if (t) req.temperature = t;
        return true;
      }
      case Field::kTopP: return number({0, 1}, nullptr);
      case Field::kPresencePenalty:
      case Field::kFrequencyPenalty: return number({-2, 2}, nullptr);
      case Field::kN: {
        std::optional<std::int64_t> n;
        if (!integer(1, 128, &n)) return false;
        req.n = static_cast<int>(n.value_or(1));
        return true;
      }
      case Field::kMaxTokens: return integer(1, 1'000'000, &req.max_tokens);
      case Field::kMaxCompletionTokens: return integer(1, 1'000'000, &max_completion);
      case Field::kSeed: return integer(INT64_MIN, INT64_MAX, &req.seed);
      case Field::kTopLogprobs: return integer(0, 20, nullptr);
      case Field::kLogprobs: return integer(0, 5, nullptr);
      case Field::kBestOf: return integer(1, 20, nullptr);
      case Field::kStop:
        if (kind == Kind::kString) req.stop.emplace_back(s);
        return one_of({Kind::kString, Kind::kArray});
      case Field::kStream:
        if (kind == Kind::kBool) req.stream = b;
        return one_of({Kind::kBool});
      case Field::kStreamOptions:
        // Only the exact {"include_usage": true} can be forwarded as the client wrote it.
        layout.stream_options = RawBodyLayout::StreamOptions::kOther;
        return one_of({Kind::kObject});
      case Field::kEcho: return one_of({Kind::kBool});
      case Field::kLogitBias: return one_of({Kind::kObject});
      case Field::kUser:
        if (kind == Kind::kString) req.user = s;
        return one_of({Kind::kString});
      case Field::kSuffix: return one_of({Kind::kString});
      case Field::kTools: return one_of({Kind::kArray});
      case Field::kToolChoice: return one_of({Kind::kString, Kind::kObject});
      case Field::kResponseFormat:
        format_type_ok = null;
        return one_of({Kind::kObject});
    }
    return true;
  }

  bool on_object_begin() {
    if (!value(Kind::kObject, {}, 0, 0, false)) return false;
    ++depth;
    return true;
  }
  bool on_object_end() {
    if (depth == 3 && top == Field::kMessages) {
      if (!role_seen || (!content_given && !assistant)) return false;
    }
    if (depth == 2 && top == Field::kResponseFormat && !format_type_ok) return false;
    --depth;
    return true;
  }
  bool on_array_begin() {
    if (!value(Kind::kArray, {}, 0, 0, false)) return false;
    ++depth;
    return true;
  }
  bool on_array_end() {
    --depth;
    return true;
  }
  bool on_key(std::string_view k) {
    if (depth == 1) {
      top = field_of(k, op);
      if (top != Field::kOther) {
        const std::uint32_t bit = 1u << static_cast<unsigned>(top);
        if ((seen & bit) != 0) return false;  // a repeated field: let the full validator decide
        seen |= bit;
      }
    } else if (depth == 2 || in_message()) {
      // Keys of messages and options are compared in the value that follows, so the view
      // must point into the input: a key with escapes (unescaped into the scanner's scratch
      // buffer) is rare enough to leave to the full path.
      if (!in_input(k)) return false;
      key = k;
      if (in_message()) {
        if ((key == "role" && role_seen) || (key == "content" && content_seen)) return false;
        if (key == "content") content_seen = true;
      }
    }
    return true;
  }
  bool on_string(std::string_view s) { return value(Kind::kString, s, 0, 0, false); }
  bool on_int64(std::int64_t i) { return value(Kind::kInt, {}, i, static_cast<double>(i), false); }
  bool on_uint64(std::uint64_t u) {
    return value(Kind::kUint, {}, 0, static_cast<double>(u), false);
  }
  bool on_double(double d) { return value(Kind::kDouble, {}, 0, d, false); }
  bool on_bool(bool b) { return value(Kind::kBool, {}, 0, 0, b); }
  bool on_null() { return value(Kind::kNull, {}, 0, 0, false); }
};

bool has(const Scan& scan, Field f) { return (scan.seen & (1u << static_cast<unsigned>(f))) != 0; }

}  // namespace

std::optional<InferenceRequest> accept_fast(Operation op, std::string_view body, int max_depth) {
  if (op != Operation::kChat && op != Operation::kCompletion) return std::nullopt;
  Scan scan;
  scan.op = op;
  scan.input = body;
  scan.req.op = op;
  if (!scan_json(body, scan, max_depth)) return std::nullopt;
  if (scan.req.public_model.empty()) return std::nullopt;
  if (op == Operation::kChat && (!has(scan, Field::kMessages) || scan.messages == 0)) {
    return std::nullopt;
  }
  if (op == Operation::kCompletion && !has(scan, Field::kPrompt)) return std::nullopt;
  // stream_options without stream: the full validator explains.
  if (scan.layout.stream_options != RawBodyLayout::StreamOptions::kAbsent && !scan.req.stream) {
    return std::nullopt;
  }
  if (scan.max_completion) scan.req.max_tokens = scan.max_completion;
  if (has(scan, Field::kStreamOptions) && !scan.options_other && scan.req.include_usage) {
    scan.layout.stream_options = RawBodyLayout::StreamOptions::kIncludeUsageOnly;
  }
  InferenceRequest req = std::move(scan.req);
  req.set_raw_body(body, scan.layout);
  return req;
}

}  // namespace plinth::gateway
