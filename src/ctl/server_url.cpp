// Base URL parsing with Boost.URL.
#include "ctl/server_url.h"

#include "ctl/exit_code.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace plinth::ctl {

Result<ServerUrl> parse_server_url(std::string_view text) {
  const std::string shown = "'" + std::string(text) + "'";
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) {
    return usage_error("--url", "--url must be an http:// or https:// URL, got " + shown);
  }
  const boost::urls::url_view& u = *parsed;
  ServerUrl url;
  if (u.scheme() == "https") {
    url.tls = true;
  } else if (u.scheme() != "http") {
    return usage_error("--url", "--url must start with http:// or https://, got " + shown);
  }
  if (u.has_userinfo() || u.has_query() || u.has_fragment()) {
    return usage_error("--url", "--url takes no user info, query or fragment, got " + shown);
  }
  if (u.encoded_host().empty()) return usage_error("--url", "--url has no host: " + shown);
  url.host = u.host_type() == boost::urls::host_type::ipv6 ? std::string(u.host_address())
                                                           : std::string(u.host());
  const std::string default_port = url.tls ? "443" : "80";
  url.port = u.has_port() && !u.port().empty() ? std::string(u.port()) : default_port;
  url.host_header = std::string(u.encoded_host_and_port());
  if (url.host_header.ends_with(":")) url.host_header.pop_back();
  url.base_path = std::string(u.encoded_path());
  while (url.base_path.ends_with('/')) url.base_path.pop_back();
  return url;
}

}  // namespace plinth::ctl
