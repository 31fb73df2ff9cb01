// plinthctl stats MODEL [VERSION]: calls, errors, latency and tokens per version.
#include "ctl/command.h"
#include "ctl/display.h"
#include "ctl/table.h"

namespace plinth::ctl {
namespace json = boost::json;

namespace {

Table stats_table() {
  Table table({"VERSION", "CALLS", "ERRORS", "ERROR RATE", "P50 MS", "P90 MS", "P99 MS",
               "TOKENS IN", "TOKENS OUT"});
  for (std::size_t c = 1; c < 9; ++c) table.align_right(c);
  return table;
}

void add_stats_row(Table& table, const json::value& s) {
  const json::value& latency = member(s, "latency_ms");
  const json::value& rate = member(s, "error_rate");
  std::string rate_text = "-";
  if (rate.is_number()) {
    rate_text = format_rate(rate.to_number<double>());
  } else if (number_field(s, "calls") > 0) {
    rate_text = format_rate(number_field(s, "errors") / number_field(s, "calls"));
  }
  table.add_row({display_field(s, "version"), display_field(s, "calls"), display_field(s, "errors"),
                 rate_text, display_field(latency, "p50"), display_field(latency, "p90"),
                 display_field(latency, "p99"), display_field(s, "tokens_in"),
                 display_field(s, "tokens_out")});
}

std::string window_line(const json::value& stats, const std::string& label) {
  return label + ", " + display_field(stats, "from") + " to " + display_field(stats, "to") + "\n";
}

Status stats(Context& ctx, const ParsedArgs& args) {
  const std::string& model = args.positional(0);
  const std::string& version = args.positional(1);
  std::string query;
  if (auto w = args.value("window")) query = "window=" + escape_component(*w);
  if (version.empty()) {
    if (args.has("series")) return Error::invalid("--series", "--series needs a VERSION");
    auto reply = ctx.api.get(model_path(model) + "/stats", query);
    if (!reply.ok()) return std::move(reply).error();
    print_result(ctx, reply->json, [&] {
      Table table = stats_table();
      const json::value& versions = member(reply->json, "versions");
      if (versions.is_array()) {
        for (const auto& s : versions.get_array()) add_stats_row(table, s);
      }
      return window_line(reply->json, model) + table.render();
    });
    return {};
  }
  auto reply = ctx.api.get(version_path(model, version) + "/stats", query);
  if (!reply.ok()) return std::move(reply).error();
  print_result(ctx, reply->json, [&] {
    Table table = stats_table();
    add_stats_row(table, reply->json);
    std::string out = window_line(reply->json, model + "/" + version) + table.render();
    const json::value& series = member(reply->json, "series");
    if (args.has("series") && series.is_array()) {
      Table minutes({"MINUTE", "CALLS", "ERRORS", "P50 MS", "TOKENS IN", "TOKENS OUT"});
      for (std::size_t c = 1; c < 6; ++c) minutes.align_right(c);
      for (const auto& m : series.get_array()) {
        minutes.add_row({display_field(m, "at"), display_field(m, "calls"),
                         display_field(m, "errors"), display_field(m, "latency_ms_p50"),
                         display_field(m, "tokens_in"), display_field(m, "tokens_out")});
      }
      out += "\n" + minutes.render();
    }
    return out;
  });
  return {};
}

}  // namespace

void add_stats_commands(std::vector<Command>& commands) {
  commands.push_back(
      {"stats",
       "calls, errors, latency and tokens per version of a model (or of one version)",
       {{"MODEL", "VERSION?"},
        {{"window", "W", "5m, 15m, 1h (default), 6h, 24h, 7d, or <n>m|h|d up to 30d"},
         {"series", "", "with VERSION: also the per-minute series"}}},
       stats});
}

}  // namespace plinth::ctl
