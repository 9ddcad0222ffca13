// SqlDBMigrationStore: DBMigrationStore over a SqlDatabase (SQLite or PostgreSQL).
#pragma once

#include "common/clock.h"
#include "store/db_migration_store.h"
#include "store/event_outbox.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// References must outlive the store. `hook` (may be empty) receives every announced operation
// state change inside the writing transaction.
class SqlDBMigrationStore final : public DBMigrationStore {
 public:
  SqlDBMigrationStore(SqlDatabase& db, LockStore& locks, const Clock& clock,
                      StateChangeHook hook = {});

  Result<model::InstallationDBMigrationOperation> CreateInstallationDBMigrationOperation(
      model::InstallationDBMigrationOperation operation,
      const std::map<std::string, std::string>& extra) override;
  Result<model::InstallationDBMigrationOperation> TriggerInstallationDBMigration(
      model::InstallationDBMigrationOperation operation, const Lease& installation_lease,
      const std::map<std::string, std::string>& operation_extra,
      const std::map<std::string, std::string>& installation_extra) override;
  Result<void> TriggerInstallationDBMigrationRollback(std::string_view operation_id,
                                                      const Lease& operation_lease,
                                                      std::string_view installation_id,
                                                      const Lease& installation_lease) override;
  Result<std::optional<model::InstallationDBMigrationOperation>>
  GetInstallationDBMigrationOperation(std::string_view id) override;
  Result<std::vector<model::InstallationDBMigrationOperation>> GetInstallationDBMigrationOperations(
      const model::InstallationDBMigrationFilter& filter) override;
  Result<std::vector<model::InstallationDBMigrationOperation>>
  GetUnlockedInstallationDBMigrationOperationsPendingWork() override;
  Result<DBMigrationClaim> ClaimInstallationDBMigrationOperationsPendingWork(
      std::string_view locker_id, int64_t limit) override;
  Result<void> UpdateInstallationDBMigrationOperationState(
      std::string_view id, model::MigrationState state, const Lease& lease,
      const std::map<std::string, std::string>& extra, bool announce) override;
  Result<void> UpdateInstallationDBMigrationOperation(
      const model::InstallationDBMigrationOperation& operation, const Lease& lease,
      const std::map<std::string, std::string>& extra) override;
  Result<void> DeleteInstallationDBMigrationOperation(std::string_view id,
                                                      const Lease& lease) override;

 private:
  Result<void> Insert(SqlExecutor& tx, const model::InstallationDBMigrationOperation& operation,
                      const std::map<std::string, std::string>& extra);
  Result<std::vector<model::InstallationDBMigrationOperation>> Select(
      const std::string& where_and_order, const SqlParams& params);

  SqlDatabase& db_;
  LockStore& locks_;
  const Clock& clock_;
  StateChangeHook hook_;
};

}  // namespace cloud::store
