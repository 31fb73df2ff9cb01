#include "providers/inference.h"

#include <boost/json/parser.hpp>

namespace plinth::providers {

std::string_view operation_name(Operation op) {
  switch (op) {
    case Operation::kChat: return "chat";
    case Operation::kCompletion: return "completion";
    case Operation::kEmbedding: return "embedding";
  }
  return "chat";
}

const boost::json::object& InferenceRequest::body() const {
  if (!built_) {
    // The bytes were validated already, under the configured nesting limit.
    boost::json::parse_options opts;
    opts.max_depth = std::size_t(-1);
    boost::json::parser parser({}, opts);
    boost::system::error_code ec;
    parser.write(raw_.data(), raw_.size(), ec);
    if (!ec) {
      boost::json::value v = parser.release();
      if (v.is_object()) body_ = std::move(v.get_object());
    }
    built_ = true;
  }
  return body_;
}

boost::json::object& InferenceRequest::mutable_body() {
  body();
  raw_ = {};
  layout_ = {};
  return body_;
}

void InferenceRequest::set_body(boost::json::object body) {
  body_ = std::move(body);
  built_ = true;
  raw_ = {};
  layout_ = {};
}

void InferenceRequest::set_raw_body(std::string_view raw, const RawBodyLayout& layout) {
  body_ = {};
  built_ = false;
  raw_ = raw;
  layout_ = layout;
}

}  // namespace plinth::providers
