#include "gateway/openai_validation.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <fmt/format.h>

namespace plinth::gateway {

namespace json = boost::json;
using providers::InferenceRequest;
using providers::Operation;

namespace {

std::string kind_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

Error type_error(std::string_view field, std::string_view expected, const json::value& got) {
  return Error::invalid(std::string(field),
                        fmt::format("{} must be {}, got {}", field, expected, kind_of(got)));
}

// Reads an optional number in [lo, hi]. Absent or null leaves `out` untouched.
Status read_number(const json::object& body, std::string_view field, double lo, double hi,
                   std::optional<double>* out = nullptr) {
  const json::value* v = body.if_contains(field);
  if (!v || v->is_null()) return {};
  if (!v->is_number()) return type_error(field, "a number", *v);
  const double d = v->to_number<double>();
  if (!(d >= lo && d <= hi)) {
    return Error::invalid(std::string(field),
                          fmt::format("{} must be between {} and {}, got {}", field, lo, hi, d));
  }
  if (out) *out = d;
  return {};
}

// Reads an optional integer in [lo, hi].
Status read_int(const json::object& body, std::string_view field, std::int64_t lo,
                std::int64_t hi, std::optional<std::int64_t>* out = nullptr) {
  const json::value* v = body.if_contains(field);
  if (!v || v->is_null()) return {};
  std::int64_t i;
  if (v->is_int64()) {
    i = v->get_int64();
  } else if (v->is_uint64()) {
    if (v->get_uint64() > static_cast<std::uint64_t>(hi)) {
      return Error::invalid(std::string(field), fmt::format("{} must be between {} and {}, got {}",
                                                            field, lo, hi, v->get_uint64()));
    }
    i = static_cast<std::int64_t>(v->get_uint64());
  } else if (v->is_double() && std::floor(v->get_double()) == v->get_double() &&
             std::abs(v->get_double()) < 9e15) {
    i = static_cast<std::int64_t>(v->get_double());
  } else {
    return type_error(field, "an integer", *v);
  }
  if (i < lo || i > hi) {
    return Error::invalid(std::string(field),
                          fmt::format("{} must be between {} and {}, got {}", field, lo, hi, i));
  }
  if (out) *out = i;
  return {};
}

Status read_bool(const json::object& body, std::string_view field, bool* out) {
  const json::value* v = body.if_contains(field);
  if (!v || v->is_null()) return {};
  if (!v->is_bool()) return type_error(field, "a boolean", *v);
  *out = v->get_bool();
  return {};
}

Status expect_kind(const json::object& body, std::string_view field, json::kind kind,
                   std::string_view expected) {
  const json::value* v = body.if_contains(field);
  if (!v || v->is_null() || v->kind() == kind) return {};
  return type_error(field, expected, *v);
}

Status read_model(const json::object& body, InferenceRequest& req) {
  const json::value* v = body.if_contains("model");
  if (!v) return Error::invalid("model", "model is required");
  if (!v->is_string()) return type_error("model", "a string", *v);
  if (v->get_string().empty()) return Error::invalid("model", "model must not be empty");
  req.public_model = v->get_string();
  return {};
}

Status read_stop(const json::object& body, InferenceRequest& req) {
  const json::value* v = body.if_contains("stop");
  if (!v || v->is_null()) return {};
  if (v->is_string()) {
    req.stop.emplace_back(v->get_string());
    return {};
  }
  if (!v->is_array()) return type_error("stop", "a string or an array of strings", *v);
  const auto& arr = v->get_array();
  if (arr.size() > 4) {
    return Error::invalid("stop", fmt::format("stop may hold at most 4 sequences, got {}",
                                              arr.size()));
  }
  for (const auto& s : arr) {
    if (!s.is_string()) return type_error("stop", "an array of strings", *v);
    req.stop.emplace_back(s.get_string());
  }
  return {};
}

Status read_user(const json::object& body, InferenceRequest& req) {
  if (auto s = expect_kind(body, "user", json::kind::string, "a string"); !s) return s;
  if (const json::value* v = body.if_contains("user"); v && v->is_string()) {
    req.user = v->get_string();
  }
  return {};
}

// Sampling and streaming fields shared by chat and completions.
Status read_generation(const json::object& body, InferenceRequest& req) {
  std::optional<double> temperature;
  if (auto s = read_number(body, "temperature", 0, 2, &temperature); !s) return s;
  req.temperature = temperature;
  if (auto s = read_number(body, "top_p", 0, 1); !s) return s;
  if (auto s = read_number(body, "presence_penalty", -2, 2); !s) return s;
  if (auto s = read_number(body, "frequency_penalty", -2, 2); !s) return s;
  std::optional<std::int64_t> n;
  if (auto s = read_int(body, "n", 1, 128, &n); !s) return s;
  req.n = static_cast<int>(n.value_or(1));
  if (auto s = read_int(body, "max_tokens", 1, 1'000'000, &req.max_tokens); !s) return s;
  if (auto s = read_int(body, "seed", INT64_MIN, INT64_MAX, &req.seed); !s) return s;
  if (auto s = read_stop(body, req); !s) return s;
  if (auto s = read_bool(body, "stream", &req.stream); !s) return s;
  if (auto s = expect_kind(body, "logit_bias", json::kind::object, "an object"); !s) return s;
  if (auto s = read_user(body, req); !s) return s;
  if (const json::value* so = body.if_contains("stream_options"); so && !so->is_null()) {
    if (!so->is_object()) return type_error("stream_options", "an object", *so);
    if (!req.stream) {
      return Error::invalid("stream_options",
                            "stream_options is only allowed when stream is true");
    }
    if (const json::value* iu = so->get_object().if_contains("include_usage"); iu) {
      if (!iu->is_bool()) return type_error("stream_options.include_usage", "a boolean", *iu);
      req.include_usage = iu->get_bool();
    }
  }
  return {};
}

// Paths such as "messages[3].content[1].text" are built only when there is an error to report.
std::string message_path(std::size_t i) { return fmt::format("messages[{}]", i); }
std::string part_path(std::size_t i, std::size_t j) {
  return fmt::format("messages[{}].content[{}]", i, j);
}

Status validate_message(const json::value& m, std::size_t i) {
  if (!m.is_object()) return type_error(message_path(i), "an object", m);
  const auto& obj = m.get_object();
  const json::value* role = obj.if_contains("role");
  if (!role || !role->is_string()) {
    const std::string at = message_path(i);
    return Error::invalid(at + ".role", at + ".role is required and must be a string");
  }
  const std::string_view r = role->get_string();
  if (r != "system" && r != "user" && r != "assistant" && r != "tool" && r != "developer" &&
      r != "function") {
    const std::string at = message_path(i);
    return Error::invalid(at + ".role",
                          fmt::format("{}.role must be one of system, developer, user, "
                                      "assistant, tool, got '{}'",
                                      at, r));
  }
  const json::value* content = obj.if_contains("content");
  const bool may_omit = r == "assistant";  // an assistant turn may carry only tool_calls
  if (!content || content->is_null()) {
    if (may_omit) return {};
    const std::string at = message_path(i);
    return Error::invalid(at + ".content", at + ".content is required");
  }
  if (content->is_string()) return {};
  if (!content->is_array()) {
    return type_error(message_path(i) + ".content", "a string or an array of content parts",
                      *content);
  }
  std::size_t j = 0;
  for (const auto& part : content->get_array()) {
    const std::size_t at_part = j++;
    if (!part.is_object()) return type_error(part_path(i, at_part), "an object", part);
    const json::value* type = part.get_object().if_contains("type");
    if (!type || !type->is_string()) {
      const std::string pat = part_path(i, at_part);
      return Error::invalid(pat + ".type", pat + ".type is required and must be a string");
    }
    if (type->get_string() == "text") {
      const json::value* text = part.get_object().if_contains("text");
      if (!text || !text->is_string()) {
        const std::string pat = part_path(i, at_part);
        return Error::invalid(pat + ".text", pat + ".text must be a string");
      }
    }
  }
  return {};
}

bool is_token_array(const json::value& v) {
  if (!v.is_array()) return false;
  for (const auto& t : v.get_array()) {
    if (!t.is_int64() && !t.is_uint64()) return false;
  }
  return true;
}

}  // namespace

Result<InferenceRequest> validate_chat(json::object body) {
  InferenceRequest req;
  req.op = Operation::kChat;
  if (auto s = read_model(body, req); !s) return s.error();
  const json::value* messages = body.if_contains("messages");
  if (!messages) return Error::invalid("messages", "messages is required");
  if (!messages->is_array()) return type_error("messages", "an array", *messages);
  if (messages->get_array().empty()) {
    return Error::invalid("messages", "messages must hold at least one message");
  }
  std::size_t i = 0;
  for (const auto& m : messages->get_array()) {
    if (auto s = validate_message(m, i++); !s) return s.error();
  }
  if (auto s = read_generation(body, req); !s) return s.error();
  std::optional<std::int64_t> max_completion;
  if (auto s = read_int(body, "max_completion_tokens", 1, 1'000'000, &max_completion); !s) {
    return s.error();
  }
  if (max_completion) req.max_tokens = max_completion;
  if (auto s = expect_kind(body, "tools", json::kind::array, "an array"); !s) return s.error();
  if (const json::value* tc = body.if_contains("tool_choice");
      tc && !tc->is_null() && !tc->is_string() && !tc->is_object()) {
    return type_error("tool_choice", "a string or an object", *tc);
  }
  if (const json::value* rf = body.if_contains("response_format"); rf && !rf->is_null()) {
    if (!rf->is_object()) return type_error("response_format", "an object", *rf);
    const json::value* type = rf->get_object().if_contains("type");
    if (!type || !type->is_string() ||
        (type->get_string() != "text" && type->get_string() != "json_object" &&
         type->get_string() != "json_schema")) {
      return Error::invalid("response_format.type",
                            "response_format.type must be one of text, json_object, json_schema");
    }
  }
  if (auto s = read_int(body, "top_logprobs", 0, 20); !s) return s.error();
  req.set_body(std::move(body));
  return req;
}

Result<InferenceRequest> validate_completion(json::object body) {
  InferenceRequest req;
  req.op = Operation::kCompletion;
  if (auto s = read_model(body, req); !s) return s.error();
  const json::value* prompt = body.if_contains("prompt");
  if (!prompt) return Error::invalid("prompt", "prompt is required");
  bool ok = prompt->is_string() || is_token_array(*prompt);
  if (!ok && prompt->is_array() && !prompt->get_array().empty()) {
    ok = true;
    for (const auto& p : prompt->get_array()) {
      if (!p.is_string() && !is_token_array(p)) ok = false;
    }
  }
  if (!ok) {
    return Error::invalid("prompt",
                          "prompt must be a string, an array of strings, or token arrays");
  }
  if (auto s = read_generation(body, req); !s) return s.error();
  if (auto s = read_int(body, "logprobs", 0, 5); !s) return s.error();
  if (auto s = read_int(body, "best_of", 1, 20); !s) return s.error();
  bool echo = false;
  if (auto s = read_bool(body, "echo", &echo); !s) return s.error();
  if (auto s = expect_kind(body, "suffix", json::kind::string, "a string"); !s) return s.error();
  req.set_body(std::move(body));
  return req;
}

Result<InferenceRequest> validate_embedding(json::object body) {
  InferenceRequest req;
  req.op = Operation::kEmbedding;
  if (auto s = read_model(body, req); !s) return s.error();
  const json::value* input = body.if_contains("input");
  if (!input) return Error::invalid("input", "input is required");
  if (input->is_string()) {
    req.inputs.emplace_back(input->get_string());
  } else if (input->is_array() && !input->get_array().empty()) {
    if (input->get_array().size() > 2048) {
      return Error::invalid("input", fmt::format("input may hold at most 2048 items, got {}",
                                                 input->get_array().size()));
    }
    if (!is_token_array(*input)) {
      for (const auto& item : input->get_array()) {
        if (item.is_string()) {
          req.inputs.emplace_back(item.get_string());
        } else if (!is_token_array(item)) {
          return Error::invalid("input",
                                "input must be a string, an array of strings, or token arrays");
        }
      }
    }
  } else {
    return Error::invalid("input",
                          "input must be a non-empty string, array of strings, or token arrays");
  }
  if (const json::value* fmt = body.if_contains("encoding_format"); fmt && !fmt->is_null()) {
    if (!fmt->is_string() || (fmt->get_string() != "float" && fmt->get_string() != "base64")) {
      return Error::invalid("encoding_format", "encoding_format must be 'float' or 'base64'");
    }
    req.base64 = fmt->get_string() == "base64";
  }
  if (auto s = read_int(body, "dimensions", 1, 65536); !s) return s.error();
  if (auto s = read_user(body, req); !s) return s.error();
  req.set_body(std::move(body));
  return req;
}

}  // namespace plinth::gateway
