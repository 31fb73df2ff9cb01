// Socket plumbing shared by the bench tools (see net.h).
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstring>

namespace plinth::bench {

std::optional<Endpoint> parse_host_port(std::string_view text, std::string* error) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    *error = "expected HOST:PORT, got '" + std::string(text) + "'";
    return std::nullopt;
  }
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    *error = "port must be a number from 0 to 65535, got '" + std::string(port_text) + "'";
    return std::nullopt;
  }
  return Endpoint{std::string(text.substr(0, colon)), static_cast<uint16_t>(port)};
}

std::optional<HttpUrl> parse_http_url(std::string_view text, std::string* error) {
  constexpr std::string_view kScheme = "http://";
  if (!text.starts_with(kScheme)) {
    *error =
        "URL must start with http:// (no TLS in the bench tools), got '" + std::string(text) + "'";
    return std::nullopt;
  }
  std::string_view rest = text.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl url;
  url.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find(':') == std::string_view::npos) {
    url.endpoint = Endpoint{std::string(authority), 80};
  } else {
    auto endpoint = parse_host_port(authority, error);
    if (!endpoint) return std::nullopt;
    url.endpoint = *endpoint;
  }
  if (url.endpoint.host.empty()) {
    *error = "URL has no host: '" + std::string(text) + "'";
    return std::nullopt;
  }
  url.host_header = std::string(authority);
  return url;
}

std::optional<sockaddr_in> resolve_ipv4(const Endpoint& endpoint, std::string* error) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(endpoint.port);
  if (inet_pton(AF_INET, endpoint.host.c_str(), &address.sin_addr) == 1) return address;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(endpoint.host.c_str(), nullptr, &hints, &found); rc != 0) {
    *error = "cannot resolve '" + endpoint.host + "': " + gai_strerror(rc);
    return std::nullopt;
  }
  address.sin_addr = reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr;
  freeaddrinfo(found);
  return address;
}

int listen_reuseport(const sockaddr_in& address, std::string* error) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 4096) != 0) {
    char ip[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &address.sin_addr, ip, sizeof ip);
    *error = std::string("cannot listen on ") + ip + ":" + std::to_string(ntohs(address.sin_port)) +
             ": " + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_in address{};
  socklen_t len = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len);
  return ntohs(address.sin_port);
}

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int start_connect(const sockaddr_in& address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  set_nodelay(fd);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
      errno != EINPROGRESS) {
    const int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

uint64_t raise_fd_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

int epoll_wait_ns(int epoll_fd, epoll_event* events, int max_events, int64_t timeout_ns) {
  static std::atomic<bool> have_pwait2{true};
  if (timeout_ns < 0) return epoll_wait(epoll_fd, events, max_events, -1);
  if (have_pwait2.load(std::memory_order_relaxed)) {
    timespec ts{static_cast<time_t>(timeout_ns / 1'000'000'000),
                static_cast<long>(timeout_ns % 1'000'000'000)};
    int n = epoll_pwait2(epoll_fd, events, max_events, &ts, nullptr);
    if (n >= 0 || errno != ENOSYS) return n;
    have_pwait2.store(false, std::memory_order_relaxed);
  }
  return epoll_wait(epoll_fd, events, max_events,
                    static_cast<int>((timeout_ns + 999'999) / 1'000'000));
}

CpuTime process_cpu_time() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return CpuTime{usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
                 usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6};
}

}  // namespace plinth::bench
