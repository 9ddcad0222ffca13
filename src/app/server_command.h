// `cloud server`: parses the server flags (upstream-api.md §7.3) and runs the server until
// SIGINT or SIGTERM.
#pragma once

#include <string>
#include <string_view>

namespace CLI {
class App;
}  // namespace CLI

namespace cloud::app {

// Adds the `server` subcommand to `root`. Its callback validates the flags, runs the
// server, and ends the process through CLI::RuntimeError with the exit code when it fails.
void RegisterServerCommand(CLI::App& root);

// The environment variable a server flag falls back to: "CP_" + upper case, '-' → '_'
// ("--metrics-port" → "CP_METRICS_PORT"), as upstream.
std::string ServerFlagEnvName(std::string_view flag);

}  // namespace cloud::app
