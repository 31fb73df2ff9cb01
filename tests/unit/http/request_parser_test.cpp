// RequestParser: what it keeps, how it frames a body, what it refuses (RFC 9112), and a
// differential run against Beast's request_parser over valid requests and their mutations.
#include "http/detail/request_parser.h"

#include <cstring>
#include <span>

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>
#include "message_text.h"

namespace plinth::http::detail {
namespace {

namespace bhttp = boost::beast::http;
using test::escaped;
using test::has_bare_lf;
using test::trimmed;
using boost::system::error_code;
using namespace std::string_literals;

constexpr std::uint64_t kBodyLimit = 1024 * 1024;
constexpr std::size_t kHeaderLimit = 8 * 1024;

// The strings a connection lends the parser, and the parser on them.
struct Parsing {
  explicit Parsing(std::uint64_t body_limit = kBodyLimit, std::size_t header_limit = kHeaderLimit)
      : parser(store, body, body_limit, header_limit) {}
  std::string store, body;
  RequestParser parser;
};

struct Fed {
  error_code ec;
  std::size_t consumed = 0;
  bool done = false;
};

// Offers `in` whole, then what each put left, as the server does with the bytes it has
// buffered: until the request is done, an error, or a put that consumes nothing (needs more).
Fed feed(RequestParser& parser, std::string_view in) {
  Fed f;
  while (!parser.is_done()) {
    const std::size_t n = parser.put(in.substr(f.consumed), f.ec);
    if (n > in.size() - f.consumed) {
      ADD_FAILURE() << "put consumed " << n << " of " << in.size() - f.consumed << " bytes";
      break;
    }
    f.consumed += n;
    if (f.ec || n == 0) break;
  }
  f.done = parser.is_done();
  return f;
}

// Offers the bytes one more at a time, each time after those the parser left unconsumed, as
// a connection whose every read brings one byte does.
Fed feed_byte_by_byte(RequestParser& parser, std::string_view in) {
  Fed f;
  std::string pending;
  for (std::size_t i = 0; i < in.size() && !parser.is_done() && !f.ec; ++i) {
    pending.push_back(in[i]);
    while (!parser.is_done()) {  // one byte may end the head and start the body
      const std::size_t n = parser.put(pending, f.ec);
      if (n > pending.size()) {
        ADD_FAILURE() << "put consumed " << n << " of " << pending.size() << " bytes";
        return f;
      }
      pending.erase(0, n);
      f.consumed += n;
      if (f.ec || n == 0) break;
    }
  }
  f.done = parser.is_done();
  return f;
}

// The error `in`, offered whole, ends with; "needs more" is none.
error_code error_of(std::string_view in, std::uint64_t body_limit = kBodyLimit,
                    std::size_t header_limit = kHeaderLimit) {
  Parsing p(body_limit, header_limit);
  return feed(p.parser, in).ec;
}

// ---------------------------------------------------------------------------------------------
// Behaviour

TEST(RequestParser, KeepsMethodTargetTheHeadersItActsOnAndAContentLengthBody) {
  Parsing p;
  const std::string in =
      "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: h\r\n"
      "Authorization: Bearer k1\r\nContent-Type: application/json\r\n"
      "If-Match: \"3\"\r\nExpect: 100-continue\r\nX-Request-Id: abc-1\r\nX-Other: y\r\n"
      "Content-Length: 7\r\n\r\n{\"a\":1}";
  const Fed f = feed(p.parser, in);
  ASSERT_FALSE(f.ec) << f.ec.message();
  ASSERT_TRUE(f.done);
  EXPECT_EQ(f.consumed, in.size());
  EXPECT_EQ(p.parser.method(), "POST");
  EXPECT_EQ(p.parser.target(), "/v1/chat/completions?x=1");
  const RequestHeaders h = p.parser.headers();
  EXPECT_EQ(h.authorization, "Bearer k1");
  EXPECT_EQ(h.content_type, "application/json");
  EXPECT_EQ(h.if_match, "\"3\"");
  EXPECT_EQ(h.expect, "100-continue");
  EXPECT_EQ(h.request_id, "abc-1");
  EXPECT_EQ(p.parser.body(), "{\"a\":1}");
  EXPECT_TRUE(p.parser.keep_alive());
}

TEST(RequestParser, TheFirstOccurrenceOfAKeptHeaderCountsEvenWhenEmpty) {
  Parsing p;
  const Fed f = feed(p.parser,
                     "GET / HTTP/1.1\r\nAuthorization:\r\nAuthorization: Bearer k2\r\n"
                     "x-request-id: first\r\nX-REQUEST-ID: second\r\nIf-Match: \t \r\n"
                     "If-Match: \"9\"\r\n\r\n");
  ASSERT_FALSE(f.ec) << f.ec.message();
  ASSERT_TRUE(f.done);
  EXPECT_EQ(p.parser.headers().authorization, "");
  EXPECT_EQ(p.parser.headers().request_id, "first");
  EXPECT_EQ(p.parser.headers().if_match, "");
}

TEST(RequestParser, HeaderNamesMatchWhateverTheirCase) {
  Parsing p;
  const Fed f = feed(p.parser,
                     "GET / HTTP/1.1\r\naUtHoRiZaTiOn: Bearer k\r\nCONTENT-TYPE: text/plain\r\n"
                     "if-match: *\r\neXPECT: 100-continue\r\nx-Request-ID: r-1\r\n\r\n");
  ASSERT_FALSE(f.ec) << f.ec.message();
  ASSERT_TRUE(f.done);
  const RequestHeaders h = p.parser.headers();
  EXPECT_EQ(h.authorization, "Bearer k");
  EXPECT_EQ(h.content_type, "text/plain");
  EXPECT_EQ(h.if_match, "*");
  EXPECT_EQ(h.expect, "100-continue");
  EXPECT_EQ(h.request_id, "r-1");
}

TEST(RequestParser, TrimsSpacesAndTabsAroundAValueButKeepsThoseInside) {
  Parsing p;
  const Fed f = feed(p.parser,
                     "GET / HTTP/1.1\r\nAuthorization: \t Bearer  k \t1\t \r\n"
                     "Content-Type:text/plain; charset=utf-8\r\nX-Request-Id:\t\tr 2 \r\n\r\n");
  ASSERT_FALSE(f.ec) << f.ec.message();
  ASSERT_TRUE(f.done);
  EXPECT_EQ(p.parser.headers().authorization, "Bearer  k \t1");
  EXPECT_EQ(p.parser.headers().content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(p.parser.headers().request_id, "r 2");
}

TEST(RequestParser, AssemblesAChunkedBodyWithExtensionsAndATrailer) {
  Parsing p;
  const std::string in =
      "POST /v1/embeddings HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=val\r\nhello\r\nB;a;b=\"q s\"\r\n, big world\r\n0\r\nX-T: v\r\n\r\n";
  const Fed f = feed(p.parser, in);
  ASSERT_FALSE(f.ec) << f.ec.message();
  ASSERT_TRUE(f.done);
  EXPECT_EQ(f.consumed, in.size());
  EXPECT_EQ(p.parser.body(), "hello, big world");
}

TEST(RequestParser, ReadsChunkSizesInHexOfEitherCase) {
  Parsing p;
  const std::string in =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n1a\r\nABCDEFGHIJKLMNOPQRSTUVWXYZ\r\nc\r\n0123456789ab"
      "\r\n0\r\n\r\n";
  const Fed f = feed(p.parser, in);
  ASSERT_FALSE(f.ec) << f.ec.message();
  ASSERT_TRUE(f.done);
  EXPECT_EQ(f.consumed, in.size());
  EXPECT_EQ(p.parser.body(), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab");
}

TEST(RequestParser, RefusesADeclaredBodyOverTheLimitOnceTheHeadIsDone) {
  Parsing p(4);
  const std::string in = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  error_code ec;
  const std::size_t n = p.parser.put(in, ec);
  if (!ec) {  // the contract allows the head's put to succeed and the next to refuse
    ASSERT_TRUE(p.parser.is_header_done());
    p.parser.put(std::string_view(in).substr(n), ec);
  }
  EXPECT_EQ(ec, bhttp::error::body_limit);
  EXPECT_FALSE(p.parser.is_done());
}

TEST(RequestParser, RefusesChunksWhoseSizesSumOverTheLimit) {
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                     4),
            bhttp::error::body_limit);
}

TEST(RequestParser, AcceptsABodyExactlyAtTheLimit) {
  Parsing declared(4);
  const Fed d = feed(declared.parser, "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd");
  ASSERT_FALSE(d.ec) << d.ec.message();
  EXPECT_TRUE(d.done);
  EXPECT_EQ(declared.parser.body(), "abcd");
  Parsing chunked(4);
  const Fed c = feed(chunked.parser,
                     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n");
  ASSERT_FALSE(c.ec) << c.ec.message();
  EXPECT_TRUE(c.done);
  EXPECT_EQ(chunked.parser.body(), "abcd");
}

// A head of exactly `size` bytes, its final CRLFCRLF included.
std::string head_of_size(std::size_t size) {
  const std::string start = "GET / HTTP/1.1\r\nX-Pad: ";
  return start + std::string(size - start.size() - 4, 'a') + "\r\n\r\n";
}

TEST(RequestParser, RefusesAHeadOverTheLimitBeforeItsEndArrives) {
  constexpr std::size_t kLimit = 64;
  const std::string in = head_of_size(kLimit + 1 + 4).substr(0, kLimit + 1);  // no CRLFCRLF
  ASSERT_EQ(in.find("\r\n\r\n"), std::string::npos);
  Parsing p(kBodyLimit, kLimit);
  error_code ec;
  EXPECT_EQ(p.parser.put(in, ec), 0u);
  EXPECT_EQ(ec, bhttp::error::header_limit);
}

TEST(RequestParser, RefusesAWholeHeadOneByteOverTheLimit) {
  EXPECT_EQ(error_of(head_of_size(65), kBodyLimit, 64), bhttp::error::header_limit);
}

TEST(RequestParser, AcceptsAHeadExactlyAtTheLimit) {
  const std::string in = head_of_size(64);
  ASSERT_EQ(in.size(), 64u);
  Parsing p(kBodyLimit, 64);
  const Fed f = feed(p.parser, in);
  ASSERT_FALSE(f.ec) << f.ec.message();
  EXPECT_TRUE(f.done);
  EXPECT_EQ(f.consumed, in.size());
}

TEST(RequestParser, BodyBytesBufferedWithTheHeadDoNotCountAgainstTheHeaderLimit) {
  const std::string head = "POST / HTTP/1.1\r\nContent-Length: 200\r\n\r\n";
  ASSERT_LT(head.size(), 64u);
  Parsing p(kBodyLimit, 64);
  const Fed f = feed(p.parser, head + std::string(200, 'b'));
  ASSERT_FALSE(f.ec) << f.ec.message();
  EXPECT_TRUE(f.done);
  EXPECT_EQ(p.parser.body(), std::string(200, 'b'));
}

TEST(RequestParser, RefusesATrailerSectionOverTheHeaderLimit) {
  const std::string in =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-T: " +
      std::string(200, 'v') + "\r\n\r\n";
  EXPECT_EQ(error_of(in, kBodyLimit, 128), bhttp::error::header_limit);
}

TEST(RequestParser, KeepAliveFollowsTheVersionAndTheConnectionHeader) {
  struct Case {
    const char* head;
    bool keep_alive;
  };
  const Case cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: close ,foo\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: foo\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n", true},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: foo, keep-alive\r\n\r\n", true},
      // RFC 9112 9.3: "close" ends the connection whatever else the field says.
      {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(escaped(c.head));
    Parsing p;
    const Fed f = feed(p.parser, c.head);
    ASSERT_FALSE(f.ec) << f.ec.message();
    ASSERT_TRUE(f.done);
    EXPECT_EQ(p.parser.keep_alive(), c.keep_alive);
  }
}

TEST(RequestParser, AHeadOfferedByteByByteIsConsumedOnlyOnceWhole) {
  Parsing p;
  const std::string head =
      "POST /v1/completions HTTP/1.1\r\nAuthorization: Bearer k3\r\nContent-Length: 2\r\n\r\n";
  const std::string in = head + "hi";
  // The caller keeps what was not consumed and offers it again with one byte more.
  for (std::size_t i = 1; i < head.size(); ++i) {
    error_code ec;
    ASSERT_EQ(p.parser.put(std::string_view(in).substr(0, i), ec), 0u) << "after " << i;
    ASSERT_FALSE(ec) << "after " << i << ": " << ec.message();
    ASSERT_FALSE(p.parser.is_header_done()) << "after " << i;
  }
  error_code ec;
  ASSERT_EQ(p.parser.put(head, ec), head.size());
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(p.parser.is_header_done());
  EXPECT_FALSE(p.parser.is_done());
  EXPECT_EQ(p.parser.target(), "/v1/completions");
  EXPECT_EQ(p.parser.headers().authorization, "Bearer k3");
  const Fed rest = feed_byte_by_byte(p.parser, "hi");
  ASSERT_FALSE(rest.ec) << rest.ec.message();
  EXPECT_TRUE(rest.done);
  EXPECT_EQ(p.parser.body(), "hi");
}

TEST(RequestParser, AChunkedRequestOfferedByteByByteIsAssembled) {
  Parsing p;
  const std::string in =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;x=\"a;b\"\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: v\r\n\r\n";
  const Fed f = feed_byte_by_byte(p.parser, in);
  ASSERT_FALSE(f.ec) << f.ec.message();
  ASSERT_TRUE(f.done);
  EXPECT_EQ(f.consumed, in.size());
  EXPECT_EQ(p.parser.body(), "helloabcdefghijklmnopqrstuvwxyz");
}

TEST(RequestParser, LeavesThePipelinedNextRequestUnconsumed) {
  const std::string next = "GET /next HTTP/1.1\r\n\r\n";
  const std::string firsts[] = {
      "GET /a HTTP/1.1\r\n\r\n",
      "POST /b HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody",
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n",
  };
  for (const std::string& first : firsts) {
    SCOPED_TRACE(escaped(first));
    Parsing p;
    const Fed f = feed(p.parser, first + next);
    ASSERT_FALSE(f.ec) << f.ec.message();
    ASSERT_TRUE(f.done);
    EXPECT_EQ(f.consumed, first.size());
  }
}

TEST(RequestParser, APutThatCompletesTheHeadStopsBeforeTheBody) {
  Parsing p;
  const std::string head = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
  const std::string in = head + "hello";
  error_code ec;
  ASSERT_EQ(p.parser.put(in, ec), head.size());
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(p.parser.is_header_done());
  EXPECT_FALSE(p.parser.is_done());
  EXPECT_EQ(p.parser.headers().expect, "100-continue");
  EXPECT_EQ(p.parser.put(std::string_view(in).substr(head.size()), ec), 5u);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(p.parser.is_done());
  EXPECT_EQ(p.parser.body(), "hello");
}

TEST(RequestParser, ABodyReadStraightIntoItsRoomJoinsTheBytesBufferedBefore) {
  Parsing p;
  const std::string head = "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n";
  error_code ec;
  ASSERT_EQ(p.parser.put(head + "abc", ec), head.size());
  ASSERT_EQ(p.parser.put("abc", ec), 3u);  // the bytes buffered with the head
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(p.parser.body_left(), 7u);

  // A read that brings less than the room offered: the body holds only what came.
  std::span<char> room = p.parser.body_room(4);
  ASSERT_EQ(room.size(), 4u);
  std::memcpy(room.data(), "de", 2);
  p.parser.body_commit(2);
  EXPECT_EQ(p.parser.body(), "abcde");
  EXPECT_EQ(p.parser.body_left(), 5u);
  EXPECT_FALSE(p.parser.is_done());

  // The room never reaches past the body, whatever is asked: a pipelined request's bytes
  // cannot be read into it.
  room = p.parser.body_room(1 << 20);
  ASSERT_EQ(room.size(), 5u);
  std::memcpy(room.data(), "fghij", 5);
  p.parser.body_commit(5);
  EXPECT_TRUE(p.parser.is_done());
  EXPECT_EQ(p.parser.body(), "abcdefghij");
  EXPECT_EQ(p.parser.body_left(), 0u);
}

TEST(RequestParser, NoBodyIsLeftToReadStraightBeforeTheHeadOrForAChunkedBody) {
  Parsing p;
  EXPECT_EQ(p.parser.body_left(), 0u);
  error_code ec;
  const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  ASSERT_EQ(p.parser.put(head, ec), head.size());
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(p.parser.body_left(), 0u);  // chunk framing must go through put()
}

TEST(RequestParser, TheNextRequestOnTheSameStringsSeesNothingOfTheLast) {
  std::string store, body;
  {
    RequestParser first(store, body, kBodyLimit, kHeaderLimit);
    const Fed f = feed(first,
                       "POST /a HTTP/1.1\r\nAuthorization: Bearer one\r\n"
                       "Content-Length: 3\r\n\r\nabc");
    ASSERT_TRUE(f.done);
  }
  RequestParser second(store, body, kBodyLimit, kHeaderLimit);
  const Fed f = feed(second, "GET /b HTTP/1.1\r\n\r\n");
  ASSERT_FALSE(f.ec) << f.ec.message();
  ASSERT_TRUE(f.done);
  EXPECT_EQ(second.method(), "GET");
  EXPECT_EQ(second.target(), "/b");
  EXPECT_EQ(second.headers().authorization, "");
  EXPECT_EQ(second.body(), "");
}

// RFC 9110 6.5.1: a trailer field is not merged into the header section unless its
// definition allows it, and none of the kept ones does.
TEST(RequestParser, AKeptHeaderNameInTheTrailerIsNotTakenForTheHeaders) {
  Parsing p;
  const Fed f = feed(p.parser,
                     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "1\r\na\r\n0\r\nAuthorization: Bearer late\r\nX-Request-Id: late\r\n\r\n");
  ASSERT_FALSE(f.ec) << f.ec.message();
  ASSERT_TRUE(f.done);
  EXPECT_EQ(p.parser.headers().authorization, "");
  EXPECT_EQ(p.parser.headers().request_id, "");
}

// ---------------------------------------------------------------------------------------------
// Rejections

void expect_refused(std::string_view in) {
  Parsing p;
  const Fed f = feed(p.parser, in);
  EXPECT_TRUE(f.ec) << "accepted or waiting: " << escaped(in);
  EXPECT_NE(f.ec, bhttp::error::need_more) << escaped(in);
  EXPECT_FALSE(f.done) << escaped(in);
}

TEST(RequestParserRefuses, ALineFoldedOntoTheOneBefore) {
  expect_refused("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n");
  expect_refused("GET / HTTP/1.1\r\nAuthorization: Bearer\r\n\tk\r\n\r\n");
  expect_refused("GET / HTTP/1.1\r\nX-A: a\r\n  \r\n\r\n");
}

TEST(RequestParserRefuses, WhitespaceBetweenAFieldNameAndItsColon) {
  expect_refused("GET / HTTP/1.1\r\nHost : h\r\n\r\n");
  expect_refused("GET / HTTP/1.1\r\nContent-Length\t: 0\r\n\r\n");
}

TEST(RequestParserRefuses, ALineEndingInABareLf) {
  EXPECT_EQ(error_of("GET / HTTP/1.1\nHost: h\n\n"), bhttp::error::bad_line_ending);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: h\nX-A: a\r\n\r\n"), bhttp::error::bad_line_ending);
  EXPECT_EQ(error_of("GET / HTTP/1.1\nHost: h\r\n\r\n"), bhttp::error::bad_line_ending);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: h\r\n\n"), bhttp::error::bad_line_ending);
}

TEST(RequestParserRefuses, ABareCr) { expect_refused("GET / HTTP/1.1\r\nHost: h\rX-A: a\r\n\r\n"); }

TEST(RequestParserRefuses, ContentLengthTogetherWithTransferEncoding) {
  expect_refused(
      "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n");
  expect_refused(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n");
}

TEST(RequestParserRefuses, TwoContentLengths) {
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"),
            bhttp::error::bad_content_length);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
            bhttp::error::bad_content_length);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc"),
            bhttp::error::bad_content_length);
}

TEST(RequestParserRefuses, AContentLengthThatIsNotDigits) {
  for (const char* value : {"12a", "-1", "", "1 2", "+1", "0x5"}) {
    EXPECT_EQ(error_of("POST / HTTP/1.1\r\nContent-Length: "s + value + "\r\n\r\nabc"),
              bhttp::error::bad_content_length)
        << value;
  }
}

TEST(RequestParserRefuses, AContentLengthOver64Bits) {
  constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();
  for (const char* value : {"18446744073709551616", "99999999999999999999999"}) {
    EXPECT_EQ(error_of("POST / HTTP/1.1\r\nContent-Length: "s + value + "\r\n\r\n", kNoLimit),
              bhttp::error::bad_content_length)
        << value;
  }
  // 2^64 - 1 is a length: the head is read and the body awaited.
  Parsing p(kNoLimit);
  const Fed f = feed(p.parser, "POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n");
  EXPECT_FALSE(f.ec) << f.ec.message();
  EXPECT_TRUE(p.parser.is_header_done());
}

TEST(RequestParserRefuses, ATransferEncodingWhoseLastCodingIsNotChunked) {
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
            bhttp::error::bad_transfer_encoding);
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
                     "3\r\nabc\r\n0\r\n\r\n"),
            bhttp::error::bad_transfer_encoding);
}

TEST(RequestParserRefuses, AVersionOtherThan1x) {
  for (const char* version : {"HTTP/2.0", "HTTP/1", "HTTPS/1.1", "HTTP/0.9", "http/1.1"}) {
    EXPECT_EQ(error_of("GET / "s + version + "\r\n\r\n"), bhttp::error::bad_version) << version;
  }
}

TEST(RequestParserRefuses, AnEmptyMethod) {
  EXPECT_EQ(error_of(" / HTTP/1.1\r\n\r\n"), bhttp::error::bad_method);
}

TEST(RequestParserRefuses, AControlCharacterInAValue) {
  for (const std::string& value : {"a\x01z"s, "a\x7fz"s, "a\0z"s}) {
    EXPECT_EQ(error_of("GET / HTTP/1.1\r\nX-A: " + value + "\r\n\r\n"), bhttp::error::bad_value)
        << escaped(value);
  }
}

TEST(RequestParserRefuses, ABadChunkSize) {
  for (const char* size : {"zz", "", "11111111111111111", "-1"}) {
    EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"s + size +
                       "\r\nabc\r\n0\r\n\r\n"),
              bhttp::error::bad_chunk)
        << size;
  }
}

TEST(RequestParserRefuses, ChunkDataNotFollowedByCrlf) {
  EXPECT_EQ(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhelloX\r\n0\r\n\r\n"),
            bhttp::error::bad_chunk);
}

// ---------------------------------------------------------------------------------------------
// Against Beast: both parsers read the same inputs, offered whole.

// What one parser made of an input.
struct Verdict {
  enum Kind { kIncomplete, kRejected, kAccepted } kind = kIncomplete;
  error_code ec;
  std::size_t consumed = 0;
  std::string method, target, body;
  bool keep_alive = false;
  std::vector<std::string> kept;  // values in the order of kKeptNames, "" when absent
};

constexpr std::string_view kKeptNames[] = {"authorization", "content-type", "if-match", "expect",
                                           "x-request-id"};

Verdict ours(std::string_view in) {
  Parsing p;
  const Fed f = feed(p.parser, in);
  Verdict v;
  v.ec = f.ec;
  v.consumed = f.consumed;
  if (f.ec) {
    v.kind = Verdict::kRejected;
  } else if (f.done) {
    v.kind = Verdict::kAccepted;
    v.method = p.parser.method();
    v.target = p.parser.target();
    v.body = p.parser.body();
    v.keep_alive = p.parser.keep_alive();
    const RequestHeaders h = p.parser.headers();
    v.kept = {std::string(h.authorization), std::string(h.content_type), std::string(h.if_match),
              std::string(h.expect), std::string(h.request_id)};
  }
  return v;
}

std::string str(boost::core::string_view s) { return std::string(s.data(), s.size()); }

Verdict beasts(std::string_view in) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.body_limit(kBodyLimit);
  parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
  Verdict v;
  while (!parser.is_done() && v.consumed < in.size()) {
    error_code ec;
    const std::size_t n =
        parser.put(boost::asio::const_buffer(in.data() + v.consumed, in.size() - v.consumed), ec);
    v.consumed += n;
    if (ec == bhttp::error::need_more) {
      if (n > 0) continue;
      break;
    }
    if (ec) {
      v.kind = Verdict::kRejected;
      v.ec = ec;
      return v;
    }
    if (n == 0) break;
  }
  if (!parser.is_done()) return v;
  v.kind = Verdict::kAccepted;
  const auto& m = parser.get();
  v.method = str(m.method_string());
  v.target = str(m.target());
  v.body = m.body();
  v.keep_alive = parser.keep_alive();
  v.kept.assign(std::size(kKeptNames), "");
  std::vector<bool> seen(std::size(kKeptNames), false);
  // In the order received. Beast adds trailer fields too, after the head's; no input here has
  // a kept name in its trailer.
  for (const auto& field : m) {
    for (std::size_t i = 0; i < std::size(kKeptNames); ++i) {
      if (!seen[i] && boost::beast::iequals(field.name_string(), kKeptNames[i])) {
        seen[i] = true;
        v.kept[i] = str(field.value());
      }
    }
  }
  return v;
}

std::string show(const Verdict& v) {
  switch (v.kind) {
    case Verdict::kIncomplete:
      return "needs more after " + std::to_string(v.consumed) + " bytes";
    case Verdict::kRejected:
      return "refused: " + v.ec.message();
    case Verdict::kAccepted:
      break;
  }
  std::string s = "accepted " + std::to_string(v.consumed) + " bytes: " + escaped(v.method) + " " +
                  escaped(v.target) + (v.keep_alive ? " keep-alive" : " close") + " body=\"" +
                  escaped(v.body) + "\"";
  for (std::size_t i = 0; i < v.kept.size(); ++i) {
    if (!v.kept[i].empty())
      s += " " + std::string(kKeptNames[i]) + "=\"" + escaped(v.kept[i]) + "\"";
  }
  return s;
}

// Where two accepted requests differ; empty when they agree.
std::string differences(const Verdict& a, const Verdict& b) {
  std::string d;
  if (a.consumed != b.consumed) d += " consumed";
  if (a.method != b.method) d += " method";
  if (a.target != b.target) d += " target";
  if (a.body != b.body) d += " body";
  if (a.keep_alive != b.keep_alive) d += " keep_alive";
  for (std::size_t i = 0; i < a.kept.size(); ++i) {
    if (a.kept[i] != b.kept[i]) d += " " + std::string(kKeptNames[i]);
  }
  return d;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A control character other than HTAB: what no field value, chunk extension or target holds.
bool has_control(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

// method SP request-target SP HTTP/d.d, as both parsers read a request line.
bool well_formed_request_line(std::string_view line) {
  const std::size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return false;
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == sp1 + 1 || sp2 == std::string_view::npos) return false;
  const std::string_view version = line.substr(sp2 + 1);
  return version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
         std::isdigit(static_cast<unsigned char>(version[5])) && version[6] == '.' &&
         std::isdigit(static_cast<unsigned char>(version[7]));
}

// field-name ":" field-value, no control character but HTAB.
bool well_formed_field_line(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && is_tchar(line[i])) ++i;
  return i > 0 && i < line.size() && line[i] == ':' && !has_control(line.substr(i + 1));
}

// What a reading of `in` by RFC 9112's grammar finds that lets our parser refuse it where
// Beast accepts it or reads on. Reasons marked `early` make the input invalid whatever
// follows, so they excuse only refusing sooner than Beast, never refusing what it accepts.
struct Finding {
  std::string why;
  bool early = false;
};

// Whether a chunk extension part opens a quoted string that its line does not close.
bool has_unclosed_quote(std::string_view ext) {
  bool quoted = false;
  for (std::size_t i = 0; i < ext.size(); ++i) {
    if (quoted && ext[i] == '\\') {
      ++i;
    } else if (ext[i] == '"') {
      quoted = !quoted;
    }
  }
  return quoted;
}

std::vector<Finding> findings(std::string_view in) {
  std::vector<Finding> out;
  const auto note = [&out](std::string why, bool early = false) {
    out.push_back({std::move(why), early});
  };
  const std::size_t first_eol = in.find("\r\n");
  if (first_eol != std::string_view::npos && !well_formed_request_line(in.substr(0, first_eol))) {
    note("request line malformed (Beast waits for 8 version bytes)", true);
  }
  const std::size_t head_end = in.find("\r\n\r\n");
  const std::string_view head =
      in.substr(0, head_end == std::string_view::npos ? in.size() : head_end + 2);
  if (has_bare_lf(head)) note("bare LF in the head");
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < head.size();) {
    std::size_t eol = head.find("\r\n", at);
    if (eol == std::string_view::npos) eol = head.size();
    lines.push_back(head.substr(at, eol - at));
    at = eol + 2;
  }
  std::vector<std::string> codings;
  bool has_te = false;
  int lengths = 0;
  bool length_list = false;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (!lines[i].empty() && (lines[i][0] == ' ' || lines[i][0] == '\t')) note("obs-fold");
    const std::size_t colon = lines[i].find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = lower(lines[i].substr(0, colon));
    const std::string_view value = trimmed(lines[i].substr(colon + 1));
    if (name == "transfer-encoding") {
      has_te = true;
      for (std::size_t at = 0; at <= value.size();) {
        std::size_t comma = value.find(',', at);
        if (comma == std::string_view::npos) comma = value.size();
        const std::string_view coding = trimmed(value.substr(at, comma - at));
        if (!coding.empty()) codings.push_back(lower(coding));
        at = comma + 1;
      }
    } else if (name == "content-length") {
      ++lengths;
      if (value.find(',') != std::string_view::npos) length_list = true;
    }
  }
  if (has_te && lengths > 0) note("Content-Length with Transfer-Encoding");
  if (lengths > 1 || length_list)
    note("Content-Length repeated or a list (Beast takes equal ones)");
  if (has_te && (codings.empty() || codings.back() != "chunked")) {
    note("Transfer-Encoding not ending in chunked");
  } else if (has_te && codings.size() > 1) {
    note("Transfer-Encoding with a coding besides chunked (RFC 9112 6.1 allows 501)");
  }
  if (!has_te || codings.empty() || codings.back() != "chunked" ||
      head_end == std::string_view::npos) {
    return out;
  }
  // The chunked body as Beast frames it: size lines up to CRLF, data, CRLF; then the trailer.
  std::size_t at = head_end + 4;
  for (;;) {
    const std::size_t eol = in.find("\r\n", at);
    const std::string_view line = in.substr(at, eol == std::string_view::npos ? in.npos : eol - at);
    if (has_bare_lf(line)) note("bare LF in a chunk line");
    if (has_control(
            line.substr(0, eol == std::string_view::npos && !line.empty() && line.back() == '\r'
                               ? line.size() - 1
                               : line.size()))) {
      note("control character in a chunk line (RFC 9112 7.1.1 grammar has none)");
    }
    if (eol == std::string_view::npos) return out;
    std::uint64_t size = 0;
    std::size_t digits = 0;
    for (; digits < line.size() && digits < 16 &&
           std::isxdigit(static_cast<unsigned char>(line[digits]));
         ++digits) {
      const char c = line[digits];
      size = size * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    if (digits == 0) {
      note("chunk size line without a size", true);
      return out;
    }
    if (has_unclosed_quote(line.substr(digits))) {
      // qdtext and quoted-pair hold no CR or LF (RFC 9110 5.6.4), so the line ends the
      // extension; Beast reads the quoted string on past it.
      note("quoted chunk extension value not closed on its line", true);
      return out;
    }
    if (size == 0) {
      at = eol + 2;
      break;
    }
    if (size > in.size()) return out;
    const std::size_t data_end = eol + 2 + static_cast<std::size_t>(size);
    if (data_end > in.size()) return out;
    if ((data_end < in.size() && in[data_end] != '\r') ||
        (data_end + 1 < in.size() && in[data_end + 1] != '\n')) {
      note("no CRLF after a chunk's data", true);
      return out;
    }
    at = data_end + 2;
  }
  for (; at < in.size();) {  // the trailer section, line by line
    const std::size_t lf = in.find('\n', at);
    if (lf != std::string_view::npos && (lf == at || in[lf - 1] != '\r')) {
      note("bare LF in the trailer");
      return out;
    }
    std::string_view line = in.substr(at, lf == std::string_view::npos ? in.npos : lf - 1 - at);
    if (lf == std::string_view::npos) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find('\r') != std::string_view::npos) note("bare CR in the trailer", true);
      return out;
    }
    if (line.empty()) return out;
    if (line.find('\r') != std::string_view::npos) {
      note("bare CR in the trailer", true);
    } else if (line[0] == ' ' || line[0] == '\t') {
      note("obs-fold in the trailer");
    } else if (!well_formed_field_line(line)) {
      note("trailer line malformed (Beast waits for the trailer's end)", true);
    }
    at = lf + 1;
  }
  return out;
}

// Why ours may refuse `in`: empty when no finding allows it. `early`: Beast needs more.
std::string stricter_by_design(std::string_view in, bool early) {
  for (const Finding& f : findings(in)) {
    if (early || !f.early) return f.why;
  }
  return "";
}

// The part of `in` after the head, lower-cased, to spot fields in the trailer.
std::string after_head(std::string_view in) {
  const std::size_t head_end = in.find("\r\n\r\n");
  return head_end == std::string_view::npos ? "" : lower(in.substr(head_end + 2));
}

// Why ours may accept `in` where Beast refuses it: RFC 9112 allows it and Beast is the
// stricter one. Empty when none applies.
std::string beast_refuses_what_the_rfc_allows(std::string_view in) {
  const std::string_view line = in.substr(0, in.find("\r\n"));
  // RFC 9112 2.3: a higher minor version is read as the highest one the recipient knows.
  if (line.size() >= 8 && line.substr(line.size() - 8, 7) == "HTTP/1." && line.back() >= '2' &&
      line.back() <= '9') {
    return "HTTP/1.x for x over 1";
  }
  // RFC 9110 6.5.1: framing fields are not processed from a trailer; Beast applies them.
  const std::string rest = after_head(in);
  if (rest.find("\r\ncontent-length:") != std::string::npos ||
      rest.find("\r\ntransfer-encoding:") != std::string::npos) {
    return "a framing field in the trailer";
  }
  return "";
}

// Why both may accept `in` and still differ, each side right by the RFC or by a choice
// reported for review. Empty when none applies.
std::string allowed_difference(std::string_view in, const Verdict& a, const Verdict& b) {
  if (differences(a, b) != " keep_alive") return "";
  const std::size_t head_end = in.find("\r\n\r\n");
  const std::string head = lower(in.substr(0, head_end));
  if (head.find("\r\nproxy-connection:") != std::string::npos) {
    return "Proxy-Connection: Beast honours it, RFC 9110 does not define it";
  }
  if (head.find(" http/1.0\r\n") != std::string::npos && head.find("close") != std::string::npos &&
      head.find("keep-alive") != std::string::npos && !a.keep_alive) {
    return "HTTP/1.0 with close and keep-alive: RFC 9112 9.3 closes, Beast keeps alive";
  }
  if (after_head(in).find("\r\nconnection:") != std::string::npos) {
    return "Connection in the trailer: Beast applies it, RFC 9110 6.5.1 does not";
  }
  if (head.find(" http/1.0\r\n") != std::string::npos &&
      head.find("\r\ntransfer-encoding:") != std::string::npos && !a.keep_alive) {
    return "HTTP/1.0 with Transfer-Encoding: RFC 9112 6.1 closes after it, Beast keeps alive";
  }
  return "";
}

// Counts of what the comparison found. Unexplained disagreements are grouped by kind, and
// a few of each kind reported in full.
struct Tally {
  int compared = 0;
  int both_accepted = 0;
  std::map<std::string, int> ours_stricter;   // reason → inputs
  std::map<std::string, int> beast_stricter;  // reason → inputs
  std::map<std::string, int> differ_allowed;  // reason → inputs
  int ours_later = 0;                         // ours needs more where Beast has refused already
  std::vector<std::string> ours_later_samples;
  std::map<std::string, int> unexplained;  // kind → inputs
  int total_unexplained = 0;
};

constexpr int kReportedPerKind = 3;

void compare(std::string_view in, Tally& t) {
  const Verdict a = ours(in);
  const Verdict b = beasts(in);
  ++t.compared;
  std::string problem;
  if (a.kind == Verdict::kAccepted && b.kind == Verdict::kAccepted) {
    ++t.both_accepted;
    const std::string d = differences(a, b);
    if (d.empty()) return;
    const std::string why = allowed_difference(in, a, b);
    if (!why.empty()) {
      ++t.differ_allowed[why];
      std::printf("  both accept, differ (%s): \"%s\"\n", why.c_str(), escaped(in).c_str());
      return;
    }
    problem = "both accept, and differ in" + d;
  } else if (a.kind == b.kind) {
    return;
  } else if (a.kind == Verdict::kRejected) {
    const std::string why = stricter_by_design(in, b.kind == Verdict::kIncomplete);
    if (!why.empty()) {
      ++t.ours_stricter[why];
      return;
    }
    problem = b.kind == Verdict::kAccepted ? "ours refuses what Beast accepts"
                                           : "ours refuses where Beast needs more";
  } else if (a.kind == Verdict::kIncomplete && b.kind == Verdict::kRejected) {
    // Ours finds the head's end before reading it, so it sees some errors only later; the
    // same bytes with a head's end after them must not pass.
    if (++t.ours_later <= 5) t.ours_later_samples.push_back(escaped(in));
    if (in.size() < 4 || in.substr(in.size() - 4) != "\r\n\r\n") {
      compare(std::string(in) + "\r\n\r\n", t);
    }
    return;
  } else if (a.kind == Verdict::kAccepted && b.kind == Verdict::kRejected) {
    const std::string why = beast_refuses_what_the_rfc_allows(in);
    if (!why.empty()) {
      ++t.beast_stricter[why];
      std::printf("  Beast refuses, RFC 9112 allows (%s): \"%s\"\n", why.c_str(),
                  escaped(in).c_str());
      return;
    }
    problem = "ours accepts what Beast refuses";
  } else {
    problem = "one needs more where the other has a whole request";
  }
  ++t.total_unexplained;
  const auto brief = [](const Verdict& v) {
    return v.kind == Verdict::kAccepted   ? std::string("accepts")
           : v.kind == Verdict::kRejected ? "refuses (" + v.ec.message() + ")"
                                          : std::string("needs more");
  };
  const std::string kind = problem + ": ours " + brief(a) + ", beast " + brief(b);
  if (++t.unexplained[kind] <= kReportedPerKind) {
    ADD_FAILURE() << problem << "\n  input: \"" << escaped(in) << "\"\n  ours:  " << show(a)
                  << "\n  beast: " << show(b);
  }
}

void print(const Tally& t) {
  std::printf("compared %d inputs, both accepted %d, unexplained %d\n", t.compared, t.both_accepted,
              t.total_unexplained);
  for (const auto& [why, n] : t.ours_stricter)
    std::printf("  ours stricter (%s): %d\n", why.c_str(), n);
  for (const auto& [why, n] : t.beast_stricter) {
    std::printf("  Beast stricter (%s): %d\n", why.c_str(), n);
  }
  for (const auto& [why, n] : t.differ_allowed) std::printf("  differ (%s): %d\n", why.c_str(), n);
  std::printf("  ours needs more where Beast has refused: %d\n", t.ours_later);
  for (const std::string& s : t.ours_later_samples) std::printf("    e.g. \"%s\"\n", s.c_str());
  for (const auto& [kind, n] : t.unexplained)
    std::printf("  UNEXPLAINED %s: %d\n", kind.c_str(), n);
}

// Valid requests: methods, targets, both framings, extensions, trailers, versions and
// Connection variants. Bodies hold no CR or LF, so that mutations read unambiguously.
const std::vector<std::string>& valid_requests() {
  static const std::vector<std::string> requests = {
      "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
      "GET /v1/models?limit=10 HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer sk-123\r\n"
      "X-Request-Id: req-1\r\nAccept: */*\r\n\r\n",
      "POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer k1\r\n"
      "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
      "POST /v1/embeddings HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
      "5;name=val\r\nhello\r\nA;q=\"x y\"\r\n0123456789\r\n0\r\nX-T: v\r\n\r\n",
      "GET /old HTTP/1.0\r\nUser-Agent: t\r\n\r\n",
      "POST /k HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc",
      "GET /x HTTP/1.1\r\nConnection: close\r\nIf-Match: \"3\"\r\n\r\n",
      "PUT /admin/keys/1 HTTP/1.1\r\nConnection: foo, close\r\nIf-Match: W/\"7\"\r\n"
      "Content-Length: 2\r\n\r\n{}",
      "POST /v1/completions HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n"
      "Authorization:\tBearer  tab \t\r\n\r\nhello",
      "DELETE /v1/files/f-1 HTTP/1.1\r\nauthorization: Basic YQ==\r\nCONTENT-TYPE: text/plain\r\n"
      "x-request-id: abc\r\ncontent-length: 0\r\n\r\n",
      "GET / HTTP/1.1\r\nAuthorization:\r\nAuthorization: Bearer second\r\nX-Request-Id: \r\n"
      "X-Empty:\r\n\r\n",
      "POST /u HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n",
      "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
      "POST /p HTTP/1.1\r\nContent-Length: 4\r\n\r\nbodyGET /n HTTP/1.1\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET http://example.com/x?y=1 HTTP/1.1\r\nConnection: keep-alive\r\n\r\n",
      "POST /t HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0;end\r\nX-A: 1\r\nX-B: 2\r\n\r\n",
      "POST /v1/audio HTTP/1.0\r\nContent-Length: 3\r\n\r\nxyz",
  };
  return requests;
}

// Each request with one byte deleted, replaced or inserted anywhere, cut anywhere, and cut
// anywhere then given a head's end.
std::vector<std::string> mutations_of(const std::string& in) {
  static constexpr char kBytes[] = {'\0', '\n', '\r', ' ',    '\t', ':',
                                    ',',  ';',  '"',  '\x80', 'x',  '0'};
  std::vector<std::string> out;
  for (std::size_t i = 0; i <= in.size(); ++i) {
    if (i < in.size()) {
      out.push_back(in.substr(0, i) + in.substr(i + 1));
      out.push_back(in.substr(0, i));
      out.push_back(in.substr(0, i) + "\r\n\r\n");
    }
    for (char c : kBytes) {
      if (i < in.size() && in[i] != c) {
        std::string replaced = in;
        replaced[i] = c;
        out.push_back(std::move(replaced));
      }
      out.push_back(in.substr(0, i) + c + in.substr(i));
    }
  }
  return out;
}

// Ours alone: the same verdict whether the bytes come at once or one at a time.
TEST(RequestParser, ReadsMutatedRequestsTheSameWholeOrByteByByte) {
  int differing = 0;
  for (const std::string& valid : valid_requests()) {
    for (const std::string& in : mutations_of(valid)) {
      const Verdict whole = ours(in);
      Parsing p;
      const Fed f = feed_byte_by_byte(p.parser, in);
      // After an error the count consumed is moot: the connection is closed.
      const bool same =
          whole.ec == f.ec &&
          (f.ec ||
           (whole.consumed == f.consumed && (whole.kind == Verdict::kAccepted) == f.done &&
            (!f.done || (whole.body == p.parser.body() && whole.target == p.parser.target() &&
                         whole.kept[0] == p.parser.headers().authorization))));
      if (!same && ++differing <= 10) {
        ADD_FAILURE() << "input: \"" << escaped(in) << "\"\n  whole: " << show(whole)
                      << "\n  byte by byte: " << (f.ec ? f.ec.message() : "ok") << ", "
                      << f.consumed << " bytes, " << (f.done ? "done" : "not done");
      }
    }
  }
  EXPECT_EQ(differing, 0);
}

TEST(RequestParserAgainstBeast, BothAcceptTheValidRequestsAlike) {
  Tally t;
  for (const std::string& in : valid_requests()) {
    SCOPED_TRACE(escaped(in));
    EXPECT_EQ(ours(in).kind, Verdict::kAccepted) << show(ours(in));
    EXPECT_EQ(beasts(in).kind, Verdict::kAccepted) << show(beasts(in));
    compare(in, t);
  }
  EXPECT_EQ(t.total_unexplained, 0);
}

TEST(RequestParserAgainstBeast, MutatedRequestsAgreeOrOursIsStricterByDesign) {
  Tally t;
  for (const std::string& valid : valid_requests()) {
    for (const std::string& in : mutations_of(valid)) compare(in, t);
  }
  print(t);
  EXPECT_EQ(t.total_unexplained, 0);
}

// Edge cases where the two are likeliest to part, each compared the same way.
TEST(RequestParserAgainstBeast, EdgeCasesAgreeOrOursIsStricterByDesign) {
  const std::string chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::vector<std::string> inputs = {
      "GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n",
      "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: close,,\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: ,close\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: clo se\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: close;x\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection:\r\n\r\n",
      "GET / HTTP/1.2\r\n\r\n",
      "GET / HTTP/1.9\r\n\r\n",
      "\r\nGET / HTTP/1.1\r\n\r\n",
      "get / HTTP/1.1\r\n\r\n",
      "GET /\x80\xff HTTP/1.1\r\n\r\n",
      "GET /a\"b<c>{d}|e^f`g\\h HTTP/1.1\r\n\r\n",
      "GET  / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1 \r\n\r\n",
      "GET / HTTP/1.1\r\nX!#$%&'*+-.^_`|~: v\r\n\r\n",
      "GET / HTTP/1.1\r\nX-A: \x80\xff obs-text\r\n\r\n",
      "GET / HTTP/1.1\r\n: empty-name\r\n\r\n",
      "GET / HTTP/1.1\r\nX-A\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length:  0005 \t\r\n\r\nhello",
      "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
      "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc",
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: \tchunked \r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: ,chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      chunked + "0005\r\nhello\r\n0\r\n\r\n",
      chunked + "5 ;a=b\r\nhello\r\n0\r\n\r\n",
      chunked + "5; a = b\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=\"x\\\"y\"\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=\"x\r\nhello\r\n0\r\n\r\n",
      chunked + "5 \r\nhello\r\n0\r\n\r\n",
      chunked + "5;\r\nhello\r\n0\r\n\r\n",
      chunked + "5;=b\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=b c\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a\x01\r\nhello\r\n0\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nX-T: a\x01\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nno colon\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nConnection: close\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n",
      chunked + "5\r\nhello\r\n00\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n",
      chunked + "5\r\nhel\nlo\r\n0\r\n\r\n",
      chunked + "0\r\n\r\n",
  };
  Tally t;
  for (const std::string& in : inputs) compare(in, t);
  print(t);
  EXPECT_EQ(t.total_unexplained, 0);
}

}  // namespace
}  // namespace plinth::http::detail
