// `cloud installation operation db-migration ...` (upstream
// cmd/cloud/installation_operation_db_migration.go; spec upstream-api.md §7.2).
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "model/db_migration.h"

namespace cloud::cli {
namespace {

Table DefaultMigrationTable(const std::vector<model::InstallationDBMigrationOperation>& ops) {
  Table table;
  table.headers = {"ID", "INSTALLATION ID", "STATE", "REQUEST AT"};
  for (const model::InstallationDBMigrationOperation& op : ops) {
    table.rows.push_back({op.id, op.installation_id, std::string(ToString(op.state)),
                          FormatTableTime(op.request_at)});
  }
  return table;
}

using MigrationCall =
    Result<model::InstallationDBMigrationOperation> (client::Client::*)(const std::string&);

void AddIdCommand(CommandGroup& group, const std::string& name, const std::string& description,
                  MigrationCall call, const std::string& failure) {
  auto id = std::make_shared<std::string>();
  CLI::App* cmd =
      group.AddCommand(name, description, [id, call, failure](CommandContext& ctx) -> Result<void> {
        Result<model::InstallationDBMigrationOperation> op = (ctx.client().*call)(*id);
        if (!op) return op.error().WithContext(failure);
        ctx.PrintJson(*op);
        return Ok();
      });
  cmd->add_option("--db-migration", *id, "The id of the installation db migration operation.")
      ->required();
}

}  // namespace

void AddDBMigrationCommands(CommandGroup& operation) {
  CommandGroup group = operation.AddGroup(
      "db-migration",
      "Manipulate installation db migration operations managed by the provisioning server.");

  struct RequestFlags {
    std::string installation;
    std::string destination_db = "aws-multitenant-rds-postgres";
    std::string multi_tenant_db;
    WaitFlags wait;
  };
  auto r = std::make_shared<RequestFlags>();
  CLI::App* request_cmd = group.AddCommand(
      "request", "Request database migration to different DB",
      [r](CommandContext& ctx) -> Result<void> {
        model::InstallationDBMigrationRequest request;
        request.installation_id = r->installation;
        request.destination_database = r->destination_db;
        request.destination_multi_tenant = model::MultiTenantDBMigrationData{r->multi_tenant_db};
        if (ctx.DryRun(request)) return Ok();
        Result<model::InstallationDBMigrationOperation> op =
            ctx.client().MigrateInstallationDatabase(request);
        if (!op) return op.error().WithContext("failed to request installation database migration");
        ctx.PrintJson(*op);
        if (!r->wait.wait) return Ok();
        WaitSpec spec;
        spec.resource = "db-migration";
        spec.id = op->id;
        spec.target_states = {std::string(ToString(model::MigrationState::kSucceeded))};
        spec.failed_states = {std::string(ToString(model::MigrationState::kFailed))};
        const std::string id = op->id;
        CLOUD_TRY(std::string state,
                  ctx.Wait(r->wait, spec, [&ctx, id]() -> Result<std::optional<std::string>> {
                    CLOUD_TRY(model::InstallationDBMigrationOperation o,
                              ctx.client().GetInstallationDBMigrationOperation(id));
                    return std::optional<std::string>(std::string(ToString(o.state)));
                  }));
        (void)state;
        return Ok();
      });
  request_cmd
      ->add_option("--installation", r->installation, "The id of the installation to be migrated.")
      ->required();
  request_cmd->add_option("--destination-db", r->destination_db, "The destination database type.")
      ->capture_default_str();
  request_cmd
      ->add_option("--multi-tenant-db", r->multi_tenant_db,
                   "The id of the destination multi tenant db.")
      ->required();
  AddWaitFlags(request_cmd, r->wait);

  struct ListFlags {
    std::string installation;
    std::string state;
    PagingFlags paging;
    TableFlags table;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list = group.AddCommand(
      "list", "List installation database migration operations",
      [l](CommandContext& ctx) -> Result<void> {
        client::GetInstallationDBMigrationOperationsRequest request;
        request.installation_id = l->installation;
        request.state = l->state;
        request.paging = l->paging.ToPaging();
        Result<std::vector<model::InstallationDBMigrationOperation>> ops =
            ctx.client().GetInstallationDBMigrationOperations(request);
        if (!ops) return ops.error().WithContext("failed to list installation database migrations");
        return ctx.PrintList<model::InstallationDBMigrationOperation>(*ops, l->table,
                                                                      DefaultMigrationTable);
      });
  list->add_option("--installation", l->installation,
                   "The id of the installation to query operations.");
  list->add_option("--state", l->state, "The state to filter operations by.");
  AddPagingFlags(list, l->paging);
  AddTableFlags(list, l->table);

  AddIdCommand(group, "get", "Fetches given installation database migration operation.",
               &client::Client::GetInstallationDBMigrationOperation,
               "failed to get installation database migration");
  AddIdCommand(group, "commit", "Commits database migration",
               &client::Client::CommitInstallationDBMigration,
               "failed to commit installation database migration");
  AddIdCommand(group, "rollback", "Triggers rollback of database migration",
               &client::Client::RollbackInstallationDBMigration,
               "failed to trigger installation database migration rollback");
}

}  // namespace cloud::cli
