// `cloud workbench cluster` and `cloud dashboard` (upstream cmd/cloud/workbench.go,
// dashboard.go): both need things this CLI does not bring (kops, terraform and AWS
// credentials; an endless full-screen terminal view), so they exist with upstream's flags and
// fail with a clear message.
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/noun_helpers.h"

namespace cloud::cli {

void AddWorkbenchCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup workbench =
      CommandGroup::Add(cli, root, "workbench", "Orchestrate resources managed by the provisioner.",
                        GroupFlagSet::kServerOnly);
  auto state_store = std::make_shared<std::string>("dev.cloud.mattermost.com");
  workbench.app()
      ->add_option("--state-store", *state_store, "The S3 bucket used to store the cluster state.")
      ->capture_default_str();
  auto cluster = std::make_shared<std::string>();
  Action not_supported_workbench = NotSupportedAction(
      "workbench cluster", "it runs kops and terraform against AWS from this machine");
  // The flag values live as long as the command (captured by its action).
  CLI::App* cmd = workbench.AddCommand(
      "cluster", "Export kops/terraform files of a cluster to the local workbench.",
      [state_store, cluster, not_supported_workbench](CommandContext& ctx) -> Result<void> {
        return not_supported_workbench(ctx);
      });
  cmd->add_option("--cluster", *cluster, "The id of the cluster to work on.")->required();

  CommandGroup dashboard = CommandGroup::Add(
      cli, root, "dashboard", "View an overview of all cloud resources.", GroupFlagSet::kNone);
  auto refresh = std::make_shared<int>(10);
  dashboard.app()
      ->add_option("--refresh-seconds", *refresh,
                   "The amount of seconds before the dashboard is refreshed with new data.")
      ->capture_default_str();
  Action not_supported =
      NotSupportedAction("dashboard",
                         "it is an endless full-screen view; use `cloud cluster list --table` and "
                         "`cloud installation list --table`");
  MakeGroupRunnable(dashboard, [refresh, not_supported](CommandContext& ctx) -> Result<void> {
    if (*refresh < 1) return InvalidArgument("refresh seconds must be 1 or higher");
    return not_supported(ctx);
  });
}

}  // namespace cloud::cli
