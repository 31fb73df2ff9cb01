// A blocking GET of the mock's /stats (see upstream_stats.h).
#include "upstream_stats.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

namespace plinth::bench {

std::optional<UpstreamSample> sample_upstream(const HttpUrl& url, std::string* error) {
  auto address = resolve_ipv4(url.endpoint, error);
  if (!address) return std::nullopt;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  std::string response;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof *address) == 0) {
    const std::string request = "GET " + url.path + " HTTP/1.1\r\nHost: " + url.host_header +
                                "\r\nConnection: close\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof buf)) > 0) response.append(buf, n);
    }
  }
  const int saved = errno;
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (!response.starts_with("HTTP/1.1 200") || body == std::string::npos) {
    *error = "no stats from " + url.host_header + url.path +
             (response.empty() ? std::string(": ") + std::strerror(saved) : ": not a 200");
    return std::nullopt;
  }
  return parse_upstream_sample(std::string_view(response).substr(body + 4));
}

}  // namespace plinth::bench
