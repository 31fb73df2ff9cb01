// The simulator provider: deterministic generation (splitmix64 seeded from an FNV-1a hash of
// model, prompt and seed), pacing with one steady_timer per call, OpenAI response shapes,
// and feature-hashed embeddings.
#include "providers/simulator.h"

#include "metering/token_count.h"
#include "providers/embedding_codec.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <random>

namespace plinth::providers {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// ---- Deterministic randomness -------------------------------------------------------------

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t state = a ^ (b * 0xD6E8FEB86659FD93ull);
  return splitmix64(state);
}

constexpr std::uint64_t kFnvOffset = 0xCBF29CE484222325ull;

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = kFnvOffset) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001B3ull;
  }
  return hash;
}

// Each word is at most four ASCII letters, so count_tokens counts exactly one per word.
constexpr std::array<std::string_view, 64> kWords = {
    "the",  "of",   "and",  "to",   "in",   "is",   "it",   "that", "was",  "for",  "on",
    "are",  "as",   "with", "his",  "they", "at",   "be",   "this", "have", "from", "or",
    "one",  "had",  "by",   "word", "but",  "not",  "what", "all",  "were", "we",   "when",
    "your", "can",  "said", "use",  "an",   "each", "she",  "do",   "how",  "if",   "will",
    "up",   "out",  "many", "then", "them", "so",   "some", "her",  "make", "like", "him",
    "into", "time", "has",  "look", "two",  "more", "go",   "see",  "way"};

std::string random_id(std::string_view prefix) {
  thread_local std::uint64_t state =
      (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(prefix);
  for (int word = 0; word < 2; ++word) {
    const std::uint64_t bits = splitmix64(state);
    for (int shift = 60; shift >= 0; shift -= 4) id += kHex[(bits >> shift) & 0xF];
  }
  return id;
}

std::int64_t unix_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

// ---- The prompt ------------------------------------------------------------------------------

struct Prompt {
  std::uint64_t hash = kFnvOffset;
  std::int64_t tokens = 0;

  void add_text(std::string_view text) {
    hash = fnv1a(text, mix(hash, text.size()));
    tokens += metering::count_tokens(text);
  }
  void add_token(std::int64_t token) {
    hash = mix(hash, static_cast<std::uint64_t>(token));
    ++tokens;
  }
};

// Chat: the text of every message, including {type:"text"} parts of array contents.
void add_chat_prompt(const json::object& body, Prompt& prompt) {
  const auto* messages = body.if_contains("messages");
  if (messages == nullptr || !messages->is_array()) return;
  for (const auto& message : messages->get_array()) {
    const auto* content =
        message.is_object() ? message.get_object().if_contains("content") : nullptr;
    if (content == nullptr) continue;
    if (content->is_string()) prompt.add_text(content->get_string());
    if (!content->is_array()) continue;
    for (const auto& part : content->get_array()) {
      const auto* text = part.is_object() ? part.get_object().if_contains("text") : nullptr;
      if (text != nullptr && text->is_string()) prompt.add_text(text->get_string());
    }
  }
}

// Completions: a string, strings, token ids, or lists of token ids.
void add_completion_prompt(const json::value& value, Prompt& prompt, int depth = 0) {
  if (value.is_string()) prompt.add_text(value.get_string());
  if (value.is_int64()) prompt.add_token(value.get_int64());
  if (value.is_uint64()) prompt.add_token(static_cast<std::int64_t>(value.get_uint64()));
  if (value.is_array() && depth < 2) {
    for (const auto& item : value.get_array()) add_completion_prompt(item, prompt, depth + 1);
  }
}

// ---- Generation ------------------------------------------------------------------------------

struct Generated {
  std::string text;
  std::vector<std::uint32_t> ends;  // stream pieces: piece i is text[ends[i-1], ends[i])
  std::string_view finish_reason = "stop";
  std::int64_t tokens = 0;  // count_tokens(text), or of the tool call
  std::string tool_name;    // non-empty: the answer is a call of this function
  std::string tool_call_id;
};

Generated generate(std::uint64_t seed, std::int64_t natural_max,
                   std::optional<std::int64_t> max_tokens, const std::vector<std::string>& stop) {
  Generated out;
  std::uint64_t state = seed;
  const std::int64_t high = std::max<std::int64_t>(1, natural_max);
  const std::int64_t low = std::max<std::int64_t>(1, high / 2);
  std::int64_t length = low + static_cast<std::int64_t>(splitmix64(state) %
                                                        static_cast<std::uint64_t>(high - low + 1));
  if (max_tokens && *max_tokens < length) {
    length = std::max<std::int64_t>(0, *max_tokens);
    out.finish_reason = "length";
  }
  out.text.reserve(static_cast<std::size_t>(length) * 5);
  out.ends.reserve(static_cast<std::size_t>(length));
  for (std::int64_t i = 0; i < length; ++i) {
    if (i > 0) out.text += ' ';
    out.text += kWords[splitmix64(state) % kWords.size()];
    out.ends.push_back(static_cast<std::uint32_t>(out.text.size()));
  }
  std::size_t cut = std::string::npos;
  for (const auto& s : stop) {
    if (!s.empty()) cut = std::min(cut, out.text.find(s));
  }
  if (cut != std::string::npos) {
    out.text.resize(cut);
    while (!out.ends.empty() && out.ends.back() > cut) out.ends.pop_back();
    if (cut > (out.ends.empty() ? 0u : out.ends.back())) {
      out.ends.push_back(static_cast<std::uint32_t>(cut));
    }
    out.finish_reason = "stop";
  }
  out.tokens = metering::count_tokens(out.text);
  return out;
}

// The function a chat request forces with tool_choice ("required": the first tool).
std::string forced_tool(const json::object& body) {
  const auto* tools = body.if_contains("tools");
  const auto* choice = body.if_contains("tool_choice");
  if (tools == nullptr || !tools->is_array() || tools->get_array().empty() || choice == nullptr) {
    return {};
  }
  const json::value* holder = nullptr;
  if (choice->is_string() && choice->get_string() == "required") {
    holder = &tools->get_array()[0];
  } else if (choice->is_object()) {
    holder = choice;
  }
  if (holder == nullptr || !holder->is_object()) return {};
  const auto* function = holder->get_object().if_contains("function");
  if (function == nullptr || !function->is_object()) return {};
  const auto* name = function->get_object().if_contains("name");
  return name != nullptr && name->is_string() ? std::string(name->get_string()) : std::string();
}

constexpr std::string_view kToolArguments = "{}";

// Everything a call answers, decided before the first wait.
struct Plan {
  bool chat = true;
  std::int64_t prompt_tokens = 0;
  std::vector<Generated> choices;

  std::size_t pieces(std::size_t i) const { return choices[i].ends.size(); }
  std::size_t rounds() const {
    std::size_t rounds = 1;
    for (std::size_t i = 0; i < choices.size(); ++i) rounds = std::max(rounds, pieces(i));
    return rounds;
  }
  std::int64_t completion_tokens() const {
    std::int64_t total = 0;
    for (const auto& c : choices) total += c.tokens;
    return total;
  }
};

Plan make_plan(const InferenceRequest& request, const ProviderConfig& config) {
  Plan plan;
  plan.chat = request.op == Operation::kChat;
  Prompt prompt;
  std::optional<std::int64_t> max_tokens = request.max_tokens;
  if (plan.chat) {
    add_chat_prompt(request.body(), prompt);
    const auto* mct = request.body().if_contains("max_completion_tokens");
    if (!max_tokens && mct != nullptr && mct->is_int64()) max_tokens = mct->get_int64();
  } else if (const auto* p = request.body().if_contains("prompt")) {
    add_completion_prompt(*p, prompt);
  }
  plan.prompt_tokens = prompt.tokens;
  const std::uint64_t base = mix(mix(fnv1a(request.upstream_model), prompt.hash),
                                 static_cast<std::uint64_t>(request.seed.value_or(0)));
  const std::string tool = plan.chat ? forced_tool(request.body()) : std::string();
  const int n = std::max(1, request.n);
  plan.choices.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    if (!tool.empty()) {
      Generated call;
      call.finish_reason = "tool_calls";
      call.tool_name = tool;
      call.tool_call_id = random_id("call_");
      call.tokens = metering::count_tokens(tool) + metering::count_tokens(kToolArguments);
      plan.choices.push_back(std::move(call));
      continue;
    }
    plan.choices.push_back(generate(mix(base, static_cast<std::uint64_t>(i)),
                                    config.sim_default_max_tokens, max_tokens, request.stop));
  }
  return plan;
}

// ---- Pacing ----------------------------------------------------------------------------------

// Waits on one timer that the request's Cancel interrupts. Registers with ctx.cancel for
// its lifetime.
class Pacer {
 public:
  Pacer(Cancel& cancel, const asio::any_io_executor& executor) : cancel_(cancel), timer_(executor) {
    cancel_.on_cancel([this] { timer_.cancel(); });
  }
  ~Pacer() { cancel_.clear(); }
  Pacer(const Pacer&) = delete;
  Pacer& operator=(const Pacer&) = delete;

  // False when the call was cancelled (before or during the wait).
  Task<bool> wait_until(Clock::time_point deadline) {
    if (cancel_.cancelled()) co_return false;
    if (deadline > Clock::now()) {
      timer_.expires_at(deadline);
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return !cancel_.cancelled();
  }

 private:
  Cancel& cancel_;
  asio::steady_timer timer_;
};

Clock::duration token_interval(double tokens_per_second) {
  if (!(tokens_per_second > 0)) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / tokens_per_second));
}

Error cancelled() { return Error{ErrorCode::kCancelled, "the client cancelled the request"}; }

// ---- Response shapes -------------------------------------------------------------------------

constexpr std::string_view kFingerprint = "plinth-sim";

json::object usage_json(std::int64_t prompt, std::int64_t completion) {
  return json::object{{"prompt_tokens", prompt},
                      {"completion_tokens", completion},
                      {"total_tokens", prompt + completion}};
}

json::array tool_calls_json(const Generated& g, bool with_index) {
  json::object call;
  if (with_index) call["index"] = 0;  // stream deltas index their tool calls
  call["id"] = g.tool_call_id;
  call["type"] = "function";
  call["function"] = json::object{{"name", g.tool_name}, {"arguments", kToolArguments}};
  return json::array{std::move(call)};
}

json::object response_json(const Plan& plan, std::string_view model) {
  json::array choices;
  for (std::size_t i = 0; i < plan.choices.size(); ++i) {
    const Generated& g = plan.choices[i];
    json::object choice{{"index", static_cast<std::int64_t>(i)}};
    if (!plan.chat) {
      choice["text"] = g.text;
    } else if (g.tool_name.empty()) {
      choice["message"] = json::object{{"role", "assistant"}, {"content", g.text}};
    } else {
      choice["message"] = json::object{
          {"role", "assistant"}, {"content", nullptr}, {"tool_calls", tool_calls_json(g, false)}};
    }
    choice["finish_reason"] = g.finish_reason;
    choice["logprobs"] = nullptr;
    choices.push_back(std::move(choice));
  }
  return json::object{{"id", random_id(plan.chat ? "chatcmpl-" : "cmpl-")},
                      {"object", plan.chat ? "chat.completion" : "text_completion"},
                      {"created", unix_seconds()},
                      {"model", model},
                      {"system_fingerprint", kFingerprint},
                      {"choices", std::move(choices)},
                      {"usage", usage_json(plan.prompt_tokens, plan.completion_tokens())}};
}

void set_string(json::value& v, std::string_view s) {
  if (v.is_string()) {
    v.get_string() = s;  // reuses the string's buffer
  } else {
    v = s;
  }
}

// Builds stream chunks in one object that is reused, so that a long stream allocates
// nothing per token. Each call restores the fields it needs, in case the sink edited them.
class ChunkWriter {
 public:
  ChunkWriter(bool chat, std::string_view model)
      : chat_(chat), id_(random_id(chat ? "chatcmpl-" : "cmpl-")), model_(model) {}

  json::object& role(std::size_t index, const Generated& g) {
    json::object& delta = chat_delta(index);
    delta["role"] = "assistant";
    if (g.tool_name.empty()) {
      delta["content"] = "";
    } else {
      delta["content"] = nullptr;
      delta["tool_calls"] = tool_calls_json(g, true);
    }
    return chunk_;
  }

  json::object& piece(std::size_t index, std::string_view text) {
    if (chat_) {
      set_string(chat_delta(index)["content"], text);
    } else {
      set_string(choice(index)["text"], text);
    }
    return chunk_;
  }

  json::object& finish(std::size_t index, std::string_view reason) {
    if (chat_) {
      chat_delta(index);
    } else {
      set_string(choice(index)["text"], "");
    }
    set_string(choice(index)["finish_reason"], reason);
    return chunk_;
  }

  json::object& usage(std::int64_t prompt, std::int64_t completion) {
    header();
    json::value& choices = chunk_["choices"];
    if (choices.is_array()) {
      choices.get_array().clear();
    } else {
      choices.emplace_array();
    }
    chunk_["usage"] = usage_json(prompt, completion);
    return chunk_;
  }

 private:
  void header() {
    set_string(chunk_["id"], id_);
    set_string(chunk_["object"], chat_ ? "chat.completion.chunk" : "text_completion");
    chunk_["created"] = created_;
    set_string(chunk_["model"], model_);
    set_string(chunk_["system_fingerprint"], kFingerprint);
  }

  // The single choice of the chunk, with finish_reason and logprobs null.
  json::object& choice(std::size_t index) {
    header();
    json::value& choices = chunk_["choices"];
    if (!choices.is_array()) choices.emplace_array();
    json::array& array = choices.get_array();
    if (array.size() != 1 || !array[0].is_object()) {
      array.clear();
      array.emplace_back(json::object());
    }
    json::object& c = array[0].get_object();
    c["index"] = static_cast<std::int64_t>(index);
    json::value& body = c[chat_ ? "delta" : "text"];  // inserted second, as OpenAI orders it
    if (chat_ && !body.is_object()) body.emplace_object();
    c["finish_reason"] = nullptr;
    c["logprobs"] = nullptr;
    return c;
  }

  // An empty delta in the single choice.
  json::object& chat_delta(std::size_t index) {
    json::object& delta = choice(index)["delta"].get_object();
    delta.clear();
    return delta;
  }

  bool chat_;
  std::string id_;
  std::string_view model_;
  std::int64_t created_ = unix_seconds();
  json::object chunk_;
};

// The chunks of a stream in order, built one at a time in the writer's object: the role
// chunks (chat), then round r carrying token r of every choice (as a server batching the
// choices would send them) with each choice's finish chunk after its last token, then the
// usage chunk.
class ChunkSequence {
 public:
  ChunkSequence(const Plan& plan, ChunkWriter& writer)
      : plan_(plan), writer_(writer), rounds_(plan.rounds()) {}

  // nullptr after the usage chunk.
  json::object* next() {
    const std::size_t n = plan_.choices.size();
    while (true) {
      if (phase_ == Phase::kRoles) {
        if (plan_.chat && choice_ < n) {
          const std::size_t i = choice_++;
          return &writer_.role(i, plan_.choices[i]);
        }
        phase_ = Phase::kTokens;
        choice_ = 0;
      } else if (phase_ == Phase::kTokens) {
        if (choice_ == n) {
          choice_ = 0;
          if (++round_ == rounds_) {
            round_ = rounds_ - 1;  // the usage chunk goes out with the last round
            phase_ = Phase::kUsage;
          }
          continue;
        }
        const Generated& g = plan_.choices[choice_];
        const std::size_t pieces = g.ends.size();
        if (!piece_sent_ && round_ < pieces) {
          piece_sent_ = true;
          const std::size_t begin = round_ == 0 ? 0 : g.ends[round_ - 1];
          return &writer_.piece(choice_,
                                std::string_view(g.text).substr(begin, g.ends[round_] - begin));
        }
        piece_sent_ = false;
        const std::size_t i = choice_++;
        if (round_ + 1 == std::max<std::size_t>(pieces, 1)) {
          return &writer_.finish(i, g.finish_reason);
        }
      } else if (phase_ == Phase::kUsage) {
        phase_ = Phase::kDone;
        return &writer_.usage(plan_.prompt_tokens, plan_.completion_tokens());
      } else {
        return nullptr;
      }
    }
  }

  // The round of the chunk next() returned last: it is due at ttft + round / tokens_per_second.
  std::size_t round() const { return round_; }

 private:
  enum class Phase { kRoles, kTokens, kUsage, kDone };
  const Plan& plan_;
  ChunkWriter& writer_;
  const std::size_t rounds_;
  Phase phase_ = Phase::kRoles;
  std::size_t round_ = 0;
  std::size_t choice_ = 0;
  bool piece_sent_ = false;  // the current choice's token of this round went out
};

// ---- Embeddings ------------------------------------------------------------------------------

bool is_cjk(char32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

// Non-ASCII punctuation and spaces that separate words (Latin-1, general and CJK
// punctuation, fullwidth ASCII punctuation).
bool is_separator(char32_t cp) {
  return (cp >= 0x80 && cp <= 0xBF) || (cp >= 0x2000 && cp <= 0x206F) ||
         (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
         (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
         (cp >= 0xFF5B && cp <= 0xFF65);
}

// Calls on_word for each word: a lowercased run of ASCII letters/digits and other
// non-ASCII letters, or one CJK code point.
template <class OnWord>
void for_each_word(std::string_view text, OnWord&& on_word) {
  std::string word;
  auto flush = [&] {
    if (!word.empty()) on_word(std::string_view(word));
    word.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
        word += static_cast<char>(c);
      } else if (c >= 'A' && c <= 'Z') {
        word += static_cast<char>(c - 'A' + 'a');
      } else {
        flush();
      }
      ++i;
      continue;
    }
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len == 1 || i + len > text.size()) {  // stray continuation byte or cut sequence
      flush();
      ++i;
      continue;
    }
    char32_t cp = c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (text[i + k] & 0x3F);
    const std::string_view bytes = text.substr(i, len);
    if (is_cjk(cp)) {
      flush();
      on_word(bytes);
    } else if (is_separator(cp)) {
      flush();
    } else {
      word += bytes;
    }
    i += len;
  }
  flush();
}

// Adds the word's pseudo-random +/-1 vector (seeded by its hash) to acc.
void add_word_vector(std::uint64_t seed, std::vector<double>& acc) {
  std::uint64_t state = seed;
  for (std::size_t d = 0; d < acc.size(); d += 64) {
    const std::uint64_t bits = splitmix64(state);
    for (std::size_t k = 0; k < 64 && d + k < acc.size(); ++k) {
      acc[d + k] += ((bits >> k) & 1) != 0 ? 1.0 : -1.0;
    }
  }
}

std::vector<float> embed_text(std::string_view text, std::size_t dimensions) {
  std::vector<double> acc(dimensions, 0.0);
  for_each_word(text, [&](std::string_view word) { add_word_vector(fnv1a(word), acc); });
  double norm = 0;
  for (double v : acc) norm += v * v;
  if (norm == 0) {  // no words: a fixed direction
    add_word_vector(kFnvOffset, acc);
    norm = static_cast<double>(dimensions);
  }
  const double scale = 1.0 / std::sqrt(norm);
  std::vector<float> out(dimensions);
  for (std::size_t d = 0; d < dimensions; ++d) out[d] = static_cast<float>(acc[d] * scale);
  return out;
}

std::size_t embedding_dimensions(const json::object& body) {
  const auto* dims = body.if_contains("dimensions");
  if (dims != nullptr && dims->is_int64() && dims->get_int64() >= 1 &&
      dims->get_int64() <= Simulator::kMaxDimensions) {
    return static_cast<std::size_t>(dims->get_int64());
  }
  return Simulator::kDefaultDimensions;
}

InferenceResponse embed(const InferenceRequest& request) {
  const std::size_t dimensions = embedding_dimensions(request.body());
  json::array data;
  data.reserve(request.inputs.size());
  std::int64_t tokens = 0;
  for (std::size_t i = 0; i < request.inputs.size(); ++i) {
    tokens += metering::count_tokens(request.inputs[i]);
    const std::vector<float> vector = embed_text(request.inputs[i], dimensions);
    json::value embedding;
    if (request.base64) {
      embedding = encode_embedding_base64(vector);
    } else {
      json::array& floats = embedding.emplace_array();
      floats.reserve(vector.size());
      for (float v : vector) floats.push_back(static_cast<double>(v));
    }
    data.push_back(json::object{{"object", "embedding"},
                                {"index", static_cast<std::int64_t>(i)},
                                {"embedding", std::move(embedding)}});
  }
  InferenceResponse response;
  response.body =
      json::object{{"object", "list"},
                   {"data", std::move(data)},
                   {"model", request.public_model},
                   {"usage", json::object{{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
  response.usage = Usage{tokens, 0, false};
  return response;
}

}  // namespace

Simulator::Simulator(const ProviderConfig& config) : config_(config) {}

Task<Result<InferenceResponse>> Simulator::call(const InferenceRequest& request, CallContext& ctx) {
  const auto start = Clock::now();
  ctx.upstream_started = start;
  if (request.op == Operation::kEmbedding) {
    ctx.upstream_headers = Clock::now();
    co_return embed(request);
  }
  const Plan plan = make_plan(request, config_);
  // As long as the same answer would take to stream.
  const auto done =
      start + config_.sim_time_to_first_token +
      token_interval(config_.sim_tokens_per_second) * static_cast<std::int64_t>(plan.rounds() - 1);
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  Pacer pacer(ctx.cancel, executor);
  const bool on_time = co_await pacer.wait_until(done);
  if (!on_time) co_return cancelled();
  ctx.upstream_headers = Clock::now();
  InferenceResponse response;
  response.body = response_json(plan, request.public_model);
  response.usage = Usage{plan.prompt_tokens, plan.completion_tokens(), false};
  co_return response;
}

Task<Status> Simulator::stream(const InferenceRequest& request, CallContext& ctx, ChunkSink& sink) {
  if (request.op == Operation::kEmbedding) {
    co_return Error::invalid("stream", "embeddings cannot be streamed");
  }
  const auto start = Clock::now();
  ctx.upstream_started = start;
  const Plan plan = make_plan(request, config_);
  const auto first = start + config_.sim_time_to_first_token;
  const auto interval = token_interval(config_.sim_tokens_per_second);
  // g++ 12: every co_await goes into a local (docs/design/coroutines.md).
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  Pacer pacer(ctx.cancel, executor);
  ChunkWriter writer(plan.chat, request.public_model);
  ChunkSequence chunks(plan, writer);
  std::size_t waited_round = static_cast<std::size_t>(-1);
  while (json::object* chunk = chunks.next()) {
    if (chunks.round() != waited_round) {
      waited_round = chunks.round();
      const bool on_time =
          co_await pacer.wait_until(first + interval * static_cast<std::int64_t>(waited_round));
      if (!on_time) co_return cancelled();
      if (waited_round == 0) ctx.upstream_headers = Clock::now();
    }
    if (ctx.cancel.cancelled()) co_return cancelled();
    const bool accepted = co_await sink.on_chunk(*chunk);
    if (!accepted) co_return cancelled();
  }
  co_return Status{};
}

Task<Result<std::vector<std::string>>> Simulator::list_models(CallContext& /*ctx*/) {
  co_return std::vector<std::string>{};
}

}  // namespace plinth::providers
