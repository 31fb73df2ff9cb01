// Task<T>: the coroutine type of every asynchronous call in Plinth. It is Asio's awaitable,
// but only this light header is pulled in; io objects stay in src/http/.
#pragma once

#include <boost/asio/awaitable.hpp>

namespace plinth {

template <class T = void>
using Task = boost::asio::awaitable<T>;

}  // namespace plinth
