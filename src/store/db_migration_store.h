// DBMigrationStore: installation database migration operations
// (InstallationDBMigrationOperation table; upstream-core.md §1.9, §3.6).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/db_migration.h"
#include "model/filters.h"
#include "store/lock_store.h"

namespace cloud::store {

// Operations claimed for work: the lease on them and the rows, RequestAt ASC.
struct DBMigrationClaim {
  Lease lease;
  std::vector<model::InstallationDBMigrationOperation> operations;
};

// Used by the DB migration supervisor, the migration API handlers and installation deletion.
// Operation state changes emit no Event row; they go to the implementation's StateChangeHook
// inside the writing transaction. Thread-safe.
class DBMigrationStore {
 public:
  virtual ~DBMigrationStore() = default;

  // Inserts `operation` with a new ID, RequestAt = now, DeleteAt = 0 and no lock; reports
  // `n/a -> <state>` to the hook with `extra`. Returns the stored row.
  virtual Result<model::InstallationDBMigrationOperation> CreateInstallationDBMigrationOperation(
      model::InstallationDBMigrationOperation operation,
      const std::map<std::string, std::string>& extra = {}) = 0;

  // Go TriggerInstallationDBMigration, in one transaction: inserts `operation` as
  // installation-db-migration-requested (InstallationDBRestorationOperationID cleared) and,
  // under `installation_lease`, sets the installation to db-migration-in-progress with its
  // state-change event (`installation_extra`). Errors: kNotFound; kConflict (lease lost).
  virtual Result<model::InstallationDBMigrationOperation> TriggerInstallationDBMigration(
      model::InstallationDBMigrationOperation operation, const Lease& installation_lease,
      const std::map<std::string, std::string>& operation_extra = {},
      const std::map<std::string, std::string>& installation_extra = {}) = 0;

  // Go TriggerInstallationDBMigrationRollback, in one transaction: under `operation_lease` the
  // operation becomes rollback-requested, under `installation_lease` the installation becomes
  // db-migration-rollback-in-progress. As upstream, neither change is announced (no event, no
  // hook). Errors: kNotFound; kConflict when a lease was lost.
  virtual Result<void> TriggerInstallationDBMigrationRollback(std::string_view operation_id,
                                                              const Lease& operation_lease,
                                                              std::string_view installation_id,
                                                              const Lease& installation_lease) = 0;

  // The operation, deleted or not; nullopt when there is no such ID.
  virtual Result<std::optional<model::InstallationDBMigrationOperation>>
  GetInstallationDBMigrationOperation(std::string_view id) = 0;

  // Filter: IDs, InstallationID, State and States, paging; RequestAt DESC.
  virtual Result<std::vector<model::InstallationDBMigrationOperation>>
  GetInstallationDBMigrationOperations(const model::InstallationDBMigrationFilter& filter) = 0;

  // Operations in a pending-work state not under a live lease, RequestAt ASC.
  virtual Result<std::vector<model::InstallationDBMigrationOperation>>
  GetUnlockedInstallationDBMigrationOperationsPendingWork() = 0;

  // Leases up to `limit` of those for `locker_id` and returns them.
  virtual Result<DBMigrationClaim> ClaimInstallationDBMigrationOperationsPendingWork(
      std::string_view locker_id, int64_t limit) = 0;

  // Under `lease`: sets State (when it differs) and reports the change to the hook (pass
  // `announce = false` for the API commit, which upstream does not announce).
  // Errors: kNotFound; kConflict when the lease was lost.
  virtual Result<void> UpdateInstallationDBMigrationOperationState(
      std::string_view id, model::MigrationState state, const Lease& lease,
      const std::map<std::string, std::string>& extra = {}, bool announce = true) = 0;

  // Under `lease`: writes State, BackupID, InstallationDBRestorationOperationID and CompleteAt
  // (Go UpdateInstallationDBMigrationOperation); a State change goes to the hook.
  // Errors: kNotFound; kConflict when the lease was lost.
  virtual Result<void> UpdateInstallationDBMigrationOperation(
      const model::InstallationDBMigrationOperation& operation, const Lease& lease,
      const std::map<std::string, std::string>& extra = {}) = 0;

  // Under `lease`: soft delete; a no-op when already deleted.
  // Errors: kNotFound; kConflict when the lease was lost.
  virtual Result<void> DeleteInstallationDBMigrationOperation(std::string_view id,
                                                              const Lease& lease) = 0;
};

}  // namespace cloud::store
