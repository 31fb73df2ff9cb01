#include "http/detail/response_parser.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <cstring>

#include "http/sse_parser.h"

namespace plinth::http::detail {

namespace {

using bhttp_error = boost::beast::http::error;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

ResponseParser::ResponseParser(std::string& content_type, std::size_t header_limit)
    : content_type_(content_type),
      header_limit_(header_limit),
      chunks_(UINT64_MAX, header_limit) {  // the body's limit is deliver()'s
  content_type_.clear();
}

std::optional<std::uint64_t> ResponseParser::content_length() const {
  if (state_ == State::kHead || !framing_.has_length || framing_.has_transfer_encoding) {
    return std::nullopt;
  }
  return framing_.length;
}

void ResponseParser::collect_into(std::string* body, std::size_t limit) {
  whole_ = body;
  limit_ = limit;
  sse_ = nullptr;
  if (auto length = content_length(); length && *length <= limit - body->size()) {
    body->reserve(body->size() + static_cast<std::size_t>(*length));
  }
}

std::size_t ResponseParser::put(std::string_view in, error_code& ec) {
  ec = {};
  if (!in.empty()) got_some_ = true;
  switch (state_) {
    case State::kHead: {
      const std::size_t size = finder_.find(in, header_limit_, ec);
      if (size == 0 || !parse_head(in.substr(0, size), ec) || !start_body(ec)) return 0;
      return size;
    }
    case State::kBody: {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
      if (!deliver(in.substr(0, n), ec)) return 0;
      left_ -= n;
      if (left_ == 0) state_ = State::kDone;
      return n;
    }
    case State::kChunked: {
      const std::size_t used = chunks_.put(
          in, ec, [this](std::string_view data, error_code& e) { return deliver(data, e); });
      if (chunks_.done()) state_ = State::kDone;
      return used;
    }
    case State::kUntilClose:
      if (!deliver(in, ec)) return 0;
      return in.size();
    case State::kDone:
      return 0;
  }
  return 0;
}

void ResponseParser::put_eof(error_code& ec) {
  ec = {};
  if (state_ == State::kUntilClose) {
    state_ = State::kDone;
  } else if (state_ != State::kDone) {
    ec = bhttp_error::partial_message;
  }
}

bool ResponseParser::parse_head(std::string_view head, error_code& ec) {
  const char* p = head.data();
  const char* const end = head.data() + head.size();
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF. A missing SP
  // before an empty reason is taken: servers send it, and it is unambiguous.
  if (end - p < 14 || std::memcmp(p, "HTTP/1.", 7) != 0 || !is_digit(p[7]) || p[8] != ' ') {
    ec = bhttp_error::bad_version;
    return false;
  }
  const int minor = p[7] - '0';
  p += 9;
  if (!is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]) || p[0] == '0') {
    ec = bhttp_error::bad_status;
    return false;
  }
  status_ = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
  p += 3;
  if (*p == ' ') p = http1::skip_value(p, end);
  if (*p != '\r' || p[1] != '\n') {
    ec =
        *p == '\r' ? error_code(bhttp_error::bad_line_ending) : error_code(bhttp_error::bad_reason);
    return false;
  }
  p += 2;
  const bool read = http1::read_fields(
      p, end, ec, [this](std::string_view name, std::string_view value, error_code& field_ec) {
        if (name.size() == 12 && http1::name_is(name, "content-type")) {
          if (!content_type_seen_) content_type_.assign(value);
          content_type_seen_ = true;
          return true;
        }
        return framing_.on_field(name, value, field_ec);
      });
  if (!read) return false;
  keep_alive_ = framing_.persistent(minor);
  return true;
}

// The body's framing, once the head is read (RFC 9112 §6.3).
bool ResponseParser::start_body(error_code& ec) {
  if (framing_.has_transfer_encoding && (framing_.bad_coding || framing_.has_length)) {
    ec = bhttp_error::bad_transfer_encoding;
    return false;
  }
  if (skip_body_ || status_ / 100 == 1 || status_ == 204 || status_ == 304) {
    state_ = State::kDone;
  } else if (framing_.has_transfer_encoding) {
    state_ = State::kChunked;
  } else if (framing_.has_length) {
    left_ = framing_.length;
    state_ = left_ == 0 ? State::kDone : State::kBody;
  } else {
    state_ = State::kUntilClose;
    keep_alive_ = false;
  }
  return true;
}

bool ResponseParser::deliver(std::string_view bytes, error_code& ec) {
  if (sse_ != nullptr) {
    sse_->feed(bytes);
  } else if (whole_ != nullptr) {
    if (bytes.size() > limit_ - whole_->size()) {
      over_limit_ = true;
      ec = bhttp_error::body_limit;
      return false;
    }
    whole_->append(bytes);
  }
  return true;
}

}  // namespace plinth::http::detail
