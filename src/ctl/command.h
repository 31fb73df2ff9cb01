// What every plinthctl command is: a path of words ("versions create"), its syntax, and a
// function that runs it against the admin API. Each command group lives in its own
// cmd_<group>.cpp and adds its commands to the registry (commands.cpp).
#pragma once

#include "core/result.h"
#include "ctl/admin_api.h"
#include "ctl/args.h"
#include "ctl/flag_values.h"

#include <boost/json/value.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::ctl {

struct Context {
  AdminApi& api;
  const GlobalOptions& globals;
  std::ostream& out;
  EnvLookup env;  // for --api-key-env
};

using CommandFn = Status (*)(Context&, const ParsedArgs&);

struct Command {
  std::string_view path;     // "release promote"
  std::string_view summary;  // one line for the help listings
  CommandSyntax syntax;
  CommandFn run = nullptr;
  std::string_view alias_of = {};  // for top-level shortcuts: "release promote"
};

// The registry, in help order; the cmd_*.cpp files contribute through these.
void add_model_commands(std::vector<Command>& commands);
void add_version_commands(std::vector<Command>& commands);
void add_endpoint_commands(std::vector<Command>& commands);
void add_release_commands(std::vector<Command>& commands);
void add_history_commands(std::vector<Command>& commands);
void add_stats_commands(std::vector<Command>& commands);
void add_apply_commands(std::vector<Command>& commands);

// Helpers the command files share.

// In -o json mode prints `json` (pretty); otherwise prints what `human` returns.
void print_result(Context& ctx, const boost::json::value& json,
                  const std::function<std::string()>& human);
// The paths of the API's resources, relative to /admin/v1, segments escaped.
std::string model_path(std::string_view model);
std::string version_path(std::string_view model, std::string_view version);
// The values of a repeated option as a JSON array of strings.
boost::json::array string_array(const std::vector<std::string>& values);
// --limit N for list commands (1..1000000); 0 when not given (read the whole list).
Result<std::size_t> limit_option(const ParsedArgs& args);
inline const OptionSpec kLimitOption{"limit", "N", "show at most N items (default: all)"};

}  // namespace plinth::ctl
