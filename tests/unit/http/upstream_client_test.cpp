// UpstreamClient against an in-process server on loopback: pooling, streaming, timeouts,
// cancellation, errors, TLS; and Origin::parse.
#include "http/upstream_client.h"

#include "http/detail/tls_context.h"
#include "client_call.h"
#include "test_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace plinth::http {
namespace {

using namespace plinth::http::testing;
using Clock = std::chrono::steady_clock;

// Records events; `react` (optional) decides whether to go on.
class Events : public SseHandler {
 public:
  std::vector<std::pair<std::string, std::string>> got;
  std::function<bool(std::string_view data)> react;

  Task<bool> on_event(std::string_view event, std::string_view data) override {
    got.emplace_back(event, data);
    co_return react ? react(data) : true;
  }
};

class UpstreamClientTest : public ::testing::Test {
 protected:
  UpstreamClient make_client(const TestServer& server, UpstreamTimeouts t = fast_timeouts()) {
    return UpstreamClient(Origin::parse(server.base_url("/v1")).value(), t);
  }
  UpstreamRequest request(std::string path = "/chat/completions") {
    UpstreamRequest r;
    r.path = std::move(path);
    r.body = R"({"model":"m"})";
    return r;
  }

  asio::io_context io_;
  Cancel cancel_;
};

// A script that answers every request on the connection with 200 {"ok":true}.
void answer_ok(TestServer::Connection& c) {
  while (auto req = c.read_request()) {
    if (!c.write(response(200, R"({"ok":true})"))) return;
  }
}

TEST_F(UpstreamClientTest, Send_ReturnsStatusContentTypeAndBody) {
  std::optional<bhttp::request<bhttp::string_body>> seen;
  TestServer server([&](TestServer::Connection& c) {
    seen = c.read_request();
    c.write(response(201, R"({"id":"x"})", "application/json; charset=utf-8"));
  });
  UpstreamClient client = make_client(server);
  UpstreamRequest req = request();
  req.bearer_token = "sk-test";
  req.request_id = "req-1";
  req.headers = {{"x-extra", "yes"}};

  auto result = run(io_, client.send(req, cancel_));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 201);
  EXPECT_EQ(result->content_type, "application/json; charset=utf-8");
  EXPECT_EQ(result->body, R"({"id":"x"})");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->method_string(), "POST");
  EXPECT_EQ(seen->target(), "/v1/chat/completions");
  EXPECT_EQ((*seen)[bhttp::field::host], server.authority());
  EXPECT_EQ((*seen)[bhttp::field::content_type], "application/json");
  EXPECT_EQ((*seen)[bhttp::field::content_length], "13");
  EXPECT_EQ((*seen)[bhttp::field::authorization], "Bearer sk-test");
  EXPECT_EQ((*seen)["x-request-id"], "req-1");
  EXPECT_EQ((*seen)[bhttp::field::user_agent], "plinth/0.1");
  EXPECT_EQ((*seen)["x-extra"], "yes");
  EXPECT_EQ((*seen)[bhttp::field::accept], "");
  EXPECT_EQ(seen->body(), R"({"model":"m"})");
}

TEST_F(UpstreamClientTest, Send_GetWithoutBodyHasNoContentHeaders) {
  std::optional<bhttp::request<bhttp::string_body>> seen;
  TestServer server([&](TestServer::Connection& c) {
    seen = c.read_request();
    c.write(response(200, R"({"data":[]})"));
  });
  UpstreamClient client = make_client(server);
  UpstreamRequest req;
  req.method = "GET";
  req.path = "/models";

  auto result = run(io_, client.send(req, cancel_));

  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->method_string(), "GET");
  EXPECT_EQ(seen->target(), "/v1/models");
  EXPECT_EQ(seen->count(bhttp::field::content_length), 0u);
  EXPECT_EQ(seen->count(bhttp::field::authorization), 0u);
}

TEST_F(UpstreamClientTest, Send_ReusesTheKeepAliveConnection) {
  TestServer server(answer_ok);
  UpstreamClient client = make_client(server);

  for (int i = 0; i < 3; ++i) {
    auto result = run(io_, client.send(request(), cancel_));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->body, R"({"ok":true})");
  }
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, Send_DoesNotPoolAConnectionTheServerAsksToClose) {
  TestServer server([](TestServer::Connection& c) {
    if (c.read_request()) c.write(response(200, "{}", "application/json", "Connection: close\r\n"));
    c.close();
  });
  UpstreamClient client = make_client(server);

  ASSERT_TRUE(run(io_, client.send(request(), cancel_)).ok());
  ASSERT_TRUE(run(io_, client.send(request(), cancel_)).ok());
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(UpstreamClientTest, Send_RetriesOnceWhenThePooledConnectionWasClosedWhileIdle) {
  Signal first_closed;
  std::atomic<int> connections{0};
  std::atomic<int> requests{0};
  TestServer server([&](TestServer::Connection& c) {
    const int n = ++connections;
    while (c.read_request()) {
      ++requests;
      c.write(response(200, "{\"connection\":" + std::to_string(n) + "}"));
      if (n == 1) {  // keep-alive promised, then closed while the client holds it idle
        c.close();
        first_closed.set();
        return;
      }
    }
  });
  UpstreamClient client = make_client(server);

  auto first = run(io_, client.send(request(), cancel_));
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(first_closed.wait());
  auto second = run(io_, client.send(request(), cancel_));

  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->body, R"({"connection":2})");
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(requests.load(), 2);
}

TEST_F(UpstreamClientTest, Send_DoesNotRetryOnceAnyOfTheResponseArrived) {
  TestServer server([](TestServer::Connection& c) {
    if (!c.read_request() || !c.write(response(200, "{}"))) return;
    if (!c.read_request()) return;
    c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    c.close();
  });
  UpstreamClient client = make_client(server);

  ASSERT_TRUE(run(io_, client.send(request(), cancel_)).ok());
  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnreachable);
  EXPECT_EQ(result.error().message.rfind(
                server.authority() + " closed the connection before the response was complete", 0),
            0u)
      << result.error().message;
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, Send_ServerClosingBeforeAnswering_IsUnreachable) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.close();
  });
  UpstreamClient client = make_client(server);

  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnreachable);
  EXPECT_NE(result.error().message.find("closed the connection before sending a response"),
            std::string::npos)
      << result.error().message;
  EXPECT_EQ(server.accepted(), 1);  // a fresh connection is not retried
}

TEST_F(UpstreamClientTest, Send_ConnectRefused_IsUnreachableAndNamesTheAddress) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  const std::string where = "127.0.0.1:" + std::to_string(port);
  UpstreamClient client(Origin::parse("http://" + where).value(), fast_timeouts());

  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnreachable);
  EXPECT_EQ(result.error().message, "connect to " + where + " failed: Connection refused");
}

TEST_F(UpstreamClientTest, Send_SlowHeaders_TimeOutAfterFirstToken) {
  Signal client_closed;
  TestServer server([&](TestServer::Connection& c) {
    c.read_request();
    if (c.wait_closed()) client_closed.set();
  });
  UpstreamTimeouts t = fast_timeouts();
  t.first_token = Millis(200);
  UpstreamClient client = make_client(server, t);

  const auto start = Clock::now();
  auto result = run(io_, client.send(request(), cancel_));
  const auto elapsed = Clock::now() - start;

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(result.error().message,
            "no response headers from " + server.authority() + " within 200 ms");
  EXPECT_GE(elapsed, std::chrono::milliseconds(190));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
  EXPECT_TRUE(client_closed.wait());
}

TEST_F(UpstreamClientTest, Send_CancelWhileWaitingForHeaders_ClosesTheConnection) {
  Signal client_closed;
  TestServer server([&](TestServer::Connection& c) {
    c.read_request();
    asio::post(io_, [&] { cancel_.cancel(); });  // the client goes away, on the io thread
    if (c.wait_closed()) client_closed.set();
  });
  UpstreamClient client = make_client(server);

  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kCancelled);
  EXPECT_TRUE(client_closed.wait(1000ms));
}

TEST_F(UpstreamClientTest, Send_AlreadyCancelled_DoesNotConnect) {
  TestServer server(answer_ok);
  UpstreamClient client = make_client(server);
  cancel_.cancel();

  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(server.accepted(), 0);
}

TEST_F(UpstreamClientTest, Send_ClearsItsCancelCallbackBeforeReturning) {
  TestServer server(answer_ok);
  UpstreamClient client = make_client(server);
  Cancel first;

  ASSERT_TRUE(run(io_, client.send(request(), first)).ok());
  first.cancel();  // must not reach the pooled connection
  ASSERT_TRUE(run(io_, client.send(request(), cancel_)).ok());

  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, Send_RedirectIsReturnedNotFollowed) {
  std::atomic<int> requests{0};
  TestServer server([&](TestServer::Connection& c) {
    while (c.read_request()) {
      ++requests;
      c.write(response(302, "moved", "text/plain", "Location: /v1/elsewhere\r\n"));
    }
  });
  UpstreamClient client = make_client(server);

  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 302);
  EXPECT_EQ(result->body, "moved");
  EXPECT_EQ(requests.load(), 1);
}

TEST_F(UpstreamClientTest, Send_DeclaredBodyOver64MiB_IsRefused) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write("HTTP/1.1 200 OK\r\nContent-Length: 67108865\r\n\r\n");
    c.wait_closed();
  });
  UpstreamClient client = make_client(server);

  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(result.error().message, "response from " + server.authority() + " exceeds 64 MiB");
}

TEST_F(UpstreamClientTest, Send_ChunkedBodyOver64MiB_IsRefused) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string one_mib = chunk(std::string(1024 * 1024, 'x'));
    for (int i = 0; i < 70 && c.write(one_mib); ++i) {
    }
  });
  UpstreamClient client = make_client(server);

  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(result.error().message, "response from " + server.authority() + " exceeds 64 MiB");
}

TEST_F(UpstreamClientTest, Send_MalformedResponse_IsUpstreamError) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write("SMTP ready\r\n\r\n");
    c.wait_closed();
  });
  UpstreamClient client = make_client(server);

  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(result.error().message.rfind("malformed response from " + server.authority(), 0), 0u)
      << result.error().message;
}

TEST_F(UpstreamClientTest, Send_HeaderValueWithLineBreak_IsRejectedBeforeConnecting) {
  TestServer server(answer_ok);
  UpstreamClient client = make_client(server);
  UpstreamRequest req = request();
  req.headers = {{"x-tenant", "a\r\nInjected: yes"}};

  auto result = run(io_, client.send(req, cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(server.accepted(), 0);
}

TEST_F(UpstreamClientTest, Send_BodyPiecesGoOutInOrderUnderTheirTotalLength) {
  std::optional<bhttp::request<bhttp::string_body>> seen;
  TestServer server([&](TestServer::Connection& c) {
    seen = c.read_request();
    c.write(response(200, R"({"ok":true})"));
  });
  UpstreamClient client = make_client(server);
  const std::string client_bytes = R"({"model":"public","messages":[]})";
  UpstreamRequest req = request();
  req.body = R"("upstream"})";  // the owned parts: the new model, the closing brace
  req.body_pieces = {{std::string_view(client_bytes).substr(0, 9)},
                     {{}, 0, 10},
                     {std::string_view(client_bytes).substr(17, 14)},
                     {{}, 10, 1}};

  auto result = run(io_, client.send(req, cancel_));

  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->body(), R"({"model":"upstream","messages":[]})");
  EXPECT_EQ((*seen)[bhttp::field::content_length], "34");
}

TEST_F(UpstreamClientTest, Send_BodyPiecesPastTheOwnedBody_AreRejectedBeforeConnecting) {
  TestServer server(answer_ok);
  UpstreamClient client = make_client(server);
  UpstreamRequest req = request();
  req.body = "abc";
  req.body_pieces = {{{}, 2, 2}};

  auto result = run(io_, client.send(req, cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(server.accepted(), 0);
}

TEST(UpstreamClientPool, PooledConnectionsDoNotOutliveTheirIoContext) {
  TestServer server(answer_ok);
  UpstreamClient client(Origin::parse(server.base_url()).value(), fast_timeouts());
  Cancel cancel;
  UpstreamRequest req;
  req.path = "/x";
  for (int i = 0; i < 2; ++i) {
    asio::io_context io;  // each context's idle connections go when it does
    auto result = run(io, client.send(req, cancel));
    ASSERT_TRUE(result.ok()) << result.error().message;
  }
  EXPECT_EQ(server.accepted(), 2);
}

// --- stream() ---

TEST_F(UpstreamClientTest, Stream_DeliversEachEventBeforeTheServerEndsTheStream) {
  Signal first_event_seen;
  std::atomic<bool> server_saw_ack{false};
  std::string accept;
  TestServer server([&](TestServer::Connection& c) {
    auto req = c.read_request();
    if (req) accept = std::string((*req)[bhttp::field::accept]);
    c.write(kSseHeaders);
    c.write(chunk("data: one\n\n"));
    server_saw_ack = first_event_seen.wait();  // event 2 only after the client has event 1
    c.write(chunk("event: last\ndata: two\n\n"));
    c.write(kLastChunk);
  });
  UpstreamClient client = make_client(server);
  Events events;
  events.react = [&](std::string_view data) {
    if (data == "one") first_event_seen.set();
    return true;
  };

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->content_type, "text/event-stream");
  EXPECT_EQ(result->body, "");
  EXPECT_TRUE(server_saw_ack.load());
  ASSERT_EQ(events.got.size(), 2u);
  EXPECT_EQ(events.got[0], std::make_pair(std::string(), std::string("one")));
  EXPECT_EQ(events.got[1], std::make_pair(std::string("last"), std::string("two")));
  EXPECT_EQ(accept, "text/event-stream");
}

TEST_F(UpstreamClientTest, Stream_ReusesTheConnectionAfterACompleteStream) {
  TestServer server([](TestServer::Connection& c) {
    while (c.read_request()) {
      c.write(std::string(kSseHeaders) + chunk("data: a\n\n") + chunk("data: [DONE]\n\n") +
              std::string(kLastChunk));
    }
  });
  UpstreamClient client = make_client(server);

  for (int i = 0; i < 2; ++i) {
    Events events;
    auto result = run(io_, client.stream(request(), cancel_, events));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(events.got.size(), 2u);
  }
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, Stream_ReadsAContentLengthBody) {
  const std::string body = "data: a\n\nevent: e\ndata: b\n\n";
  TestServer server([&](TestServer::Connection& c) {
    c.read_request();
    c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 12));
    c.write(body.substr(12));
    c.wait_closed();
  });
  UpstreamClient client = make_client(server);
  Events events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(events.got.size(), 2u);
  EXPECT_EQ(events.got[0].second, "a");
  EXPECT_EQ(events.got[1], std::make_pair(std::string("e"), std::string("b")));
}

TEST_F(UpstreamClientTest, Stream_ReadsABodyEndedByClose) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
        "Connection: close\r\n\r\ndata: a\r\n\r\nda");
    c.write("ta: b\r\n\r\n");
    c.close();
  });
  UpstreamClient client = make_client(server);
  Events events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(events.got.size(), 2u);
  EXPECT_EQ(events.got[1].second, "b");
}

TEST_F(UpstreamClientTest, Stream_ReturnsANon200ResponseWhole) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n" +
        chunk(R"({"error":)") + chunk(R"("slow down"})") + std::string(kLastChunk));
    c.wait_closed();
  });
  UpstreamClient client = make_client(server);
  Events events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 429);
  EXPECT_EQ(result->content_type, "application/json");
  EXPECT_EQ(result->body, R"({"error":"slow down"})");
  EXPECT_TRUE(events.got.empty());
}

TEST_F(UpstreamClientTest, Stream_Returns200WithoutEventStreamWhole) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write(response(200, "data: not an event\n\n", "application/json"));
    c.wait_closed();
  });
  UpstreamClient client = make_client(server);
  Events events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "data: not an event\n\n");
  EXPECT_TRUE(events.got.empty());
}

TEST_F(UpstreamClientTest, Stream_SlowHeaders_TimeOutAfterFirstToken) {
  Signal client_closed;
  TestServer server([&](TestServer::Connection& c) {
    c.read_request();
    if (c.wait_closed()) client_closed.set();
  });
  UpstreamTimeouts t = fast_timeouts();
  t.first_token = Millis(200);
  UpstreamClient client = make_client(server, t);
  Events events;

  const auto start = Clock::now();
  auto result = run(io_, client.stream(request(), cancel_, events));
  const auto elapsed = Clock::now() - start;

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(result.error().message,
            "no response headers from " + server.authority() + " within 200 ms");
  EXPECT_GE(elapsed, std::chrono::milliseconds(190));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
  EXPECT_TRUE(client_closed.wait());
  EXPECT_TRUE(events.got.empty());
}

TEST_F(UpstreamClientTest, Stream_ANon200AnswerSlowerThanFirstTokenIsReadWhole) {
  // The head came in time; the body of a plain answer is under the idle timeout, not the
  // first-token deadline that watched the head.
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            "Content-Length: 10\r\n\r\n{\"err\":");
    if (c.wait_closed(400ms)) return;  // longer than first_token; closed early is the bug
    c.write("1}\n");
    c.wait_closed();
  });
  UpstreamTimeouts t = fast_timeouts();
  t.first_token = Millis(200);
  t.idle = Millis(2000);
  UpstreamClient client = make_client(server, t);
  Events events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(result->body, "{\"err\":1}\n");
}

TEST_F(UpstreamClientTest, Stream_NoEventWithinFirstToken_TimesOut) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write(std::string(kSseHeaders) + chunk(": warming up\n\n"));  // a comment is no event
    c.wait_closed();
  });
  UpstreamTimeouts t = fast_timeouts();
  t.first_token = Millis(200);
  UpstreamClient client = make_client(server, t);
  Events events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(result.error().message, "no SSE event from " + server.authority() + " within 200 ms");
}

TEST_F(UpstreamClientTest, Stream_IdleGapMidStream_TimesOut) {
  Signal client_closed;
  TestServer server([&](TestServer::Connection& c) {
    c.read_request();
    c.write(std::string(kSseHeaders) + chunk("data: one\n\n"));
    if (c.wait_closed()) client_closed.set();
  });
  UpstreamTimeouts t = fast_timeouts();
  t.idle = Millis(200);
  UpstreamClient client = make_client(server, t);
  Events events;

  const auto start = Clock::now();
  auto result = run(io_, client.stream(request(), cancel_, events));
  const auto elapsed = Clock::now() - start;

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(result.error().message,
            "no data from " + server.authority() + " for 200 ms (idle timeout)");
  EXPECT_EQ(events.got.size(), 1u);
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
  EXPECT_TRUE(client_closed.wait());
}

// The idle deadline moves after every event; the call still times out once the events stop.
TEST_F(UpstreamClientTest, Stream_IdleTimeoutHoldsAfterManyEventsThatEachMovedIt) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write(kSseHeaders);
    for (int i = 0; i < 8; ++i) {
      if (!c.write(chunk("data: tick\n\n")) || c.wait_closed(60ms)) return;
    }
    c.wait_closed();
  });
  UpstreamTimeouts t = fast_timeouts();
  t.idle = Millis(200);
  UpstreamClient client = make_client(server, t);
  Events events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(result.error().message,
            "no data from " + server.authority() + " for 200 ms (idle timeout)");
  EXPECT_EQ(events.got.size(), 8u);  // 8 x 60 ms is longer than the idle timeout
}

// Waiting on the client (a slow reader of the relayed events) is not upstream idle time.
TEST_F(UpstreamClientTest, Stream_SlowConsumerIsNotAnIdleUpstream) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write(kSseHeaders);
    for (const char* event : {"data: one\n\n", "data: two\n\n", "data: three\n\n"}) {
      // Each event comes 100 ms after the client is done with the last: read from the socket.
      if (!c.write(chunk(event)) || c.wait_closed(400ms)) return;
    }
    c.write(kLastChunk);
  });
  UpstreamTimeouts t = fast_timeouts();
  t.idle = Millis(250);
  UpstreamClient client = make_client(server, t);
  class SlowEvents : public SseHandler {
   public:
    int got = 0;
    Task<bool> on_event(std::string_view, std::string_view) override {
      ++got;
      boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor);
      pause.expires_after(std::chrono::milliseconds(300));  // past the idle timeout
      co_await pause.async_wait(boost::asio::use_awaitable);
      co_return true;
    }
  } events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(events.got, 3);
}

TEST_F(UpstreamClientTest, Stream_TotalTimeoutEndsAStreamThatKeepsGoing) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write(kSseHeaders);
    while (c.write(chunk("data: tick\n\n")) && !c.wait_closed(20ms)) {
    }
  });
  UpstreamTimeouts t = fast_timeouts();
  t.total = Millis(300);
  UpstreamClient client = make_client(server, t);
  Events events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(result.error().message,
            "call to " + server.authority() + " exceeded the total timeout of 300 ms");
  EXPECT_GE(events.got.size(), 2u);
}

TEST_F(UpstreamClientTest, Stream_ServerResetMidStream_IsAnError) {
  Signal first_event_seen;
  TestServer server([&](TestServer::Connection& c) {
    c.read_request();
    c.write(std::string(kSseHeaders) + chunk("data: one\n\n"));
    first_event_seen.wait();
    c.reset();
  });
  UpstreamClient client = make_client(server);
  Events events;
  events.react = [&](std::string_view) {
    first_event_seen.set();
    return true;
  };

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnreachable);
  EXPECT_EQ(result.error().message.rfind(
                server.authority() + " closed the connection before the response was complete", 0),
            0u)
      << result.error().message;
  EXPECT_EQ(events.got.size(), 1u);
}

TEST_F(UpstreamClientTest, Stream_ServerClosingMidChunkedStream_IsAnError) {
  TestServer server([](TestServer::Connection& c) {
    c.read_request();
    c.write(std::string(kSseHeaders) + chunk("data: one\n\n") + "40\r\ndata: tw");
    c.close();
  });
  UpstreamClient client = make_client(server);
  Events events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnreachable);
  EXPECT_EQ(events.got.size(), 1u);
}

TEST_F(UpstreamClientTest, Stream_CancelMidStream_ReturnsCancelledAndClosesTheUpstream) {
  Signal client_closed;
  TestServer server([&](TestServer::Connection& c) {
    c.read_request();
    c.write(std::string(kSseHeaders) + chunk("data: one\n\n"));
    if (c.wait_closed()) client_closed.set();
  });
  UpstreamClient client = make_client(server);
  Events events;
  events.react = [&](std::string_view) {
    asio::post(io_, [&] { cancel_.cancel(); });  // e.g. the downstream client disconnected
    return true;
  };

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kCancelled);
  EXPECT_TRUE(client_closed.wait(1000ms));
  EXPECT_EQ(events.got.size(), 1u);
}

TEST_F(UpstreamClientTest, Stream_HandlerStopping_ClosesTheConnection) {
  Signal client_closed;
  TestServer server([&](TestServer::Connection& c) {
    c.read_request();
    c.write(std::string(kSseHeaders) + chunk("data: one\n\ndata: two\n\n"));
    if (c.wait_closed()) client_closed.set();
  });
  UpstreamClient client = make_client(server);
  Events events;
  events.react = [](std::string_view) { return false; };

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(events.got.size(), 1u);
  EXPECT_TRUE(client_closed.wait(1000ms));
}

// --- TLS ---

TEST_F(UpstreamClientTest, Tls_TrustedCertificate_ServesAndReusesConnections) {
  static const TestCertificate cert = make_certificate("IP:127.0.0.1,DNS:localhost");
  detail::tls_client_context().add_certificate_authority(asio::buffer(cert.cert_pem));
  TestServer server(answer_ok, cert);
  UpstreamClient client = make_client(server);

  for (int i = 0; i < 2; ++i) {
    auto result = run(io_, client.send(request(), cancel_));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->body, R"({"ok":true})");
  }
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, Tls_StreamEndedByCloseWithoutCloseNotify_Completes) {
  static const TestCertificate cert = make_certificate("IP:127.0.0.1");
  detail::tls_client_context().add_certificate_authority(asio::buffer(cert.cert_pem));
  TestServer server(
      [](TestServer::Connection& c) {
        c.read_request();
        c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: a\n\n");
        c.close();  // TCP close, no TLS close_notify
      },
      cert);
  UpstreamClient client = make_client(server);
  Events events;

  auto result = run(io_, client.stream(request(), cancel_, events));

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(events.got.size(), 1u);
}

TEST_F(UpstreamClientTest, Tls_UntrustedCertificate_IsRefused) {
  TestServer server(answer_ok, make_certificate("IP:127.0.0.1"));  // never trusted
  UpstreamClient client = make_client(server);

  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnreachable);
  EXPECT_EQ(
      result.error().message.rfind(
          "TLS handshake with " + server.authority() + " failed: certificate verify failed", 0),
      0u)
      << result.error().message;
}

TEST_F(UpstreamClientTest, Tls_CertificateForAnotherHost_IsRefused) {
  static const TestCertificate cert = make_certificate("DNS:other.example");
  detail::tls_client_context().add_certificate_authority(asio::buffer(cert.cert_pem));
  TestServer server(answer_ok, cert);
  UpstreamClient client = make_client(server);

  auto result = run(io_, client.send(request(), cancel_));

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnreachable);
  EXPECT_NE(result.error().message.find("certificate verify failed"), std::string::npos)
      << result.error().message;
}

// --- Origin::parse ---

TEST(OriginParse, HttpWithPortAndPath) {
  auto o = Origin::parse("http://127.0.0.1:8000/v1");
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_FALSE(o->tls);
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, "8000");
  EXPECT_EQ(o->base_path, "/v1");
}

TEST(OriginParse, DefaultPortsAndEmptyPath) {
  auto https = Origin::parse("https://api.deepseek.com");
  ASSERT_TRUE(https.ok());
  EXPECT_TRUE(https->tls);
  EXPECT_EQ(https->port, "443");
  EXPECT_EQ(https->base_path, "");
  auto http = Origin::parse("HTTP://tgi.internal/");
  ASSERT_TRUE(http.ok());
  EXPECT_FALSE(http->tls);
  EXPECT_EQ(http->host, "tgi.internal");
  EXPECT_EQ(http->port, "80");
  EXPECT_EQ(http->base_path, "");
}

TEST(OriginParse, TrailingSlashesAreStripped) {
  auto o = Origin::parse("https://h:8443/a/b//");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->port, "8443");
  EXPECT_EQ(o->base_path, "/a/b");
}

TEST(OriginParse, Ipv6LiteralHost) {
  auto o = Origin::parse("http://[::1]:8080/v1/");
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(o->port, "8080");
  EXPECT_EQ(o->base_path, "/v1");
}

TEST(OriginParse, RejectsWhatIsNotAnHttpOrigin) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "is not an absolute URL"},
      {"not a url", "is not an absolute URL"},
      {"ftp://h/", "must start with http:// or https://"},
      {"localhost:8080", "must start with http:// or https://"},
      {"http:///v1", "has no host"},
      {"http://h:0", "has an invalid port"},
      {"http://h:70000", "has an invalid port"},
      {"http://user:pw@h", "must not contain user info"},
      {"http://h/v1?x=1", "must not have a query or a fragment"},
      {"http://h/v1#top", "must not have a query or a fragment"},
  };
  for (const auto& [url, expected] : cases) {
    auto o = Origin::parse(url);
    ASSERT_FALSE(o.ok()) << url;
    EXPECT_EQ(o.error().code, ErrorCode::kInvalidRequest) << url;
    EXPECT_EQ(o.error().field, "base_url") << url;
    EXPECT_NE(o.error().message.find(expected), std::string::npos)
        << url << ": " << o.error().message;
    EXPECT_NE(o.error().message.find("'" + std::string(url) + "'"), std::string::npos) << url;
  }
}

}  // namespace
}  // namespace plinth::http
