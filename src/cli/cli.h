// Entry point of the CLI layer: registers every `cloud` subcommand except `server` (and
// `schema`), which src/app adds. main.cc does:
//
//   CLI::App app{"Cloud is a tool to provision, manage, and monitor Kubernetes clusters."};
//   cloud::cli::RegisterCliCommands(app);
//   ... app.add_subcommand("server", ...) ...
//   cloud::cli::ApplyEnvFill(app);   // CP_<FLAG> for every flag, server flags included
//   CLI11_PARSE(app, argc, argv);
//
// Command failures print one line "Error: ..." on stderr and make parse() throw
// CLI::RuntimeError(1), which CLI11_PARSE turns into exit status 1 without printing more.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command.h"

namespace cloud::cli {

// Registers the root flags (--context, -y/--y) and all CLI command groups on `app`, writing to
// std::cout/std::cerr (stderr's isatty decides how --wait draws progress). Returns the shared
// CLI state, to which further groups can be attached with CommandGroup::Add.
std::shared_ptr<Cli> RegisterCliCommands(CLI::App& app);

// The same with injected streams, clock and transport (tests).
std::shared_ptr<Cli> RegisterCliCommands(CLI::App& app, CliIo io);

// Parses argv-style arguments (args[0] is the program name) and returns the exit status;
// CLI11 errors (usage) are printed to io's streams. For tests and embedding.
int RunCli(CLI::App& app, const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err);

}  // namespace cloud::cli
