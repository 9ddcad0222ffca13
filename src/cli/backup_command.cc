// `cloud installation backup ...` (upstream cmd/cloud/backup.go; spec upstream-api.md §7.2).
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "model/backup.h"

namespace cloud::cli {
namespace {

Table DefaultBackupTable(const std::vector<model::InstallationBackup>& backups) {
  Table table;
  table.headers = {"ID", "INSTALLATION ID", "STATE", "CLUSTER INSTALLATION ID", "REQUEST AT"};
  for (const model::InstallationBackup& b : backups) {
    table.rows.push_back({b.id, b.installation_id, std::string(ToString(b.state)),
                          b.cluster_installation_id, FormatTableTime(b.request_at)});
  }
  return table;
}

}  // namespace

void AddBackupCommands(CommandGroup& installation) {
  CommandGroup group = installation.AddGroup(
      "backup", "Manipulate installation backups managed by the provisioning server.");

  struct CreateFlags {
    std::string installation;
    WaitFlags wait;
  };
  auto c = std::make_shared<CreateFlags>();
  CLI::App* create = group.AddCommand(
      "create", "Request an installation backup.", [c](CommandContext& ctx) -> Result<void> {
        Result<model::InstallationBackup> backup =
            ctx.client().CreateInstallationBackup(c->installation);
        if (!backup) return backup.error().WithContext("failed to request installation backup");
        ctx.PrintJson(*backup);
        if (!c->wait.wait) return Ok();
        WaitSpec spec;
        spec.resource = "backup";
        spec.id = backup->id;
        spec.target_states = {std::string(ToString(model::BackupState::kBackupSucceeded))};
        spec.failed_states = {std::string(ToString(model::BackupState::kBackupFailed))};
        const std::string id = backup->id;
        CLOUD_TRY(std::string state,
                  ctx.Wait(c->wait, spec, [&ctx, id]() -> Result<std::optional<std::string>> {
                    CLOUD_TRY(model::InstallationBackup b, ctx.client().GetInstallationBackup(id));
                    return std::optional<std::string>(std::string(ToString(b.state)));
                  }));
        (void)state;
        return Ok();
      });
  create->add_option("--installation", c->installation, "The installation id to be backed up.")
      ->required();
  AddWaitFlags(create, c->wait);

  struct ListFlags {
    std::string installation;
    std::string state;
    PagingFlags paging;
    TableFlags table;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list = group.AddCommand(
      "list", "List installation backups.", [l](CommandContext& ctx) -> Result<void> {
        client::GetInstallationBackupsRequest request;
        request.installation_id = l->installation;
        request.state = l->state;
        request.paging = l->paging.ToPaging();
        Result<std::vector<model::InstallationBackup>> backups =
            ctx.client().GetInstallationBackups(request);
        if (!backups) return backups.error().WithContext("failed to get backup");
        return ctx.PrintList<model::InstallationBackup>(*backups, l->table, DefaultBackupTable);
      });
  list->add_option("--installation", l->installation,
                   "The installation id for which the backups should be listed.");
  list->add_option("--state", l->state, "The state to filter backups by.");
  AddPagingFlags(list, l->paging);
  AddTableFlags(list, l->table);

  auto get_id = std::make_shared<std::string>();
  CLI::App* get = group.AddCommand(
      "get", "Get installation backup.", [get_id](CommandContext& ctx) -> Result<void> {
        Result<model::InstallationBackup> backup = ctx.client().GetInstallationBackup(*get_id);
        if (!backup) return backup.error().WithContext("failed to get backup");
        ctx.PrintJson(*backup);
        return Ok();
      });
  get->add_option("--backup", *get_id, "The id of the backup to get.")->required();

  auto delete_id = std::make_shared<std::string>();
  CLI::App* del = group.AddCommand(
      "delete", "Delete installation backup.", [delete_id](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().DeleteInstallationBackup(*delete_id);
        if (!r) return r.error().WithContext("failed to delete backup");
        return Ok();
      });
  del->add_option("--backup", *delete_id, "The id of the backup to delete.")->required();
}

}  // namespace cloud::cli
