// The command line's path from argv to exit code.
#include "ctl/cli.h"

#include "ctl/commands.h"
#include "ctl/exit_code.h"

#include <optional>

namespace plinth::ctl {

namespace {

int usage_failure(const CliIo& io, const std::string& message, const std::string& hint) {
  io.err << "plinthctl: " << message << "\n" << hint;
  return static_cast<int>(ExitCode::kUsage);
}

// Prints a failed command's error and returns its exit code.
int report(const CliIo& io, const Command& command, const Error& error) {
  const ExitCode code = exit_code_for(error);
  if (code == ExitCode::kUsage) {
    return usage_failure(
        io, error.message,
        "usage: plinthctl " + std::string(command.path) + " " + usage_line(command.syntax) + "\n");
  }
  io.err << "plinthctl: ";
  if (error.upstream_status != 0) io.err << "HTTP " << error.upstream_status << ": ";
  io.err << error.message;
  if (!error.field.empty()) io.err << " (param: " << error.field << ")";
  io.err << "\n";
  return static_cast<int>(code);
}

// What a non-empty environment variable says, if anything.
std::optional<std::string> env_value(const CliIo& io, const std::string& name) {
  auto value = io.env(name);
  return value && !value->empty() ? value : std::nullopt;
}

// Help, version and lines that name no command. Returns the exit code when it handled the
// line; sets `command` and `words` otherwise.
std::optional<int> route(const std::vector<std::string>& args, const GlobalOptions& globals,
                         const CliIo& io, const Command*& command, std::size_t& words) {
  const std::string see_help = "run 'plinthctl --help' for usage\n";
  if (args.empty() || args[0] == "help") {
    if (args.size() > 1 && is_group(args[1])) {
      io.out << group_help(args[1]);
      return 0;
    }
    if (args.empty() && !globals.help) {
      io.err << main_help();
      return static_cast<int>(ExitCode::kUsage);
    }
    io.out << main_help();
    return 0;
  }
  if (args[0] == "version") {
    io.out << "plinthctl " << PLINTH_VERSION << "\n";
    return 0;
  }
  command = find_command(args, &words);
  if (!command) {
    if (!is_group(args[0])) return usage_failure(io, "unknown command '" + args[0] + "'", see_help);
    if (globals.help) {
      io.out << group_help(args[0]);
      return 0;
    }
    const std::string what = args.size() > 1 ? "unknown " + args[0] + " command '" + args[1] + "'"
                                             : "missing " + args[0] + " command";
    return usage_failure(io, what, group_help(args[0]));
  }
  if (globals.help) {
    io.out << command_help(*command);
    return 0;
  }
  return std::nullopt;
}

}  // namespace

int run_cli(std::vector<std::string> args, const CliIo& io) {
  const std::string see_help = "run 'plinthctl --help' for usage\n";
  auto globals = extract_global_options(args);
  if (!globals.ok()) return usage_failure(io, globals.error().message, see_help);
  const Command* command = nullptr;
  std::size_t words = 0;
  if (auto handled = route(args, *globals, io, command, words)) return *handled;

  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(words),
                                      args.end());
  auto parsed = parse_args(command->syntax, rest);
  if (!parsed.ok()) return report(io, *command, parsed.error());

  std::string key = globals->key.value_or(env_value(io, "PLINTH_ADMIN_KEY").value_or(""));
  if (key.empty()) {
    return usage_failure(io, "no admin key: set PLINTH_ADMIN_KEY or pass --key", see_help);
  }
  auto url = parse_server_url(
      globals->url.value_or(env_value(io, "PLINTH_URL").value_or(std::string(kDefaultServerUrl))));
  if (!url.ok()) return usage_failure(io, url.error().message, see_help);

  auto transport = io.connect(*url);
  AdminApi api(*transport, std::move(key), url->base_path);
  Context ctx{api, *globals, io.out, io.env};
  Status status = command->run(ctx, *parsed);
  if (!status.ok()) return report(io, *command, status.error());
  return 0;
}

}  // namespace plinth::ctl
