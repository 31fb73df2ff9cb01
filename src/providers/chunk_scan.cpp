#include "providers/chunk_scan.h"

#include "core/json_scan.h"
#include "core/json_text.h"
#include "metering/token_count.h"

#include <boost/json/value.hpp>

#include <array>
#include <optional>
#include <utility>
#include <cstdint>

namespace plinth::providers {

namespace {


enum class Top : std::uint8_t { kOther, kModel, kUsage, kChoices, kError, kObject, kId, kCreated };
enum class InUsage : std::uint8_t { kOther, kPrompt, kCompletion };
enum class InChoice : std::uint8_t { kOther, kDelta, kText, kFinishReason };
enum class Kind : std::uint8_t { kNull, kString, kObject, kArray, kOther };

Top top_of(std::string_view k) {
  if (k == "model") return Top::kModel;
  if (k == "usage") return Top::kUsage;
  if (k == "choices") return Top::kChoices;
  if (k == "error") return Top::kError;
  if (k == "object") return Top::kObject;
  if (k == "id") return Top::kId;
  if (k == "created") return Top::kCreated;
  return Top::kOther;
}

struct Scan : ScanInput {
  ScannedChunk* out = nullptr;
  int depth = 0;
  Top top = Top::kOther;
  std::uint32_t seen = 0;  // top-level fields met, by bit
  std::size_t top_keys = 0;
  InUsage usage_key = InUsage::kOther;
  InChoice choice_key = InChoice::kOther;
  bool content_key = false;  // the key at depth 4 under a choice's delta is "content"
  bool choice_object = false;  // the current element of "choices" is an object
  bool delta_object = false;   // the current choice's "delta" is an object
  const char* usage_key_begin = nullptr;  // the top-level "usage" key's opening quote
  bool usage_null = false;
  bool choices_array = false;
  std::size_t choices = 0;
  const char* model_begin = nullptr;
  std::size_t model_size = 0;
  std::size_t texts = 0;          // text strings counted
  std::string_view text;          // the last of them, when it is a slice of the input

  bool in_choices() const { return top == Top::kChoices; }

  void count_text(std::string_view s) {
    out->facts.text_tokens += metering::count_tokens(s);
    ++texts;
    text = in_input(s) ? s : std::string_view();
  }

  // Any value at the current depth (containers before their contents).
  bool value(Kind kind, std::string_view s) {
    const bool is_null = kind == Kind::kNull;
    const bool is_string = kind == Kind::kString;
    if (depth == 0) return kind == Kind::kObject;  // the event must be an object
    if (depth == 1) {
      switch (top) {
        case Top::kError: return is_null;
        case Top::kModel:
          if (!is_string || !in_input(s)) return false;
          model_begin = s.data();
          model_size = s.size();
          return true;
        case Top::kObject:
          if (is_string && s == "error") return false;
          if (is_string && in_input(s)) out->facts.object = s;
          return true;
        case Top::kId:
          if (is_string && in_input(s)) out->facts.id = s;
          return true;
        case Top::kUsage:
          out->facts.usage_member = true;
          usage_null = is_null;
          if (kind == Kind::kObject) out->facts.usage.emplace();
          return true;
        default: return true;
      }
    }
    if (!in_choices() || !choices_array) return true;
    // Only choices[i].text and choices[i].delta.content count, as in the tree path's
    // estimate; finish_reason only in a choice object, as in has_finish_reason.
    if (depth == 2) {
      ++choices;
      choice_object = kind == Kind::kObject;
    } else if (depth == 3 && choice_object) {
      content_key = false;
      delta_object = choice_key == InChoice::kDelta && kind == Kind::kObject;
      if (choice_key == InChoice::kText && is_string) {
        count_text(s);
      } else if (choice_key == InChoice::kText && !is_null) {
        return false;  // the estimate would need the full decoder
      } else if (choice_key == InChoice::kFinishReason && !is_null) {
        out->finished = true;
      }
    } else if (depth == 4 && choice_object && delta_object && content_key) {
      if (is_string) count_text(s);
      else if (!is_null) return false;  // content parts in a delta
    }
    return true;
  }

  bool on_object_begin() {
    if (!value(Kind::kObject, {})) return false;
    ++depth;
    return true;
  }
  bool on_object_end() {
    --depth;
    return true;
  }
  bool on_array_begin() {
    if (!value(Kind::kArray, {})) return false;
    if (depth == 1 && top == Top::kChoices) choices_array = true;
    ++depth;
    return true;
  }
  bool on_array_end() {
    --depth;
    return true;
  }
  bool on_key(std::string_view k) {
    if (depth == 1) {
      ++top_keys;
      top = top_of(k);
      if (top == Top::kUsage && in_input(k)) usage_key_begin = k.data() - 1;
      if (top != Top::kOther) {
        const std::uint32_t bit = 1u << static_cast<unsigned>(top);
        if ((seen & bit) != 0) return false;
        seen |= bit;
      }
    } else if (depth == 2 && top == Top::kUsage) {
      usage_key = k == "prompt_tokens"       ? InUsage::kPrompt
                  : k == "completion_tokens" ? InUsage::kCompletion
                                             : InUsage::kOther;
    } else if (depth == 3 && in_choices()) {
      choice_key = k == "delta"           ? InChoice::kDelta
                   : k == "text"          ? InChoice::kText
                   : k == "finish_reason" ? InChoice::kFinishReason
                                          : InChoice::kOther;
    } else if (depth == 4 && in_choices()) {
      content_key = k == "content";
    }
    return true;
  }
  bool on_string(std::string_view s) { return value(Kind::kString, s); }
  // A number event, read as the tree path reads it (json_integer_or; a scalar value
  // allocates nothing).
  bool number(const boost::json::value& v) {
    if (depth == 1 && top == Top::kCreated) out->facts.created = json_integer_or(v, 0);
    if (depth == 2 && top == Top::kUsage && usage_key != InUsage::kOther) {
      const std::int64_t n = json_integer_or(v, 0);
      if (usage_key == InUsage::kPrompt) out->facts.usage->prompt_tokens = n;
      else out->facts.usage->completion_tokens = n;
    }
    return value(Kind::kOther, {});
  }
  bool on_int64(std::int64_t i) { return number(boost::json::value(i)); }
  bool on_uint64(std::uint64_t u) { return number(boost::json::value(u)); }
  bool on_double(double d) { return number(boost::json::value(d)); }
  bool on_bool(bool) { return value(Kind::kOther, {}); }
  bool on_null() { return value(Kind::kNull, {}); }
};

// The bytes of `"usage": null` and one comma next to it, for cutting, or nothing when the
// text around the key is not laid out as expected.
std::optional<std::pair<std::size_t, std::size_t>> null_usage_span(std::string_view data,
                                                                   std::size_t key_begin) {
  std::size_t at = key_begin + std::string_view("\"usage\"").size();
  while (at < data.size() && is_json_space(data[at])) ++at;
  if (at >= data.size() || data[at] != ':') return std::nullopt;
  ++at;
  while (at < data.size() && is_json_space(data[at])) ++at;
  if (data.substr(at, 4) != "null") return std::nullopt;
  const std::size_t value_end = at + 4;
  at = value_end;
  while (at < data.size() && is_json_space(data[at])) ++at;
  if (at < data.size() && data[at] == ',') return std::make_pair(key_begin, at + 1);
  std::size_t before = key_begin;  // the last member: take the comma before it
  while (before > 0 && is_json_space(data[before - 1])) --before;
  if (before == 0 || data[before - 1] != ',') return std::nullopt;
  return std::make_pair(before - 1, value_end);
}

bool has(const Scan& scan, Top t) { return (scan.seen & (1u << static_cast<unsigned>(t))) != 0; }

}  // namespace

bool scan_chunk(std::string_view data, std::string_view public_model, bool keep_null_usage,
                std::string& out, ScannedChunk& scanned) {
  scanned = ScannedChunk{};
  Scan scan;
  scan.input = data;
  scan.out = &scanned;
  if (!scan_json(data, scan)) return false;
  ChunkFacts& facts = scanned.facts;
  const bool choices_empty = !has(scan, Top::kChoices) || (scan.choices_array && scan.choices == 0);
  facts.usage_only = facts.usage.has_value() && choices_empty;
  if (facts.usage) scanned.finished = true;

  // The edits, in the order of their place in `data`: the model's value replaced (or a
  // "model" member added first), and a null usage cut when the client did not ask for it.
  struct Edit {
    std::size_t begin, end;
    bool model;  // write the model member or value here
  };
  std::array<Edit, 2> edits{};
  std::size_t count = 0;
  if (scan.model_begin != nullptr) {
    // The value's quotes sit right around it: it had no escapes (in_input).
    const std::size_t begin = static_cast<std::size_t>(scan.model_begin - data.data());
    if (begin == 0 || data[begin - 1] != '"' || begin + scan.model_size >= data.size() ||
        data[begin + scan.model_size] != '"') {
      return false;
    }
    edits[count++] = {begin - 1, begin + scan.model_size + 1, true};
  } else {
    // Member order carries no meaning; an empty object is too unusual to splice into.
    const std::size_t open = data.find('{');
    if (open == std::string_view::npos || scan.top_keys == 0) return false;
    edits[count++] = {open + 1, open + 1, true};
  }
  if (!keep_null_usage && scan.usage_null && scan.usage_key_begin != nullptr) {
    if (auto span = null_usage_span(data, static_cast<std::size_t>(scan.usage_key_begin - data.data()))) {
      edits[count++] = {span->first, span->second, false};
      facts.usage_member = false;
    }
  }
  if (count == 2 && edits[1].begin < edits[0].begin) std::swap(edits[0], edits[1]);

  // The one text string, when it is a plain slice between its quotes (ChunkScanner).
  std::size_t text_at = std::string_view::npos;
  if (scan.texts == 1 && scan.text.data() != nullptr) {
    const std::size_t begin = static_cast<std::size_t>(scan.text.data() - data.data());
    const std::size_t end = begin + scan.text.size();
    if (begin > 0 && data[begin - 1] == '"' && end < data.size() && data[end] == '"' &&
        scan.text.find('\\') == std::string_view::npos) {
      text_at = begin;
    }
  }

  out.clear();
  out.reserve(data.size() + public_model.size() + 16);
  std::size_t at = 0;
  auto copy_to = [&](std::size_t end) {
    if (text_at >= at && text_at < end) {
      scanned.text_span = {text_at, out.size() + (text_at - at), scan.text.size()};
    }
    out.append(data.substr(at, end - at));
  };
  for (std::size_t i = 0; i < count; ++i) {
    copy_to(edits[i].begin);
    if (edits[i].model) {
      const bool added = edits[i].begin == edits[i].end;
      if (added) out.append("\"model\":");
      append_json_string(out, public_model);
      if (added) out.push_back(',');
    }
    at = edits[i].end;
  }
  copy_to(data.size());
  return true;
}

namespace {

// The length of the JSON string body at the start of `s` (up to its closing quote) when it
// has no escapes, no control characters and only well-formed UTF-8; npos otherwise.
std::size_t plain_string_length(std::string_view s) {
  bool escaped = false;
  const char* close = json_string_end(s.data(), s.data() + s.size(), escaped);
  if (close == nullptr || escaped) return std::string_view::npos;
  return static_cast<std::size_t>(close - s.data());
}

}  // namespace

bool ChunkScanner::scan(std::string_view data, std::string& out, ScannedChunk& scanned) {
  if (learned_ && reuse(data, out, scanned)) {
    ++reused_;
    return true;
  }
  if (!scan_chunk(data, public_model_, keep_null_usage_, out, scanned)) return false;
  learn(data, out, scanned);
  return true;
}

bool ChunkScanner::reuse(std::string_view data, std::string& out, ScannedChunk& scanned) const {
  if (data.size() < in_before_.size() + in_after_.size() || !data.starts_with(in_before_)) {
    return false;
  }
  const std::string_view rest = data.substr(in_before_.size());
  const std::size_t size = plain_string_length(rest);
  if (size == std::string_view::npos || rest.substr(size) != in_after_) return false;
  const std::string_view text = rest.substr(0, size);

  out.clear();
  out.reserve(out_before_.size() + size + out_after_.size());
  out.append(out_before_).append(text).append(out_after_);
  scanned = last_;
  scanned.facts.text_tokens = metering::count_tokens(text);
  scanned.text_span = {in_before_.size(), out_before_.size(), size};
  auto view = [&](const Place& p) {
    const std::size_t at = p.after ? in_before_.size() + size + p.at : p.at;
    return data.substr(at, p.size);
  };
  if (!last_.facts.id.empty()) scanned.facts.id = view(id_);
  if (!last_.facts.object.empty()) scanned.facts.object = view(object_);
  return true;
}

void ChunkScanner::learn(std::string_view data, const std::string& out,
                         const ScannedChunk& scanned) {
  const ScannedChunk::TextSpan& t = scanned.text_span;
  learned_ = false;
  if (t.in == std::string_view::npos) return;
  const std::size_t after = t.in + t.size;
  // A view of the facts must sit wholly before or after the text to be found again.
  auto place = [&](std::string_view v, Place& p) {
    if (v.empty()) return true;
    const std::size_t at = static_cast<std::size_t>(v.data() - data.data());
    if (at + v.size() <= t.in) {
      p = {false, at, v.size()};
      return true;
    }
    if (at >= after) {
      p = {true, at - after, v.size()};
      return true;
    }
    return false;
  };
  if (!place(scanned.facts.id, id_) || !place(scanned.facts.object, object_)) return;
  in_before_.assign(data.substr(0, t.in));
  in_after_.assign(data.substr(after));
  out_before_.assign(out, 0, t.out);
  out_after_.assign(out, t.out + t.size);
  last_ = scanned;
  learned_ = true;
}

}  // namespace plinth::providers
