// Reading a request at the front door: an HTTP/1.1 request parser of our own (RFC 9112, the
// shared pieces in http1.h) that keeps only what the server acts on. Private to src/http/.
//
// It replaced Beast's basic_parser: per small chat request about 1,700 instructions fewer
// (bench/probes/callgrind.sh). It is stricter where RFC 9112 lets a server refuse what is
// ambiguous: a line folded onto the one before (obs-fold), any Transfer-Encoding but one
// chunked, Content-Length and Transfer-Encoding together, two Content-Length fields, an
// HTTP version other than 1.x, a line ending in a bare LF. Errors are Beast's codes
// (boost::beast::http::error), so that callers and messages stay as they were.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "http/detail/http1.h"

namespace plinth::http::detail {

// The request headers the server reads. The first occurrence of each counts, empty or not.
struct RequestHeaders {
  std::string_view authorization;
  std::string_view content_type;
  std::string_view if_match;
  std::string_view expect;
  std::string_view request_id;
};

// Parses one request. It copies the few values it keeps into `store` and the body into
// `body`, strings the connection reuses from request to request (cleared here), so a
// request usually allocates nothing. Views stay valid until the next parser is constructed
// on the same strings.
class RequestParser {
 public:
  using error_code = boost::system::error_code;

  RequestParser(std::string& store, std::string& body, std::uint64_t body_limit,
                std::size_t header_limit);

  // Parses from the start of `in`, the bytes buffered and not yet consumed, and returns how
  // many it consumed. The head is consumed only once it is whole (until then this returns
  // 0 and the caller offers the same bytes again with more), and a call that completes the
  // head stops there: the caller acts on it (Expect: 100-continue) before the body. The
  // body is consumed as it comes. Sets `ec` on an error; needing more bytes is not one.
  std::size_t put(std::string_view in, error_code& ec);

  bool is_header_done() const { return state_ != State::kHead; }
  bool is_done() const { return state_ == State::kDone; }
  // Whether the connection may carry another request after this one (the version and the
  // Connection header); valid once the head is done.
  bool keep_alive() const { return keep_alive_; }

  std::string_view method() const { return view(method_); }
  std::string_view target() const { return view(target_); }
  RequestHeaders headers() const;  // once the head is done
  std::string_view body() const {
    return std::string_view(body_).substr(0, body_.size() - unfilled_);
  }

  // The Content-Length body bytes still to come (0 before the body and for a chunked one).
  // Once none are buffered, the caller reads them straight into the body, not through the
  // connection's buffer: one copy less, and reads as large as the kernel has.
  std::uint64_t body_left() const { return state_ == State::kBody ? left_ : 0; }
  // Room at the body's end for up to `max` of those bytes (never more than are to come, so
  // a pipelined request's bytes are never read into it); body_commit() says how many came.
  std::span<char> body_room(std::size_t max);
  void body_commit(std::size_t n);

 private:
  enum class State : std::uint8_t { kHead, kBody, kChunked, kDone };
  struct Kept {
    std::size_t at = 0;
    std::size_t size = 0;
    bool seen = false;
  };
  void keep(Kept& kept, std::string_view value);
  std::string_view view(const Kept& kept) const {
    return std::string_view(store_).substr(kept.at, kept.size);
  }

  bool parse_head(std::string_view head, error_code& ec);
  bool start_body(error_code& ec);
  void drop_room();

  std::string& store_;
  std::string& body_;
  std::uint64_t body_limit_;
  std::size_t header_limit_;
  State state_ = State::kHead;
  http1::HeadFinder finder_;
  http1::Framing framing_;
  http1::ChunkedDecoder chunks_;
  std::uint64_t left_ = 0;  // Content-Length bytes still to come
  std::size_t unfilled_ = 0;  // room at the end of body_ that holds no body yet
  bool keep_alive_ = true;
  Kept method_, target_, authorization_, content_type_, if_match_, expect_, request_id_;
};

// Feeds the bytes buffered to the parser and consumes what it used. Stops at the end of the
// head (the parser is not eager) and at the end of the message. Returns the parser's error;
// needing more is not one.
boost::system::error_code put_buffered(RequestParser& parser, boost::beast::flat_buffer& buffer);

}  // namespace plinth::http::detail
