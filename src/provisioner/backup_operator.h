// BackupOperator and RestoreOperator: the backup/restore Jobs run in an installation's
// namespace (upstream BackupProvisioner / RestoreProvisioner, backup_restore_operator.go;
// spec upstream-provisioning.md §1.4, §6.1).
#pragma once

#include <cstdint>

#include "common/result.h"
#include "model/backup.h"
#include "model/cluster.h"
#include "model/installation.h"

namespace cloud::provisioner {

// Where a backup/restore Job is. Replaces upstream's (int64, ErrJobBackoffLimitReached) pair.
struct JobStatus {
  enum class Phase {
    kRunning,    // not finished yet (upstream -1)
    kSucceeded,  // finished; `at_millis` is the start (backup) or completion (restore) time
    kFailed,     // failures exceeded the Job's backoff limit (upstream ErrJobBackoffLimitReached)
  };
  Phase phase = Phase::kRunning;
  int64_t at_millis = 0;
  friend bool operator==(const JobStatus&, const JobStatus&) = default;
};

// Thread-safe. Trigger is create-or-reuse (the Job name derives from the backup ID, so a
// repeated trigger after a crash finds the existing Job); Cleanup of a missing Job is success.
// Errors: kUnavailable for cluster/backend failures.
class BackupOperator {
 public:
  virtual ~BackupOperator() = default;

  virtual Result<model::S3DataResidence> TriggerBackup(const model::InstallationBackup& backup,
                                                       const model::Cluster& cluster,
                                                       const model::Installation& installation) = 0;
  virtual Result<JobStatus> CheckBackupStatus(const model::InstallationBackup& backup,
                                              const model::Cluster& cluster) = 0;
  virtual Result<void> CleanupBackupJob(const model::InstallationBackup& backup,
                                        const model::Cluster& cluster) = 0;
  // Removes the backup's object from its bucket (backup deletion); success when absent.
  virtual Result<void> DeleteBackupData(const model::InstallationBackup& backup) = 0;
};

class RestoreOperator {
 public:
  virtual ~RestoreOperator() = default;

  virtual Result<void> TriggerRestore(const model::Installation& installation,
                                      const model::InstallationBackup& backup,
                                      const model::Cluster& cluster) = 0;
  virtual Result<JobStatus> CheckRestoreStatus(const model::InstallationBackup& backup,
                                               const model::Cluster& cluster) = 0;
  virtual Result<void> CleanupRestoreJob(const model::InstallationBackup& backup,
                                         const model::Cluster& cluster) = 0;
};

}  // namespace cloud::provisioner
