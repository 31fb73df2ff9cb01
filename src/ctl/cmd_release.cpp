// plinthctl release get|list|canary|promote|rollback|pause|resume|offline|online|delete, and
// the top-level shortcuts promote, rollback, offline and canary.
#include "ctl/command.h"
#include "ctl/display.h"
#include "ctl/exit_code.h"
#include "ctl/table.h"

namespace plinth::ctl {
namespace json = boost::json;

namespace {

std::string release_path(std::string_view model) { return model_path(model) + "/release"; }

std::string canaries_text(const json::value& release) {
  const json::value* canaries =
      release.is_object() ? release.get_object().if_contains("canaries") : nullptr;
  std::string out;
  if (!canaries || !canaries->is_array()) return "-";
  for (const auto& c : canaries->get_array()) {
    if (!out.empty()) out += "; ";
    out += canary_summary(c);
  }
  return out.empty() ? "-" : out;
}

std::string release_fields(const json::value& r) {
  return render_fields({
      {"model", display_field(r, "model")},
      {"state", display_field(r, "state")},
      {"stable", display_field(r, "stable")},
      {"previous stable", display_field(r, "previous_stable")},
      {"canaries", canaries_text(r)},
      {"offline", display_field(r, "offline")},
      {"updated by", display_field(r, "updated_by")},
      {"updated", display_field(r, "updated_at")},
      {"revision", display_field(r, "revision")},
  });
}

Status get_release(Context& ctx, const ParsedArgs& args) {
  auto release = ctx.api.get(release_path(args.positional(0)));
  if (!release.ok()) return std::move(release).error();
  print_result(ctx, release->json, [&] { return release_fields(release->json); });
  return {};
}

Status list_releases(Context& ctx, const ParsedArgs& args) {
  auto limit = limit_option(args);
  if (!limit.ok()) return std::move(limit).error();
  auto releases = ctx.api.list("/releases", *limit);
  if (!releases.ok()) return std::move(releases).error();
  print_result(ctx, releases->to_json(), [&] {
    Table table({"MODEL", "STATE", "STABLE", "CANARIES", "OFFLINE", "UPDATED BY", "UPDATED"});
    for (const auto& r : releases->data) {
      table.add_row({display_field(r, "model"), display_field(r, "state"),
                     display_field(r, "stable"), canaries_text(r), display_field(r, "offline"),
                     display_field(r, "updated_by"), display_field(r, "updated_at")});
    }
    return table.render();
  });
  return {};
}

// POST .../release/{action} with `body`; prints the release it answers with.
Status release_action(Context& ctx, const std::string& model, std::string_view action,
                      const json::object& body) {
  const json::value value(body);
  auto release = ctx.api.write("POST", release_path(model) + "/" + std::string(action), &value,
                               ctx.globals.if_match.value_or(""));
  if (!release.ok()) return std::move(release).error();
  print_result(ctx, release->json, [&] {
    return display_field(release->json, "model") + ": " + release_summary(release->json) +
           " (revision " + display_field(release->json, "revision") + ")\n";
  });
  return {};
}

Status canary(Context& ctx, const ParsedArgs& args) {
  json::object body{{"version", args.positional(1)}};
  if (auto p = args.value("percent")) {
    auto percent = parse_number("--percent", *p, 0, 100);
    if (!percent.ok()) return std::move(percent).error();
    body["percent"] = *percent;
  }
  const std::pair<std::string_view, std::string_view> lists[] = {
      {"group", "groups"}, {"user", "users"}, {"tenant", "tenants"}, {"project", "projects"}};
  for (const auto& [option, field] : lists) {
    if (args.has(option)) body[field] = string_array(args.values(option));
  }
  if (body.size() == 1) {
    return usage_error("--percent",
                       "canary needs --percent N or a match rule (--group, --user, "
                       "--tenant, --project)");
  }
  return release_action(ctx, args.positional(0), "canary", body);
}

Status promote(Context& ctx, const ParsedArgs& args) {
  return release_action(ctx, args.positional(0), "promote", {{"version", args.positional(1)}});
}

Status rollback(Context& ctx, const ParsedArgs& args) {
  return release_action(ctx, args.positional(0), "rollback", {});
}

Status pause(Context& ctx, const ParsedArgs& args) {
  return release_action(ctx, args.positional(0), "pause", {});
}

Status resume(Context& ctx, const ParsedArgs& args) {
  return release_action(ctx, args.positional(0), "resume", {});
}

Status offline(Context& ctx, const ParsedArgs& args) {
  return release_action(ctx, args.positional(0), "offline",
                        {{"version", args.positional(1)}, {"force", args.has("force")}});
}

Status online(Context& ctx, const ParsedArgs& args) {
  return release_action(ctx, args.positional(0), "online", {{"version", args.positional(1)}});
}

Status delete_release(Context& ctx, const ParsedArgs& args) {
  auto reply = ctx.api.write("DELETE", release_path(args.positional(0)), nullptr,
                             ctx.globals.if_match.value_or(""));
  if (!reply.ok()) return std::move(reply).error();
  if (ctx.globals.output == OutputFormat::kTable) {
    ctx.out << "deleted the release of " << args.positional(0) << " (it no longer serves)\n";
  }
  return {};
}

const CommandSyntax kCanarySyntax{
    {"MODEL", "VERSION"},
    {{"percent", "N", "share of callers sent to VERSION, 0..100"},
     {"group", "G", "callers whose key is in group G always get VERSION (repeatable)", true},
     {"user", "U", "caller U always gets VERSION (repeatable)", true},
     {"tenant", "T", "callers of tenant T always get VERSION (repeatable)", true},
     {"project", "P", "callers of project P always get VERSION (repeatable)", true}}};
const CommandSyntax kOfflineSyntax{
    {"MODEL", "VERSION"},
    {{"force", "", "cut running requests now; may take even the stable version"}}};

}  // namespace

void add_release_commands(std::vector<Command>& commands) {
  const CommandSyntax model_only{{"MODEL"}, {}};
  const CommandSyntax model_version{{"MODEL", "VERSION"}, {}};
  commands.push_back({"release get", "show a model's release", model_only, get_release});
  commands.push_back(
      {"release list", "list every model's release", {{}, {kLimitOption}}, list_releases});
  commands.push_back({"release canary", "add or change a canary", kCanarySyntax, canary});
  commands.push_back({"release promote", "make VERSION stable (creates the release if none)",
                      model_version, promote});
  commands.push_back(
      {"release rollback", "back to the previous stable; canaries cleared", model_only, rollback});
  commands.push_back({"release pause", "send everyone to stable", model_only, pause});
  commands.push_back({"release resume", "apply the canaries again", model_only, resume});
  commands.push_back(
      {"release offline", "stop new requests reaching VERSION", kOfflineSyntax, offline});
  commands.push_back({"release online", "let VERSION serve again", model_version, online});
  commands.push_back({"release delete", "delete the release: the model stops serving", model_only,
                      delete_release});
  // The spelling: release actions at top level.
  commands.push_back({"promote", "= release promote", model_version, promote, "release promote"});
  commands.push_back({"rollback", "= release rollback", model_only, rollback, "release rollback"});
  commands.push_back({"offline", "= release offline", kOfflineSyntax, offline, "release offline"});
  commands.push_back({"canary", "= release canary", kCanarySyntax, canary, "release canary"});
}

}  // namespace plinth::ctl
