#include "http/detail/request_reading.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>

namespace plinth::http::detail {

namespace beast = boost::beast;
namespace bhttp = beast::http;

RequestReader::RequestReader(std::string& store, std::string& body, std::uint64_t body_limit)
    : store_(store), body_(body), body_limit_(body_limit) {
  store_.clear();
  body_.clear();
  this->body_limit(body_limit);
}

void RequestReader::keep(Kept& kept, string_view value) {
  if (kept.seen) return;
  kept.seen = true;
  kept.at = store_.size();
  kept.size = value.size();
  store_.append(value.data(), value.size());
}

RequestHeaders RequestReader::headers() const {
  RequestHeaders h;
  h.authorization = view(authorization_);
  h.content_type = view(content_type_);
  h.if_match = view(if_match_);
  h.expect = view(expect_);
  h.request_id = view(request_id_);
  return h;
}

void RequestReader::on_request_impl(bhttp::verb, string_view method, string_view target, int,
                                    error_code&) {
  keep(method_, method);
  keep(target_, target);
}

void RequestReader::on_response_impl(int, string_view, int, error_code& ec) {
  ec = bhttp::error::bad_version;  // unreachable: this parses requests
}

void RequestReader::on_field_impl(bhttp::field name, string_view name_string, string_view value,
                                  error_code&) {
  switch (name) {
    case bhttp::field::authorization: keep(authorization_, value); break;
    case bhttp::field::content_type: keep(content_type_, value); break;
    case bhttp::field::if_match: keep(if_match_, value); break;
    case bhttp::field::expect: keep(expect_, value); break;
    case bhttp::field::unknown:
      if (beast::iequals(name_string, "x-request-id")) keep(request_id_, value);
      break;
    default: break;
  }
}

void RequestReader::on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) {
  // basic_parser has refused a length over the limit already; the cap is belt and braces.
  if (length) body_.reserve(static_cast<std::size_t>(std::min(*length, body_limit_)));
}

std::size_t RequestReader::on_body_impl(string_view bytes, error_code&) {
  body_.append(bytes.data(), bytes.size());
  return bytes.size();
}

std::size_t RequestReader::on_chunk_body_impl(std::uint64_t, string_view bytes, error_code&) {
  body_.append(bytes.data(), bytes.size());
  return bytes.size();
}

boost::system::error_code put_buffered(bhttp::basic_parser<true>& parser,
                                       beast::flat_buffer& buffer) {
  boost::system::error_code ec;
  const bool in_head = !parser.is_header_done();
  while (buffer.size() > 0 && !parser.is_done() && in_head == !parser.is_header_done()) {
    const std::size_t n = parser.put(buffer.data(), ec);
    buffer.consume(n);
    if (ec == bhttp::error::need_more) return {};
    if (ec || n == 0) break;
  }
  return ec;
}

}  // namespace plinth::http::detail
