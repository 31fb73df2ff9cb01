#include "http/detail/request_reading.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include <array>

namespace plinth::http::detail {

namespace beast = boost::beast;
namespace bhttp = beast::http;

boost::system::error_code put_buffered(bhttp::request_parser<bhttp::string_body>& parser,
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

RequestHeaders pick_headers(const bhttp::request<bhttp::string_body>& msg) {
  RequestHeaders h;
  std::array<bool, 5> seen{};
  auto set = [&seen](std::size_t i, std::string_view& out, const auto& field) {
    if (seen[i]) return;
    seen[i] = true;
    out = std::string_view(field.value().data(), field.value().size());
  };
  for (const auto& field : msg) {
    switch (field.name()) {
      case bhttp::field::authorization: set(0, h.authorization, field); break;
      case bhttp::field::content_type: set(1, h.content_type, field); break;
      case bhttp::field::if_match: set(2, h.if_match, field); break;
      case bhttp::field::expect: set(3, h.expect, field); break;
      case bhttp::field::unknown:
        if (beast::iequals(field.name_string(), "x-request-id")) set(4, h.request_id, field);
        break;
      default: break;
    }
  }
  return h;
}

}  // namespace plinth::http::detail
