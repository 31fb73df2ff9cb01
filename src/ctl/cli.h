// plinthctl's top level: global options, finding the command, help, credentials, running
// it, and turning its outcome into output and an exit code (see exit_code.h).
#pragma once

#include "ctl/flag_values.h"
#include "ctl/http_client.h"

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace plinth::ctl {

struct CliIo {
  std::ostream& out;
  std::ostream& err;
  EnvLookup env;  // PLINTH_URL, PLINTH_ADMIN_KEY, --api-key-env variables
  // Opens the transport to the server; tests substitute a fake.
  std::function<std::unique_ptr<Transport>(const ServerUrl&)> connect;
};

// Runs one command line (without the program name) and returns the process exit code.
int run_cli(std::vector<std::string> args, const CliIo& io);

}  // namespace plinth::ctl
