// SseParser and append_sse_data: line endings, splitting, fields, limits.
#include "http/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace plinth::http {
namespace {

// An event copied out of the parser, whose views last only until its next feed or next.
struct Event {
  std::string event;
  std::string data;
};

Event copy_of(const SseEvent& e) { return Event{std::string(e.event), std::string(e.data)}; }

// Feeds `pieces` one at a time and collects every event completed along the way.
std::vector<Event> parse(const std::vector<std::string>& pieces, SseParser& parser) {
  std::vector<Event> events;
  SseEvent event;
  for (const std::string& piece : pieces) {
    parser.feed(piece);
    while (parser.next(event)) events.push_back(copy_of(event));
  }
  return events;
}

std::vector<Event> parse(const std::vector<std::string>& pieces) {
  SseParser parser;
  return parse(pieces, parser);
}

std::vector<std::string> bytes_of(std::string_view text) {
  std::vector<std::string> out;
  for (char c : text) out.emplace_back(1, c);
  return out;
}

TEST(SseParser, SingleEventInOneFeed) {
  auto events = parse({"data: hello\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "");
  EXPECT_EQ(events[0].data, "hello");
}

TEST(SseParser, EventFedByteByByteIsDeliveredOnceComplete) {
  const std::string stream = "event: delta\ndata: {\"a\":1}\n\ndata: [DONE]\n\n";
  SseParser parser;
  SseEvent event;
  std::vector<Event> events;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    parser.feed(stream.substr(i, 1));
    while (parser.next(event)) events.push_back(copy_of(event));
    // The first event is complete exactly at its blank line, not before.
    const std::size_t first_end = stream.find("\n\n") + 2;
    EXPECT_EQ(events.size() >= 1, i + 1 >= first_end) << "after byte " << i;
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "delta");
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[1].event, "");
  EXPECT_EQ(events[1].data, "[DONE]");
}

TEST(SseParser, SeveralEventsInOneFeed) {
  auto events = parse({"data: 1\n\ndata: 2\n\ndata: 3\n\n"});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].data, "1");
  EXPECT_EQ(events[1].data, "2");
  EXPECT_EQ(events[2].data, "3");
}

TEST(SseParser, CrLfLineEndings) {
  auto events = parse({"event: e\r\ndata: x\r\n\r\ndata: y\r\n\r\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "e");
  EXPECT_EQ(events[0].data, "x");
  EXPECT_EQ(events[1].data, "y");
}

TEST(SseParser, CrLfSplitAcrossFeedsIsOneLineEnd) {
  // "\r" ends the line at once; the "\n" that arrives next must not count as a blank line.
  auto events = parse({"data: a\r", "\ndata: b\r", "\n\r", "\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a\nb");
}

TEST(SseParser, LoneCrLineEndings) {
  auto events = parse({"data: a\rdata: b\r\rdata: c\r", "\r"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "a\nb");
  EXPECT_EQ(events[1].data, "c");
}

TEST(SseParser, MixedLineEndingsFedByteByByte) {
  auto events = parse(bytes_of("data: a\r\n\ndata: b\r\rdata: c\n\r\n"));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].data, "a");
  EXPECT_EQ(events[1].data, "b");
  EXPECT_EQ(events[2].data, "c");
}

TEST(SseParser, CommentsAreIgnored) {
  auto events = parse({": keep-alive\n\n:another\ndata: x\n: inside\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "x");
}

TEST(SseParser, MultiLineDataIsJoinedWithNewlines) {
  auto events = parse({"data: first\ndata:second\ndata:  third\n\n"});
  ASSERT_EQ(events.size(), 1u);
  // One leading space is stripped, a second one is kept.
  EXPECT_EQ(events[0].data, "first\nsecond\n third");
}

TEST(SseParser, EventFieldNamesTheEventAndResetsAfterDispatch) {
  auto events = parse({"event: error\ndata: {}\n\ndata: next\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "error");
  EXPECT_EQ(events[1].event, "");
}

TEST(SseParser, EventsWithoutDataAreSkipped) {
  auto events = parse({"event: ping\n\nid: 7\nretry: 100\n\n: c\n\ndata: real\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "");
  EXPECT_EQ(events[0].data, "real");
}

TEST(SseParser, EmptyDataFieldIsAnEventWithEmptyData) {
  auto events = parse({"data\n\ndata:\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "");
  EXPECT_EQ(events[1].data, "");
}

TEST(SseParser, IdAndRetryAndUnknownFieldsAreIgnored) {
  auto events = parse({"id: 1\nretry: 5\nfoo: bar\ndata: x\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "x");
}

TEST(SseParser, OneLineEventsAndOthersMixed) {
  // One-line events take a path of their own; the others, around them, the general one.
  auto events = parse({"data:x\n\ndata:  two\n\nevent: e\ndata: y\n\ndata: z\r\n\r\ndata: w\n\n"});
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].data, "x");
  EXPECT_EQ(events[1].data, " two");  // one space after the colon goes, not two
  EXPECT_EQ(events[2].event, "e");
  EXPECT_EQ(events[2].data, "y");
  EXPECT_EQ(events[3].event, "");
  EXPECT_EQ(events[3].data, "z");
  EXPECT_EQ(events[4].event, "");
  EXPECT_EQ(events[4].data, "w");
}

TEST(SseParser, IncompleteEventStaysPending) {
  SseParser parser;
  SseEvent event;
  parser.feed("data: partial");
  EXPECT_FALSE(parser.next(event));
  EXPECT_EQ(parser.pending(), std::string("data: partial").size());
  parser.feed("\n");
  EXPECT_FALSE(parser.next(event));  // no blank line yet
  parser.feed("\n");
  ASSERT_TRUE(parser.next(event));
  EXPECT_EQ(event.data, "partial");
  EXPECT_EQ(parser.pending(), 0u);
}

TEST(SseParser, BufferDoesNotGrowOverALongStream) {
  SseParser parser;
  SseEvent event;
  const std::string one = "data: " + std::string(100, 'x') + "\n\n";
  for (int i = 0; i < 100000; ++i) {
    parser.feed(one.substr(0, 50));
    parser.feed(one.substr(50));
    ASSERT_TRUE(parser.next(event));
    ASSERT_FALSE(parser.next(event));
    ASSERT_EQ(parser.pending(), 0u);
  }
  EXPECT_EQ(event.data.size(), 100u);
}

TEST(SseParser, EventLargerThanLimitOverflows) {
  SseParser parser;
  SseEvent event;
  const std::string chunk(1024 * 1024, 'x');
  parser.feed("data: ");
  for (std::size_t fed = 0; fed <= SseParser::kMaxEventBytes; fed += chunk.size()) {
    parser.feed(chunk);
    EXPECT_FALSE(parser.next(event));
  }
  parser.feed("\n\n");
  EXPECT_FALSE(parser.next(event));
  EXPECT_TRUE(parser.overflowed());
}

TEST(SseParser, MultiLineEventLargerThanLimitOverflows) {
  SseParser parser;
  SseEvent event;
  const std::string line = "data: " + std::string(1024 * 1024, 'y') + "\n";
  for (std::size_t fed = 0; fed <= SseParser::kMaxEventBytes; fed += line.size()) {
    parser.feed(line);
    EXPECT_FALSE(parser.next(event));
  }
  EXPECT_TRUE(parser.overflowed());
}

TEST(SseParser, LargeEventBelowLimitIsDelivered) {
  SseParser parser;
  SseEvent event;
  const std::string payload(4 * 1024 * 1024, 'z');
  parser.feed("data: ");
  for (std::size_t i = 0; i < payload.size(); i += 4096) {
    parser.feed(std::string_view(payload).substr(i, 4096));
    ASSERT_FALSE(parser.next(event));
  }
  parser.feed("\n\n");
  ASSERT_TRUE(parser.next(event));
  EXPECT_EQ(event.data.size(), payload.size());
  EXPECT_FALSE(parser.overflowed());
}

TEST(AppendSseData, FormatsOneEvent) {
  std::string out = "x";
  append_sse_data(out, "{\"a\":1}");
  EXPECT_EQ(out, "xdata: {\"a\":1}\n\n");
}

TEST(AppendSseData, SplitsPayloadLinesIntoSeveralDataLines) {
  std::string out;
  append_sse_data(out, "a\nb\r\nc\rd");
  EXPECT_EQ(out, "data: a\ndata: b\ndata: c\ndata: d\n\n");
  auto events = parse({out});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a\nb\nc\nd");
}

TEST(AppendSseData, EmptyPayloadRoundTrips) {
  std::string out;
  append_sse_data(out, "");
  EXPECT_EQ(out, "data: \n\n");
  auto events = parse({out});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "");
}

}  // namespace
}  // namespace plinth::http
