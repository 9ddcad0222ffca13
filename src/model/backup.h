// Installation backups: the InstallationBackup wire type, its states, and the backup/restore
// compatibility rules (spec upstream-api.md §3.3, §4.5, §5.7, §5.8).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/json_codec.h"

namespace cloud::model {

// Go InstallationBackupState.
enum class BackupState {
  kBackupRequested,
  kBackupInProgress,
  kBackupSucceeded,
  kBackupFailed,
  kDeletionRequested,
  kDeleted,
  kDeletionFailed,
};

std::string_view ToString(BackupState state);
bool ParseEnum(std::string_view text, BackupState& out);

inline constexpr std::array kAllBackupStates = {
    BackupState::kBackupRequested, BackupState::kBackupInProgress,  BackupState::kBackupSucceeded,
    BackupState::kBackupFailed,    BackupState::kDeletionRequested, BackupState::kDeleted,
    BackupState::kDeletionFailed,
};
// States the backup supervisor works on (Go AllInstallationBackupStatesPendingWork).
inline constexpr std::array kBackupStatesPendingWork = {
    BackupState::kBackupRequested,
    BackupState::kBackupInProgress,
    BackupState::kDeletionRequested,
};
// A backup in one of these blocks another backup of the same installation
// (Go AllInstallationBackupsStatesRunning).
inline constexpr std::array kBackupStatesRunning = {
    BackupState::kBackupRequested,
    BackupState::kBackupInProgress,
};

// Go InstallationBackup.ValidTransitionState: only deletion-requested can be requested, from
// any state but `deleted`.
bool IsValidBackupTransition(BackupState from, BackupState to);

// Where a backup's files live (Go S3DataResidence).
struct S3DataResidence {
  std::string region;
  std::string url;
  std::string bucket;
  std::string path_prefix;
  std::string object_key;

  // Go filepath.Join(PathPrefix, ObjectKey): joined with `/` and cleaned.
  std::string FullPath() const;
  friend bool operator==(const S3DataResidence&, const S3DataResidence&) = default;
};
using DataResidence = S3DataResidence;

template <class V>
void JsonFields(V& v, S3DataResidence& d) {
  v("Region", d.region);
  v("URL", d.url);
  v("Bucket", d.bucket);
  v("PathPrefix", d.path_prefix);
  v("ObjectKey", d.object_key);
}

struct InstallationBackup {
  std::string id;
  std::string installation_id;
  std::string cluster_installation_id;  // "" until the backup is scheduled
  std::string backed_up_database_type;  // the installation's Database at request time
  std::optional<S3DataResidence> data_residence;
  BackupState state = BackupState::kBackupRequested;
  int64_t request_at = 0;
  int64_t start_at = 0;  // start of the job that completed the backup
  int64_t delete_at = 0;
  bool api_security_lock = false;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;

  bool IsDeleted() const { return delete_at != 0; }
  friend bool operator==(const InstallationBackup&, const InstallationBackup&) = default;
};

template <class V>
void JsonFields(V& v, InstallationBackup& b) {
  v("ID", b.id);
  v("InstallationID", b.installation_id);
  v("ClusterInstallationID", b.cluster_installation_id);
  v("BackedUpDatabaseType", b.backed_up_database_type);
  v("DataResidence", b.data_residence);
  v("State", b.state);
  v("RequestAt", b.request_at);
  v("StartAt", b.start_at);
  v("DeleteAt", b.delete_at);
  v("APISecurityLock", b.api_security_lock);
  v("LockAcquiredBy", b.lock_acquired_by);
  v("LockAcquiredAt", b.lock_acquired_at);
}

// Body of POST /api/installations/backups.
struct InstallationBackupRequest {
  std::string installation_id;
  friend bool operator==(const InstallationBackupRequest&,
                         const InstallationBackupRequest&) = default;
};

template <class V>
void JsonFields(V& v, InstallationBackupRequest& r) {
  v("InstallationID", r.installation_id);
}

// The installation fields the backup/restore rules read, as wire strings, so that this header
// does not depend on installation.h. The views must outlive the call.
struct BackupInstallationView {
  std::string_view id;
  std::string_view state;      // e.g. "hibernating"
  std::string_view database;   // e.g. "aws-rds-postgres"
  std::string_view filestore;  // e.g. "bifrost"
};

// §5.7: Database must be aws-multitenant-rds-postgres or aws-rds-postgres and Filestore must not
// be minio-operator (Go EnsureBackupRestoreCompatible). Every violation is listed in the message.
// Errors: kFailedPrecondition (the API answers 400).
Result<void> EnsureBackupRestoreCompatible(const BackupInstallationView& installation);

// State must be hibernating or db-migration-in-progress, then EnsureBackupRestoreCompatible
// (Go EnsureInstallationReadyForBackup). Errors: kFailedPrecondition.
Result<void> EnsureInstallationReadyForBackup(const BackupInstallationView& installation);

}  // namespace cloud::model
