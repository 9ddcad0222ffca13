// `cloud security <resource> <lock command>` (upstream cmd/cloud/security.go and
// security_flag.go; spec upstream-api.md §7.2).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"

namespace cloud::cli {
namespace {

using LockCall = Result<void> (client::Client::*)(const std::string&);

struct LockCommand {
  std::string name;
  std::string description;
  LockCall call;
  std::string failure;
};

void AddResource(CommandGroup& security, const std::string& name, const std::string& description,
                 const std::string& flag, const std::string& flag_help,
                 const std::vector<LockCommand>& commands) {
  CommandGroup group = security.AddGroup(name, description);
  auto id = std::make_shared<std::string>();
  // Persistent and required for every command of the resource (cobra persistent flag).
  group.app()->add_option("--" + flag, *id, flag_help)->required();
  for (const LockCommand& command : commands) {
    group.AddCommand(
        command.name, command.description,
        [id, call = command.call, failure = command.failure](CommandContext& ctx) -> Result<void> {
          Result<void> r = (ctx.client().*call)(*id);
          if (!r) return r.error().WithContext(failure);
          return Ok();
        });
  }
}

}  // namespace

void AddSecurityCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup security = CommandGroup::Add(cli, root, "security",
                                            "Manage security locks for different cloud resources.",
                                            GroupFlagSet::kServerOnly);
  AddResource(security, "cluster", "Manage security locks for cluster resources.", "cluster",
              "The id of the cluster.",
              {{"api-lock", "Lock API changes on a given cluster",
                &client::Client::LockAPIForCluster, "failed to lock cluster API"},
               {"api-unlock", "Unlock API changes on a given cluster",
                &client::Client::UnlockAPIForCluster, "failed to unlock cluster API"}});
  AddResource(
      security, "installation", "Manage security locks for installation resources.", "installation",
      "The id of the installation.",
      {{"api-lock", "Lock API changes on a given installation",
        &client::Client::LockAPIForInstallation, "failed to lock installation API"},
       {"api-unlock", "Unlock API changes on a given installation",
        &client::Client::UnlockAPIForInstallation, "failed to unlock installation API"},
       {"deletion-unlock", "Unlock deletion lock on a given installation",
        &client::Client::UnlockDeletionLockForInstallation,
        "failed to unlock installation deletion lock"},
       {"deletion-lock", "Lock deletion on a given installation",
        &client::Client::LockDeletionLockForInstallation, "failed to lock installation deletion"}});
  AddResource(
      security, "cluster-installation", "Manage security locks for cluster installation resources.",
      "cluster-installation", "The id of the cluster installation.",
      {{"api-lock", "Lock API changes on a given cluster installation",
        &client::Client::LockAPIForClusterInstallation, "failed to lock cluster installation API"},
       {"api-unlock", "Unlock API changes on a given cluster installation",
        &client::Client::UnlockAPIForClusterInstallation,
        "failed to unlock cluster installation API"}});
  AddResource(security, "group", "Manage security locks for group resources.", "group",
              "The id of the group.",
              {{"api-lock", "Lock API changes on a given group", &client::Client::LockAPIForGroup,
                "failed to lock group API"},
               {"api-unlock", "Unlock API changes on a given group",
                &client::Client::UnlockAPIForGroup, "failed to unlock group API"}});
  AddResource(security, "backup", "Manage security locks for backup resources.", "backup",
              "The id of the backup.",
              {{"api-lock", "Lock API changes on a given backup", &client::Client::LockAPIForBackup,
                "failed to lock backup API"},
               {"api-unlock", "Unlock API changes on a given backup",
                &client::Client::UnlockAPIForBackup, "failed to unlock backup API"}});
}

}  // namespace cloud::cli
