// Registration of every per-noun command group (spec upstream-api.md §7.2).
#include "cli/commands.h"

namespace cloud::cli {

void AddNounCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  AddClusterCommands(cli, root);
  AddInstallationCommands(cli, root);
  AddGroupCommands(cli, root);
  AddDatabaseCommands(cli, root);
  AddWebhookCommands(cli, root);
  AddSubscriptionCommands(cli, root);
  AddEventsCommands(cli, root);
  AddSecurityCommands(cli, root);
  AddWorkbenchCommands(cli, root);
}

}  // namespace cloud::cli
