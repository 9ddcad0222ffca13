// Routes of spec upstream-api.md §3.3 (installation backups) over real HTTP against a real
// SQLite store: request, list, get, delete, with their 404 / 409 / 403 / 400 answers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_util.h"
#include "model/backup.h"
#include "model/db_restoration.h"

namespace cloud::apitest {
namespace {

using model::BackupState;
using model::InstallationState;
using supervisor::ResourceKind;

class BackupRoutes : public OperationsApiTest {};

std::string BackupRequestBody(const std::string& installation_id) {
  return R"({"InstallationID":")" + installation_id + R"("})";
}

TEST_P(BackupRoutes, RequestBackupOfHibernatingInstallationIs200WithBackupRequested) {
  model::Installation inst = MakeInstallation("alpha", InstallationState::kHibernating);
  webhook_hook_.Clear();
  clock_.Advance(1000);

  WireResponse r = Post("/api/installations/backups", BackupRequestBody(inst.id));

  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  ASSERT_FALSE(r.body.empty());
  EXPECT_EQ(r.body.back(), '\n');
  nlohmann::ordered_json body = r.Json();
  std::string id = body["ID"];
  EXPECT_EQ(id.size(), 26u);
  std::string expected =
      R"({"ID":")" + id + R"(","InstallationID":")" + inst.id +
      R"(","ClusterInstallationID":"","BackedUpDatabaseType":"aws-rds-postgres",)"
      R"("DataResidence":null,"State":"backup-requested","RequestAt":)" +
      std::to_string(clock_.NowMillis()) +
      R"(,"StartAt":0,"DeleteAt":0,"APISecurityLock":false,"LockAcquiredBy":null,)"
      R"("LockAcquiredAt":0})"
      "\n";
  EXPECT_EQ(r.body, expected);

  // Legacy webhook only: n/a -> backup-requested with Installation and Environment.
  std::vector<store::StateChangeRecord> records = webhook_hook_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].resource_type, model::ResourceType::kInstallationBackup);
  EXPECT_EQ(records[0].resource_id, id);
  EXPECT_EQ(records[0].old_state, "n/a");
  EXPECT_EQ(records[0].new_state, "backup-requested");
  EXPECT_EQ(records[0].extra_data, (std::map<std::string, std::string>{{"Environment", "test"},
                                                                       {"Installation", inst.id}}));
  EXPECT_EQ(notifier_.Count(ResourceKind::kBackup), 1u);

  // The installation lock was released.
  Result<store::Lease> lease = locks_->AcquireOne(store::LockTable::kInstallation, inst.id, "x");
  EXPECT_TRUE(lease.has_value());
}

TEST_P(BackupRoutes, RequestBackupIgnoresInstallationAPISecurityLock) {
  model::Installation inst = MakeInstallation("alpha", InstallationState::kHibernating);
  ASSERT_TRUE(installations_->SetInstallationAPISecurityLock(inst.id, true));
  EXPECT_EQ(Post("/api/installations/backups", BackupRequestBody(inst.id)).status, 200);
}

TEST_P(BackupRoutes, RequestBackupRejections) {
  model::Installation hibernating = MakeInstallation("hib", InstallationState::kHibernating);
  model::Installation stable = MakeInstallation("stable", InstallationState::kStable);
  model::Installation mysql =
      MakeInstallation("mysql", InstallationState::kHibernating, "mysql-operator", "bifrost");
  model::Installation minio = MakeInstallation("minio", InstallationState::kHibernating,
                                               "aws-rds-postgres", "minio-operator");
  model::Installation running = MakeInstallation("running", InstallationState::kHibernating);
  MakeBackup(running.id, BackupState::kBackupInProgress);
  model::Installation locked = MakeInstallation("locked", InstallationState::kHibernating);
  store::Lease held = HoldLock(store::LockTable::kInstallation, locked.id);

  struct Case {
    std::string name;
    std::string body;
    int status;
  };
  std::vector<Case> cases = {
      {"malformed json", "{", 400},
      {"wrong type", R"({"InstallationID":5})", 400},
      {"empty body means empty id", "", 404},
      {"unknown installation", BackupRequestBody(NewId()), 404},
      {"lock held", BackupRequestBody(locked.id), 409},
      {"not hibernating", BackupRequestBody(stable.id), 400},
      {"unsupported database", BackupRequestBody(mysql.id), 400},
      {"unsupported filestore", BackupRequestBody(minio.id), 400},
      {"backup already running", BackupRequestBody(running.id), 400},
      {"case-insensitive key", R"({"installationid":")" + hibernating.id + R"("})", 200},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WireResponse r = Post("/api/installations/backups", c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
  }
  ASSERT_TRUE(locks_->Release(held));
}

TEST_P(BackupRoutes, ListBackupsFiltersPagesAndOrdersNewestFirst) {
  EXPECT_EQ(Get("/api/installations/backups").body, "[]\n");

  model::Installation a = MakeInstallation("alpha", InstallationState::kHibernating);
  model::Installation b = MakeInstallation("bravo", InstallationState::kHibernating);
  model::InstallationBackup a1 = MakeBackup(a.id, BackupState::kBackupSucceeded);
  clock_.Advance(10);
  model::InstallationBackup b1 = MakeBackup(b.id, BackupState::kBackupRequested);
  clock_.Advance(10);
  model::InstallationBackup a2 = MakeBackup(a.id, BackupState::kBackupFailed);

  auto ids = [&](const std::string& target) {
    WireResponse r = Get(target);
    EXPECT_EQ(r.status, 200) << target;
    std::vector<std::string> out;
    for (const auto& item : r.Json()) out.push_back(item["ID"]);
    return out;
  };
  struct Case {
    std::string query;
    std::vector<std::string> expected;
  };
  std::vector<Case> cases = {
      {"", {a2.id, b1.id, a1.id}},
      {"?installation=" + a.id, {a2.id, a1.id}},
      {"?state=backup-requested", {b1.id}},
      {"?state=backup-failed&installation=" + b.id, {}},
      {"?state=no-such-state", {}},
      {"?installation=", {a2.id, b1.id, a1.id}},
      {"?page=0&per_page=2", {a2.id, b1.id}},
      {"?page=1&per_page=2", {a1.id}},
      {"?per_page=0", {}},
      {"?per_page=-1", {a2.id, b1.id, a1.id}},
      {"?cluster_installation=" + NewId(), {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    EXPECT_EQ(ids("/api/installations/backups" + c.query), c.expected);
  }

  for (std::string bad : {"?page=x", "?per_page=1.5", "?include_deleted=maybe", "?page=-1"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(Get("/api/installations/backups" + bad).status, 400);
  }
}

TEST_P(BackupRoutes, ListBackupsIncludeDeleted) {
  model::Installation a = MakeInstallation("alpha", InstallationState::kHibernating);
  model::InstallationBackup backup = MakeBackup(a.id, BackupState::kBackupSucceeded);
  store::Lease lease = HoldLock(store::LockTable::kInstallationBackup, backup.id);
  ASSERT_TRUE(backups_->DeleteInstallationBackup(backup.id, lease));
  ASSERT_TRUE(locks_->Release(lease));

  EXPECT_EQ(Get("/api/installations/backups").body, "[]\n");
  nlohmann::ordered_json all = Get("/api/installations/backups?include_deleted=true").Json();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["ID"], backup.id);
  EXPECT_GT(all[0]["DeleteAt"].get<int64_t>(), 0);
}

TEST_P(BackupRoutes, GetBackup) {
  model::Installation a = MakeInstallation("alpha", InstallationState::kHibernating);
  model::InstallationBackup backup = MakeBackup(a.id, BackupState::kBackupSucceeded);

  WireResponse r = Get("/api/installations/backup/" + backup.id);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["State"], "backup-succeeded");
  EXPECT_EQ(r.Json()["InstallationID"], a.id);

  EXPECT_EQ(Get("/api/installations/backup/" + NewId()).status, 404);
  WireResponse bad_shape = Get("/api/installations/backup/short");
  EXPECT_EQ(bad_shape.status, 404);
  EXPECT_EQ(bad_shape.body, "404 page not found\n");
  EXPECT_EQ(Put("/api/installations/backup/" + backup.id).status, 405);
}

TEST_P(BackupRoutes, DeleteBackupRequestsDeletionAndFiresWebhook) {
  model::Installation a = MakeInstallation("alpha", InstallationState::kHibernating);
  model::InstallationBackup backup = MakeBackup(a.id, BackupState::kBackupSucceeded);
  webhook_hook_.Clear();

  WireResponse r = Delete("/api/installations/backup/" + backup.id);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(Get("/api/installations/backup/" + backup.id).Json()["State"], "deletion-requested");
  std::vector<store::StateChangeRecord> records = webhook_hook_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].old_state, "backup-succeeded");
  EXPECT_EQ(records[0].new_state, "deletion-requested");
  EXPECT_EQ(records[0].extra_data.at("Installation"), a.id);
  EXPECT_EQ(records[0].extra_data.at("Environment"), "test");
  EXPECT_EQ(notifier_.Count(ResourceKind::kBackup), 1u);

  // Again: still 202, no second webhook.
  webhook_hook_.Clear();
  EXPECT_EQ(Delete("/api/installations/backup/" + backup.id).status, 202);
  EXPECT_TRUE(webhook_hook_.records().empty());
  EXPECT_EQ(notifier_.Count(ResourceKind::kBackup), 2u);
}

TEST_P(BackupRoutes, DeleteBackupRejectionsInOrder) {
  model::Installation a = MakeInstallation("alpha", InstallationState::kHibernating);
  model::InstallationBackup deleted = MakeBackup(a.id, BackupState::kDeleted);
  model::InstallationBackup secured = MakeBackup(a.id, BackupState::kBackupSucceeded);
  ASSERT_TRUE(backups_->SetInstallationBackupAPISecurityLock(secured.id, true));
  model::InstallationBackup secured_locked = MakeBackup(a.id, BackupState::kDeleted);
  ASSERT_TRUE(backups_->SetInstallationBackupAPISecurityLock(secured_locked.id, true));
  store::Lease held = HoldLock(store::LockTable::kInstallationBackup, secured_locked.id);
  model::InstallationBackup used = MakeBackup(a.id, BackupState::kBackupSucceeded);
  model::InstallationDBRestorationOperation restoration;
  restoration.installation_id = a.id;
  restoration.backup_id = used.id;
  restoration.state = model::RestorationState::kInProgress;
  restoration.target_installation_state = "hibernating";
  ASSERT_TRUE(db_restorations_->CreateInstallationDBRestorationOperation(restoration, {}));

  struct Case {
    std::string name;
    std::string id;
    int status;
  };
  std::vector<Case> cases = {
      {"unknown", NewId(), 404},
      {"lock held beats security lock and state", secured_locked.id, 409},
      {"API security lock", secured.id, 403},
      {"deleted state is not a valid predecessor", deleted.id, 400},
      {"used by a pending restoration", used.id, 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Delete("/api/installations/backup/" + c.id).status, c.status);
  }
  EXPECT_EQ(notifier_.Count(ResourceKind::kBackup), 0u);
  ASSERT_TRUE(locks_->Release(held));
}

CLOUD_INSTANTIATE_ENGINE_TESTS(BackupRoutes);

}  // namespace
}  // namespace cloud::apitest
