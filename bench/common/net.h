// Socket plumbing shared by the mock upstream and the load generator: addresses and URLs,
// listeners, non-blocking sockets, and an epoll wait with a nanosecond timeout.
#pragma once

#include <netinet/in.h>
#include <sys/epoll.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plinth::bench {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// "HOST:PORT" (port 0 allowed). On failure returns nullopt and sets *error.
std::optional<Endpoint> parse_host_port(std::string_view text, std::string* error);

// A plain-HTTP URL: "http://HOST:PORT/PATH" (port defaults to 80, path to "/").
struct HttpUrl {
  Endpoint endpoint;
  std::string path;
  std::string host_header;  // "HOST:PORT", as the Host header wants it
};
std::optional<HttpUrl> parse_http_url(std::string_view text, std::string* error);

// Resolves an IPv4 literal or a name (blocking; call at start-up only).
std::optional<sockaddr_in> resolve_ipv4(const Endpoint& endpoint, std::string* error);

// A non-blocking listening socket with SO_REUSEPORT, so each thread of a server can own one
// on the same port. Returns the fd or -1 with *error set.
int listen_reuseport(const sockaddr_in& address, std::string* error);
uint16_t local_port(int fd);

void set_nodelay(int fd);

// Starts a non-blocking connect. Returns the fd (the connection may still be in progress) or
// -1 with errno set.
int start_connect(const sockaddr_in& address);

// Raises the soft open-file limit to the hard limit; returns the new soft limit.
uint64_t raise_fd_limit();

// epoll_wait with a timeout in nanoseconds (negative: forever). Uses epoll_pwait2 where the
// kernel has it; elsewhere rounds the timeout up to whole milliseconds.
int epoll_wait_ns(int epoll_fd, epoll_event* events, int max_events, int64_t timeout_ns);

// CPU time this process has used so far, user and system, in seconds.
struct CpuTime {
  double user_s = 0;
  double sys_s = 0;
};
CpuTime process_cpu_time();

}  // namespace plinth::bench
