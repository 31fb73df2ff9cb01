// The hand-rolled parser: small enough to read, and it keeps usage text and checks together.
#include "ctl/args.h"

#include "ctl/exit_code.h"

#include <algorithm>

namespace plinth::ctl {
namespace {

bool is_optional(std::string_view positional) { return positional.ends_with('?'); }

std::string display_name(std::string_view positional) {
  return std::string(is_optional(positional) ? positional.substr(0, positional.size() - 1)
                                             : positional);
}

const OptionSpec* find_option(const CommandSyntax& syntax, std::string_view name) {
  auto it = std::find_if(syntax.options.begin(), syntax.options.end(),
                         [&](const OptionSpec& o) { return o.name == name; });
  return it == syntax.options.end() ? nullptr : &*it;
}

const OptionSpec* find_short_option(const CommandSyntax& syntax, char name) {
  auto it = std::find_if(syntax.options.begin(), syntax.options.end(),
                         [&](const OptionSpec& o) { return o.short_name && o.short_name == name; });
  return it == syntax.options.end() ? nullptr : &*it;
}

std::string option_usage(const OptionSpec& o) {
  std::string s = o.short_name ? std::string("-") + o.short_name : "--" + std::string(o.name);
  if (!o.value_name.empty()) s += " " + std::string(o.value_name);
  if (!o.required) s = "[" + s + "]";
  if (o.repeated) s += "...";
  return s;
}

}  // namespace

const std::string& ParsedArgs::positional(std::size_t i) const {
  static const std::string kEmpty;
  return i < positionals_.size() ? positionals_[i] : kEmpty;
}

std::optional<std::string> ParsedArgs::value(std::string_view option) const {
  auto it = options_.find(option);
  if (it == options_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

const std::vector<std::string>& ParsedArgs::values(std::string_view option) const {
  static const std::vector<std::string> kNone;
  auto it = options_.find(option);
  return it == options_.end() ? kNone : it->second;
}

Result<ParsedArgs> parse_args(const CommandSyntax& syntax, std::span<const std::string> args) {
  ParsedArgs parsed;
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg == "-" || !arg.starts_with("-")) {
      parsed.positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    std::string name;
    std::optional<std::string> inline_value;
    const OptionSpec* spec = nullptr;
    if (arg.starts_with("--")) {
      name = arg.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
      spec = find_option(syntax, name);
    } else {
      spec = find_short_option(syntax, arg[1]);  // -f VALUE or -fVALUE
      if (spec && arg.size() > 2) inline_value = arg.substr(2);
    }
    if (!spec) {
      return usage_error(arg, "unknown option '" + (name.empty() ? arg : "--" + name) + "'");
    }
    name = spec->name;
    std::string value;
    if (spec->value_name.empty()) {
      if (inline_value) return usage_error(arg, "--" + name + " takes no value");
    } else if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return usage_error(arg,
                         "--" + name + " needs a value (" + std::string(spec->value_name) + ")");
    }
    auto& slot = parsed.options_[name];
    if (!slot.empty() && !spec->repeated) {
      return usage_error(arg, "--" + name + " given more than once");
    }
    slot.push_back(std::move(value));
  }

  std::size_t required = 0;
  for (auto p : syntax.positionals) required += is_optional(p) ? 0 : 1;
  const std::size_t given = parsed.positionals_.size();
  if (given < required) {
    const auto missing = display_name(syntax.positionals[given]);
    return usage_error(missing, "missing argument " + missing);
  }
  if (given > syntax.positionals.size()) {
    const auto& extra = parsed.positionals_[syntax.positionals.size()];
    return usage_error(extra, "unexpected argument '" + extra + "'");
  }
  for (const auto& o : syntax.options) {
    if (o.required && !parsed.has(o.name)) {
      return usage_error("--" + std::string(o.name), "missing option --" + std::string(o.name) +
                                                         " " + std::string(o.value_name));
    }
  }
  return parsed;
}

Result<GlobalOptions> extract_global_options(std::vector<std::string>& args) {
  GlobalOptions globals;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--") {
      rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    if (arg == "-h" || arg == "--help") {
      globals.help = true;
      continue;
    }
    // The value-taking globals, as "--name VALUE", "--name=VALUE" or (for -o) "-oVALUE".
    std::string name;
    std::optional<std::string> value;
    for (std::string_view candidate : {"--url", "--key", "--if-match", "--output", "-o"}) {
      if (arg == candidate) {
        name = candidate;
      } else if (arg.starts_with(std::string(candidate) + "=")) {
        name = candidate;
        value = arg.substr(candidate.size() + 1);
      } else if (candidate == "-o" && arg.starts_with("-o") && !arg.starts_with("--")) {
        name = candidate;
        value = arg.substr(2);
      }
      if (!name.empty()) break;
    }
    if (name.empty()) {
      rest.push_back(std::move(arg));
      continue;
    }
    if (!value) {
      if (i + 1 >= args.size()) return usage_error(name, name + " needs a value");
      value = args[++i];
    }
    if (name == "--url") {
      globals.url = *value;
    } else if (name == "--key") {
      globals.key = *value;
    } else if (name == "--if-match") {
      globals.if_match = *value;
    } else if (*value == "json") {
      globals.output = OutputFormat::kJson;
    } else if (*value == "table") {
      globals.output = OutputFormat::kTable;
    } else {
      return usage_error(name, "-o must be table or json, got '" + *value + "'");
    }
  }
  args = std::move(rest);
  return globals;
}

std::string usage_line(const CommandSyntax& syntax) {
  std::string line;
  auto append = [&](const std::string& part) {
    if (!line.empty()) line += ' ';
    line += part;
  };
  for (auto p : syntax.positionals) {
    append(is_optional(p) ? "[" + display_name(p) + "]" : display_name(p));
  }
  for (const auto& o : syntax.options) {
    if (o.required) append(option_usage(o));
  }
  for (const auto& o : syntax.options) {
    if (!o.required) append(option_usage(o));
  }
  return line;
}

}  // namespace plinth::ctl
