// plinthctl endpoints list|add|set-weight|delete: the replicas that serve a version.
#include "ctl/command.h"
#include "ctl/display.h"
#include "ctl/exit_code.h"
#include "ctl/table.h"

namespace plinth::ctl {
namespace json = boost::json;

namespace {

std::string endpoints_path(const ParsedArgs& args) {
  return version_path(args.positional(0), args.positional(1)) + "/endpoints";
}

Result<std::string> endpoint_path(const ParsedArgs& args) {
  auto id = parse_integer("ID", args.positional(2), 0, INT64_MAX);
  if (!id.ok()) return std::move(id).error();
  return endpoints_path(args) + "/" + std::to_string(*id);
}

std::string endpoint_line(std::string_view verb, const json::value& e) {
  return std::string(verb) + " endpoint " + display_field(e, "id") + " " + display_field(e, "url") +
         " (weight " + display_field(e, "weight") + ")\n";
}

Status list_endpoints(Context& ctx, const ParsedArgs& args) {
  auto limit = limit_option(args);
  if (!limit.ok()) return std::move(limit).error();
  auto endpoints = ctx.api.list(endpoints_path(args), *limit);
  if (!endpoints.ok()) return std::move(endpoints).error();
  print_result(ctx, endpoints->to_json(), [&] {
    Table table({"ID", "URL", "WEIGHT", "API KEY", "UPDATED"});
    table.align_right(0);
    table.align_right(2);
    for (const auto& e : endpoints->data) {
      table.add_row({display_field(e, "id"), display_field(e, "url"), display_field(e, "weight"),
                     display_field(e, "has_api_key") == "true" ? "yes" : "no",
                     display_field(e, "updated_at")});
    }
    return table.render();
  });
  return {};
}

Status add_endpoint(Context& ctx, const ParsedArgs& args) {
  json::object body;
  body["url"] = args.positional(2);
  if (auto w = args.value("weight")) {
    auto weight = parse_integer("--weight", *w, 0, 1000);
    if (!weight.ok()) return std::move(weight).error();
    body["weight"] = *weight;
  }
  if (auto var = args.value("api-key-env")) {
    auto secret = secret_from_env("--api-key-env", *var, ctx.env);
    if (!secret.ok()) return std::move(secret).error();
    body["api_key"] = *secret;
  }
  const json::value value(std::move(body));
  auto endpoint =
      ctx.api.write("POST", endpoints_path(args), &value, ctx.globals.if_match.value_or(""));
  if (!endpoint.ok()) return std::move(endpoint).error();
  print_result(ctx, endpoint->json, [&] { return endpoint_line("added", endpoint->json); });
  return {};
}

Status set_weight(Context& ctx, const ParsedArgs& args) {
  auto path = endpoint_path(args);
  if (!path.ok()) return std::move(path).error();
  auto weight = parse_integer("N", args.positional(3), 0, 1000);
  if (!weight.ok()) return std::move(weight).error();
  const json::value body = json::object{{"weight", *weight}};
  auto endpoint = ctx.api.write("PATCH", *path, &body, ctx.globals.if_match.value_or(""));
  if (!endpoint.ok()) return std::move(endpoint).error();
  print_result(ctx, endpoint->json, [&] { return endpoint_line("updated", endpoint->json); });
  return {};
}

Status delete_endpoint(Context& ctx, const ParsedArgs& args) {
  auto path = endpoint_path(args);
  if (!path.ok()) return std::move(path).error();
  auto reply = ctx.api.write("DELETE", *path, nullptr, ctx.globals.if_match.value_or(""));
  if (!reply.ok()) return std::move(reply).error();
  if (ctx.globals.output == OutputFormat::kTable) {
    ctx.out << "deleted endpoint " << args.positional(2) << "\n";
  }
  return {};
}

}  // namespace

void add_endpoint_commands(std::vector<Command>& commands) {
  commands.push_back({"endpoints list",
                      "list the replicas that serve a version",
                      {{"MODEL", "VERSION"}, {kLimitOption}},
                      list_endpoints});
  commands.push_back({"endpoints add",
                      "add a replica to a version",
                      {{"MODEL", "VERSION", "URL"},
                       {{"weight", "N", "share of requests, 0..1000 (0 drains; default 1)"},
                        {"api-key-env", "VAR", "send the key in environment variable VAR"}}},
                      add_endpoint});
  commands.push_back({"endpoints set-weight",
                      "change a replica's weight (0 drains it)",
                      {{"MODEL", "VERSION", "ID", "N"}, {}},
                      set_weight});
  commands.push_back(
      {"endpoints delete", "remove a replica", {{"MODEL", "VERSION", "ID"}, {}}, delete_endpoint});
}

}  // namespace plinth::ctl
