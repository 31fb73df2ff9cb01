// A write attempted in place: on a connection with room in its send buffer (nearly always),
// the bytes go out in one sendmsg without an asynchronous operation, its timer and its
// posted completion. Whatever the socket does not take is left to the asynchronous write.
// Included only by the HTTP implementation files (it pulls in Asio).
#pragma once

#include <boost/asio/buffer.hpp>

#include "http/detail/socket_calls.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstddef>

namespace plinth::http::detail {

// Sends as much of `buffers` as the socket `fd` takes now, never blocking. Returns the bytes
// sent: 0 when it would block or failed (the asynchronous write that follows reports the
// error), and possibly a prefix only.
template <class ConstBufferSequence>
std::size_t send_now(int fd, const ConstBufferSequence& buffers) {
  std::array<iovec, 8> iov{};
  std::size_t count = 0;
  const auto end = boost::asio::buffer_sequence_end(buffers);
  for (auto it = boost::asio::buffer_sequence_begin(buffers); it != end; ++it) {
    const boost::asio::const_buffer b(*it);
    if (b.size() == 0) continue;
    if (count == iov.size()) break;  // a prefix; the rest goes asynchronously
    iov[count].iov_base = const_cast<void*>(b.data());
    iov[count].iov_len = b.size();
    ++count;
  }
  if (count == 0) return 0;
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = count;
  const ssize_t sent = sendmsg_call(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  return sent > 0 ? static_cast<std::size_t>(sent) : 0;
}

}  // namespace plinth::http::detail
