#include "../../../bench/loadgen/http_response_parser.h"

#include <gtest/gtest.h>

namespace plinth::bench {
namespace {

using Status = HttpResponseParser::Status;

// Feeds `wire` one byte at a time; returns the status that ended it and where it ended.
Status feed_bytewise(HttpResponseParser& p, std::string_view wire, size_t* end) {
  for (size_t i = 0; i < wire.size(); ++i) {
    size_t used = 0;
    const Status s = p.feed(wire.substr(i, 1), &used);
    *end = i + used;
    if (s != Status::kIncomplete) return s;
  }
  return Status::kIncomplete;
}

TEST(BenchHttpResponseParser, ContentLengthBody) {
  HttpResponseParser p;
  size_t used = 0;
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  EXPECT_EQ(p.feed(wire + "HTTP/1.1", &used), Status::kComplete);
  EXPECT_EQ(used, wire.size());  // what follows is not this response's
  EXPECT_EQ(p.status(), 200);
  EXPECT_TRUE(p.keep_alive());
  EXPECT_EQ(p.body_bytes(), 5u);
}

TEST(BenchHttpResponseParser, ChunkedBodySplitAnywhere) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\n";
  HttpResponseParser p;
  size_t end = 0;
  EXPECT_EQ(feed_bytewise(p, wire, &end), Status::kComplete);
  EXPECT_EQ(end, wire.size());
  EXPECT_EQ(p.body_bytes(), 31u);
}

TEST(BenchHttpResponseParser, ErrorStatusAndConnectionClose) {
  HttpResponseParser p;
  size_t used = 0;
  EXPECT_EQ(p.feed("HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", &used),
            Status::kComplete);
  EXPECT_EQ(p.status(), 503);
  EXPECT_FALSE(p.keep_alive());
}

TEST(BenchHttpResponseParser, BodyUntilCloseEndsWithTheConnection) {
  HttpResponseParser p;
  size_t used = 0;
  EXPECT_EQ(p.feed("HTTP/1.0 200 OK\r\n\r\nabc", &used), Status::kIncomplete);
  EXPECT_FALSE(p.keep_alive());
  EXPECT_EQ(p.on_close(), Status::kComplete);
  EXPECT_EQ(p.body_bytes(), 3u);
}

TEST(BenchHttpResponseParser, CutResponseIsBadOnClose) {
  HttpResponseParser p;
  size_t used = 0;
  EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", &used), Status::kIncomplete);
  EXPECT_EQ(p.on_close(), Status::kBad);
}

TEST(BenchHttpResponseParser, GarbageIsBad) {
  HttpResponseParser p;
  size_t used = 0;
  EXPECT_EQ(p.feed("SSH-2.0-OpenSSH\r\n\r\n", &used), Status::kBad);
  p.reset();
  EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &used),
            Status::kBad);
}

TEST(BenchHttpResponseParser, NoBodyFor204) {
  HttpResponseParser p;
  size_t used = 0;
  EXPECT_EQ(p.feed("HTTP/1.1 204 No Content\r\n\r\n", &used), Status::kComplete);
}

}  // namespace
}  // namespace plinth::bench
