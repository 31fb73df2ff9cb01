// ResponseReader: an HTTP/1.1 response parser that keeps only what UpstreamClient needs
// (status, content type) and hands body bytes straight to their destination: a string
// capped in size, or an SseParser. No per-field or per-chunk allocation. read_body_step()
// drives it one socket read at a time.
#pragma once

#include "core/task.h"
#include "http/sse_parser.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace plinth::http::detail {

class ResponseReader final : public boost::beast::http::basic_parser<false> {
 public:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;  // boost::core::string_view

  ResponseReader(std::string& content_type, std::size_t header_limit)
      : content_type_(content_type) {
    content_type_.clear();
    this->header_limit(static_cast<std::uint32_t>(header_limit));
    body_limit(boost::none);  // enforced by deliver(), which knows where the body goes
  }

  int status() const { return status_; }
  bool over_limit() const { return over_limit_; }

  // Where the body goes; call before the body is read.
  void collect_into(std::string* body, std::size_t limit) {
    whole_ = body;
    limit_ = limit;
    sse_ = nullptr;
  }
  void feed_events_to(SseParser* sse) {
    sse_ = sse;
    whole_ = nullptr;
  }

 private:
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code& ec) override {
    ec = boost::beast::http::error::bad_version;  // unreachable: this parses responses
  }
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(boost::beast::http::field name, string_view, string_view value,
                     error_code&) override {
    if (name == boost::beast::http::field::content_type) {
      content_type_.assign(value.data(), value.size());
    }
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override {
    if (whole_ == nullptr || !length) return;
    if (*length > limit_ - whole_->size()) {
      over_limit_ = true;
      ec = boost::beast::http::error::body_limit;
      return;
    }
    whole_->reserve(whole_->size() + static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(string_view body, error_code& ec) override {
    deliver(std::string_view(body.data(), body.size()), ec);
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    deliver(std::string_view(body.data(), body.size()), ec);
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  void deliver(std::string_view bytes, error_code& ec) {
    if (sse_ != nullptr) {
      sse_->feed(bytes);
    } else if (whole_ != nullptr) {
      if (bytes.size() > limit_ - whole_->size()) {
        over_limit_ = true;
        ec = boost::beast::http::error::body_limit;
        return;
      }
      whole_->append(bytes);
    }
  }

  std::string& content_type_;
  std::string* whole_ = nullptr;
  SseParser* sse_ = nullptr;
  std::size_t limit_ = 0;
  int status_ = 0;
  bool over_limit_ = false;
};

// Parses what `buffer` holds; need_more only means that every byte so far was used.
inline void parse_buffered(boost::beast::flat_buffer& buffer, ResponseReader& reader,
                           boost::beast::error_code& ec) {
  while (buffer.size() > 0 && !reader.is_done()) {
    const std::size_t used = reader.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec || used == 0) break;
  }
  if (ec == boost::beast::http::error::need_more) ec = {};
}

// read_body_step in its three parts, for a caller that awaits the read itself: the SSE loop
// reads once per event, and a coroutine of its own per read cost more than the read.
// First: parses what is buffered; true when that was the step (bytes used, or ec set).
inline bool parse_step(boost::beast::flat_buffer& buffer, ResponseReader& reader,
                       boost::beast::error_code& ec) {
  if (buffer.size() == 0) return false;
  const std::size_t before = buffer.size();
  parse_buffered(buffer, reader, ec);
  return ec || buffer.size() != before;
}

// Else: the room to read into, then once the read is done, what it came to.
inline boost::asio::mutable_buffer read_room(boost::beast::flat_buffer& buffer) {
  return buffer.prepare(boost::beast::read_size(buffer, 65536));
}

inline boost::beast::error_code after_read(boost::beast::flat_buffer& buffer,
                                           ResponseReader& reader,
                                           const boost::system::error_code& read_ec,
                                           std::size_t n) {
  namespace asio = boost::asio;
  boost::beast::error_code ec;
  buffer.commit(n);
  // A TLS peer may end a close-delimited body without close_notify: that is its end too.
  if (read_ec == asio::error::eof ||
      (read_ec == asio::ssl::error::stream_truncated && reader.need_eof())) {
    parse_buffered(buffer, reader, ec);
    if (!ec && !reader.is_done()) reader.put_eof(ec);
    return ec;
  }
  if (read_ec) return read_ec;
  parse_buffered(buffer, reader, ec);
  return ec;
}

// One step of reading a body: parses what is already buffered, or else reads once from
// `stream` and parses that. Unlike http::async_read_some it never reads twice before
// returning, so an SSE event is handed over as soon as its bytes arrive (Beast's loop reads
// on while a chunk's trailing CRLF is outstanding). The end of a close-delimited body is
// no error; an early end of any other is partial_message.
template <class Stream>
Task<boost::beast::error_code> read_body_step(Stream& stream, boost::beast::flat_buffer& buffer,
                                              ResponseReader& reader) {
  namespace asio = boost::asio;
  boost::beast::error_code ec;
  if (parse_step(buffer, reader, ec)) co_return ec;
  auto [read_ec, n] =
      co_await stream.async_read_some(read_room(buffer), asio::as_tuple(asio::use_awaitable));
  co_return after_read(buffer, reader, read_ec, n);
}

}  // namespace plinth::http::detail
