// A socket read that counts a short read as having drained the socket (private to
// src/http/: it specialises a detail of Asio's epoll reactor).
//
// Asio's reactor tries every read at once when it is started ("speculatively") unless the
// last read on that socket drained it, and it counts a read as draining only when it returned
// 0 bytes (EOF). So after each chunk of an event stream the next read begins with a recv that
// finds nothing (EAGAIN): a second syscall per relayed chunk, which nginx does not make. A read
// into a DrainingBuffer reports a read shorter than its buffer as draining too. That is what
// edge-triggered epoll (Asio's mode) allows: bytes that arrive after the short read raise a
// new edge, the reactor then marks the socket worth trying again and reads them.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>  // first: the detail header below is not self-contained
#include <boost/asio/detail/reactive_socket_recv_op.hpp>

namespace plinth::http::detail {

// The room to read into; tells the reactor that a short read drained the socket.
struct DrainingBuffer : boost::asio::mutable_buffer {
  explicit DrainingBuffer(boost::asio::mutable_buffer b) : boost::asio::mutable_buffer(b) {}
};

}  // namespace plinth::http::detail

namespace boost::asio::detail {

// Asio's own do_perform for one buffer, with the short-read rule added at the end.
template <>
inline reactor_op::status
reactive_socket_recv_op_base<plinth::http::detail::DrainingBuffer>::do_perform(reactor_op* base) {
  auto* o = static_cast<reactive_socket_recv_op_base*>(base);
  const boost::asio::mutable_buffer& room = o->buffers_;
  const bool stream = (o->state_ & socket_ops::stream_oriented) != 0;
  if (!socket_ops::non_blocking_recv1(o->socket_, room.data(), room.size(), o->flags_, stream,
                                      o->ec_, o->bytes_transferred_)) {
    return not_done;  // EAGAIN: wait for the socket's next edge
  }
  if (stream && (o->bytes_transferred_ == 0 || (!o->ec_ && o->bytes_transferred_ < room.size()))) {
    return done_and_exhausted;
  }
  return done;
}

}  // namespace boost::asio::detail
