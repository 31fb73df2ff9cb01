// The head of an upstream HTTP/1.1 request, written by hand into a reused string: cheaper
// than building beast::http::fields, and every byte of it is checked first.
#pragma once

#include "core/result.h"
#include "http/upstream_client.h"

#include <optional>
#include <string>

namespace plinth::http::detail {

// Rejects what would break or smuggle into the head: a method that is not a token, a path
// with spaces or line breaks, a header name that is not a token, a value with CR, LF or NUL.
std::optional<Error> check_request(const UpstreamRequest& request);

// Replaces `head` with the request line and headers, ending in the blank line. The body is
// sent after it as is. `accept_event_stream` adds `Accept: text/event-stream`.
void write_request_head(std::string& head, const Origin& origin, const UpstreamRequest& request,
                        bool accept_event_stream);

// "host:port", with an IPv6 host in brackets: how messages name the upstream.
std::string authority(const Origin& origin);

}  // namespace plinth::http::detail
