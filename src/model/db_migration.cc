#include "model/db_migration.h"

namespace cloud::model {

std::string_view ToString(MigrationState state) {
  switch (state) {
    case MigrationState::kRequested:
      return "installation-db-migration-requested";
    case MigrationState::kBackupInProgress:
      return "installation-db-migration-installation-backup-in-progress";
    case MigrationState::kDatabaseSwitch:
      return "installation-db-migration-database switch";
    case MigrationState::kRefreshSecrets:
      return "installation-db-migration-refresh-secrets";
    case MigrationState::kTriggerRestoration:
      return "installation-db-migration-trigger-restoration";
    case MigrationState::kRestorationInProgress:
      return "installation-db-migration-restoration-in-progress";
    case MigrationState::kUpdatingInstallationConfig:
      return "installation-db-migration-updating-installation-config";
    case MigrationState::kFinalizing:
      return "installation-db-migration-finalizing";
    case MigrationState::kFailing:
      return "installation-db-migration-failing";
    case MigrationState::kSucceeded:
      return "installation-db-migration-succeeded";
    case MigrationState::kFailed:
      return "installation-db-migration-failed";
    case MigrationState::kCommitted:
      return "installation-db-migration-committed";
    case MigrationState::kRollbackRequested:
      return "installation-db-migration-rollback-requested";
    case MigrationState::kRollbackFinished:
      return "installation-db-migration-rollback-finished";
    case MigrationState::kDeletionRequested:
      return "installation-db-migration-deletion-requested";
    case MigrationState::kDeleted:
      return "installation-db-migration-deleted";
  }
  return "";
}

bool ParseEnum(std::string_view text, MigrationState& out) {
  for (MigrationState state : kAllMigrationStates) {
    if (ToString(state) == text) {
      out = state;
      return true;
    }
  }
  return false;
}

bool IsValidMigrationTransition(MigrationState from, MigrationState to) {
  return to == MigrationState::kRollbackRequested && from == MigrationState::kSucceeded;
}

}  // namespace cloud::model
