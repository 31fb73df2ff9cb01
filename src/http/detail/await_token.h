// The completion token of the awaited socket operations in src/http/ (private to it).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>

namespace plinth::http::detail {

// `co_await op(kAwaitTuple)` gives (error_code, results...) without throwing. `deferred`, not
// `use_awaitable`: a deferred operation is started from the awaiting frame, where
// use_awaitable first runs the initiation in a coroutine frame of its own (about 200
// instructions per operation; docs/design/performance.md). Beast's range async_connect
// cannot take it (it still names async_result<>::return_type) and keeps use_awaitable.
inline constexpr auto kAwaitTuple = boost::asio::as_tuple(boost::asio::deferred);

}  // namespace plinth::http::detail
