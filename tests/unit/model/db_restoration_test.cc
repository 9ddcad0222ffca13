#include "model/db_restoration.h"

#include <gtest/gtest.h>

#include <set>

namespace cloud::model {
namespace {

TEST(InstallationDBRestorationOperation, RoundTripFullyPopulated) {
  const std::string text =
      R"({"ID":"r1","InstallationID":"i1","BackupID":"b1","RequestAt":1,)"
      R"("State":"installation-db-restoration-in-progress",)"
      R"("TargetInstallationState":"hibernating","ClusterInstallationID":"ci1",)"
      R"("CompleteAt":2,"DeleteAt":3,"LockAcquiredBy":"me","LockAcquiredAt":4})";
  auto op = DecodeJson<InstallationDBRestorationOperation>(text);
  ASSERT_TRUE(op) << op.error().message;
  EXPECT_EQ(op->state, RestorationState::kInProgress);
  EXPECT_EQ(op->target_installation_state, "hibernating");
  EXPECT_EQ(EncodeJson(*op), text);
}

TEST(InstallationDBRestorationOperation, NullsWhenUnset) {
  EXPECT_EQ(EncodeJson(InstallationDBRestorationOperation{}),
            R"({"ID":"","InstallationID":"","BackupID":"","RequestAt":0,)"
            R"("State":"installation-db-restoration-requested","TargetInstallationState":"",)"
            R"("ClusterInstallationID":"","CompleteAt":0,"DeleteAt":0,"LockAcquiredBy":null,)"
            R"("LockAcquiredAt":0})");
}

TEST(InstallationDBRestorationRequest, RoundTrip) {
  const std::string text = R"({"InstallationID":"i1","BackupID":"b1"})";
  auto r = DecodeJson<InstallationDBRestorationRequest>(text);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->backup_id, "b1");
  EXPECT_EQ(EncodeJson(*r), text);
}

TEST(RestorationState, EveryStateString) {
  const std::vector<std::pair<RestorationState, std::string>> want = {
      {RestorationState::kRequested, "installation-db-restoration-requested"},
      {RestorationState::kInProgress, "installation-db-restoration-in-progress"},
      {RestorationState::kFinalizing, "installation-db-restoration-finishing"},
      {RestorationState::kSucceeded, "installation-db-restoration-succeeded"},
      {RestorationState::kFailing, "installation-db-restoration-failing"},
      {RestorationState::kFailed, "installation-db-restoration-failed"},
      {RestorationState::kInvalid, "installation-db-restoration-invalid"},
      {RestorationState::kDeletionRequested, "installation-db-restoration-deletion-requested"},
      {RestorationState::kDeleted, "installation-db-restoration-deleted"},
  };
  ASSERT_EQ(want.size(), kAllRestorationStates.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(want[i].second);
    EXPECT_EQ(kAllRestorationStates[i], want[i].first);
    EXPECT_EQ(ToString(want[i].first), want[i].second);
    RestorationState parsed = RestorationState::kDeleted;
    ASSERT_TRUE(ParseEnum(want[i].second, parsed));
    EXPECT_EQ(parsed, want[i].first);
  }
  RestorationState out;
  EXPECT_FALSE(ParseEnum("installation-db-restoration-finalizing", out));
  EXPECT_EQ(std::set(kRestorationStatesPendingWork.begin(), kRestorationStatesPendingWork.end()),
            (std::set{RestorationState::kRequested, RestorationState::kInProgress,
                      RestorationState::kFinalizing, RestorationState::kFailing,
                      RestorationState::kDeletionRequested}));
}

TEST(DBRestoration, EnsureInstallationReady) {
  InstallationBackup good;
  good.installation_id = "i1";
  good.state = BackupState::kBackupSucceeded;
  struct Case {
    std::string name;
    std::string installation_id, state, database, filestore;
    InstallationBackup backup;
    std::string error_fragment;  // "" = accepted
  };
  InstallationBackup other_installation = good;
  other_installation.installation_id = "i2";
  InstallationBackup failed = good;
  failed.state = BackupState::kBackupFailed;
  InstallationBackup deleted = good;
  deleted.delete_at = 5;
  const std::vector<Case> cases = {
      {"ok hibernating", "i1", "hibernating", "aws-rds-postgres", "aws-s3", good, ""},
      {"ok migrating", "i1", "db-migration-in-progress", "aws-multitenant-rds-postgres", "bifrost",
       good, ""},
      {"other installation", "i1", "hibernating", "aws-rds-postgres", "aws-s3", other_installation,
       "different installation"},
      {"backup not succeeded", "i1", "hibernating", "aws-rds-postgres", "aws-s3", failed,
       "backup-failed"},
      {"backup deleted", "i1", "hibernating", "aws-rds-postgres", "aws-s3", deleted, "deleted"},
      {"installation stable", "i1", "stable", "aws-rds-postgres", "aws-s3", good,
       "only hibernated"},
      {"incompatible database", "i1", "hibernating", "mysql-operator", "aws-s3", good, "Postgres"},
      {"minio", "i1", "hibernating", "aws-rds-postgres", "minio-operator", good, "Minio"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = EnsureInstallationReadyForDBRestoration(
        {c.installation_id, c.state, c.database, c.filestore}, c.backup);
    if (c.error_fragment.empty()) {
      EXPECT_TRUE(r) << r.error().message;
    } else {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
      EXPECT_NE(r.error().message.find(c.error_fragment), std::string::npos) << r.error().message;
    }
  }
}

TEST(DBRestoration, AfterRestorationState) {
  EXPECT_EQ(DetermineAfterRestorationState("hibernating").value(), "hibernating");
  EXPECT_EQ(DetermineAfterRestorationState("db-migration-in-progress").value(),
            "db-migration-in-progress");
  auto bad = DetermineAfterRestorationState("stable");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace cloud::model
