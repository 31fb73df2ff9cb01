// plinthctl's exit codes: the contract scripts rely on (also printed by `plinthctl --help`).
#pragma once

#include "core/result.h"

namespace plinth::ctl {

enum class ExitCode : int {
  kOk = 0,
  kRefused = 1,      // the API refused the request (4xx other than 404)
  kUsage = 2,        // bad flags or arguments, unreadable -f file, no admin key
  kUnavailable = 3,  // server unreachable, timed out, or answered 5xx / garbage
  kNotFound = 4,     // the API answered 404 (unknown model, version, endpoint, release)
};

// The exit code for an HTTP status the admin API answered with (2xx gives kOk).
ExitCode exit_code_for_status(int status);

// The exit code for a failed command. An Error with `upstream_status` came from the API
// (see admin_api.h); a kInvalidRequest without one is a usage error; anything else means the
// server could not be reached or did not answer sensibly.
ExitCode exit_code_for(const Error& error);

// Usage error with the flag or argument at fault.
inline Error usage_error(std::string field, std::string message) {
  return Error::invalid(std::move(field), std::move(message));
}

}  // namespace plinth::ctl
