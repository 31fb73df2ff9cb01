// A socket read that knows when it drained the socket (private to src/http/: it specialises a
// detail of Asio's epoll reactor).
//
// Asio's reactor tries every read at once when it is started ("speculatively") unless the
// last read on that socket drained it, and it counts a read as draining only when it returned
// 0 bytes (EOF). So after each chunk of an event stream the next read begins with a recv that
// finds nothing (EAGAIN): a second syscall per relayed chunk, which nginx does not make.
//
// A read into a DrainingBuffer asks the kernel instead. On a socket with TCP_INQ set
// (enable_draining_reads), each recvmsg also returns how many bytes are still queued, and a
// non-zero count once the peer's FIN has arrived. A count of 0 means the socket is drained:
// the reactor then waits for the socket's next edge, which edge-triggered epoll (Asio's mode)
// raises for any byte or FIN that arrives later. A short read alone is not proof: the data and
// the FIN after it can arrive before one epoll_wait, which reports them as one edge, and a read
// that then waited for another edge would wait for ever. Without the count (TCP_INQ not set)
// the read behaves as Asio's own.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>  // first: the detail header below is not self-contained
#include <boost/asio/detail/reactive_socket_recv_op.hpp>

#include "http/detail/socket_calls.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace plinth::http::detail {

// The room to read into; tells the reactor when the read drained the socket.
struct DrainingBuffer : boost::asio::mutable_buffer {
  explicit DrainingBuffer(boost::asio::mutable_buffer b) : boost::asio::mutable_buffer(b) {}
};

// Has the kernel report the bytes left after each read, which DrainingBuffer reads need to
// skip the recv that finds nothing. Harmless where unsupported: the reads then behave as
// Asio's own.
inline void enable_draining_reads(boost::asio::ip::tcp::socket& socket) {
  const int on = 1;
  (void)::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INQ, &on, sizeof on);
}

// The bytes the kernel says are still queued after a recvmsg, or -1 when it did not say.
inline int bytes_left_after(msghdr& msg) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_TCP && c->cmsg_type == TCP_CM_INQ) {
      int left = -1;
      std::memcpy(&left, CMSG_DATA(c), sizeof left);
      return left;
    }
  }
  return -1;
}

}  // namespace plinth::http::detail

namespace boost::asio::detail {

// Asio's own do_perform for one buffer of a stream socket, with recvmsg in place of recv so
// that the kernel's count of what is left decides whether the socket was drained.
template <>
inline reactor_op::status
reactive_socket_recv_op_base<plinth::http::detail::DrainingBuffer>::do_perform(reactor_op* base) {
  auto* o = static_cast<reactive_socket_recv_op_base*>(base);
  const boost::asio::mutable_buffer& room = o->buffers_;
  if ((o->state_ & socket_ops::stream_oriented) == 0) {
    return socket_ops::non_blocking_recv1(o->socket_, room.data(), room.size(), o->flags_, false,
                                          o->ec_, o->bytes_transferred_)
               ? done
               : not_done;
  }
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  iovec iov{room.data(), room.size()};
  for (;;) {
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = plinth::http::detail::recvmsg_call(o->socket_, &msg, o->flags_);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done;  // wait for the next edge
      o->ec_ = boost::system::error_code(errno, boost::asio::error::get_system_category());
      o->bytes_transferred_ = 0;
      return done;
    }
    o->bytes_transferred_ = static_cast<std::size_t>(n);
    if (n == 0 && room.size() > 0) {
      o->ec_ = boost::asio::error::eof;
      return done_and_exhausted;
    }
    o->ec_ = boost::system::error_code();
    return plinth::http::detail::bytes_left_after(msg) == 0 ? done_and_exhausted : done;
  }
}

}  // namespace boost::asio::detail
