#include "model/backup.h"

#include <gtest/gtest.h>

#include <set>

namespace cloud::model {
namespace {

TEST(InstallationBackup, RoundTripFullyPopulated) {
  const std::string text =
      R"({"ID":"b1","InstallationID":"i1","ClusterInstallationID":"ci1",)"
      R"("BackedUpDatabaseType":"aws-rds-postgres","DataResidence":{"Region":"us-east-1",)"
      R"("URL":"s3.amazonaws.com","Bucket":"bkt","PathPrefix":"i1","ObjectKey":"backup-b1"},)"
      R"("State":"backup-succeeded","RequestAt":1,"StartAt":2,"DeleteAt":3,)"
      R"("APISecurityLock":true,"LockAcquiredBy":"me","LockAcquiredAt":4})";
  auto b = DecodeJson<InstallationBackup>(text);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->state, BackupState::kBackupSucceeded);
  ASSERT_TRUE(b->data_residence.has_value());
  EXPECT_EQ(b->data_residence->object_key, "backup-b1");
  EXPECT_EQ(b->lock_acquired_by, std::optional<std::string>("me"));
  EXPECT_TRUE(b->IsDeleted());
  EXPECT_EQ(EncodeJson(*b), text);
}

TEST(InstallationBackup, NullsWhenUnset) {
  EXPECT_EQ(EncodeJson(InstallationBackup{}),
            R"({"ID":"","InstallationID":"","ClusterInstallationID":"","BackedUpDatabaseType":"",)"
            R"("DataResidence":null,"State":"backup-requested","RequestAt":0,"StartAt":0,)"
            R"("DeleteAt":0,"APISecurityLock":false,"LockAcquiredBy":null,"LockAcquiredAt":0})");
}

TEST(InstallationBackup, RequestRoundTrip) {
  const std::string text = R"({"InstallationID":"i1"})";
  auto r = DecodeJson<InstallationBackupRequest>(text);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->installation_id, "i1");
  EXPECT_EQ(EncodeJson(*r), text);
  auto lower = DecodeJson<InstallationBackupRequest>(R"({"installationid":"x"})");
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->installation_id, "x");
  auto empty = DecodeJson<InstallationBackupRequest>("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->installation_id, "");
}

TEST(BackupState, EveryStateString) {
  const std::vector<std::pair<BackupState, std::string>> want = {
      {BackupState::kBackupRequested, "backup-requested"},
      {BackupState::kBackupInProgress, "backup-in-progress"},
      {BackupState::kBackupSucceeded, "backup-succeeded"},
      {BackupState::kBackupFailed, "backup-failed"},
      {BackupState::kDeletionRequested, "deletion-requested"},
      {BackupState::kDeleted, "deleted"},
      {BackupState::kDeletionFailed, "deletion-failed"},
  };
  ASSERT_EQ(want.size(), kAllBackupStates.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(want[i].second);
    EXPECT_EQ(kAllBackupStates[i], want[i].first);
    EXPECT_EQ(ToString(want[i].first), want[i].second);
    BackupState parsed = BackupState::kDeleted;
    ASSERT_TRUE(ParseEnum(want[i].second, parsed));
    EXPECT_EQ(parsed, want[i].first);
  }
  BackupState out;
  EXPECT_FALSE(ParseEnum("Backup-Requested", out));
  EXPECT_FALSE(ParseEnum("", out));
  auto bad = DecodeJson<InstallationBackup>(R"({"State":"nope"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(BackupState, Tables) {
  EXPECT_EQ(std::set(kBackupStatesPendingWork.begin(), kBackupStatesPendingWork.end()),
            (std::set{BackupState::kBackupRequested, BackupState::kBackupInProgress,
                      BackupState::kDeletionRequested}));
  EXPECT_EQ(std::set(kBackupStatesRunning.begin(), kBackupStatesRunning.end()),
            (std::set{BackupState::kBackupRequested, BackupState::kBackupInProgress}));
  for (BackupState from : kAllBackupStates) {
    SCOPED_TRACE(ToString(from));
    EXPECT_EQ(IsValidBackupTransition(from, BackupState::kDeletionRequested),
              from != BackupState::kDeleted);
    for (BackupState to : kAllBackupStates) {
      if (to != BackupState::kDeletionRequested) {
        EXPECT_FALSE(IsValidBackupTransition(from, to));
      }
    }
  }
}

TEST(S3DataResidence, FullPathJoinsAndCleans) {
  struct Case {
    std::string prefix, key, want;
  };
  for (const Case& c : std::vector<Case>{{"i1", "b1", "i1/b1"},
                                         {"i1/", "b1", "i1/b1"},
                                         {"", "b1", "b1"},
                                         {"i1", "", "i1"},
                                         {"", "", ""},
                                         {"/a//b/", "./c", "/a/b/c"},
                                         {"a/..", "b", "b"}}) {
    SCOPED_TRACE(c.prefix + "|" + c.key);
    S3DataResidence d;
    d.path_prefix = c.prefix;
    d.object_key = c.key;
    EXPECT_EQ(d.FullPath(), c.want);
  }
}

TEST(BackupCompatibility, DatabaseFilestoreAndState) {
  struct Case {
    std::string name;
    std::string state, database, filestore;
    bool compatible;
    bool ready;
  };
  const std::vector<Case> cases = {
      {"multitenant rds, hibernating", "hibernating", "aws-multitenant-rds-postgres", "bifrost",
       true, true},
      {"single tenant rds, hibernating", "hibernating", "aws-rds-postgres", "aws-s3", true, true},
      {"migrating", "db-migration-in-progress", "aws-rds-postgres", "aws-s3", true, true},
      {"stable", "stable", "aws-rds-postgres", "aws-s3", true, false},
      {"mysql", "hibernating", "aws-rds", "aws-s3", false, false},
      {"operator database", "hibernating", "mysql-operator", "aws-s3", false, false},
      {"perseus", "hibernating", "perseus", "aws-s3", false, false},
      {"minio", "hibernating", "aws-rds-postgres", "minio-operator", false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    BackupInstallationView view{"i1", c.state, c.database, c.filestore};
    auto compat = EnsureBackupRestoreCompatible(view);
    EXPECT_EQ(static_cast<bool>(compat), c.compatible);
    if (!compat) {
      EXPECT_EQ(compat.error().code, ErrorCode::kFailedPrecondition);
    }
    auto ready = EnsureInstallationReadyForBackup(view);
    EXPECT_EQ(static_cast<bool>(ready), c.ready);
    if (!ready) {
      EXPECT_EQ(ready.error().code, ErrorCode::kFailedPrecondition);
    }
  }
  // Both problems are reported together.
  auto both =
      EnsureBackupRestoreCompatible({"i1", "hibernating", "mysql-operator", "minio-operator"});
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("mysql-operator"), std::string::npos);
  EXPECT_NE(both.error().message.find("Minio"), std::string::npos);
}

}  // namespace
}  // namespace cloud::model
