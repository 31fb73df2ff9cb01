// plinthctl: the admin CLI of Plinth. See `plinthctl --help` and docs/admin-api.md.
#include "ctl/cli.h"

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  plinth::ctl::CliIo io{
      std::cout, std::cerr,
      [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        return value ? std::optional<std::string>(value) : std::nullopt;
      },
      [](const plinth::ctl::ServerUrl& url) { return plinth::ctl::make_http_transport(url); }};
  const int code = plinth::ctl::run_cli(std::vector<std::string>(argv + 1, argv + argc), io);
  std::cout.flush();
  return code;
}
