// Running one UpstreamClient call to completion in a test, with short timeouts.
#pragma once

#include "http/upstream_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <optional>

namespace plinth::http::testing {

inline UpstreamTimeouts fast_timeouts() {
  UpstreamTimeouts t;
  t.connect = Millis(2000);
  t.first_token = Millis(2000);
  t.idle = Millis(2000);
  t.total = Millis(4000);
  return t;
}

// Runs one client call on `io` in this thread and returns its result.
inline Result<UpstreamResponse> run(boost::asio::io_context& io,
                                    Task<Result<UpstreamResponse>> call) {
  std::optional<Result<UpstreamResponse>> result;
  auto wrapper = [](Task<Result<UpstreamResponse>> call,
                    std::optional<Result<UpstreamResponse>>& out) -> Task<void> {
    out.emplace(co_await std::move(call));
  };
  std::exception_ptr failure;
  boost::asio::co_spawn(io, wrapper(std::move(call), result),
                        [&](std::exception_ptr e) { failure = e; });
  io.restart();
  io.run_for(std::chrono::seconds(5));
  if (failure) std::rethrow_exception(failure);
  if (!result) return Error{ErrorCode::kInternal, "test: the call did not finish within 5 s"};
  return std::move(*result);
}

}  // namespace plinth::http::testing
