// ResponseParser: an HTTP/1.1 response parser of our own (RFC 9112, the shared pieces in
// http1.h) that keeps only what UpstreamClient needs (status, content type, framing) and
// hands body bytes straight to their destination: a string capped in size, or an SseParser.
// No per-field or per-chunk allocation. Private to src/http/.
//
// It replaced Beast's basic_parser<false> (1,200 instructions fewer per small response,
// bench/probes/callgrind.sh), and is stricter in the same places as RequestParser: no
// obs-fold, no Transfer-Encoding but one chunked, not both framings, HTTP/1.x only, CRLF
// line ends. Errors are Beast's codes (boost::beast::http::error).
#pragma once

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/detail/http1.h"

namespace plinth::http {
class SseParser;
}

namespace plinth::http::detail {

class ResponseParser {
 public:
  using error_code = boost::system::error_code;

  // `content_type` receives the first Content-Type field's value.
  ResponseParser(std::string& content_type, std::size_t header_limit);

  // The response answers a HEAD request: whatever its fields say, it has no body.
  void skip_body() { skip_body_ = true; }
  // Where the body goes; call once the head is done, before the body is offered.
  void collect_into(std::string* body, std::size_t limit);
  void feed_events_to(SseParser* sse) {
    sse_ = sse;
    whole_ = nullptr;
  }

  // Parses from the start of `in`, the bytes buffered and not yet consumed, and returns how
  // many it consumed. The head is consumed only once it is whole (until then this returns
  // 0), and a call that completes the head stops there, so that the caller can say where
  // the body goes. Sets `ec` on an error (body_limit when the body passes collect_into's
  // limit); needing more bytes is not one.
  std::size_t put(std::string_view in, error_code& ec);
  // The connection has ended: that completes a body delimited by it, and is partial_message
  // for any other unfinished message.
  void put_eof(error_code& ec);

  bool got_some() const { return got_some_; }
  bool is_header_done() const { return state_ != State::kHead; }
  bool is_done() const { return state_ == State::kDone; }
  bool need_eof() const { return state_ == State::kUntilClose; }
  bool keep_alive() const { return keep_alive_; }
  bool over_limit() const { return over_limit_; }
  int status() const { return status_; }
  // The declared length of the body, once the head is done; none when it is chunked or
  // delimited by the connection's end.
  std::optional<std::uint64_t> content_length() const;

 private:
  enum class State : std::uint8_t { kHead, kBody, kChunked, kUntilClose, kDone };
  bool parse_head(std::string_view head, error_code& ec);
  bool start_body(error_code& ec);
  bool deliver(std::string_view bytes, error_code& ec);

  std::string& content_type_;
  std::size_t header_limit_;
  State state_ = State::kHead;
  http1::HeadFinder finder_;
  http1::Framing framing_;
  http1::ChunkedDecoder chunks_;
  std::uint64_t left_ = 0;  // Content-Length bytes still to come
  std::string* whole_ = nullptr;
  SseParser* sse_ = nullptr;
  std::size_t limit_ = 0;
  int status_ = 0;
  bool skip_body_ = false;
  bool got_some_ = false;
  bool keep_alive_ = false;
  bool content_type_seen_ = false;
  bool over_limit_ = false;
};

}  // namespace plinth::http::detail
