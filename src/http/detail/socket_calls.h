// recvmsg and sendmsg as plain system calls (private to src/http/). libc's functions are
// thread-cancellation points: each call switches asynchronous cancellation on and off around
// the system call, about 40 instructions a call, twice per relayed chunk. Plinth never
// cancels a thread (no pthread_cancel), so that bracket buys nothing here.
#pragma once

#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace plinth::http::detail {

// As ::recvmsg and ::sendmsg: the count, or -1 with errno set.
inline ssize_t recvmsg_call(int fd, msghdr* msg, int flags) {
  return ::syscall(SYS_recvmsg, fd, msg, flags);
}

inline ssize_t sendmsg_call(int fd, const msghdr* msg, int flags) {
  return ::syscall(SYS_sendmsg, fd, msg, flags);
}

}  // namespace plinth::http::detail
