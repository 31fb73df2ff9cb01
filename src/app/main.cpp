// plinth: the command-line entry point. Subcommands: serve, version.
#include "app/serve.h"

#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <string>

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "usage: plinth <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve     run the gateway (see plinth serve --help)\n"
    "  version   print the version\n";

int serve_command(int argc, char** argv) {
  po::options_description desc("plinth serve options");
  plinth::app::ServeOptions opts;
  desc.add_options()("help,h", "show this help")(
      "config,c", po::value(&opts.config_path), "YAML config file (docs/config-schema.md)")(
      "listen,l", po::value(&opts.listen), "HOST:PORT to listen on (default 127.0.0.1:8080)")(
      "data-dir,d", po::value(&opts.data_dir), "data directory (default ./var)")(
      "workers,w", po::value(&opts.workers), "io threads (default: one per core)");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "plinth serve: %s\n", e.what());
    std::cerr << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  return plinth::app::serve(opts);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "serve") return serve_command(argc - 1, argv + 1);
  if (command == "version" || command == "--version") {
    std::puts("plinth 0.1.0");
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "plinth: unknown command '%s'\n%s", command.c_str(), kUsage);
  return 2;
}
