// Reading a request at the front door: what the first read buffered is parsed in place, and
// the headers the server acts on are picked in one pass. Private to src/http/ (Beast types).
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <string_view>

namespace plinth::http::detail {

// Feeds the bytes already buffered to the parser without an asynchronous read (Beast
// completes even an already satisfied read through a posted handler). Stops at the end of
// the head (the parser is not eager) and at the end of the message. Returns the parser's
// error; "need more" is not one.
boost::system::error_code put_buffered(
    boost::beast::http::request_parser<boost::beast::http::string_body>& parser,
    boost::beast::flat_buffer& buffer);

// The request headers the server reads, found in one pass over the fields (a lookup by
// name costs a tree search with case-insensitive compares each). The first occurrence of
// each counts, empty or not, as a lookup by name would find it.
struct RequestHeaders {
  std::string_view authorization;
  std::string_view content_type;
  std::string_view if_match;
  std::string_view expect;
  std::string_view request_id;
};

RequestHeaders pick_headers(
    const boost::beast::http::request<boost::beast::http::string_body>& msg);

}  // namespace plinth::http::detail
