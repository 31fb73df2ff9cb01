#include "providers/inference.h"

#include <boost/assert.hpp>
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

InferenceRequest::LazyBody::LazyBody(const LazyBody& other) : tree(other.get()) {}

InferenceRequest::LazyBody& InferenceRequest::LazyBody::operator=(const LazyBody& other) {
  if (this != &other) {
    tree = other.get();
    built = true;
    raw = {};
    layout = {};
  }
  return *this;
}

const boost::json::object& InferenceRequest::LazyBody::get() const {
  if (!built) {
    // The bytes were validated already, under the configured nesting limit.
    boost::json::parse_options opts;
    opts.max_depth = std::size_t(-1);
    boost::json::parser parser({}, opts);
    boost::system::error_code ec;
    parser.write(raw.data(), raw.size(), ec);
    // Cannot fail: the bytes passed validation and are still there (see raw_body()).
    BOOST_ASSERT(!ec);
    if (!ec) {
      boost::json::value v = parser.release();
      if (v.is_object()) tree = std::move(v.get_object());
    }
    built = true;
  }
  return tree;
}

const boost::json::object& InferenceRequest::body() const { return body_.get(); }

boost::json::object& InferenceRequest::mutable_body() {
  body_.get();
  body_.raw = {};
  body_.layout = {};
  return body_.tree;
}

void InferenceRequest::set_body(boost::json::object body) {
  body_.tree = std::move(body);
  body_.built = true;
  body_.raw = {};
  body_.layout = {};
}

void InferenceRequest::set_raw_body(std::string_view raw, const RawBodyLayout& layout) {
  body_.tree = {};
  body_.built = false;
  body_.raw = raw;
  body_.layout = layout;
}

}  // namespace plinth::providers
