#include "model/db_restoration.h"

namespace cloud::model {

std::string_view ToString(RestorationState state) {
  switch (state) {
    case RestorationState::kRequested:
      return "installation-db-restoration-requested";
    case RestorationState::kInProgress:
      return "installation-db-restoration-in-progress";
    case RestorationState::kFinalizing:
      return "installation-db-restoration-finishing";
    case RestorationState::kSucceeded:
      return "installation-db-restoration-succeeded";
    case RestorationState::kFailing:
      return "installation-db-restoration-failing";
    case RestorationState::kFailed:
      return "installation-db-restoration-failed";
    case RestorationState::kInvalid:
      return "installation-db-restoration-invalid";
    case RestorationState::kDeletionRequested:
      return "installation-db-restoration-deletion-requested";
    case RestorationState::kDeleted:
      return "installation-db-restoration-deleted";
  }
  return "";
}

bool ParseEnum(std::string_view text, RestorationState& out) {
  for (RestorationState state : kAllRestorationStates) {
    if (ToString(state) == text) {
      out = state;
      return true;
    }
  }
  return false;
}

Result<void> EnsureInstallationReadyForDBRestoration(const BackupInstallationView& installation,
                                                     const InstallationBackup& backup) {
  if (installation.id != backup.installation_id) {
    return FailedPrecondition("backup belongs to a different installation");
  }
  if (backup.state != BackupState::kBackupSucceeded) {
    return FailedPrecondition("only backups in succeeded state can be restored, the state is \"" +
                              std::string(ToString(backup.state)) + "\"");
  }
  if (backup.delete_at > 0) return FailedPrecondition("backup files are deleted");
  if (installation.state != "hibernating" && installation.state != "db-migration-in-progress") {
    return FailedPrecondition(
        "invalid installation state, only hibernated installations can be restored, state is \"" +
        std::string(installation.state) + "\"");
  }
  return EnsureBackupRestoreCompatible(installation);
}

Result<std::string> DetermineAfterRestorationState(std::string_view installation_state) {
  if (installation_state == "hibernating" || installation_state == "db-migration-in-progress") {
    return std::string(installation_state);
  }
  return FailedPrecondition("restoration is not supported for installation in state " +
                            std::string(installation_state));
}

}  // namespace cloud::model
