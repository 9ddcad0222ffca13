#include "model/db_migration.h"

#include <gtest/gtest.h>

#include <set>

namespace cloud::model {
namespace {

TEST(InstallationDBMigrationOperation, RoundTripFullyPopulated) {
  const std::string text =
      R"({"ID":"m1","InstallationID":"i1","RequestAt":1,)"
      R"("State":"installation-db-migration-database switch",)"
      R"("SourceDatabase":"aws-multitenant-rds-postgres",)"
      R"("DestinationDatabase":"aws-multitenant-rds-postgres",)"
      R"("SourceMultiTenant":{"DatabaseID":"db1"},"DestinationMultiTenant":{"DatabaseID":"db2"},)"
      R"("BackupID":"b1","InstallationDBRestorationOperationID":"r1","CompleteAt":2,)"
      R"("DeleteAt":3,"LockAcquiredBy":"me","LockAcquiredAt":4})";
  auto op = DecodeJson<InstallationDBMigrationOperation>(text);
  ASSERT_TRUE(op) << op.error().message;
  EXPECT_EQ(op->state, MigrationState::kDatabaseSwitch);
  ASSERT_TRUE(op->destination_multi_tenant.has_value());
  EXPECT_EQ(op->destination_multi_tenant->database_id, "db2");
  EXPECT_EQ(EncodeJson(*op), text);
}

TEST(InstallationDBMigrationOperation, MultiTenantDataOmittedWhenUnset) {
  EXPECT_EQ(EncodeJson(InstallationDBMigrationOperation{}),
            R"({"ID":"","InstallationID":"","RequestAt":0,)"
            R"("State":"installation-db-migration-requested","SourceDatabase":"",)"
            R"("DestinationDatabase":"","BackupID":"","InstallationDBRestorationOperationID":"",)"
            R"("CompleteAt":0,"DeleteAt":0,"LockAcquiredBy":null,"LockAcquiredAt":0})");
  // An empty struct behind the pointer is still written (Go omits only nil pointers).
  InstallationDBMigrationOperation op;
  op.source_multi_tenant = MultiTenantDBMigrationData{};
  EXPECT_NE(EncodeJson(op).find(R"("SourceMultiTenant":{"DatabaseID":""})"), std::string::npos);
}

TEST(InstallationDBMigrationRequest, RoundTripAndOmit) {
  const std::string text =
      R"({"InstallationID":"i1","DestinationDatabase":"aws-multitenant-rds-postgres",)"
      R"("DestinationMultiTenant":{"DatabaseID":"db2"}})";
  auto r = DecodeJson<InstallationDBMigrationRequest>(text);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(EncodeJson(*r), text);
  EXPECT_EQ(EncodeJson(InstallationDBMigrationRequest{}),
            R"({"InstallationID":"","DestinationDatabase":""})");
}

TEST(MigrationState, EveryStateString) {
  const std::vector<std::pair<MigrationState, std::string>> want = {
      {MigrationState::kRequested, "installation-db-migration-requested"},
      {MigrationState::kBackupInProgress,
       "installation-db-migration-installation-backup-in-progress"},
      {MigrationState::kDatabaseSwitch, "installation-db-migration-database switch"},
      {MigrationState::kRefreshSecrets, "installation-db-migration-refresh-secrets"},
      {MigrationState::kTriggerRestoration, "installation-db-migration-trigger-restoration"},
      {MigrationState::kRestorationInProgress, "installation-db-migration-restoration-in-progress"},
      {MigrationState::kUpdatingInstallationConfig,
       "installation-db-migration-updating-installation-config"},
      {MigrationState::kFinalizing, "installation-db-migration-finalizing"},
      {MigrationState::kFailing, "installation-db-migration-failing"},
      {MigrationState::kSucceeded, "installation-db-migration-succeeded"},
      {MigrationState::kFailed, "installation-db-migration-failed"},
      {MigrationState::kCommitted, "installation-db-migration-committed"},
      {MigrationState::kRollbackRequested, "installation-db-migration-rollback-requested"},
      {MigrationState::kRollbackFinished, "installation-db-migration-rollback-finished"},
      {MigrationState::kDeletionRequested, "installation-db-migration-deletion-requested"},
      {MigrationState::kDeleted, "installation-db-migration-deleted"},
  };
  ASSERT_EQ(want.size(), kAllMigrationStates.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(want[i].second);
    EXPECT_EQ(kAllMigrationStates[i], want[i].first);
    EXPECT_EQ(ToString(want[i].first), want[i].second);
    MigrationState parsed = MigrationState::kDeleted;
    ASSERT_TRUE(ParseEnum(want[i].second, parsed));
    EXPECT_EQ(parsed, want[i].first);
  }
  MigrationState out;
  EXPECT_FALSE(ParseEnum("installation-db-migration-database-switch", out));
}

TEST(MigrationState, TablesAndTransitions) {
  std::set<MigrationState> pending(kMigrationStatesPendingWork.begin(),
                                   kMigrationStatesPendingWork.end());
  EXPECT_EQ(pending.size(), 11u);
  for (MigrationState s :
       {MigrationState::kSucceeded, MigrationState::kFailed, MigrationState::kCommitted,
        MigrationState::kRollbackFinished, MigrationState::kDeleted}) {
    EXPECT_EQ(pending.count(s), 0u) << ToString(s);
  }
  for (MigrationState from : kAllMigrationStates) {
    for (MigrationState to : kAllMigrationStates) {
      EXPECT_EQ(IsValidMigrationTransition(from, to),
                from == MigrationState::kSucceeded && to == MigrationState::kRollbackRequested)
          << ToString(from) << " -> " << ToString(to);
    }
  }
}

}  // namespace
}  // namespace cloud::model
