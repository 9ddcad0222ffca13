// SqlBackupStore: BackupStore over a SqlDatabase (SQLite or PostgreSQL).
#pragma once

#include "common/clock.h"
#include "store/backup_store.h"
#include "store/event_outbox.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// Holds references to the database, lock store and clock, which must outlive it. `hook` (may be
// empty) receives every backup state change inside the writing transaction.
class SqlBackupStore final : public BackupStore {
 public:
  SqlBackupStore(SqlDatabase& db, LockStore& locks, const Clock& clock, StateChangeHook hook = {});

  Result<model::InstallationBackup> CreateInstallationBackup(
      model::InstallationBackup backup, const std::map<std::string, std::string>& extra) override;
  Result<std::optional<model::InstallationBackup>> GetInstallationBackup(
      std::string_view id) override;
  Result<std::vector<model::InstallationBackup>> GetInstallationBackups(
      const model::InstallationBackupFilter& filter) override;
  Result<std::vector<model::InstallationBackup>> GetUnlockedInstallationBackupsPendingWork()
      override;
  Result<InstallationBackupClaim> ClaimInstallationBackupsPendingWork(std::string_view locker_id,
                                                                      int64_t limit) override;
  Result<bool> IsInstallationBackupRunning(std::string_view installation_id) override;
  Result<bool> IsInstallationBackupBeingUsed(std::string_view backup_id) override;
  Result<void> UpdateInstallationBackupState(
      std::string_view id, model::BackupState state, const Lease& lease,
      const std::map<std::string, std::string>& extra) override;
  Result<void> UpdateInstallationBackup(const model::InstallationBackup& backup,
                                        const Lease& lease) override;
  Result<void> SetInstallationBackupAPISecurityLock(std::string_view id, bool locked) override;
  Result<void> DeleteInstallationBackup(std::string_view id, const Lease& lease) override;

 private:
  SqlDatabase& db_;
  LockStore& locks_;
  const Clock& clock_;
  StateChangeHook hook_;
};

}  // namespace cloud::store
