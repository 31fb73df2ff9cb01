// The registry and its help texts.
#include "ctl/commands.h"

#include "ctl/table.h"

#include <algorithm>

namespace plinth::ctl {

namespace {

constexpr std::string_view kGlobalOptions =
    "global options (anywhere on the line):\n"
    "  --url URL          admin API base URL (env PLINTH_URL; default http://127.0.0.1:8080;\n"
    "                     http:// or https://)\n"
    "  --key KEY          admin key (env PLINTH_ADMIN_KEY; required except for help/version)\n"
    "  -o, --output FMT   table (default, for people) or json (the API's answer, for scripts)\n"
    "  --if-match REV     writes: apply only while the record is at revision REV, else exit 1\n"
    "                     (HTTP 412)\n"
    "  -h, --help         help; also after any command: plinthctl models create --help\n";

constexpr std::string_view kExitCodes =
    "exit codes:\n"
    "  0  success\n"
    "  1  the API refused the request (HTTP 4xx other than 404); its message and param are\n"
    "     printed to stderr\n"
    "  2  usage error: unknown command, bad flags or arguments, unreadable or invalid -f file,\n"
    "     PLINTH_ADMIN_KEY not set\n"
    "  3  the server could not be reached, timed out, or failed (HTTP 5xx, not an admin API)\n"
    "  4  not found (HTTP 404): unknown model, version, endpoint or release\n";

std::string_view first_word(std::string_view path) { return path.substr(0, path.find(' ')); }

std::vector<Command> build() {
  std::vector<Command> commands;
  add_model_commands(commands);
  add_version_commands(commands);
  add_endpoint_commands(commands);
  add_release_commands(commands);
  add_history_commands(commands);
  add_stats_commands(commands);
  add_apply_commands(commands);
  return commands;
}

}  // namespace

const std::vector<Command>& all_commands() {
  static const std::vector<Command> commands = build();
  return commands;
}

const Command* find_command(const std::vector<std::string>& args, std::size_t* words) {
  const Command* best = nullptr;
  std::size_t best_words = 0;
  for (const auto& command : all_commands()) {
    std::string_view path = command.path;
    std::size_t n = 0;
    bool match = true;
    while (!path.empty()) {
      const auto word = first_word(path);
      if (n >= args.size() || args[n] != word) {
        match = false;
        break;
      }
      ++n;
      path.remove_prefix(std::min(path.size(), word.size() + 1));
    }
    if (match && n > best_words) {
      best = &command;
      best_words = n;
    }
  }
  if (words) *words = best_words;
  return best;
}

bool is_group(std::string_view word) {
  return std::any_of(all_commands().begin(), all_commands().end(), [&](const Command& c) {
    return c.path.find(' ') != std::string_view::npos && first_word(c.path) == word;
  });
}

std::string main_help() {
  std::string out =
      "plinthctl: manage a Plinth gateway's models, versions, endpoints and releases through\n"
      "its admin API (docs/admin-api.md).\n\n"
      "usage: plinthctl [global options] <command> [arguments]\n\ncommands:\n";
  Table table({"", ""});
  std::vector<std::string> groups_seen;
  std::string aliases;
  for (const auto& c : all_commands()) {
    const std::string group(first_word(c.path));
    if (!c.alias_of.empty()) {
      aliases += (aliases.empty() ? "" : ", ") + std::string(c.path);
      continue;
    }
    if (std::find(groups_seen.begin(), groups_seen.end(), group) != groups_seen.end()) continue;
    groups_seen.push_back(group);
    if (is_group(group)) {
      std::string subcommands;
      for (const auto& sub : all_commands()) {
        if (first_word(sub.path) == group && sub.path.size() > group.size()) {
          subcommands +=
              (subcommands.empty() ? "" : "|") + std::string(sub.path.substr(group.size() + 1));
        }
      }
      table.add_row({"  " + group, subcommands});
    } else {
      table.add_row({"  " + group, std::string(c.summary)});
    }
  }
  table.add_row({"  version", "print plinthctl's version"});
  std::string rows = table.render();
  rows.erase(0, rows.find('\n') + 1);  // no header row
  out += rows;
  out += "  " + aliases + ": shortcuts for release <action>\n\n";
  out += kGlobalOptions;
  out += "\n";
  out += kExitCodes;
  out += "\nExample: plinthctl release canary demo-chat v2 --percent 10 --group beta\n";
  return out;
}

std::string group_help(std::string_view group) {
  std::string out =
      "usage: plinthctl " + std::string(group) + " <command> [arguments]\n\n" + "commands:\n";
  for (const auto& c : all_commands()) {
    if (first_word(c.path) != group || c.path.size() == group.size()) continue;
    out += "  plinthctl " + std::string(c.path) + " " + usage_line(c.syntax) + "\n      " +
           std::string(c.summary) + "\n";
  }
  out += "\nplinthctl " + std::string(group) +
         " <command> --help shows a command's options; plinthctl --help the global options and "
         "exit codes.\n";
  return out;
}

std::string command_help(const Command& command) {
  std::string out =
      "usage: plinthctl " + std::string(command.path) + " " + usage_line(command.syntax) + "\n\n";
  out += command.alias_of.empty() ? std::string(command.summary)
                                  : "shortcut for plinthctl " + std::string(command.alias_of);
  out += "\n";
  if (!command.syntax.options.empty()) {
    Table table({"", ""});
    for (const auto& o : command.syntax.options) {
      std::string flag = "  ";
      if (o.short_name) flag += std::string("-") + o.short_name + ", ";
      flag += "--" + std::string(o.name);
      if (!o.value_name.empty()) flag += " " + std::string(o.value_name);
      table.add_row({flag, std::string(o.help)});
    }
    std::string rows = table.render();
    rows.erase(0, rows.find('\n') + 1);
    out += "\noptions:\n" + rows;
  }
  out += "\nGlobal options and exit codes: plinthctl --help\n";
  return out;
}

}  // namespace plinth::ctl
