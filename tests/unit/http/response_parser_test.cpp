// ResponseParser: what it keeps of a response, how it frames a body and hands it on, what it
// refuses (RFC 9112), and a differential run against Beast's response_parser over valid
// responses and their mutations.
#include "http/detail/response_parser.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/sse_parser.h"
#include "message_text.h"

namespace plinth::http::detail {
namespace {

namespace bhttp = boost::beast::http;
using test::escaped;
using test::has_bare_lf;
using test::trimmed;
using boost::system::error_code;
using namespace std::string_literals;

constexpr std::size_t kHeaderLimit = 8 * 1024;
constexpr std::size_t kBodyLimit = 1024 * 1024;

error_code err(bhttp::error e) { return make_error_code(e); }

// The content type the parser writes, the string it collects a body into, and the parser.
struct Parsing {
  explicit Parsing(std::size_t header_limit = kHeaderLimit) : parser(content_type, header_limit) {}
  std::string content_type = "stale";  // the parser clears it
  std::string body;
  ResponseParser parser;
};

struct Fed {
  error_code ec;
  std::size_t consumed = 0;
  std::size_t head = 0;  // what the put that completed the head consumed; 0 when none did
  bool done = false;
};

// Where the body goes; called once, right after the put that completes the head.
using Destination = std::function<void(ResponseParser&)>;

Destination collect(std::string& body, std::size_t limit = kBodyLimit) {
  return [&body, limit](ResponseParser& parser) { parser.collect_into(&body, limit); };
}

// One put of `pending`, checked against put's contract; sets the body's destination when it
// completes the head.
std::size_t put_checked(ResponseParser& parser, std::string_view pending, const Destination& to,
                        Fed& f) {
  const bool had_head = parser.is_header_done();
  const std::size_t n = parser.put(pending, f.ec);
  if (n > pending.size()) {
    ADD_FAILURE() << "put consumed " << n << " of " << pending.size() << " bytes";
    f.ec = err(bhttp::error::stale_parser);
    return 0;
  }
  if (!had_head && parser.is_header_done()) {
    f.head = n;
    to(parser);
  }
  return n;
}

// Offers `in` whole, then what each put left, as response_reader.h does with what it has
// buffered: until the response is done, an error, or a put that consumes nothing.
Fed feed(ResponseParser& parser, std::string_view in, const Destination& to) {
  Fed f;
  while (!parser.is_done()) {
    const std::size_t n = put_checked(parser, in.substr(f.consumed), to, f);
    f.consumed += n;
    if (f.ec || n == 0) break;
  }
  f.done = parser.is_done();
  return f;
}

Fed feed(Parsing& p, std::string_view in, std::size_t limit = kBodyLimit) {
  return feed(p.parser, in, collect(p.body, limit));
}

// As feed, then the connection ends where the response is not done yet.
Fed feed_then_eof(Parsing& p, std::string_view in, std::size_t limit = kBodyLimit) {
  Fed f = feed(p, in, limit);
  if (!f.ec && !f.done) {
    p.parser.put_eof(f.ec);
    f.done = p.parser.is_done();
  }
  return f;
}

// Offers the bytes one more at a time, each time after those the parser left unconsumed, as
// a connection whose every read brings one byte does.
Fed feed_byte_by_byte(Parsing& p, std::string_view in) {
  Fed f;
  const Destination to = collect(p.body);
  std::string pending;
  for (std::size_t i = 0; i < in.size() && !p.parser.is_done() && !f.ec; ++i) {
    pending.push_back(in[i]);
    while (!p.parser.is_done()) {  // one byte may end the head and then start the body
      const std::size_t n = put_checked(p.parser, pending, to, f);
      pending.erase(0, n);
      f.consumed += n;
      if (f.ec || n == 0) break;
    }
  }
  f.done = p.parser.is_done();
  return f;
}

// The error `in`, offered whole and then ended, comes to.
error_code error_of(std::string_view in, std::size_t header_limit = kHeaderLimit) {
  Parsing p(header_limit);
  return feed_then_eof(p, in).ec;
}

// One chunk of a chunked body holding `data`.
std::string chunk(std::string_view data) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

// ---------------------------------------------------------------------------------------------
// Behaviour

TEST(ResponseParser, KeepsTheStatusTheFirstContentTypeAndAContentLengthBody) {
  const std::string head =
      "HTTP/1.1 201 Created\r\ncontent-TYPE:  application/json \t\r\n"
      "Content-Type: text/plain\r\nContent-Length: 7\r\n\r\n";
  Parsing p;
  const Fed f = feed(p, head + "{\"a\":1}");
  EXPECT_FALSE(f.ec) << f.ec.message();
  EXPECT_TRUE(f.done);
  EXPECT_EQ(f.head, head.size());
  EXPECT_EQ(f.consumed, head.size() + 7);
  EXPECT_EQ(p.parser.status(), 201);
  EXPECT_EQ(p.content_type, "application/json");
  EXPECT_EQ(p.body, "{\"a\":1}");
  EXPECT_EQ(p.parser.content_length(), std::optional<std::uint64_t>(7));
  EXPECT_TRUE(p.parser.keep_alive());
  EXPECT_FALSE(p.parser.over_limit());
}

TEST(ResponseParser, AnEmptyFirstContentTypeStillCounts) {
  Parsing p;
  feed(p, "HTTP/1.1 200 OK\r\nContent-Type:\r\nContent-Type: text/plain\r\n"
          "Content-Length: 0\r\n\r\n");
  EXPECT_TRUE(p.parser.is_done());
  EXPECT_EQ(p.content_type, "");
}

TEST(ResponseParser, ThePutThatCompletesTheHeadConsumesOnlyTheHead) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  const std::string in = head + "hello";
  Parsing p;
  error_code ec;
  EXPECT_FALSE(p.parser.is_header_done());
  EXPECT_EQ(p.parser.content_length(), std::nullopt);  // not until the head is done
  ASSERT_EQ(p.parser.put(in, ec), head.size());
  EXPECT_FALSE(ec);
  EXPECT_TRUE(p.parser.is_header_done());
  EXPECT_FALSE(p.parser.is_done());
  EXPECT_EQ(p.parser.content_length(), std::optional<std::uint64_t>(5));

  p.parser.collect_into(&p.body, kBodyLimit);
  EXPECT_EQ(p.parser.put(std::string_view(in).substr(head.size()), ec), 5u);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(p.parser.is_done());
  EXPECT_EQ(p.body, "hello");
}

TEST(ResponseParser, ContentLengthIsNoneForAChunkedOrCloseDelimitedBody) {
  Parsing chunked;
  feed(chunked, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(chunked.parser.is_header_done());
  EXPECT_EQ(chunked.parser.content_length(), std::nullopt);

  Parsing until_close;
  feed(until_close, "HTTP/1.1 200 OK\r\n\r\n");
  ASSERT_TRUE(until_close.parser.is_header_done());
  EXPECT_EQ(until_close.parser.content_length(), std::nullopt);

  Parsing empty;
  feed(empty, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(empty.parser.is_done());
  EXPECT_EQ(empty.parser.content_length(), std::optional<std::uint64_t>(0));
}

TEST(ResponseParser, AssemblesAChunkedBodyWithExtensionsAndTrailers) {
  const std::string in =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
      "5;name=value\r\nhello\r\nA ; a=\"x y\";b\r\n, world!!!\r\n"
      "0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";
  Parsing p;
  const Fed f = feed(p, in);
  EXPECT_FALSE(f.ec) << f.ec.message();
  EXPECT_TRUE(f.done);
  EXPECT_EQ(f.consumed, in.size());
  EXPECT_EQ(p.body, "hello, world!!!");
  EXPECT_EQ(p.content_type, "text/plain");
  EXPECT_TRUE(p.parser.keep_alive());
}

TEST(ResponseParser, ReadsChunkSizesInHexOfEitherCaseWithLeadingZeros) {
  Parsing p;
  const Fed f = feed(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
                        "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n001A\r\nABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n"
                        "000\r\n\r\n");
  EXPECT_FALSE(f.ec) << f.ec.message();
  EXPECT_TRUE(f.done);
  EXPECT_EQ(p.body, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
}

TEST(ResponseParser, HandsAnEventStreamBodyToTheSseParser) {
  const std::string in =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunk("data: {\"delta\":\"Hi\"}\n") + chunk("\n") +  // an event split across two chunks
      chunk("event: done\ndata: [DONE]\n\n: comment\n") + "0\r\n\r\n";
  Parsing p;
  SseParser sse;
  const Fed f = feed(p.parser, in, [&sse](ResponseParser& parser) { parser.feed_events_to(&sse); });
  EXPECT_FALSE(f.ec) << f.ec.message();
  EXPECT_TRUE(f.done);
  EXPECT_EQ(p.content_type, "text/event-stream");
  EXPECT_EQ(p.body, "");  // nothing collected

  std::vector<std::pair<std::string, std::string>> events;
  SseEvent event;
  while (sse.next(event)) events.emplace_back(std::string(event.event), std::string(event.data));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], std::make_pair(""s, "{\"delta\":\"Hi\"}"s));
  EXPECT_EQ(events[1], std::make_pair("done"s, "[DONE]"s));
  EXPECT_EQ(sse.pending(), 0u);
}

TEST(ResponseParser, HandsAContentLengthEventStreamToTheSseParser) {
  const std::string body = "data: one\n\ndata: two\n\n";
  const std::string in = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body;
  Parsing p;
  SseParser sse;
  const Fed f = feed(p.parser, in, [&sse](ResponseParser& parser) { parser.feed_events_to(&sse); });
  EXPECT_TRUE(f.done);
  SseEvent event;
  ASSERT_TRUE(sse.next(event));
  EXPECT_EQ(event.data, "one");
  ASSERT_TRUE(sse.next(event));
  EXPECT_EQ(event.data, "two");
  EXPECT_FALSE(sse.next(event));
}

TEST(ResponseParser, ABodyWithoutFramingLastsUntilTheConnectionEnds) {
  Parsing p;
  Fed f = feed(p, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst part, ");
  EXPECT_FALSE(f.ec);
  EXPECT_TRUE(p.parser.is_header_done());
  EXPECT_FALSE(p.parser.is_done());
  EXPECT_TRUE(p.parser.need_eof());
  EXPECT_FALSE(p.parser.keep_alive());
  EXPECT_EQ(p.body, "first part, ");

  error_code ec;
  EXPECT_EQ(p.parser.put("second part", ec), 11u);
  EXPECT_FALSE(ec);
  EXPECT_FALSE(p.parser.is_done());

  p.parser.put_eof(ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(p.parser.is_done());
  EXPECT_FALSE(p.parser.need_eof());
  EXPECT_EQ(p.body, "first part, second part");
}

TEST(ResponseParser, AnEmptyBodyDelimitedByTheConnectionIsDoneAtItsEnd) {
  Parsing p;
  const Fed f = feed_then_eof(p, "HTTP/1.0 200 OK\r\n\r\n");
  EXPECT_FALSE(f.ec) << f.ec.message();
  EXPECT_TRUE(f.done);
  EXPECT_EQ(p.body, "");
  EXPECT_FALSE(p.parser.keep_alive());
}

TEST(ResponseParser, TheConnectionEndingBeforeTheResponseIsWholeIsAPartialMessage) {
  const std::vector<std::string> unfinished = {
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n",
      "HTTP/1.1 200",
      "H",
  };
  for (const std::string& in : unfinished) {
    SCOPED_TRACE(escaped(in));
    Parsing p;
    const Fed f = feed_then_eof(p, in);
    EXPECT_EQ(f.ec, err(bhttp::error::partial_message));
    EXPECT_FALSE(f.done);
  }
}

TEST(ResponseParser, ResponsesThatCannotHaveABodyAreDoneRightAfterTheHead) {
  for (const std::string status : {"100 Continue", "101 Switching Protocols", "103 Early Hints",
                                   "204 No Content", "304 Not Modified"}) {
    for (const std::string framing : {"Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n",
                                      ""}) {
      const std::string head = "HTTP/1.1 " + status + "\r\n" + framing + "\r\n";
      SCOPED_TRACE(escaped(head));
      Parsing p;
      error_code ec;
      EXPECT_EQ(p.parser.put(head + "hello", ec), head.size());
      EXPECT_FALSE(ec) << ec.message();
      EXPECT_TRUE(p.parser.is_done());
      EXPECT_FALSE(p.parser.need_eof());
      EXPECT_TRUE(p.parser.keep_alive());
      EXPECT_EQ(p.parser.put("hello", ec), 0u);  // what follows belongs to the next response
      EXPECT_TRUE(p.parser.is_done());
    }
  }
}

TEST(ResponseParser, AResponseToHeadHasNoBodyWhateverItsFieldsSay) {
  for (const std::string framing : {"Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n"}) {
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + framing + "\r\n";
    SCOPED_TRACE(escaped(head));
    Parsing p;
    p.parser.skip_body();
    error_code ec;
    EXPECT_EQ(p.parser.put(head + "HTTP/1.1 200 OK\r\n", ec), head.size());
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(p.parser.is_done());
    EXPECT_TRUE(p.parser.keep_alive());
    EXPECT_EQ(p.parser.status(), 200);
    EXPECT_EQ(p.content_type, "text/plain");
  }
  // Without framing too: not a body that lasts until the connection's end.
  Parsing p;
  p.parser.skip_body();
  const Fed f = feed(p, "HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_TRUE(f.done);
  EXPECT_FALSE(p.parser.need_eof());
  EXPECT_TRUE(p.parser.keep_alive());
}

TEST(ResponseParser, KeepAliveFollowsTheVersionAndTheConnectionHeader) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"HTTP/1.1 200 OK\r\n", true},
      {"HTTP/1.1 200 OK\r\nConnection: close\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: CLOSE\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: upgrade\r\nConnection: close\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n", true},
      {"HTTP/1.1 200 OK\r\nConnection: closed\r\n", true},
      {"HTTP/1.0 200 OK\r\n", false},
      {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n", true},
      {"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n", true},
      {"HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n", false},
      {"HTTP/1.0 200 OK\r\nConnection: close\r\n", false},
  };
  for (const auto& [start, keep_alive] : cases) {
    const std::string in = start + "Content-Length: 2\r\n\r\nok";
    SCOPED_TRACE(escaped(in));
    Parsing p;
    const Fed f = feed(p, in);
    EXPECT_FALSE(f.ec) << f.ec.message();
    EXPECT_TRUE(f.done);
    EXPECT_EQ(p.parser.keep_alive(), keep_alive);
  }
}

// RFC 9112 §6.1: "A server or client that receives an HTTP/1.0 message containing a
// Transfer-Encoding header field MUST treat the message as if the framing is faulty, even if a
// Content-Length is present, and close the connection after processing the message."
TEST(ResponseParser, AnHttp10ResponseWithTransferEncodingDoesNotKeepTheConnection) {
  Parsing p;
  const Fed f = feed_then_eof(p, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
                                 "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  if (!f.ec) {
    EXPECT_FALSE(p.parser.keep_alive()) << "accepted, and keeps the connection";
  }
}

TEST(ResponseParser, RefusesABodyPastTheCollectLimit) {
  const std::vector<std::string> over = {
      "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\n\r\nhello world",
  };
  for (const std::string& in : over) {
    SCOPED_TRACE(escaped(in));
    Parsing p;
    const Fed f = feed(p, in, 10);
    EXPECT_EQ(f.ec, err(bhttp::error::body_limit));
    EXPECT_TRUE(p.parser.over_limit());
    EXPECT_FALSE(f.done);
    EXPECT_LE(p.body.size(), 10u);
  }
}

TEST(ResponseParser, AcceptsABodyExactlyAtTheCollectLimit) {
  const std::vector<std::string> at_limit = {
      "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
  };
  for (const std::string& in : at_limit) {
    SCOPED_TRACE(escaped(in));
    Parsing p;
    const Fed f = feed(p, in, 11);
    EXPECT_FALSE(f.ec) << f.ec.message();
    EXPECT_TRUE(f.done);
    EXPECT_FALSE(p.parser.over_limit());
    EXPECT_EQ(p.body, "hello world");
  }
}

TEST(ResponseParser, AHeadOfferedByteByByteIsConsumedOnlyOnceWhole) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n";
  Parsing p;
  std::string pending;
  for (std::size_t i = 0; i < head.size(); ++i) {
    pending.push_back(head[i]);
    error_code ec;
    const std::size_t n = p.parser.put(pending, ec);
    ASSERT_FALSE(ec) << "after byte " << i << ": " << ec.message();
    if (i + 1 < head.size()) {
      ASSERT_EQ(n, 0u) << "after byte " << i;
      ASSERT_FALSE(p.parser.is_header_done()) << "after byte " << i;
    } else {
      EXPECT_EQ(n, head.size());
      EXPECT_TRUE(p.parser.is_header_done());
    }
  }
  EXPECT_EQ(p.content_type, "application/json");
  p.parser.collect_into(&p.body, kBodyLimit);
  error_code ec;
  EXPECT_EQ(p.parser.put("{", ec), 1u);
  EXPECT_EQ(p.parser.put("}", ec), 1u);
  EXPECT_TRUE(p.parser.is_done());
  EXPECT_EQ(p.body, "{}");
}

TEST(ResponseParser, AChunkedResponseOfferedByteByByteIsAssembled) {
  const std::string in =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=\"v\"\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-T: v\r\n\r\n";
  Parsing p;
  const Fed f = feed_byte_by_byte(p, in);
  EXPECT_FALSE(f.ec) << f.ec.message();
  EXPECT_TRUE(f.done);
  EXPECT_EQ(f.consumed, in.size());
  EXPECT_EQ(p.body, "hello0123456789");
}

TEST(ResponseParser, EveryResponseOfferedByteByByteEndsAsWhenOfferedWhole) {
  const std::vector<std::string> inputs = {
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n2;x=y\r\nbc\r\n0\r\n\r\n",
      "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
  };
  for (const std::string& in : inputs) {
    SCOPED_TRACE(escaped(in));
    Parsing whole, bytes;
    const Fed a = feed(whole, in);
    const Fed b = feed_byte_by_byte(bytes, in);
    EXPECT_EQ(a.ec, b.ec);
    EXPECT_EQ(a.done, b.done);
    EXPECT_EQ(a.consumed, b.consumed);
    EXPECT_EQ(whole.body, bytes.body);
  }
}

TEST(ResponseParser, RefusesAHeadOverTheLimitBeforeItsEndArrives) {
  Parsing p(64);
  const std::string start = "HTTP/1.1 200 OK\r\nX-Pad: " + std::string(100, 'a');
  error_code ec;
  EXPECT_EQ(p.parser.put(start, ec), 0u);
  EXPECT_EQ(ec, err(bhttp::error::header_limit));
}

TEST(ResponseParser, AcceptsAHeadExactlyAtTheLimitAndRefusesOneByteMore) {
  const std::string head = "HTTP/1.1 200 OK\r\nX-Pad: " + std::string(20, 'a') + "\r\n\r\n";
  {
    Parsing p(head.size());
    const Fed f = feed_then_eof(p, head + "body");
    EXPECT_FALSE(f.ec) << f.ec.message();
    EXPECT_EQ(f.head, head.size());
    EXPECT_EQ(p.body, "body");
  }
  Parsing p(head.size() - 1);
  EXPECT_EQ(feed(p, head + "body").ec, err(bhttp::error::header_limit));
}

TEST(ResponseParser, RefusesATrailerSectionOverTheHeaderLimit) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  Parsing p(head.size() + 10);
  const Fed f = feed(p, head + "1\r\na\r\n0\r\nX-Trailer: " + std::string(200, 'b') + "\r\n\r\n");
  EXPECT_EQ(f.ec, err(bhttp::error::header_limit));
}

TEST(ResponseParser, GotSomeOnlyOnceAByteHasArrived) {
  Parsing p;
  EXPECT_FALSE(p.parser.got_some());
  error_code ec;
  EXPECT_EQ(p.parser.put("", ec), 0u);
  EXPECT_FALSE(ec);
  EXPECT_FALSE(p.parser.got_some());
  EXPECT_EQ(p.parser.put("H", ec), 0u);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(p.parser.got_some());
  EXPECT_FALSE(p.parser.is_header_done());
}

TEST(ResponseParser, LeavesThePipelinedNextResponseUnconsumed) {
  const std::string next = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext";
  const std::vector<std::string> firsts = {
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\n",
  };
  for (const std::string& first : firsts) {
    SCOPED_TRACE(escaped(first));
    Parsing p;
    const Fed f = feed(p, first + next);
    EXPECT_FALSE(f.ec) << f.ec.message();
    EXPECT_TRUE(f.done);
    EXPECT_EQ(f.consumed, first.size());
    error_code ec;
    EXPECT_EQ(p.parser.put(next, ec), 0u);

    Parsing again;  // a new parser for the connection's next response
    const Fed g = feed(again, std::string_view(first + next).substr(f.consumed));
    EXPECT_FALSE(g.ec) << g.ec.message();
    EXPECT_TRUE(g.done);
    EXPECT_EQ(again.body, "next");
  }
}

TEST(ResponseParser, AcceptsAStatusLineWithoutAReason) {
  for (const std::string line : {"HTTP/1.1 200 \r\n", "HTTP/1.1 200\r\n"}) {
    const std::string in = line + "Content-Length: 2\r\n\r\nok";
    SCOPED_TRACE(escaped(in));
    Parsing p;
    const Fed f = feed(p, in);
    EXPECT_FALSE(f.ec) << f.ec.message();
    EXPECT_TRUE(f.done);
    EXPECT_EQ(p.parser.status(), 200);
    EXPECT_EQ(p.body, "ok");
  }
}

TEST(ResponseParser, AcceptsAReasonWithTabsAndObsText) {
  Parsing p;
  const Fed f = feed(p, "HTTP/1.1 429 Too\tMany \x80\xff Requests\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(f.ec) << f.ec.message();
  EXPECT_TRUE(f.done);
  EXPECT_EQ(p.parser.status(), 429);
}

TEST(ResponseParser, TheConstructorClearsTheContentType) {
  Parsing p;
  EXPECT_EQ(p.content_type, "");
  feed(p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(p.content_type, "");
}

// ---------------------------------------------------------------------------------------------
// Refusals

TEST(ResponseParserRefuses, ALineFoldedOntoTheOneBefore) {
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nContent-Type: text/\r\n plain\r\nContent-Length: 0\r\n\r\n"),
            err(bhttp::error::bad_field));
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nX-A: a\r\n\tb\r\nContent-Length: 0\r\n\r\n"),
            err(bhttp::error::bad_field));
}

TEST(ResponseParserRefuses, WhitespaceBetweenAFieldNameAndItsColon) {
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n"),
            err(bhttp::error::bad_field));
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nX-A\t: a\r\nContent-Length: 0\r\n\r\n"),
            err(bhttp::error::bad_field));
}

TEST(ResponseParserRefuses, AFieldLineWithoutANameOrAColon) {
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\n: v\r\n\r\n"), err(bhttp::error::bad_field));
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nX-A\r\n\r\n"), err(bhttp::error::bad_field));
}

TEST(ResponseParserRefuses, ALineEndingInABareLf) {
  for (const std::string in : {"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
                               "HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n",
                               "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n",
                               "HTTP/1.1 200 OK\n\n"}) {
    SCOPED_TRACE(escaped(in));
    EXPECT_EQ(error_of(in), err(bhttp::error::bad_line_ending));
  }
}

TEST(ResponseParserRefuses, ABareLfInChunkFraming) {
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"),
            err(bhttp::error::bad_line_ending));
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\n\r\n"),
            err(bhttp::error::bad_line_ending));
}

TEST(ResponseParserRefuses, ContentLengthTogetherWithTransferEncoding) {
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "0\r\n\r\n"),
            err(bhttp::error::bad_transfer_encoding));
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                     "0\r\n\r\n"),
            err(bhttp::error::bad_transfer_encoding));
}

TEST(ResponseParserRefuses, TwoContentLengthsEvenEqual) {
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"),
            err(bhttp::error::bad_content_length));
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
            err(bhttp::error::bad_content_length));
}

TEST(ResponseParserRefuses, AContentLengthThatIsNotOneDecimalNumber) {
  for (const std::string value : {"", "-1", "+3", "3 3", "3, 3", "0x3", "abc", "3a", "1e3",
                                  "18446744073709551616", "99999999999999999999"}) {
    const std::string in = "HTTP/1.1 200 OK\r\nContent-Length: " + value + "\r\n\r\nabc";
    SCOPED_TRACE(escaped(in));
    EXPECT_EQ(error_of(in), err(bhttp::error::bad_content_length));
  }
}

TEST(ResponseParserRefuses, ATransferEncodingOtherThanOneChunked) {
  for (const std::string fields :
       {"Transfer-Encoding: gzip\r\n", "Transfer-Encoding: gzip, chunked\r\n",
        "Transfer-Encoding: chunked, gzip\r\n", "Transfer-Encoding: chunked, chunked\r\n",
        "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: identity\r\n"}) {
    const std::string in = "HTTP/1.1 200 OK\r\n" + fields + "\r\n3\r\nabc\r\n0\r\n\r\n";
    SCOPED_TRACE(escaped(in));
    EXPECT_EQ(error_of(in), err(bhttp::error::bad_transfer_encoding));
  }
}

TEST(ResponseParserRefuses, AVersionOtherThan1x) {
  EXPECT_EQ(error_of("HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
            err(bhttp::error::bad_version));
  EXPECT_EQ(error_of("HTTP/1.1200 OK\r\nContent-Length: 0\r\n\r\n"),
            err(bhttp::error::bad_version));
  EXPECT_EQ(error_of("http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
            err(bhttp::error::bad_version));
  EXPECT_EQ(error_of("ICY 200 OK\r\nContent-Length: 0\r\n\r\n"), err(bhttp::error::bad_version));
}

TEST(ResponseParserRefuses, AStatusThatIsNotThreeDigits) {
  for (const std::string line : {"HTTP/1.1 20 OK", "HTTP/1.1 abc OK", "HTTP/1.1 2x0 OK",
                                 "HTTP/1.1  200 OK"}) {
    const std::string in = line + "\r\nContent-Length: 0\r\n\r\n";
    SCOPED_TRACE(escaped(in));
    EXPECT_EQ(error_of(in), err(bhttp::error::bad_status));
  }
  // Four digits: the fourth is where the space before the reason should be.
  const error_code four = error_of("HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(four == err(bhttp::error::bad_status) || four == err(bhttp::error::bad_reason))
      << four.message();
}

TEST(ResponseParserRefuses, AControlCharacterInAValue) {
  for (const std::string& value : {"a\x01z"s, "a\0z"s, "a\x7fz"s, "a\x1bz"s}) {
    const std::string in = "HTTP/1.1 200 OK\r\nX-A: " + value + "\r\nContent-Length: 0\r\n\r\n";
    SCOPED_TRACE(escaped(in));
    EXPECT_EQ(error_of(in), err(bhttp::error::bad_value));
  }
}

TEST(ResponseParserRefuses, ABareCrInAValue) {
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n"),
            err(bhttp::error::bad_line_ending));
}

TEST(ResponseParserRefuses, ABadChunkSize) {
  for (const std::string size : {"x", "", "-1", "+5", ";a=b", " 5", "10000000000000000"}) {
    const std::string in = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + size +
                           "\r\nhello\r\n0\r\n\r\n";
    SCOPED_TRACE(escaped(in));
    EXPECT_EQ(error_of(in), err(bhttp::error::bad_chunk));
  }
  // Hex digits, then what is neither BWS ";" nor the line's end: a bad size or a bad
  // extension, as one reads it.
  for (const std::string size : {"0x5", "5 x", "5 ", "5\t", "5;", "5;a=", "5;a=\"b", "5;a b"}) {
    const std::string in = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + size +
                           "\r\nhello\r\n0\r\n\r\n";
    SCOPED_TRACE(escaped(in));
    const error_code ec = error_of(in);
    EXPECT_TRUE(ec == err(bhttp::error::bad_chunk) || ec == err(bhttp::error::bad_chunk_extension))
        << ec.message();
  }
}

TEST(ResponseParserRefuses, ChunkDataNotFollowedByCrlf) {
  for (const std::string rest : {"5\r\nhelloX\r\n0\r\n\r\n", "5\r\nhello0\r\n\r\n",
                                 "5\r\nhello\r0\r\n\r\n"}) {
    const std::string in = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + rest;
    SCOPED_TRACE(escaped(in));
    const error_code ec = error_of(in);
    EXPECT_TRUE(ec == err(bhttp::error::bad_chunk) || ec == err(bhttp::error::bad_line_ending))
        << ec.message();
  }
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n"),
            err(bhttp::error::bad_chunk));
}

TEST(ResponseParserRefuses, AMalformedTrailerField) {
  for (const std::string trailer : {"no colon\r\n", "X-T : v\r\n", ": v\r\n", "X-T: a\x01\r\n",
                                    " folded\r\n"}) {
    const std::string in = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "1\r\na\r\n0\r\nX-A: 1\r\n" + trailer + "\r\n";
    SCOPED_TRACE(escaped(in));
    EXPECT_EQ(error_of(in), err(bhttp::error::bad_field));
  }
}

// ---------------------------------------------------------------------------------------------
// Against Beast: both parsers read the same inputs, offered whole and then ended.

// What one parser made of an input.
struct Verdict {
  bool accepted = false;
  error_code ec;
  std::size_t consumed = 0;
  int status = 0;
  std::string content_type, body;
  bool keep_alive = false;
};

Verdict ours(std::string_view in) {
  Parsing p;
  Verdict v;
  const Fed f = feed_then_eof(p, in, SIZE_MAX / 2);
  v.ec = f.ec;
  v.consumed = f.consumed;
  if (f.ec || !f.done) {
    if (!f.ec) ADD_FAILURE() << "not done after the connection's end: " << escaped(in);
    return v;
  }
  v.accepted = true;
  v.status = p.parser.status();
  v.content_type = p.content_type;
  v.body = p.body;
  v.keep_alive = p.parser.keep_alive();
  return v;
}

Verdict beasts(std::string_view in) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
  parser.body_limit(boost::none);
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
      v.ec = ec;
      return v;
    }
    if (n == 0) break;
  }
  if (!parser.is_done()) {
    if (!parser.got_some()) {  // put_eof asserts that something came
      v.ec = err(bhttp::error::partial_message);
      return v;
    }
    error_code ec;
    parser.put_eof(ec);
    if (ec || !parser.is_done()) {
      v.ec = ec ? ec : err(bhttp::error::partial_message);
      return v;
    }
  }
  v.accepted = true;
  const auto& m = parser.get();
  v.status = static_cast<int>(m.result_int());
  const auto content_type = m[bhttp::field::content_type];
  v.content_type.assign(content_type.data(), content_type.size());
  v.body = m.body();
  v.keep_alive = parser.keep_alive();
  return v;
}

std::string show(const Verdict& v) {
  if (!v.accepted) return "refused: " + v.ec.message();
  return "accepted " + std::to_string(v.consumed) + " bytes: " + std::to_string(v.status) +
         (v.keep_alive ? " keep-alive" : " close") + " content-type=\"" +
         escaped(v.content_type) + "\" body=\"" + escaped(v.body) + "\"";
}

// Where two accepted responses differ; empty when they agree.
std::string differences(const Verdict& a, const Verdict& b) {
  std::string d;
  if (a.consumed != b.consumed) d += " consumed";
  if (a.status != b.status) d += " status";
  if (a.content_type != b.content_type) d += " content_type";
  if (a.body != b.body) d += " body";
  if (a.keep_alive != b.keep_alive) d += " keep_alive";
  return d;
}

// A response read as Beast reads it (lines end at CRLF): its status line, its field lines, and
// for a chunked body the lines of its chunk framing and its trailer.
struct Shape {
  std::string_view status_line;
  std::vector<std::string_view> fields;  // field lines of the head
  std::size_t body_at = std::string_view::npos;
  std::vector<std::string_view> size_lines;  // as far as they can be read
  std::vector<std::string_view> trailer;     // trailer field lines, if the body gets there
};

std::vector<std::string_view> lines_of(std::string_view block) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < block.size();) {
    std::size_t eol = block.find("\r\n", at);
    if (eol == std::string_view::npos) eol = block.size();
    lines.push_back(block.substr(at, eol - at));
    at = eol + 2;
  }
  return lines;
}

Shape shape_of(std::string_view in) {
  Shape s;
  const std::size_t head_end = in.find("\r\n\r\n");
  const std::string_view head =
      in.substr(0, head_end == std::string_view::npos ? in.size() : head_end);
  const std::vector<std::string_view> lines = lines_of(head);
  if (!lines.empty()) s.status_line = lines[0];
  s.fields.assign(lines.begin() + (lines.empty() ? 0 : 1), lines.end());
  if (head_end == std::string_view::npos) return s;
  s.body_at = head_end + 4;
  // Chunk framing, as far as it reads: size line, data and its CRLF, ..., then the trailer.
  std::size_t at = s.body_at;
  for (;;) {
    const std::size_t eol = in.find("\r\n", at);
    if (eol == std::string_view::npos) return s;
    const std::string_view line = in.substr(at, eol - at);
    s.size_lines.push_back(line);
    std::uint64_t size = 0;
    std::size_t digits = 0;
    while (digits < line.size() && digits < 16 &&
           std::isxdigit(static_cast<unsigned char>(line[digits]))) {
      const char c = line[digits++];
      size = size * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    if (digits == 0) return s;
    at = eol + 2;
    if (size == 0) break;
    if (size > in.size() - at) return s;
    at += static_cast<std::size_t>(size) + 2;
    if (at > in.size()) return s;
  }
  for (;;) {
    const std::size_t eol = in.find("\r\n", at);
    if (eol == std::string_view::npos || eol == at) return s;
    s.trailer.push_back(in.substr(at, eol - at));
    at = eol + 2;
  }
}

struct Field {
  std::string_view name, value;
};

std::vector<Field> fields_named(const std::vector<std::string_view>& lines, std::string_view name) {
  std::vector<Field> out;
  for (std::string_view line : lines) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (boost::beast::iequals(line.substr(0, colon), name)) {
      out.push_back({line.substr(0, colon), trimmed(line.substr(colon + 1))});
    }
  }
  return out;
}

bool starts_with_ows(std::string_view line) {
  return !line.empty() && (line[0] == ' ' || line[0] == '\t');
}

// The cases where our parser is stricter than Beast by design (response_parser.h), each with
// the error it then gives: Beast may accept these, ours refuses them.
std::vector<std::pair<std::string, error_code>> stricter_by_design(std::string_view in) {
  std::vector<std::pair<std::string, error_code>> out;
  const Shape s = shape_of(in);
  const std::size_t head_end = s.body_at == std::string_view::npos ? in.size() : s.body_at;
  if (has_bare_lf(in.substr(0, head_end))) {
    out.emplace_back("bare LF in the head", err(bhttp::error::bad_line_ending));
  }
  const std::string_view line = s.status_line;
  if (line.size() < 8 || line.substr(0, 7) != "HTTP/1." ||
      !std::isdigit(static_cast<unsigned char>(line[7]))) {
    out.emplace_back("HTTP version other than 1.x", err(bhttp::error::bad_version));
  }
  for (std::string_view field : s.fields) {
    if (starts_with_ows(field)) {
      out.emplace_back("obs-fold", err(bhttp::error::bad_field));
      break;
    }
  }
  for (std::string_view field : s.trailer) {
    if (starts_with_ows(field)) {
      out.emplace_back("obs-fold in the trailer", err(bhttp::error::bad_field));
      break;
    }
  }
  const std::vector<Field> lengths = fields_named(s.fields, "content-length");
  const std::vector<Field> encodings = fields_named(s.fields, "transfer-encoding");
  if (!lengths.empty() && !encodings.empty()) {
    out.emplace_back("Content-Length with Transfer-Encoding",
                     err(bhttp::error::bad_transfer_encoding));
  }
  if (lengths.size() > 1) {
    out.emplace_back("two Content-Length fields", err(bhttp::error::bad_content_length));
  }
  if (!encodings.empty()) {
    int codings = 0;
    bool only_chunked = true;
    for (const Field& f : encodings) {
      std::string_view list = f.value;
      while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view coding = trimmed(list.substr(0, comma));
        if (!coding.empty()) {
          ++codings;
          if (!boost::beast::iequals(coding, "chunked")) only_chunked = false;
        }
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
    if (codings != 1 || !only_chunked) {
      out.emplace_back("Transfer-Encoding other than exactly one chunked",
                       err(bhttp::error::bad_transfer_encoding));
    }
  }
  for (std::string_view size_line : s.size_lines) {
    if (has_bare_lf(size_line)) {
      out.emplace_back("bare LF in a chunk line", err(bhttp::error::bad_line_ending));
      break;
    }
  }
  for (std::string_view field : s.trailer) {
    if (has_bare_lf(field)) {
      out.emplace_back("bare LF in the trailer", err(bhttp::error::bad_line_ending));
      break;
    }
  }
  return out;
}

// Beyond the documented cases: where ours refuses what Beast accepts and RFC 9110/9112 back
// ours. Reported for review.
std::vector<std::pair<std::string, error_code>> stricter_by_rfc(std::string_view in) {
  std::vector<std::pair<std::string, error_code>> out;
  const Shape s = shape_of(in);
  const std::string_view line = s.status_line;
  // RFC 9110 §15: "All valid status codes are within the range of 100 to 599".
  if (line.size() >= 12 && line[8] == ' ' && line[9] == '0') {
    out.emplace_back("status code under 100 (RFC 9110 §15)", err(bhttp::error::bad_status));
  }
  // RFC 9110 §8.6: a recipient of a Content-Length list MAY reject the message as invalid.
  for (const Field& f : fields_named(s.fields, "content-length")) {
    if (f.value.find(',') != std::string_view::npos) {
      out.emplace_back("Content-Length as a list (RFC 9110 §8.6)",
                       err(bhttp::error::bad_content_length));
      break;
    }
  }
  // RFC 9112 §7.1.1, RFC 9110 §5.6.4: a chunk extension's quoted-string holds no control
  // character but HTAB; Beast's takes any byte but '"' up to the line's end.
  for (std::string_view size_line : s.size_lines) {
    const std::size_t semi = size_line.find(';');
    if (semi == std::string_view::npos) continue;
    for (char c : size_line.substr(semi)) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) {
        const std::string why = "control character in a chunk extension (RFC 9112 §7.1.1)";
        out.emplace_back(why, err(bhttp::error::bad_chunk));
        out.emplace_back(why, err(bhttp::error::bad_chunk_extension));
        return out;
      }
    }
  }
  return out;
}

// Where ours accepts what Beast refuses, and why that is allowed; empty when nothing allows it.
// `beast` is Beast's verdict on `in`.
std::string beast_refuses_what_is_allowed(std::string_view in, const Verdict& beast) {
  const Shape s = shape_of(in);
  const std::string_view line = s.status_line;
  // The header's documented leniency: "HTTP/1.1 200\r\n", where the grammar wants a SP before
  // the empty reason (RFC 9112 §4). Beast wants the SP.
  if (beast.ec == bhttp::error::bad_status && line.size() == 12 && line[8] == ' ') {
    return "no SP before an empty reason (documented leniency)";
  }
  // RFC 9110 §2.5: a higher minor version is processed as the highest one known.
  if (beast.ec == bhttp::error::bad_version && line.size() >= 9 && line.substr(0, 7) == "HTTP/1." &&
      line[7] >= '2' && line[7] <= '9') {
    return "HTTP/1.x for x over 1 (RFC 9110 §2.5)";
  }
  // Fields in the trailer that would frame or route the message are not processed there (RFC
  // 9110 §6.5.1); Beast reads Content-Length and Transfer-Encoding there and refuses.
  if ((beast.ec == bhttp::error::bad_content_length ||
       beast.ec == bhttp::error::bad_transfer_encoding) &&
      (!fields_named(s.trailer, "content-length").empty() ||
       !fields_named(s.trailer, "transfer-encoding").empty())) {
    return "framing field in the trailer, ignored (RFC 9110 §6.5.1)";
  }
  return "";
}

// Where both accept and differ, and why that is allowed; empty when nothing allows it.
std::string difference_allowed(std::string_view in, const Verdict& a, const Verdict& b) {
  const Shape s = shape_of(in);
  if (differences(a, b) == " keep_alive" && a.keep_alive && !b.keep_alive) {
    // Beast takes Connection from the trailer; it is not to be processed there (RFC 9110
    // §6.5.1).
    if (!fields_named(s.trailer, "connection").empty()) {
      return "Connection in the trailer, ignored (RFC 9110 §6.5.1)";
    }
    // Beast takes Proxy-Connection as Connection; it is no field of RFC 9110.
    if (!fields_named(s.fields, "proxy-connection").empty()) {
      return "Proxy-Connection, not a standard field, ignored";
    }
  }
  // An HTTP/1.0 message with Transfer-Encoding: read it, then close (RFC 9112 §6.1).
  if (differences(a, b) == " keep_alive" && !a.keep_alive && in.starts_with("HTTP/1.0 ") &&
      !fields_named(s.fields, "transfer-encoding").empty()) {
    return "HTTP/1.0 with Transfer-Encoding closes (RFC 9112 §6.1)";
  }
  // Beast's message holds the trailer's fields too; ours reads the content type from the head
  // only (RFC 9110 §6.5.2: a trailer field is not merged into the header section).
  if (differences(a, b) == " content_type" && a.content_type.empty() &&
      fields_named(s.fields, "content-type").empty() &&
      !fields_named(s.trailer, "content-type").empty()) {
    return "Content-Type in the trailer, not taken (RFC 9110 §6.5.2)";
  }
  return "";
}

struct Tally {
  int compared = 0;
  int both_accepted = 0;
  int both_refused = 0;
  std::map<std::string, int> stricter;  // reason → inputs
  std::map<std::string, std::vector<std::string>> reported;  // reason → inputs, for review
  int unexplained = 0;
};

void note(Tally& t, const std::string& why, std::string_view in, const Verdict& a,
          const Verdict& b) {
  t.reported[why].push_back("\"" + escaped(in) + "\"\n      ours:  " + show(a) +
                            "\n      beast: " + show(b));
}

void compare(std::string_view in, Tally& t) {
  const Verdict a = ours(in);
  const Verdict b = beasts(in);
  ++t.compared;
  std::string problem;
  if (a.accepted && b.accepted) {
    ++t.both_accepted;
    const std::string d = differences(a, b);
    if (d.empty()) return;
    const std::string why = difference_allowed(in, a, b);
    if (!why.empty()) return note(t, why, in, a, b);
    problem = "both accept, and differ in" + d;
  } else if (!a.accepted && !b.accepted) {
    ++t.both_refused;
    return;
  } else if (!a.accepted) {
    for (const auto& [why, ec] : stricter_by_design(in)) {
      if (a.ec == ec) {
        ++t.stricter[why];
        return;
      }
    }
    for (const auto& [why, ec] : stricter_by_rfc(in)) {
      if (a.ec == ec) return note(t, why, in, a, b);
    }
    problem = "ours refuses what Beast accepts";
  } else {
    const std::string why = beast_refuses_what_is_allowed(in, b);
    if (!why.empty()) return note(t, why, in, a, b);
    problem = "ours accepts what Beast refuses";
  }
  ++t.unexplained;
  ADD_FAILURE() << problem << "\n  input: \"" << escaped(in) << "\"\n  ours:  " << show(a)
                << "\n  beast: " << show(b);
}

void print(const Tally& t) {
  std::printf("compared %d inputs: both accepted %d, both refused %d, unexplained %d\n",
              t.compared, t.both_accepted, t.both_refused, t.unexplained);
  for (const auto& [why, n] : t.stricter) std::printf("  ours stricter (%s): %d\n", why.c_str(), n);
  for (const auto& [why, inputs] : t.reported) {
    std::printf("  allowed, for review (%s): %zu\n", why.c_str(), inputs.size());
    for (std::size_t i = 0; i < inputs.size() && i < 8; ++i) {
      std::printf("    %s\n", inputs[i].c_str());
    }
  }
}

// Valid responses: both framings, a body to the connection's end, bodiless statuses, versions
// and Connection variants. Bodies hold no CR or LF, so that mutations read unambiguously.
const std::vector<std::string>& valid_responses() {
  static const std::vector<std::string> responses = {
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
      "5;name=val\r\nhello\r\nA;q=\"x y\"\r\n0123456789\r\n0;end\r\nX-T: v\r\nX-U: w\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
      "HTTP/1.0 200 OK\r\nServer: s\r\n\r\nold body",
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc",
      "HTTP/1.1 204 No Content\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 10\r\n\r\n",
      "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\n\r\n{}",
      "HTTP/1.1 500 Internal Server Error\r\nConnection: foo, close\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nCONTENT-TYPE: text/html\r\n"
      "content-length: 4\r\n\r\nbody",
      "HTTP/1.1 100 Continue\r\n\r\n",
      "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.1 429 Too Many \x80 Requests\r\nRetry-After:\t1 \t\r\nContent-Length: 1\r\n\r\nx",
      "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbodyHTTP/1.1 200 OK\r\n\r\n",
      "HTTP/1.1 201 Created\r\nX-Empty:\r\nContent-Type:\r\nContent-Type: ignored\r\n"
      "Content-Length: 0\r\n\r\n",
      "HTTP/1.0 302 Found\r\nLocation: /x\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n",
  };
  return responses;
}

// Each response with one byte deleted or replaced anywhere, or cut anywhere.
std::vector<std::string> mutations_of(const std::string& in) {
  static constexpr char kBytes[] = {'\0', '\n', ' ', ':', '\x80', 'x', '0'};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    out.push_back(in.substr(0, i) + in.substr(i + 1));
    out.push_back(in.substr(0, i));
    for (char c : kBytes) {
      if (in[i] == c) continue;
      std::string replaced = in;
      replaced[i] = c;
      out.push_back(std::move(replaced));
    }
  }
  return out;
}

TEST(ResponseParserAgainstBeast, BothAcceptTheValidResponsesAlike) {
  Tally t;
  for (const std::string& in : valid_responses()) {
    SCOPED_TRACE(escaped(in));
    EXPECT_TRUE(ours(in).accepted) << show(ours(in));
    EXPECT_TRUE(beasts(in).accepted) << show(beasts(in));
    compare(in, t);
  }
  print(t);
  EXPECT_EQ(t.unexplained, 0);
}

TEST(ResponseParserAgainstBeast, MutatedResponsesAgreeOrDifferOnlyAsAllowed) {
  Tally t;
  for (const std::string& valid : valid_responses()) {
    for (const std::string& in : mutations_of(valid)) compare(in, t);
  }
  print(t);
  EXPECT_EQ(t.unexplained, 0);
}

// Not against Beast, but over the same inputs: one byte per read ends as all bytes at once
// (what was consumed before an error is no matter).
TEST(ResponseParser, MutatedResponsesEndTheSameOfferedByteByByteAsWhole) {
  int compared = 0;
  for (const std::string& valid : valid_responses()) {
    for (const std::string& in : mutations_of(valid)) {
      Parsing whole, bytes;
      const Fed a = feed_then_eof(whole, in);
      Fed b = feed_byte_by_byte(bytes, in);
      if (!b.ec && !b.done) {
        bytes.parser.put_eof(b.ec);
        b.done = bytes.parser.is_done();
      }
      ++compared;
      if (a.ec != b.ec || a.done != b.done || whole.body != bytes.body ||
          (!a.ec && a.consumed != b.consumed) ||
          (a.done && whole.parser.keep_alive() != bytes.parser.keep_alive())) {
        ADD_FAILURE() << "input: \"" << escaped(in) << "\"\n  whole:        " << a.ec.message()
                      << ", done " << a.done << ", consumed " << a.consumed << ", body \""
                      << escaped(whole.body) << "\"\n  byte by byte: " << b.ec.message()
                      << ", done " << b.done << ", consumed " << b.consumed << ", body \""
                      << escaped(bytes.body) << "\"";
      }
    }
  }
  std::printf("compared %d inputs\n", compared);
}

// Edge cases where the two are likeliest to part, each compared the same way.
TEST(ResponseParserAgainstBeast, EdgeCasesAgreeOrDifferOnlyAsAllowed) {
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::vector<std::string> inputs = {
      "HTTP/1.1 200 OK\r\nProxy-Connection: close\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nConnection: close,,\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nConnection: clo se\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nConnection:\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 199 Odd\r\nContent-Length: 3\r\n\r\nabc",
      "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX!#$%&'*+-.^_`|~: v\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Type: \x80\xff obs-text\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length:  0005 \t\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: \tchunked \r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: ,chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "HTTP/1.1 204 No Content\r\nTransfer-Encoding: gzip\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
      "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      chunked + "0005\r\nhello\r\n0\r\n\r\n",
      chunked + "5 ;a=b\r\nhello\r\n0\r\n\r\n",
      chunked + "5; a = b\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=\"x\\\"y\"\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=\"x\r\nhello\r\n0\r\n\r\n",
      chunked + "5;\r\nhello\r\n0\r\n\r\n",
      chunked + "5;=b\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a=b c\r\nhello\r\n0\r\n\r\n",
      chunked + "5;a\x01\r\nhello\r\n0\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nX-T: a\x01\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nno colon\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nConnection: close\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nContent-Type: late\r\n\r\n",
      chunked + "5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n",
      chunked + "5\r\nhello\r\n00\r\n\r\n",
      chunked + "5\r\nhel\nlo\r\n0\r\n\r\n",
      chunked + "0\r\n\r\n",
      chunked + "ffffffffffffffff\r\nabc",
  };
  Tally t;
  for (const std::string& in : inputs) compare(in, t);
  print(t);
  EXPECT_EQ(t.unexplained, 0);
}

}  // namespace
}  // namespace plinth::http::detail
