#include "http/detail/request_parser.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <cstring>

namespace plinth::http::detail {

namespace {

using bhttp_error = boost::beast::http::error;

constexpr std::uint64_t kReservedBody = 1 << 20;

}  // namespace

RequestParser::RequestParser(std::string& store, std::string& body, std::uint64_t body_limit,
                             std::size_t header_limit)
    : store_(store),
      body_(body),
      body_limit_(body_limit),
      header_limit_(header_limit),
      chunks_(body_limit, header_limit) {
  store_.clear();
  body_.clear();
}

void RequestParser::keep(Kept& kept, std::string_view value) {
  if (kept.seen) return;
  kept.seen = true;
  kept.at = store_.size();
  kept.size = value.size();
  store_.append(value);
}

RequestHeaders RequestParser::headers() const {
  RequestHeaders h;
  h.authorization = view(authorization_);
  h.content_type = view(content_type_);
  h.if_match = view(if_match_);
  h.expect = view(expect_);
  h.request_id = view(request_id_);
  return h;
}

std::size_t RequestParser::put(std::string_view in, error_code& ec) {
  ec = {};
  switch (state_) {
    case State::kHead: {
      const std::size_t size = finder_.find(in, header_limit_, ec);
      if (size == 0 || !parse_head(in.substr(0, size), ec) || !start_body(ec)) return 0;
      return size;
    }
    case State::kBody: {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
      drop_room();
      body_.append(in.data(), n);
      left_ -= n;
      if (left_ == 0) state_ = State::kDone;
      return n;
    }
    case State::kChunked: {
      const std::size_t used = chunks_.put(in, ec, [this](std::string_view data, error_code&) {
        body_.append(data);
        return true;
      });
      if (chunks_.done()) state_ = State::kDone;
      return used;
    }
    case State::kDone:
      return 0;
  }
  return 0;
}

// The room is kept at the string's end between reads (unfilled_), so that growing the
// string zero-fills each byte once, not once per read.
std::span<char> RequestParser::body_room(std::size_t max) {
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, max));
  if (unfilled_ < n) {
    body_.resize(body_.size() + (n - unfilled_));
    unfilled_ = n;
  }
  return {body_.data() + (body_.size() - unfilled_), n};
}

void RequestParser::body_commit(std::size_t n) {
  unfilled_ -= n;
  left_ -= n;
  if (left_ == 0) {
    drop_room();
    state_ = State::kDone;
  }
}

void RequestParser::drop_room() {
  body_.resize(body_.size() - unfilled_);
  unfilled_ = 0;
}

bool RequestParser::parse_head(std::string_view head, error_code& ec) {
  const char* p = head.data();
  const char* const end = head.data() + head.size();

  // request-line = method SP request-target SP HTTP-version CRLF
  const char* q = http1::skip_token(p);
  if (q == p || *q != ' ') {
    ec = bhttp_error::bad_method;
    return false;
  }
  keep(method_, std::string_view(p, static_cast<std::size_t>(q - p)));
  p = q + 1;
  // Visible bytes and obs-text, as basic_parser took them; no space, no control character.
  q = http1::find_control(p, end, 0x20);
  if (q == p || *q != ' ') {
    ec = bhttp_error::bad_target;
    return false;
  }
  keep(target_, std::string_view(p, static_cast<std::size_t>(q - p)));
  p = q + 1;
  if (end - p < 10 || std::memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9' ||
      p[8] != '\r' || p[9] != '\n') {
    ec = bhttp_error::bad_version;
    return false;
  }
  const int minor = p[7] - '0';
  p += 10;

  const bool read = http1::read_fields(
      p, end, ec, [this](std::string_view name, std::string_view value, error_code& field_ec) {
        // Dispatch on the length first: most fields are none of ours and cost one switch.
        switch (name.size()) {
          case 6:
            if (http1::name_is(name, "expect")) keep(expect_, value);
            return true;
          case 8:
            if (http1::name_is(name, "if-match")) keep(if_match_, value);
            return true;
          case 12:
            if (http1::name_is(name, "content-type")) keep(content_type_, value);
            if (http1::name_is(name, "x-request-id")) keep(request_id_, value);
            return true;
          case 13:
            if (http1::name_is(name, "authorization")) keep(authorization_, value);
            return true;
          default:
            return framing_.on_field(name, value, field_ec);
        }
      });
  if (!read) return false;
  keep_alive_ = framing_.persistent(minor);
  return true;
}

// The body's framing, once the head is read (RFC 9112 §6.3).
bool RequestParser::start_body(error_code& ec) {
  if (framing_.has_transfer_encoding) {
    // Only chunked frames a request body we can read; both framings at once is the classic
    // smuggling vector: refuse rather than pick one.
    if (framing_.bad_coding || !framing_.chunked || framing_.has_length) {
      ec = bhttp_error::bad_transfer_encoding;
      return false;
    }
    state_ = State::kChunked;
    return true;
  }
  if (framing_.has_length) {
    if (framing_.length > body_limit_) {
      ec = bhttp_error::body_limit;
      return false;
    }
    left_ = framing_.length;
    // Room for what is declared, up to a point: a client that declares much and sends
    // little must not make every connection hold the most it may send.
    body_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(left_, kReservedBody)));
    state_ = left_ == 0 ? State::kDone : State::kBody;
    return true;
  }
  state_ = State::kDone;  // neither: no body
  return true;
}

boost::system::error_code put_buffered(RequestParser& parser, boost::beast::flat_buffer& buffer) {
  boost::system::error_code ec;
  const bool in_head = !parser.is_header_done();
  while (buffer.size() > 0 && !parser.is_done() && in_head == !parser.is_header_done()) {
    const auto data = buffer.data();
    const std::size_t n =
        parser.put(std::string_view(static_cast<const char*>(data.data()), data.size()), ec);
    buffer.consume(n);
    if (ec || n == 0) break;
  }
  return ec;
}

}  // namespace plinth::http::detail
