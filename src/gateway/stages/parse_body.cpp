#include "gateway/stages/parse_body.h"

#include "gateway/openai_validation.h"
#include "gateway/request_fast_path.h"

#include "core/ascii.h"
#include <boost/json/error.hpp>
#include <boost/json/parser.hpp>

#include <fmt/format.h>

namespace plinth::gateway {

namespace json = boost::json;

namespace {

bool is_json_content_type(std::string_view ct) {
  const auto semi = ct.find(';');
  std::string_view media = ct.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return iequals_ascii(media, "application/json");
}

}  // namespace

Status ParseBody::on_request(Exchange& ex) const {
  if (!is_json_content_type(ex.content_type)) {
    return Error{ErrorCode::kUnsupportedMediaType,
                 ex.content_type.empty()
                     ? std::string("Content-Type must be application/json")
                     : fmt::format("Content-Type must be application/json, got '{}'",
                                   ex.content_type.substr(0, 100))};
  }
  if (ex.body.empty()) return Error::invalid("", "request body is empty; expected a JSON object");

  if (ex.endpoint == Endpoint::kChat || ex.endpoint == Endpoint::kCompletions) {
    const auto op = ex.endpoint == Endpoint::kChat ? providers::Operation::kChat
                                                   : providers::Operation::kCompletion;
    if (auto fast = accept_fast(op, ex.body, max_depth_)) {
      ex.request = std::move(*fast);
      return {};
    }
  }
  // Everything else, and every invalid body, takes the full validator over a tree.
  json::parse_options opts;
  opts.max_depth = static_cast<std::size_t>(max_depth_);
  json::parser parser({}, opts);
  boost::system::error_code ec;
  parser.write(ex.body.data(), ex.body.size(), ec);
  if (ec) {
    if (ec == json::error::too_deep) {
      return Error::invalid("", fmt::format("request body nests JSON deeper than {} levels",
                                            max_depth_));
    }
    return Error::invalid("", "request body is not valid JSON: " + ec.message());
  }
  json::value root = parser.release();
  if (!root.is_object()) return Error::invalid("", "request body must be a JSON object");

  Result<providers::InferenceRequest> req = Error{};
  switch (ex.endpoint) {
    case Endpoint::kChat: req = validate_chat(std::move(root.get_object())); break;
    case Endpoint::kCompletions: req = validate_completion(std::move(root.get_object())); break;
    case Endpoint::kEmbeddings: req = validate_embedding(std::move(root.get_object())); break;
    default: return {};
  }
  if (!req) return std::move(req).error();
  ex.request = std::move(req).value();
  return {};
}

}  // namespace plinth::gateway
