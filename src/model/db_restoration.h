// Installation database restorations: the operation wire type, its request and states
// (spec upstream-api.md §3.4, §4.5, §5.7, §5.8; upstream-core.md §1.8).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/backup.h"
#include "model/json_codec.h"

namespace cloud::model {

// Go InstallationDBRestorationState.
enum class RestorationState {
  kRequested,
  kInProgress,
  kFinalizing,  // wire string "...-finishing"
  kSucceeded,
  kFailing,
  kFailed,
  kInvalid,
  kDeletionRequested,
  kDeleted,
};

std::string_view ToString(RestorationState state);
bool ParseEnum(std::string_view text, RestorationState& out);

inline constexpr std::array kAllRestorationStates = {
    RestorationState::kRequested,  RestorationState::kInProgress,
    RestorationState::kFinalizing, RestorationState::kSucceeded,
    RestorationState::kFailing,    RestorationState::kFailed,
    RestorationState::kInvalid,    RestorationState::kDeletionRequested,
    RestorationState::kDeleted,
};
// Go AllInstallationDBRestorationStatesPendingWork.
inline constexpr std::array kRestorationStatesPendingWork = {
    RestorationState::kRequested,         RestorationState::kInProgress,
    RestorationState::kFinalizing,        RestorationState::kFailing,
    RestorationState::kDeletionRequested,
};

struct InstallationDBRestorationOperation {
  std::string id;
  std::string installation_id;
  std::string backup_id;
  int64_t request_at = 0;
  RestorationState state = RestorationState::kRequested;
  // Installation state (wire string) to move the installation to when the restoration succeeds.
  std::string target_installation_state;
  std::string cluster_installation_id;
  int64_t complete_at = 0;
  int64_t delete_at = 0;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;

  bool IsDeleted() const { return delete_at != 0; }
  friend bool operator==(const InstallationDBRestorationOperation&,
                         const InstallationDBRestorationOperation&) = default;
};

template <class V>
void JsonFields(V& v, InstallationDBRestorationOperation& o) {
  v("ID", o.id);
  v("InstallationID", o.installation_id);
  v("BackupID", o.backup_id);
  v("RequestAt", o.request_at);
  v("State", o.state);
  v("TargetInstallationState", o.target_installation_state);
  v("ClusterInstallationID", o.cluster_installation_id);
  v("CompleteAt", o.complete_at);
  v("DeleteAt", o.delete_at);
  v("LockAcquiredBy", o.lock_acquired_by);
  v("LockAcquiredAt", o.lock_acquired_at);
}

// Body of POST /api/installations/operations/database/restorations.
struct InstallationDBRestorationRequest {
  std::string installation_id;
  std::string backup_id;
  friend bool operator==(const InstallationDBRestorationRequest&,
                         const InstallationDBRestorationRequest&) = default;
};

template <class V>
void JsonFields(V& v, InstallationDBRestorationRequest& r) {
  v("InstallationID", r.installation_id);
  v("BackupID", r.backup_id);
}

// Go EnsureInstallationReadyForDBRestoration, checks in upstream order: the backup belongs to
// the installation, is backup-succeeded, is not deleted; the installation is hibernating (or
// db-migration-in-progress); then EnsureBackupRestoreCompatible.
// Errors: kFailedPrecondition (the API answers 400).
Result<void> EnsureInstallationReadyForDBRestoration(const BackupInstallationView& installation,
                                                     const InstallationBackup& backup);

// Go DetermineAfterRestorationState: the installation state to return to after restoring —
// hibernating → hibernating, db-migration-in-progress → db-migration-in-progress.
// Errors: kFailedPrecondition for any other state.
Result<std::string> DetermineAfterRestorationState(std::string_view installation_state);

}  // namespace cloud::model
