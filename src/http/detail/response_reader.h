// Reading an upstream response from a socket with ResponseParser: the head (read_head), then
// the body one socket read at a time (read_body_step, or its parts for a caller that awaits
// the read itself). Private to src/http/.
#pragma once

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <string_view>

#include "core/task.h"
#include "http/detail/await_token.h"
#include "http/detail/response_parser.h"

namespace plinth::http::detail {

// Parses what `buffer` holds, past the end of the head too: call once the body's
// destination is set.
inline void parse_buffered(boost::beast::flat_buffer& buffer, ResponseParser& parser,
                           boost::system::error_code& ec) {
  while (buffer.size() > 0 && !parser.is_done()) {
    const auto data = buffer.data();
    const std::size_t used =
        parser.put(std::string_view(static_cast<const char*>(data.data()), data.size()), ec);
    buffer.consume(used);
    if (ec || used == 0) break;
  }
}

// The room to read into: what the buffer has, at least 512 bytes, at most 64 KiB.
inline boost::asio::mutable_buffer read_room(boost::beast::flat_buffer& buffer) {
  return buffer.prepare(boost::beast::read_size(buffer, 65536));
}

// Reads until the parser has the head, and stops there (the body's destination is not set
// yet). A connection that ends first is end_of_stream when nothing of the response came,
// partial_message otherwise.
template <class Stream>
Task<boost::system::error_code> read_head(Stream& stream, boost::beast::flat_buffer& buffer,
                                          ResponseParser& parser) {
  namespace asio = boost::asio;
  namespace bhttp = boost::beast::http;
  for (;;) {
    if (buffer.size() > 0) {
      const auto data = buffer.data();
      boost::system::error_code ec;
      const std::size_t used =
          parser.put(std::string_view(static_cast<const char*>(data.data()), data.size()), ec);
      buffer.consume(used);
      if (ec) co_return ec;
      if (parser.is_header_done()) co_return boost::system::error_code{};
    }
    auto [read_ec, n] = co_await stream.async_read_some(read_room(buffer), kAwaitTuple);
    buffer.commit(n);
    if (read_ec == asio::error::eof) {
      co_return parser.got_some() || buffer.size() > 0
          ? boost::system::error_code(bhttp::error::partial_message)
          : boost::system::error_code(bhttp::error::end_of_stream);
    }
    if (read_ec) co_return read_ec;
  }
}

// read_body_step in its three parts, for a caller that awaits the read itself: the SSE loop
// reads once per event, and a coroutine of its own per read cost more than the read.
// First: parses what is buffered; true when that was the step (bytes used, or ec set).
inline bool parse_step(boost::beast::flat_buffer& buffer, ResponseParser& parser,
                       boost::system::error_code& ec) {
  if (buffer.size() == 0) return false;
  const std::size_t before = buffer.size();
  parse_buffered(buffer, parser, ec);
  return ec || buffer.size() != before;
}

// Then, once the read is done, what it came to.
inline boost::system::error_code after_read(boost::beast::flat_buffer& buffer,
                                            ResponseParser& parser,
                                            const boost::system::error_code& read_ec,
                                            std::size_t n) {
  namespace asio = boost::asio;
  boost::system::error_code ec;
  buffer.commit(n);
  // A TLS peer may end a close-delimited body without close_notify: that is its end too.
  if (read_ec == asio::error::eof ||
      (read_ec == asio::ssl::error::stream_truncated && parser.need_eof())) {
    parse_buffered(buffer, parser, ec);
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    return ec;
  }
  if (read_ec) return read_ec;
  parse_buffered(buffer, parser, ec);
  return ec;
}

// One step of reading a body: parses what is already buffered, or else reads once from
// `stream` and parses that. It never reads twice before returning, so an SSE event is
// handed over as soon as its bytes arrive. The end of a close-delimited body is no error;
// an early end of any other is partial_message.
template <class Stream>
Task<boost::system::error_code> read_body_step(Stream& stream, boost::beast::flat_buffer& buffer,
                                               ResponseParser& parser) {
  namespace asio = boost::asio;
  boost::system::error_code ec;
  if (parse_step(buffer, parser, ec)) co_return ec;
  auto [read_ec, n] = co_await stream.async_read_some(read_room(buffer), kAwaitTuple);
  co_return after_read(buffer, parser, read_ec, n);
}

}  // namespace plinth::http::detail
