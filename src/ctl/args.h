// Command-line parsing for plinthctl: the global options (valid anywhere on the line) and,
// per command, its positional arguments and options, declared as data so that the parser,
// the usage line and the help text come from one place.
#pragma once

#include "core/result.h"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::ctl {

struct OptionSpec {
  std::string_view name;        // long name without dashes: "alias"
  std::string_view value_name;  // "A"; empty for a boolean flag (--force)
  std::string_view help;
  bool repeated = false;  // may be given several times; values are kept in order
  bool required = false;
  char short_name = 0;  // 'f' for -f; 0 for none
};

struct CommandSyntax {
  // Names shown in usage ("MODEL"); a trailing '?' marks an optional one ("VERSION?"), which
  // may only follow the required ones.
  std::vector<std::string_view> positionals;
  std::vector<OptionSpec> options;
};

// What one command line said, after parse_args checked it against a CommandSyntax.
class ParsedArgs {
 public:
  const std::vector<std::string>& positionals() const { return positionals_; }
  // The i-th positional argument; empty when it was optional and not given.
  const std::string& positional(std::size_t i) const;
  bool has(std::string_view option) const { return options_.contains(option); }
  // The value of a single-valued option (the last one when repeated), if given.
  std::optional<std::string> value(std::string_view option) const;
  // Every value of a repeated option, in order; empty when not given.
  const std::vector<std::string>& values(std::string_view option) const;

 private:
  friend Result<ParsedArgs> parse_args(const CommandSyntax&, std::span<const std::string>);
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>, std::less<>> options_;
};

// Checks `args` (what follows the command's words) against `syntax`. Options take their value
// as `--name VALUE` or `--name=VALUE`; `--` ends the options. Errors are usage errors naming
// the argument at fault.
Result<ParsedArgs> parse_args(const CommandSyntax& syntax, std::span<const std::string> args);

enum class OutputFormat { kTable, kJson };

struct GlobalOptions {
  std::optional<std::string> url;              // --url, else PLINTH_URL
  std::optional<std::string> key;              // --key, else PLINTH_ADMIN_KEY
  std::optional<std::string> if_match;         // --if-match REV: sent as If-Match on writes
  OutputFormat output = OutputFormat::kTable;  // -o table|json
  bool help = false;                           // -h / --help
};

// Removes the global options from `args` wherever they appear (up to a `--`) and returns them.
Result<GlobalOptions> extract_global_options(std::vector<std::string>& args);

// "MODEL VERSION --provider P [--endpoint URL]... [--force]": the usage line of a syntax.
std::string usage_line(const CommandSyntax& syntax);

}  // namespace plinth::ctl
