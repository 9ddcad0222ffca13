// Installation database migrations (multi-tenant DB to multi-tenant DB): the operation wire
// type, its request and states (spec upstream-api.md §3.5, §4.5, §5.8; upstream-core.md §1.9).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/json_codec.h"

namespace cloud::model {

// Go InstallationDBMigrationOperationState.
enum class MigrationState {
  kRequested,
  kBackupInProgress,
  kDatabaseSwitch,  // wire string "installation-db-migration-database switch" (with a space)
  kRefreshSecrets,
  kTriggerRestoration,
  kRestorationInProgress,
  kUpdatingInstallationConfig,
  kFinalizing,
  kFailing,
  kSucceeded,
  kFailed,
  kCommitted,
  kRollbackRequested,
  kRollbackFinished,
  kDeletionRequested,
  kDeleted,
};

std::string_view ToString(MigrationState state);
bool ParseEnum(std::string_view text, MigrationState& out);

inline constexpr std::array kAllMigrationStates = {
    MigrationState::kRequested,
    MigrationState::kBackupInProgress,
    MigrationState::kDatabaseSwitch,
    MigrationState::kRefreshSecrets,
    MigrationState::kTriggerRestoration,
    MigrationState::kRestorationInProgress,
    MigrationState::kUpdatingInstallationConfig,
    MigrationState::kFinalizing,
    MigrationState::kFailing,
    MigrationState::kSucceeded,
    MigrationState::kFailed,
    MigrationState::kCommitted,
    MigrationState::kRollbackRequested,
    MigrationState::kRollbackFinished,
    MigrationState::kDeletionRequested,
    MigrationState::kDeleted,
};
// Go AllInstallationDBMigrationOperationsStatesPendingWork.
inline constexpr std::array kMigrationStatesPendingWork = {
    MigrationState::kRequested,
    MigrationState::kBackupInProgress,
    MigrationState::kDatabaseSwitch,
    MigrationState::kRefreshSecrets,
    MigrationState::kTriggerRestoration,
    MigrationState::kRestorationInProgress,
    MigrationState::kUpdatingInstallationConfig,
    MigrationState::kFinalizing,
    MigrationState::kFailing,
    MigrationState::kRollbackRequested,
    MigrationState::kDeletionRequested,
};

// Go InstallationDBMigrationOperation.ValidTransitionState: the only API-requested transition is
// rollback-requested, from succeeded.
bool IsValidMigrationTransition(MigrationState from, MigrationState to);

// Go MultiTenantDBMigrationData.
struct MultiTenantDBMigrationData {
  std::string database_id;
  friend bool operator==(const MultiTenantDBMigrationData&,
                         const MultiTenantDBMigrationData&) = default;
};

template <class V>
void JsonFields(V& v, MultiTenantDBMigrationData& d) {
  v("DatabaseID", d.database_id);
}

struct InstallationDBMigrationOperation {
  std::string id;
  std::string installation_id;
  int64_t request_at = 0;
  MigrationState state = MigrationState::kRequested;
  std::string source_database;       // installation Database type (wire string)
  std::string destination_database;  // installation Database type (wire string)
  std::optional<MultiTenantDBMigrationData> source_multi_tenant;
  std::optional<MultiTenantDBMigrationData> destination_multi_tenant;
  std::string backup_id;
  std::string installation_db_restoration_operation_id;
  int64_t complete_at = 0;
  int64_t delete_at = 0;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;

  bool IsDeleted() const { return delete_at != 0; }
  friend bool operator==(const InstallationDBMigrationOperation&,
                         const InstallationDBMigrationOperation&) = default;
};

template <class V>
void JsonFields(V& v, InstallationDBMigrationOperation& o) {
  v("ID", o.id);
  v("InstallationID", o.installation_id);
  v("RequestAt", o.request_at);
  v("State", o.state);
  v("SourceDatabase", o.source_database);
  v("DestinationDatabase", o.destination_database);
  v("SourceMultiTenant", o.source_multi_tenant, kOmitEmpty);
  v("DestinationMultiTenant", o.destination_multi_tenant, kOmitEmpty);
  v("BackupID", o.backup_id);
  v("InstallationDBRestorationOperationID", o.installation_db_restoration_operation_id);
  v("CompleteAt", o.complete_at);
  v("DeleteAt", o.delete_at);
  v("LockAcquiredBy", o.lock_acquired_by);
  v("LockAcquiredAt", o.lock_acquired_at);
}

// Body of POST /api/installations/operations/database/migrations. The handler validates it
// against the store (§3.5); this type has no self-contained rules beyond decoding.
struct InstallationDBMigrationRequest {
  std::string installation_id;
  std::string destination_database;
  std::optional<MultiTenantDBMigrationData> destination_multi_tenant;
  friend bool operator==(const InstallationDBMigrationRequest&,
                         const InstallationDBMigrationRequest&) = default;
};

template <class V>
void JsonFields(V& v, InstallationDBMigrationRequest& r) {
  v("InstallationID", r.installation_id);
  v("DestinationDatabase", r.destination_database);
  v("DestinationMultiTenant", r.destination_multi_tenant, kOmitEmpty);
}

}  // namespace cloud::model
