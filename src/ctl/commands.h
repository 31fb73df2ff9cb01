// The command registry: finding the command a command line names, and the help texts.
#pragma once

#include "ctl/command.h"

#include <string>
#include <string_view>
#include <vector>

namespace plinth::ctl {

// Every command, in help order.
const std::vector<Command>& all_commands();

// The command named by the leading words of `args` (the longest match), and in `words` how
// many words its path took; null when none matches.
const Command* find_command(const std::vector<std::string>& args, std::size_t* words);

// True when `word` is the first word of multi-word commands ("models", "release").
bool is_group(std::string_view word);

std::string main_help();                         // plinthctl --help: commands, globals, exit codes
std::string group_help(std::string_view group);  // plinthctl models --help
std::string command_help(const Command& command);  // plinthctl models create --help

}  // namespace plinth::ctl
