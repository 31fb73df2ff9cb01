// Command-line flags of the bench tools (`--name value` or `--name=value`), without Boost so
// the tools build in seconds. Each flag writes straight into a field of the caller's options.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace plinth::bench {

class Flags {
 public:
  // A bool flag takes no value; a vector flag may be repeated.
  using Target = std::variant<std::string*, double*, int64_t*, bool*, std::vector<std::string>*>;

  void add(std::string name, Target target, std::string help) {
    specs_.push_back(Spec{std::move(name), target, std::move(help)});
  }

  // Parses argv[1..]. Returns "" or a message naming the argument at fault.
  std::string parse(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string_view arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        help_requested_ = true;
        continue;
      }
      if (!arg.starts_with("--")) return "unexpected argument '" + std::string(arg) + "'";
      std::string_view name = arg.substr(2);
      std::optional<std::string_view> value;
      if (auto eq = name.find('='); eq != std::string_view::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const Spec* spec = find(name);
      if (spec == nullptr) return "unknown flag --" + std::string(name) + " (see --help)";
      if (auto* flag = std::get_if<bool*>(&spec->target)) {
        if (value && *value != "true" && *value != "false") {
          return "--" + spec->name + " takes true or false, got '" + std::string(*value) + "'";
        }
        **flag = !value || *value == "true";
        continue;
      }
      if (!value) {
        if (i + 1 >= argc) return "--" + spec->name + " needs a value";
        value = argv[++i];
      }
      if (std::string error = assign(*spec, *value); !error.empty()) return error;
    }
    return "";
  }

  bool help_requested() const { return help_requested_; }

  std::string usage() const {
    std::string out;
    for (const Spec& s : specs_) {
      std::string line = "  --" + s.name;
      line.resize(std::max<size_t>(line.size() + 1, 26), ' ');
      out += line + s.help + "\n";
    }
    return out;
  }

 private:
  struct Spec {
    std::string name;
    Target target;
    std::string help;
  };

  const Spec* find(std::string_view name) const {
    for (const Spec& s : specs_) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  static std::string assign(const Spec& spec, std::string_view value) {
    const std::string bad = "--" + spec.name + ": expected ";
    if (auto* s = std::get_if<std::string*>(&spec.target)) {
      **s = std::string(value);
    } else if (auto* v = std::get_if<std::vector<std::string>*>(&spec.target)) {
      (*v)->emplace_back(value);
    } else if (auto* d = std::get_if<double*>(&spec.target)) {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), **d);
      if (ec != std::errc() || end != value.data() + value.size()) {
        return bad + "a number, got '" + std::string(value) + "'";
      }
    } else if (auto* n = std::get_if<int64_t*>(&spec.target)) {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), **n);
      if (ec != std::errc() || end != value.data() + value.size()) {
        return bad + "an integer, got '" + std::string(value) + "'";
      }
    }
    return "";
  }

  std::vector<Spec> specs_;
  bool help_requested_ = false;
};

}  // namespace plinth::bench
