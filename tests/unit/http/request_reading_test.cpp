#include "http/detail/request_parser.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <gtest/gtest.h>

#include <string>

namespace plinth::http::detail {
namespace {

namespace bhttp = boost::beast::http;

// Puts `bytes` into a flat buffer and parses the head, then the body, as the server does.
struct Parsed {
  boost::system::error_code ec;
  bool done = false;
};

Parsed parse(RequestParser& reader, std::string_view bytes) {
  boost::beast::flat_buffer buffer;
  auto room = buffer.prepare(bytes.size());
  boost::asio::buffer_copy(room, boost::asio::buffer(bytes.data(), bytes.size()));
  buffer.commit(bytes.size());
  Parsed p;
  p.ec = put_buffered(reader, buffer);
  if (!p.ec && reader.is_header_done()) p.ec = put_buffered(reader, buffer);
  p.done = reader.is_done();
  return p;
}

TEST(RequestReading, KeepsMethodTargetTheHeadersItActsOnAndTheBody) {
  std::string store, body;
  RequestParser reader(store, body, 1024, 8192);
  const Parsed p = parse(reader,
                         "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: h\r\n"
                         "Authorization: Bearer k1\r\nContent-Type: application/json\r\n"
                         "If-Match: \"3\"\r\nX-Request-Id: abc-1\r\nX-Other: y\r\n"
                         "Content-Length: 7\r\n\r\n{\"a\":1}");
  ASSERT_FALSE(p.ec) << p.ec.message();
  ASSERT_TRUE(p.done);
  EXPECT_EQ(reader.method(), "POST");
  EXPECT_EQ(reader.target(), "/v1/chat/completions?x=1");
  const RequestHeaders h = reader.headers();
  EXPECT_EQ(h.authorization, "Bearer k1");
  EXPECT_EQ(h.content_type, "application/json");
  EXPECT_EQ(h.if_match, "\"3\"");
  EXPECT_EQ(h.request_id, "abc-1");
  EXPECT_EQ(h.expect, "");
  EXPECT_EQ(reader.body(), "{\"a\":1}");
  EXPECT_TRUE(reader.keep_alive());
}

TEST(RequestReading, FirstOccurrenceCountsEvenWhenEmpty) {
  std::string store, body;
  RequestParser reader(store, body, 1024, 8192);
  const Parsed p = parse(reader,
                         "GET / HTTP/1.1\r\nAuthorization: \r\nAuthorization: Bearer k2\r\n"
                         "x-request-id: first\r\nX-REQUEST-ID: second\r\n\r\n");
  ASSERT_FALSE(p.ec) << p.ec.message();
  EXPECT_EQ(reader.headers().authorization, "");
  EXPECT_EQ(reader.headers().request_id, "first");
}

TEST(RequestReading, AssemblesAChunkedBody) {
  std::string store, body;
  RequestParser reader(store, body, 1024, 8192);
  const Parsed p = parse(reader,
                         "POST /v1/embeddings HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  ASSERT_FALSE(p.ec) << p.ec.message();
  ASSERT_TRUE(p.done);
  EXPECT_EQ(reader.body(), "hello world");
}

TEST(RequestReading, RefusesABodyOverTheLimit) {
  std::string store, body;
  RequestParser declared(store, body, 4, 8192);
  EXPECT_EQ(parse(declared, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello").ec,
            bhttp::error::body_limit);
  RequestParser chunked(store, body, 4, 8192);
  EXPECT_EQ(parse(chunked, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n")
                .ec,
            bhttp::error::body_limit);
}

TEST(RequestReading, ConnectionCloseAndHttp10EndKeepAlive) {
  std::string store, body;
  RequestParser close(store, body, 16, 8192);
  ASSERT_FALSE(parse(close, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n").ec);
  EXPECT_FALSE(close.keep_alive());
  RequestParser old(store, body, 16, 8192);
  ASSERT_FALSE(parse(old, "GET / HTTP/1.0\r\n\r\n").ec);
  EXPECT_FALSE(old.keep_alive());
  RequestParser old_kept(store, body, 16, 8192);
  ASSERT_FALSE(parse(old_kept, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").ec);
  EXPECT_TRUE(old_kept.keep_alive());
}

TEST(RequestReading, TheNextRequestOnTheSameStringsSeesNothingOfTheLast) {
  std::string store, body;
  {
    RequestParser first(store, body, 1024, 8192);
    ASSERT_FALSE(parse(first, "POST /a HTTP/1.1\r\nAuthorization: Bearer one\r\n"
                              "Content-Length: 3\r\n\r\nabc").ec);
  }
  RequestParser second(store, body, 1024, 8192);
  ASSERT_FALSE(parse(second, "GET /b HTTP/1.1\r\n\r\n").ec);
  EXPECT_EQ(second.method(), "GET");
  EXPECT_EQ(second.target(), "/b");
  EXPECT_EQ(second.headers().authorization, "");
  EXPECT_EQ(second.body(), "");
}

TEST(RequestReading, AHeadInPiecesIsParsedOnceComplete) {
  std::string store, body;
  RequestParser reader(store, body, 1024, 8192);
  const std::string request =
      "POST /v1/completions HTTP/1.1\r\nAuthorization: Bearer k3\r\nContent-Length: 2\r\n\r\nhi";
  boost::beast::flat_buffer buffer;
  for (char c : request) {
    auto room = buffer.prepare(1);
    *static_cast<char*>(room.data()) = c;
    buffer.commit(1);
    ASSERT_FALSE(put_buffered(reader, buffer)) << "at byte " << int(c);
  }
  ASSERT_TRUE(reader.is_done());
  EXPECT_EQ(reader.target(), "/v1/completions");
  EXPECT_EQ(reader.headers().authorization, "Bearer k3");
  EXPECT_EQ(reader.body(), "hi");
}

}  // namespace
}  // namespace plinth::http::detail
