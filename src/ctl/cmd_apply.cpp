// plinthctl apply -f FILE: makes the store match a YAML document (POST /admin/v1/apply).
#include "ctl/command.h"
#include "ctl/display.h"
#include "ctl/exit_code.h"
#include "ctl/table.h"
#include "ctl/yaml_json.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

namespace plinth::ctl {
namespace json = boost::json;

namespace {

Result<std::string> read_input(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return usage_error("-f", "cannot read " + path + ": no such file or not readable");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string changes_report(const json::value& answer) {
  const json::value* changes =
      answer.is_object() ? answer.get_object().if_contains("changes") : nullptr;
  Table table({"KIND", "NAME", "CHANGE"});
  std::map<std::string, int> counts;
  if (changes && changes->is_array()) {
    for (const auto& c : changes->get_array()) {
      const std::string change = display_field(c, "change");
      ++counts[change];
      table.add_row({display_field(c, "kind"), display_field(c, "name"), change});
    }
  }
  std::string summary;
  for (const auto& [change, n] : counts) {
    summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + change;
  }
  if (summary.empty()) summary = "no changes";
  const json::value* dry =
      answer.is_object() ? answer.get_object().if_contains("dry_run") : nullptr;
  if (dry && dry->is_bool() && dry->get_bool()) summary += " (dry run: nothing was written)";
  return table.render() + summary + "\n";
}

Status apply(Context& ctx, const ParsedArgs& args) {
  const std::string path = *args.value("file");
  auto text = read_input(path);
  if (!text.ok()) return std::move(text).error();
  auto document = yaml_to_json(*text, path == "-" ? "stdin" : path);
  if (!document.ok()) return std::move(document).error();
  if (!document->is_object()) {
    return usage_error("-f", path + ": the document must be a mapping with a models: list");
  }
  auto reply = ctx.api.write("POST", "/apply", &*document, ctx.globals.if_match.value_or(""),
                             args.has("dry-run") ? "dry_run=true" : "");
  if (!reply.ok()) return std::move(reply).error();
  print_result(ctx, reply->json, [&] { return changes_report(reply->json); });
  return {};
}

}  // namespace

void add_apply_commands(std::vector<Command>& commands) {
  commands.push_back({"apply",
                      "make models, versions, endpoints and releases match a YAML file",
                      {{},
                       {{"file", "FILE",
                         "the YAML document (docs/admin-api.md, Apply); - for "
                         "stdin",
                         false, true, 'f'},
                        {"dry-run", "", "validate and report without writing"}}},
                      apply});
}

}  // namespace plinth::ctl
