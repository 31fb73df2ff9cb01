// Maps HTTP statuses and errors to plinthctl's exit codes.
#include "ctl/exit_code.h"

namespace plinth::ctl {

ExitCode exit_code_for_status(int status) {
  if (status >= 200 && status < 300) return ExitCode::kOk;
  if (status == 404) return ExitCode::kNotFound;
  if (status >= 400 && status < 500) return ExitCode::kRefused;
  return ExitCode::kUnavailable;  // 5xx, and 1xx/3xx which the admin API never sends
}

ExitCode exit_code_for(const Error& error) {
  if (error.upstream_status != 0) return exit_code_for_status(error.upstream_status);
  if (error.code == ErrorCode::kInvalidRequest) return ExitCode::kUsage;
  return ExitCode::kUnavailable;
}

}  // namespace plinth::ctl
