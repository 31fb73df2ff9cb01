// Request head checks and serialization for UpstreamClient.
#include "http/detail/request_head.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "http/detail/http1.h"

namespace plinth::http::detail {
namespace {

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), http1::is_token);
}

// Whether a header value holds a control character other than HTAB: CR or LF would end the
// line early (header injection), and the others are not field-value bytes (RFC 9110 §5.5).
bool has_control(std::string_view s) {
  return http1::skip_value(s.data(), s.data() + s.size()) != s.data() + s.size();
}

void append_host(std::string& out, const Origin& origin) {
  const bool ipv6 = origin.host.find(':') != std::string::npos;
  if (ipv6) out.push_back('[');
  out.append(origin.host);
  if (ipv6) out.push_back(']');
}

}  // namespace

std::optional<Error> check_request(const UpstreamRequest& r) {
  auto bad = [](const std::string& field, std::string_view what) {
    return Error::invalid(field, "upstream request " + field + " " + std::string(what));
  };
  if (!is_token(r.method)) return bad("method", "is not an HTTP method token");
  const char* const path_end = r.path.data() + r.path.size();
  if (http1::find_control(r.path.data(), path_end, 0x20) != path_end) {
    return bad("path", "must not contain spaces or control characters");
  }
  constexpr std::string_view kControl = "contains a control character (a line break?)";
  if (has_control(r.content_type)) return bad("content_type", kControl);
  if (has_control(r.bearer_token)) return bad("bearer_token", kControl);
  if (has_control(r.request_id)) return bad("request_id", kControl);
  if (r.body_pieces.size() > UpstreamRequest::kMaxBodyPieces) {
    return bad("body_pieces", "are more than " + std::to_string(UpstreamRequest::kMaxBodyPieces));
  }
  for (const BodyPiece& piece : r.body_pieces) {
    const bool owned = piece.borrowed.empty();
    if (owned && (piece.at > r.body.size() || piece.size > r.body.size() - piece.at)) {
      return bad("body_pieces", "reach past the body");
    }
  }
  for (const auto& [name, value] : r.headers) {
    if (!is_token(name)) return bad("header '" + name + "'", "is not a valid header name");
    if (has_control(value)) return bad("header '" + name + "'", kControl);
  }
  return std::nullopt;
}

void write_request_head(std::string& head, const Origin& origin, const UpstreamRequest& r,
                        bool accept_event_stream) {
  head.clear();
  head.append(r.method).append(" ").append(origin.base_path);
  if (r.path.empty() || r.path.front() != '/') head.push_back('/');
  head.append(r.path).append(" HTTP/1.1\r\nHost: ");
  append_host(head, origin);
  if (origin.port != (origin.tls ? "443" : "80")) head.append(":").append(origin.port);
  head.append("\r\nUser-Agent: plinth/0.1\r\n");
  const std::size_t body_size = r.body_size();
  if (body_size != 0 || (r.method != "GET" && r.method != "HEAD")) {
    if (!r.content_type.empty()) {
      head.append("Content-Type: ").append(r.content_type).append("\r\n");
    }
    char digits[24];
    char* end = std::to_chars(digits, digits + sizeof digits, body_size).ptr;
    head.append("Content-Length: ").append(digits, end).append("\r\n");
  }
  if (!r.bearer_token.empty()) {
    head.append("Authorization: Bearer ").append(r.bearer_token).append("\r\n");
  }
  if (!r.request_id.empty()) head.append("x-request-id: ").append(r.request_id).append("\r\n");
  if (accept_event_stream) head.append("Accept: text/event-stream\r\n");
  for (const auto& [name, value] : r.headers) {
    head.append(name).append(": ").append(value).append("\r\n");
  }
  head.append("\r\n");
}

std::string authority(const Origin& origin) {
  std::string out;
  append_host(out, origin);
  out.append(":").append(origin.port);
  return out;
}

}  // namespace plinth::http::detail
