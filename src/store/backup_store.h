// BackupStore: installation backups (InstallationBackup table; upstream-core.md §1.7, §3.6).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/backup.h"
#include "model/filters.h"
#include "store/lock_store.h"

namespace cloud::store {

// Backups claimed for work: the lease on them and the rows, RequestAt ASC.
struct InstallationBackupClaim {
  Lease lease;
  std::vector<model::InstallationBackup> backups;
};

// Used by the backup supervisor, the backup API handlers, installation deletion and the DB
// migration supervisor. State changes of backups emit no Event row (upstream announces them by
// legacy webhook only); the implementation passes them to its StateChangeHook in the writing
// transaction. Thread-safe; owned by the composition root.
class BackupStore {
 public:
  virtual ~BackupStore() = default;

  // Inserts `backup` with a new ID, RequestAt = now, StartAt = 0, DeleteAt = 0, no lock and no
  // DataResidence (Go CreateInstallationBackup), then reports `n/a -> <state>` to the hook with
  // `extra`. Returns the stored row.
  virtual Result<model::InstallationBackup> CreateInstallationBackup(
      model::InstallationBackup backup, const std::map<std::string, std::string>& extra = {}) = 0;

  // The backup, deleted or not; nullopt when there is no such ID.
  virtual Result<std::optional<model::InstallationBackup>> GetInstallationBackup(
      std::string_view id) = 0;

  // Filter: IDs, InstallationID, ClusterInstallationID, State (one value) and States (IN),
  // paging; ordered RequestAt DESC.
  virtual Result<std::vector<model::InstallationBackup>> GetInstallationBackups(
      const model::InstallationBackupFilter& filter) = 0;

  // Backups in backup-requested / backup-in-progress / deletion-requested that are not under a
  // live lease, RequestAt ASC (Go GetUnlockedInstallationBackupPendingWork).
  virtual Result<std::vector<model::InstallationBackup>>
  GetUnlockedInstallationBackupsPendingWork() = 0;

  // Leases up to `limit` of those rows for `locker_id` (oldest request first) and returns them.
  virtual Result<InstallationBackupClaim> ClaimInstallationBackupsPendingWork(
      std::string_view locker_id, int64_t limit) = 0;

  // True if a live backup of the installation is backup-requested or backup-in-progress.
  virtual Result<bool> IsInstallationBackupRunning(std::string_view installation_id) = 0;

  // True if a live restoration or migration operation in a pending-work state uses the (live)
  // backup.
  virtual Result<bool> IsInstallationBackupBeingUsed(std::string_view backup_id) = 0;

  // Under `lease`: sets State (only when it differs) and reports the change to the hook, in one
  // transaction. Errors: kNotFound; kConflict when the lease was lost.
  virtual Result<void> UpdateInstallationBackupState(
      std::string_view id, model::BackupState state, const Lease& lease,
      const std::map<std::string, std::string>& extra = {}) = 0;

  // Under `lease`: writes the supervisor-maintained columns ClusterInstallationID,
  // DataResidence and StartAt (Go UpdateInstallationBackupSchedulingData + ...StartTime).
  // Errors: kConflict when the lease was lost (or the row is absent).
  virtual Result<void> UpdateInstallationBackup(const model::InstallationBackup& backup,
                                                const Lease& lease) = 0;

  // Sets APISecurityLock without a lease (the security routes bypass row locks).
  // Errors: kNotFound.
  virtual Result<void> SetInstallationBackupAPISecurityLock(std::string_view id, bool locked) = 0;

  // Under `lease`: soft delete (DeleteAt = now); a no-op when already deleted.
  // Errors: kNotFound; kConflict when the lease was lost.
  virtual Result<void> DeleteInstallationBackup(std::string_view id, const Lease& lease) = 0;
};

}  // namespace cloud::store
