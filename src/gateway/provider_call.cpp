#include "gateway/provider_call.h"

#include "gateway/stream_relay.h"
#include "gateway/usage_estimate.h"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <memory>

namespace plinth::gateway {

namespace {

// Records the provider's timing marks on the exchange.
void take_timings(Exchange& ex, const providers::CallContext& ctx) {
  ex.upstream_started = ctx.upstream_started;
  ex.write_started = ctx.write_started;
  ex.connect_wait = ctx.connect_wait;
  ex.upstream_headers = ctx.upstream_headers;
}

Error version_offline(const Exchange& ex) {
  return Error{ErrorCode::kModelVersionOffline,
               fmt::format("Version '{}' of model '{}' was taken offline; retry the request",
                           ex.version->name, ex.route->name)};
}

bool version_cut(const Exchange& ex) { return ex.version && ex.version->gate->is_cut(); }

// A request's registration with its version's gate: a forced offline cancels the request on
// its own io thread (Cancel is single-threaded), and only while the request still runs.
class GateTicket {
 public:
  GateTicket(const Exchange& ex, Cancel& cancel, const boost::asio::any_io_executor& executor)
      : gate_(ex.version ? ex.version->gate.get() : nullptr) {
    if (!gate_) return;
    live_ = std::make_shared<Live>(Live{&cancel});
    ticket_ = gate_->enter([executor, live = live_] {
      boost::asio::post(executor, [live] {
        if (live->running) live->cancel->cancel();
      });
    });
  }
  ~GateTicket() {
    if (!gate_) return;
    live_->running = false;
    gate_->leave(ticket_);
  }
  GateTicket(const GateTicket&) = delete;
  GateTicket& operator=(const GateTicket&) = delete;
  bool admitted() const { return !gate_ || ticket_ != 0; }

 private:
  struct Live {
    Cancel* cancel;
    bool running = true;
  };
  registry::VersionGate* gate_;
  std::shared_ptr<Live> live_;
  registry::VersionGate::Ticket ticket_ = 0;
};

void mark_client_gone(Exchange& ex, Error error) {
  ex.client_gone = true;
  if (ex.status == 0) ex.status = 499;  // nginx's "client closed request"
  ex.error = std::move(error);
}

}  // namespace

Task<void> ProviderCall::respond(Exchange& ex, const Pipeline& pipeline,
                                 http::ResponseWriter& writer, Cancel& cancel) const {
  const boost::asio::any_io_executor executor = co_await boost::asio::this_coro::executor;
  const GateTicket ticket(ex, cancel, executor);
  if (!ticket.admitted()) {
    const Error error = version_offline(ex);
    co_await send_error(ex, writer, error);
    co_return;
  }
  if (ex.request.stream && ex.request.op != providers::Operation::kEmbedding) {
    co_await stream(ex, pipeline, writer, cancel);
  } else {
    co_await call(ex, writer, cancel);
  }
}

Task<void> ProviderCall::call(Exchange& ex, http::ResponseWriter& writer, Cancel& cancel) const {
  providers::CallContext ctx{cancel, ex.request_id};
  auto result = co_await ex.provider->call(ex.request, ctx);
  take_timings(ex, ctx);
  if (!result) {
    if (version_cut(ex)) {
      const Error error = version_offline(ex);
      co_await send_error(ex, writer, error);
    } else if (cancel.cancelled()) {
      mark_client_gone(ex, std::move(result).error());
    } else {
      const Error error = std::move(result).error();
      co_await send_error(ex, writer, error);
    }
    co_return;
  }
  if (result->usage) {
    ex.usage = result->usage;
  } else {
    ex.usage = providers::Usage{estimate_prompt_tokens(ex.request),
                                estimate_output_tokens(result->body), /*estimated=*/true};
  }
  const std::string body =
      result->raw.empty() ? boost::json::serialize(result->body) : std::move(result->raw);
  ex.response_ready = Clock::now();
  co_await send_json(ex, writer, 200, body);
}

Task<void> ProviderCall::stream(Exchange& ex, const Pipeline& pipeline,
                                http::ResponseWriter& writer, Cancel& cancel) const {
  providers::CallContext ctx{cancel, ex.request_id};
  StreamRelay relay(ex, pipeline, writer, cancel);
  auto& open_streams = metrics_.in_flight_streams.with({});
  open_streams.add(1);
  Status status = co_await ex.provider->stream(ex.request, ctx, relay);
  take_timings(ex, ctx);

  if (relay.reported_usage()) {
    ex.usage = relay.reported_usage();
  } else {
    ex.usage = providers::Usage{estimate_prompt_tokens(ex.request),
                                relay.estimated_output_tokens(), /*estimated=*/true};
  }

  if (status) {
    co_await relay.finish_ok();
  } else if (version_cut(ex) && !relay.client_gone()) {
    const Error error = version_offline(ex);
    if (relay.started()) {
      ex.error = error;
      co_await relay.finish_with_error(error);
    } else {
      co_await send_error(ex, writer, error);
    }
  } else if (relay.client_gone() || cancel.cancelled()) {
    mark_client_gone(ex, std::move(status).error());
  } else if (relay.stage_error()) {
    ex.error = relay.stage_error();
    co_await relay.finish_with_error(*relay.stage_error());
  } else if (!relay.started()) {
    const Error error = status.error();
    co_await send_error(ex, writer, error);
  } else {
    ex.error = status.error();
    co_await relay.finish_with_error(status.error());
  }
  if (relay.client_gone()) ex.client_gone = true;
  open_streams.add(-1);
}

}  // namespace plinth::gateway
