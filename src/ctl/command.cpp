// Shared command helpers.
#include "ctl/command.h"

#include "ctl/json_print.h"

namespace plinth::ctl {

void print_result(Context& ctx, const boost::json::value& json,
                  const std::function<std::string()>& human) {
  if (ctx.globals.output == OutputFormat::kJson) {
    ctx.out << pretty_json(json);
  } else {
    ctx.out << human();
  }
}

std::string model_path(std::string_view model) { return "/models/" + escape_component(model); }

std::string version_path(std::string_view model, std::string_view version) {
  return model_path(model) + "/versions/" + escape_component(version);
}

boost::json::array string_array(const std::vector<std::string>& values) {
  boost::json::array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

Result<std::size_t> limit_option(const ParsedArgs& args) {
  auto text = args.value("limit");
  if (!text) return std::size_t{0};
  auto n = parse_integer("--limit", *text, 1, 1000000);
  if (!n.ok()) return std::move(n).error();
  return static_cast<std::size_t>(*n);
}

}  // namespace plinth::ctl
