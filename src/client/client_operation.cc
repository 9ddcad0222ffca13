// Client: backups, database restorations and migrations (spec §6.2 "Backups / restorations /
// migrations"). Single gets here treat 404 as an error, as upstream does.
#include "client/client.h"

namespace cloud::client {
namespace {

constexpr std::string_view kOperations = "/api/installations/operations/database";

std::string OperationsPath(std::string_view tail) {
  return std::string(kOperations) + "/" + std::string(tail);
}

}  // namespace

Result<model::InstallationBackup> Client::CreateInstallationBackup(
    const std::string& installation_id) {
  model::InstallationBackupRequest request;
  request.installation_id = installation_id;
  return DoJson<model::InstallationBackup>(HttpMethod::kPost, "/api/installations/backups", {},
                                           Body(request), 200);
}

Result<std::vector<model::InstallationBackup>> Client::GetInstallationBackups(
    const GetInstallationBackupsRequest& request) {
  return DoJson<std::vector<model::InstallationBackup>>(
      HttpMethod::kGet, "/api/installations/backups", QueryOf(request), std::nullopt, 200);
}

Result<model::InstallationBackup> Client::GetInstallationBackup(const std::string& backup_id) {
  return DoJson<model::InstallationBackup>(
      HttpMethod::kGet, "/api/installations/backup/" + Seg(backup_id), {}, std::nullopt, 200);
}

Result<model::InstallationDBRestorationOperation> Client::RestoreInstallationDatabase(
    const std::string& installation_id, const std::string& backup_id) {
  model::InstallationDBRestorationRequest request;
  request.installation_id = installation_id;
  request.backup_id = backup_id;
  return DoJson<model::InstallationDBRestorationOperation>(
      HttpMethod::kPost, OperationsPath("restorations"), {}, Body(request), 202);
}

Result<std::vector<model::InstallationDBRestorationOperation>>
Client::GetInstallationDBRestorationOperations(
    const GetInstallationDBRestorationOperationsRequest& request) {
  return DoJson<std::vector<model::InstallationDBRestorationOperation>>(
      HttpMethod::kGet, OperationsPath("restorations"), QueryOf(request), std::nullopt, 200);
}

Result<model::InstallationDBRestorationOperation> Client::GetInstallationDBRestoration(
    const std::string& id) {
  return DoJson<model::InstallationDBRestorationOperation>(
      HttpMethod::kGet, OperationsPath("restoration/") + Seg(id), {}, std::nullopt, 200);
}

Result<model::InstallationDBMigrationOperation> Client::MigrateInstallationDatabase(
    const model::InstallationDBMigrationRequest& request) {
  return DoJson<model::InstallationDBMigrationOperation>(
      HttpMethod::kPost, OperationsPath("migrations"), {}, Body(request), 202);
}

Result<model::InstallationDBMigrationOperation> Client::CommitInstallationDBMigration(
    const std::string& id) {
  return DoJson<model::InstallationDBMigrationOperation>(
      HttpMethod::kPost, OperationsPath("migration/") + Seg(id) + "/commit", {}, NullBody(), 200);
}

Result<model::InstallationDBMigrationOperation> Client::RollbackInstallationDBMigration(
    const std::string& id) {
  return DoJson<model::InstallationDBMigrationOperation>(
      HttpMethod::kPost, OperationsPath("migration/") + Seg(id) + "/rollback", {}, NullBody(), 202);
}

Result<std::vector<model::InstallationDBMigrationOperation>>
Client::GetInstallationDBMigrationOperations(
    const GetInstallationDBMigrationOperationsRequest& request) {
  return DoJson<std::vector<model::InstallationDBMigrationOperation>>(
      HttpMethod::kGet, OperationsPath("migrations"), QueryOf(request), std::nullopt, 200);
}

Result<model::InstallationDBMigrationOperation> Client::GetInstallationDBMigrationOperation(
    const std::string& id) {
  return DoJson<model::InstallationDBMigrationOperation>(
      HttpMethod::kGet, OperationsPath("migration/") + Seg(id), {}, std::nullopt, 200);
}

}  // namespace cloud::client
