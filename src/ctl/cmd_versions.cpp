// plinthctl versions list|get|create|delete.
#include "ctl/command.h"
#include "ctl/display.h"
#include "ctl/exit_code.h"
#include "ctl/table.h"

namespace plinth::ctl {
namespace json = boost::json;

namespace {

std::string endpoint_count(const json::value& version) {
  const json::value* e =
      version.is_object() ? version.get_object().if_contains("endpoints") : nullptr;
  return e && e->is_array() ? std::to_string(e->get_array().size()) : "-";
}

std::string version_details(const json::value& v) {
  std::string out = render_fields({
      {"model", display_field(v, "model")},
      {"version", display_field(v, "name")},
      {"provider", display_field(v, "provider")},
      {"upstream model", display_field(v, "upstream_model")},
      {"base model", display_field(v, "base_model")},
      {"lora adapter", display_field(v, "lora_adapter")},
      {"default params", display_field(v, "default_params")},
      {"max params", display_field(v, "max_params")},
      {"source", display_field(v, "source")},
      {"release notes", display_field(v, "release_notes")},
      {"id", display_field(v, "id")},
      {"created by", display_field(v, "created_by")},
      {"created", display_field(v, "created_at")},
      {"revision", display_field(v, "revision")},
  });
  const json::value* endpoints = v.is_object() ? v.get_object().if_contains("endpoints") : nullptr;
  if (endpoints && endpoints->is_array() && !endpoints->get_array().empty()) {
    Table table({"ID", "URL", "WEIGHT", "API KEY"});
    table.align_right(2);
    for (const auto& e : endpoints->get_array()) {
      table.add_row({display_field(e, "id"), display_field(e, "url"), display_field(e, "weight"),
                     display_field(e, "has_api_key") == "true" ? "yes" : "no"});
    }
    out += "\nendpoints:\n" + table.render();
  }
  return out;
}

Status list_versions(Context& ctx, const ParsedArgs& args) {
  auto limit = limit_option(args);
  if (!limit.ok()) return std::move(limit).error();
  auto versions = ctx.api.list(model_path(args.positional(0)) + "/versions", *limit);
  if (!versions.ok()) return std::move(versions).error();
  print_result(ctx, versions->to_json(), [&] {
    Table table({"VERSION", "PROVIDER", "UPSTREAM MODEL", "ENDPOINTS", "CREATED BY", "CREATED"});
    table.align_right(3);
    for (const auto& v : versions->data) {
      table.add_row({display_field(v, "name"), display_field(v, "provider"),
                     display_field(v, "upstream_model"), endpoint_count(v),
                     display_field(v, "created_by"), display_field(v, "created_at")});
    }
    return table.render();
  });
  return {};
}

Status get_version(Context& ctx, const ParsedArgs& args) {
  auto version = ctx.api.get(version_path(args.positional(0), args.positional(1)));
  if (!version.ok()) return std::move(version).error();
  print_result(ctx, version->json, [&] { return version_details(version->json); });
  return {};
}

Result<json::object> params_option(const ParsedArgs& args, std::string_view option) {
  json::object params;
  const std::string flag = "--" + std::string(option);
  for (const auto& text : args.values(option)) {
    auto param = parse_param(flag, text);
    if (!param.ok()) return std::move(param).error();
    params[param->first] = std::move(param->second);
  }
  return params;
}

Result<json::value> version_spec(Context& ctx, const ParsedArgs& args) {
  json::object spec;
  spec["name"] = args.positional(1);
  const std::string provider = *args.value("provider");
  if (provider != "openai" && provider != "tgi" && provider != "simulator") {
    return usage_error("--provider",
                       "--provider must be openai, tgi or simulator, got '" + provider + "'");
  }
  spec["provider"] = provider;
  const std::pair<std::string_view, std::string_view> strings[] = {
      {"upstream-model", "upstream_model"},
      {"base-model", "base_model"},
      {"lora-adapter", "lora_adapter"},
      {"source", "source"},
      {"notes", "release_notes"}};
  for (const auto& [option, field] : strings) {
    if (auto v = args.value(option)) spec[field] = *v;
  }
  for (std::string_view option : {"default-param", "max-param"}) {
    if (!args.has(option)) continue;
    auto params = params_option(args, option);
    if (!params.ok()) return std::move(params).error();
    spec[option == "default-param" ? "default_params" : "max_params"] = std::move(*params);
  }
  std::optional<std::string> api_key;
  if (auto var = args.value("api-key-env")) {
    auto secret = secret_from_env("--api-key-env", *var, ctx.env);
    if (!secret.ok()) return std::move(secret).error();
    api_key = std::move(*secret);
  }
  if (args.has("endpoint")) {
    json::array endpoints;
    for (const auto& text : args.values("endpoint")) {
      auto endpoint = parse_endpoint("--endpoint", text);
      if (!endpoint.ok()) return std::move(endpoint).error();
      if (api_key) (*endpoint)["api_key"] = *api_key;
      endpoints.push_back(std::move(*endpoint));
    }
    spec["endpoints"] = std::move(endpoints);
  } else if (api_key) {
    return usage_error("--api-key-env", "--api-key-env applies to --endpoint; none was given");
  }
  return json::value(std::move(spec));
}

Status create_version(Context& ctx, const ParsedArgs& args) {
  auto body = version_spec(ctx, args);
  if (!body.ok()) return std::move(body).error();
  auto version = ctx.api.write("POST", model_path(args.positional(0)) + "/versions", &*body,
                               ctx.globals.if_match.value_or(""));
  if (!version.ok()) return std::move(version).error();
  print_result(ctx, version->json, [&] {
    return "created version " + display_field(version->json, "model") + "/" +
           display_field(version->json, "name") + " (" + endpoint_count(version->json) +
           " endpoints)\n";
  });
  return {};
}

Status delete_version(Context& ctx, const ParsedArgs& args) {
  auto reply = ctx.api.write("DELETE", version_path(args.positional(0), args.positional(1)),
                             nullptr, ctx.globals.if_match.value_or(""));
  if (!reply.ok()) return std::move(reply).error();
  if (ctx.globals.output == OutputFormat::kTable) {
    ctx.out << "deleted version " << args.positional(0) << "/" << args.positional(1) << "\n";
  }
  return {};
}

}  // namespace

void add_version_commands(std::vector<Command>& commands) {
  commands.push_back(
      {"versions list", "list a model's versions", {{"MODEL"}, {kLimitOption}}, list_versions});
  commands.push_back({"versions get",
                      "show one version and its endpoints",
                      {{"MODEL", "VERSION"}, {}},
                      get_version});
  commands.push_back(
      {"versions create",
       "create an immutable version of a model",
       {{"MODEL", "VERSION"},
        {
            {"provider", "P", "openai | tgi | simulator", false, true},
            {"upstream-model", "M", "what the provider calls the model (default: MODEL)"},
            {"endpoint", "URL[,weight=N]",
             "a replica serving the version (openai: up to /v1; tgi: server root; repeatable)",
             true},
            {"api-key-env", "VAR", "send the key in environment variable VAR to every endpoint"},
            {"default-param", "K=V", "request parameter applied when absent (repeatable)", true},
            {"max-param", "K=V", "upper bound on a request parameter (repeatable)", true},
            {"base-model", "B", "the base model of a fine-tune"},
            {"lora-adapter", "L", "the LoRA adapter the version serves"},
            {"source", "S", "where the weights come from, e.g. hf://org/name"},
            {"notes", "N", "release notes"},
        }},
       create_version});
  commands.push_back({"versions delete",
                      "delete a version the release does not use",
                      {{"MODEL", "VERSION"}, {}},
                      delete_version});
}

}  // namespace plinth::ctl
