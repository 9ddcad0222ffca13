// The `cloud` binary: `cloud server` runs the provisioning server; every other subcommand is
// the CLI. This file only wires the command tree (STYLE.md: one composition root); each
// command registers itself (RegisterServerCommand, and the CLI nouns from cloud_cli later).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/apikey_command.h"
#include "app/schema_command.h"
#include "app/server_command.h"
#include "cli/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"cloud: provisions and manages Mattermost installations on Kubernetes clusters",
               "cloud"};
  app.require_subcommand(1);
  app.fallthrough(false);

  cloud::app::RegisterServerCommand(app);
  cloud::app::RegisterSchemaCommand(app);
  cloud::app::RegisterApiKeyCommand(app);
  // The CLI nouns (cluster, installation, group, ...); kept alive until parsing is done.
  const auto cli = cloud::cli::RegisterCliCommands(app);
  app.add_subcommand("version", "Print the version of cloud")->callback([] {
    std::puts("cloud 0.1.0");
  });

  cloud::cli::ApplyEnvFill(app);  // CP_<FLAG> for every flag not given, as upstream
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // the command already reported its error
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --help-all, --version
    std::fprintf(stderr, "Error: %s\n", e.what());
    return e.get_exit_code();
  }
  return 0;
}
