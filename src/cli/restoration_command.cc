// `cloud installation operation restoration ...` (upstream
// cmd/cloud/installation_operation_restoration.go; spec upstream-api.md §7.2).
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "model/db_restoration.h"

namespace cloud::cli {
namespace {

Table DefaultRestorationTable(const std::vector<model::InstallationDBRestorationOperation>& ops) {
  Table table;
  table.headers = {"ID",        "INSTALLATION ID",         "BACKUP ID",
                   "STATE",     "CLUSTER INSTALLATION ID", "TARGET INSTALLATION STATE",
                   "REQUEST AT"};
  for (const model::InstallationDBRestorationOperation& op : ops) {
    table.rows.push_back({op.id, op.installation_id, op.backup_id, std::string(ToString(op.state)),
                          op.cluster_installation_id, op.target_installation_state,
                          FormatTableTime(op.request_at)});
  }
  return table;
}

}  // namespace

void AddRestorationCommands(CommandGroup& operation) {
  CommandGroup group = operation.AddGroup(
      "restoration",
      "Manipulate installation restoration operations managed by the provisioning server.");

  struct RequestFlags {
    std::string installation;
    std::string backup;
    WaitFlags wait;
  };
  auto r = std::make_shared<RequestFlags>();
  CLI::App* request_cmd = group.AddCommand(
      "request", "Request database restoration", [r](CommandContext& ctx) -> Result<void> {
        Result<model::InstallationDBRestorationOperation> op =
            ctx.client().RestoreInstallationDatabase(r->installation, r->backup);
        if (!op) {
          return op.error().WithContext("failed to request installation database restoration");
        }
        ctx.PrintJson(*op);
        if (!r->wait.wait) return Ok();
        WaitSpec spec;
        spec.resource = "restoration";
        spec.id = op->id;
        spec.target_states = {std::string(ToString(model::RestorationState::kSucceeded))};
        spec.failed_states = {std::string(ToString(model::RestorationState::kFailed)),
                              std::string(ToString(model::RestorationState::kInvalid))};
        const std::string id = op->id;
        CLOUD_TRY(std::string state,
                  ctx.Wait(r->wait, spec, [&ctx, id]() -> Result<std::optional<std::string>> {
                    CLOUD_TRY(model::InstallationDBRestorationOperation o,
                              ctx.client().GetInstallationDBRestoration(id));
                    return std::optional<std::string>(std::string(ToString(o.state)));
                  }));
        (void)state;
        return Ok();
      });
  request_cmd
      ->add_option("--installation", r->installation, "The id of the installation to be restored.")
      ->required();
  request_cmd->add_option("--backup", r->backup, "The id of the backup to restore.")->required();
  AddWaitFlags(request_cmd, r->wait);

  struct ListFlags {
    PagingFlags paging;
    TableFlags table;
    std::string installation;
    std::string cluster_installation;
    std::string state;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list = group.AddCommand(
      "list", "List installation database restoration operations",
      [l](CommandContext& ctx) -> Result<void> {
        client::GetInstallationDBRestorationOperationsRequest request;
        request.installation_id = l->installation;
        request.cluster_installation_id = l->cluster_installation;
        request.state = l->state;
        request.paging = l->paging.ToPaging();
        Result<std::vector<model::InstallationDBRestorationOperation>> ops =
            ctx.client().GetInstallationDBRestorationOperations(request);
        if (!ops)
          return ops.error().WithContext("failed to list installation database restorations");
        return ctx.PrintList<model::InstallationDBRestorationOperation>(*ops, l->table,
                                                                        DefaultRestorationTable);
      });
  AddPagingFlags(list, l->paging);
  AddTableFlags(list, l->table);
  list->add_option("--installation", l->installation,
                   "The id of the installation to query operations.");
  list->add_option("--cluster-installation", l->cluster_installation,
                   "The cluster installation to filter operations by.");
  list->add_option("--state", l->state, "The state to filter operations by.");

  auto id = std::make_shared<std::string>();
  CLI::App* get = group.AddCommand(
      "get", "Fetches given installation database restoration operation.",
      [id](CommandContext& ctx) -> Result<void> {
        Result<model::InstallationDBRestorationOperation> op =
            ctx.client().GetInstallationDBRestoration(*id);
        if (!op) return op.error().WithContext("failed to get installation database restoration");
        ctx.PrintJson(*op);
        return Ok();
      });
  get->add_option("--restoration", *id, "The id of restoration operation.")->required();
}

}  // namespace cloud::cli
