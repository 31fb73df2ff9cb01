// `plinth serve`: loads the config, builds providers and the first snapshot, and runs the
// server until SIGTERM/SIGINT (graceful).
#pragma once

#include <string>

namespace plinth::app {

struct ServeOptions {
  std::string config_path;
  std::string listen;
  std::string data_dir;
  int workers = -1;  // -1 = as configured
};

// Returns the process exit code.
int serve(const ServeOptions& options);

}  // namespace plinth::app
