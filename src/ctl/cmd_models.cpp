// plinthctl models list|get|create|update|delete.
#include "ctl/command.h"
#include "ctl/display.h"
#include "ctl/exit_code.h"
#include "ctl/table.h"

namespace plinth::ctl {
namespace json = boost::json;

namespace {

const std::vector<OptionSpec> kSpecOptions = {
    {"alias", "A", "another name clients may use (repeatable)", true},
    {"description", "D", "free text"},
    {"tag", "T", "task tag such as chat or embedding (repeatable)", true},
    {"owner", "O", "the team that owns the model"},
};

// The ModelSpec fields that the flags name; `name` too when not empty.
json::object model_spec(const ParsedArgs& args, const std::string& name) {
  json::object spec;
  if (!name.empty()) spec["name"] = name;
  if (args.has("alias")) spec["aliases"] = string_array(args.values("alias"));
  if (auto d = args.value("description")) spec["description"] = *d;
  if (args.has("tag")) spec["task_tags"] = string_array(args.values("tag"));
  if (auto o = args.value("owner")) spec["owner"] = *o;
  return spec;
}

std::string model_fields(const json::value& m) {
  return render_fields({
      {"name", display_field(m, "name")},
      {"aliases", display_field(m, "aliases")},
      {"description", display_field(m, "description")},
      {"task tags", display_field(m, "task_tags")},
      {"owner", display_field(m, "owner")},
      {"id", display_field(m, "id")},
      {"created", display_field(m, "created_at")},
      {"updated", display_field(m, "updated_at")},
      {"revision", display_field(m, "revision")},
  });
}

Status list_models(Context& ctx, const ParsedArgs& args) {
  auto limit = limit_option(args);
  if (!limit.ok()) return std::move(limit).error();
  auto models = ctx.api.list("/models", *limit);
  if (!models.ok()) return std::move(models).error();
  print_result(ctx, models->to_json(), [&] {
    Table table({"NAME", "ALIASES", "TAGS", "OWNER", "REVISION", "UPDATED"});
    for (const auto& m : models->data) {
      table.add_row({display_field(m, "name"), display_field(m, "aliases"),
                     display_field(m, "task_tags"), display_field(m, "owner"),
                     display_field(m, "revision"), display_field(m, "updated_at")});
    }
    return table.render();
  });
  return {};
}

Status get_model(Context& ctx, const ParsedArgs& args) {
  auto model = ctx.api.get(model_path(args.positional(0)));
  if (!model.ok()) return std::move(model).error();
  print_result(ctx, model->json, [&] { return model_fields(model->json); });
  return {};
}

Status create_model(Context& ctx, const ParsedArgs& args) {
  const json::value body = model_spec(args, args.positional(0));
  auto model = ctx.api.write("POST", "/models", &body, ctx.globals.if_match.value_or(""));
  if (!model.ok()) return std::move(model).error();
  print_result(ctx, model->json, [&] {
    return "created model " + display_field(model->json, "name") + " (revision " +
           display_field(model->json, "revision") + ")\n";
  });
  return {};
}

Status update_model(Context& ctx, const ParsedArgs& args) {
  const json::value body = model_spec(args, {});
  if (body.get_object().empty()) {
    return usage_error("",
                       "models update needs at least one of --alias, --description, --tag, "
                       "--owner");
  }
  auto model = ctx.api.write("PATCH", model_path(args.positional(0)), &body,
                             ctx.globals.if_match.value_or(""));
  if (!model.ok()) return std::move(model).error();
  print_result(ctx, model->json, [&] {
    return "updated model " + display_field(model->json, "name") + " (revision " +
           display_field(model->json, "revision") + ")\n";
  });
  return {};
}

Status delete_model(Context& ctx, const ParsedArgs& args) {
  auto reply = ctx.api.write("DELETE", model_path(args.positional(0)), nullptr,
                             ctx.globals.if_match.value_or(""));
  if (!reply.ok()) return std::move(reply).error();
  if (ctx.globals.output == OutputFormat::kTable) {
    ctx.out << "deleted model " << args.positional(0) << "\n";
  }
  return {};
}

}  // namespace

void add_model_commands(std::vector<Command>& commands) {
  commands.push_back({"models list", "list models", {{}, {kLimitOption}}, list_models});
  commands.push_back(
      {"models get", "show one model (by name or alias)", {{"NAME"}, {}}, get_model});
  commands.push_back({"models create", "create a model", {{"NAME"}, kSpecOptions}, create_model});
  commands.push_back({"models update",
                      "change a model's aliases, description, tags or owner",
                      {{"NAME"}, kSpecOptions},
                      update_model});
  commands.push_back({"models delete",
                      "delete a model that has no versions and no release",
                      {{"NAME"}, {}},
                      delete_model});
}

}  // namespace plinth::ctl
