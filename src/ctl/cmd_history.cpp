// plinthctl history MODEL: the release's actions, newest first.
#include "ctl/command.h"
#include "ctl/display.h"
#include "ctl/table.h"

namespace plinth::ctl {
namespace json = boost::json;

namespace {

Status history(Context& ctx, const ParsedArgs& args) {
  auto limit = limit_option(args);
  if (!limit.ok()) return std::move(limit).error();
  auto entries = ctx.api.list(model_path(args.positional(0)) + "/history", *limit);
  if (!entries.ok()) return std::move(entries).error();
  print_result(ctx, entries->to_json(), [&] {
    Table table({"TIME", "ACTION", "ACTOR", "REVISION", "CHANGE"});
    for (const auto& e : entries->data) {
      table.add_row(
          {display_field(e, "at"), display_field(e, "action"), display_field(e, "actor"),
           display_field(e, "revision"),
           release_summary(member(e, "before")) + " -> " + release_summary(member(e, "after"))});
    }
    return table.render();
  });
  return {};
}

}  // namespace

void add_history_commands(std::vector<Command>& commands) {
  commands.push_back(
      {"history", "a model's release actions, newest first", {{"MODEL"}, {kLimitOption}}, history});
}

}  // namespace plinth::ctl
