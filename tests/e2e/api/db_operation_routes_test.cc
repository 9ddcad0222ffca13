// Routes of spec upstream-api.md §3.4 (DB restorations) and §3.5 (DB migrations, commit,
// rollback) over real HTTP against a real SQLite store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_util.h"
#include "model/backup.h"
#include "model/db_migration.h"
#include "model/db_restoration.h"
#include "model/multitenant_database.h"

namespace cloud::apitest {
namespace {

using model::BackupState;
using model::InstallationState;
using model::MigrationState;
using supervisor::ResourceKind;

class DBOperationRoutes : public OperationsApiTest {
 protected:
  void ConfigureOperationDeps(api::ApiDeps& deps) override {
    deps.database_services.teardown_migrated_database =
        [this](const model::InstallationDBMigrationOperation& op) -> Result<void> {
      torn_down_.push_back(op.id);
      if (fail_teardown_) return Unavailable("aws is down");
      return {};
    };
  }

  InstallationState StateOf(const std::string& installation_id) {
    Result<std::optional<model::Installation>> read =
        installations_->GetInstallation(installation_id, store::GroupMerge::None());
    EXPECT_TRUE(read.has_value() && read->has_value());
    return read && *read ? (*read)->state : InstallationState::kDeleted;
  }

  model::MultitenantDatabase MakeMultitenantDatabase(const std::string& vpc,
                                                     std::vector<std::string> installations,
                                                     std::vector<std::string> migrated = {}) {
    model::MultitenantDatabase db;
    db.rds_cluster_id = "rds-" + NewId();
    db.vpc_id = vpc;
    db.database_type = model::DatabaseEngineType::kPostgres;
    db.installations = std::move(installations);
    if (!migrated.empty()) db.migrated_installations = std::move(migrated);
    Result<model::MultitenantDatabase> created = databases_->CreateMultitenantDatabase(db);
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    return created ? *created : db;
  }

  model::InstallationDBMigrationOperation MakeMigration(const std::string& installation_id,
                                                        MigrationState state) {
    model::InstallationDBMigrationOperation op;
    op.installation_id = installation_id;
    op.state = state;
    op.source_database = "aws-multitenant-rds-postgres";
    op.destination_database = "aws-multitenant-rds-postgres";
    op.source_multi_tenant = model::MultiTenantDBMigrationData{"source"};
    op.destination_multi_tenant = model::MultiTenantDBMigrationData{"destination"};
    Result<model::InstallationDBMigrationOperation> created =
        db_migrations_->CreateInstallationDBMigrationOperation(op, {});
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    return created ? *created : op;
  }

  std::vector<std::string> torn_down_;
  bool fail_teardown_ = false;
};

std::string RestorationBody(const std::string& installation_id, const std::string& backup_id) {
  return R"({"InstallationID":")" + installation_id + R"(","BackupID":")" + backup_id + R"("})";
}

std::string MigrationBody(const std::string& installation_id, const std::string& destination_id,
                          const std::string& type = "aws-multitenant-rds-postgres") {
  return R"({"InstallationID":")" + installation_id + R"(","DestinationDatabase":")" + type +
         R"(","DestinationMultiTenant":{"DatabaseID":")" + destination_id + R"("}})";
}

// --- Restorations -------------------------------------------------------------------------

TEST_P(DBOperationRoutes, TriggerRestorationIs202AndMovesInstallation) {
  model::Installation inst = MakeInstallation("alpha", InstallationState::kHibernating);
  model::InstallationBackup backup = MakeBackup(inst.id, BackupState::kBackupSucceeded);
  webhook_hook_.Clear();
  clock_.Advance(1000);  // the restoration's installation event is the newest

  WireResponse r = Post("/api/installations/operations/database/restorations",
                        RestorationBody(inst.id, backup.id));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  nlohmann::ordered_json op = r.Json();
  std::string id = op["ID"];
  std::string expected = R"({"ID":")" + id + R"(","InstallationID":")" + inst.id +
                         R"(","BackupID":")" + backup.id + R"(","RequestAt":)" +
                         std::to_string(clock_.NowMillis()) +
                         R"(,"State":"installation-db-restoration-requested",)"
                         R"("TargetInstallationState":"hibernating","ClusterInstallationID":"",)"
                         R"("CompleteAt":0,"DeleteAt":0,"LockAcquiredBy":null,"LockAcquiredAt":0})"
                         "\n";
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(StateOf(inst.id), InstallationState::kDBRestorationInProgress);
  EXPECT_EQ(notifier_.Count(ResourceKind::kDBRestoration), 1u);

  std::vector<store::StateChangeRecord> records = webhook_hook_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].resource_type, model::ResourceType::kInstallationDBRestoration);
  EXPECT_EQ(records[0].old_state, "n/a");
  EXPECT_EQ(records[0].extra_data,
            (std::map<std::string, std::string>{
                {"Backup", backup.id}, {"Environment", "test"}, {"Installation", inst.id}}));

  // The installation's state-change event is visible on the events route.
  nlohmann::ordered_json events =
      Get("/api/events/state_change?resource_type=installation&resource_id=" + inst.id).Json();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["StateChange"]["OldState"], "hibernating");
  EXPECT_EQ(events[0]["StateChange"]["NewState"], "db-restoration-in-progress");
  EXPECT_EQ(events[0]["Event"]["ExtraData"]["fields"]["Environment"], "test");

  EXPECT_EQ(Get("/api/installations/operations/database/restoration/" + id).Json(), op);
}

TEST_P(DBOperationRoutes, TriggerRestorationRejections) {
  model::Installation inst = MakeInstallation("alpha", InstallationState::kHibernating);
  model::InstallationBackup good = MakeBackup(inst.id, BackupState::kBackupSucceeded);
  model::InstallationBackup failed = MakeBackup(inst.id, BackupState::kBackupFailed);
  model::InstallationBackup deleted = MakeBackup(inst.id, BackupState::kBackupSucceeded);
  {
    store::Lease lease = HoldLock(store::LockTable::kInstallationBackup, deleted.id);
    ASSERT_TRUE(backups_->DeleteInstallationBackup(deleted.id, lease));
    ASSERT_TRUE(locks_->Release(lease));
  }
  model::Installation other = MakeInstallation("other", InstallationState::kHibernating);
  model::InstallationBackup foreign = MakeBackup(other.id, BackupState::kBackupSucceeded);
  model::Installation stable = MakeInstallation("stable", InstallationState::kStable);
  model::Installation secured = MakeInstallation("secured", InstallationState::kStable);
  ASSERT_TRUE(installations_->SetInstallationAPISecurityLock(secured.id, true));
  model::Installation locked = MakeInstallation("locked", InstallationState::kStable);
  ASSERT_TRUE(installations_->SetInstallationAPISecurityLock(locked.id, true));
  store::Lease held = HoldLock(store::LockTable::kInstallation, locked.id);

  struct Case {
    std::string name;
    std::string body;
    int status;
  };
  std::vector<Case> cases = {
      {"malformed", "[", 400},
      {"unknown installation", RestorationBody(NewId(), good.id), 404},
      {"409 before 403 and 400", RestorationBody(locked.id, good.id), 409},
      {"403 before 400", RestorationBody(secured.id, good.id), 403},
      {"invalid transition", RestorationBody(stable.id, good.id), 400},
      {"unknown backup", RestorationBody(inst.id, NewId()), 404},
      {"backup of another installation", RestorationBody(inst.id, foreign.id), 400},
      {"backup not succeeded", RestorationBody(inst.id, failed.id), 400},
      {"backup deleted", RestorationBody(inst.id, deleted.id), 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Post("/api/installations/operations/database/restorations", c.body).status, c.status);
  }
  EXPECT_EQ(StateOf(inst.id), InstallationState::kHibernating);
  EXPECT_EQ(notifier_.Count(ResourceKind::kDBRestoration), 0u);
  ASSERT_TRUE(locks_->Release(held));
}

TEST_P(DBOperationRoutes, ListRestorationsIsNullWhenEmptyAndFilters) {
  WireResponse empty = Get("/api/installations/operations/database/restorations");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "null\n");

  model::Installation a = MakeInstallation("alpha", InstallationState::kHibernating);
  model::Installation b = MakeInstallation("bravo", InstallationState::kHibernating);
  std::string a_op = Post("/api/installations/operations/database/restorations",
                          RestorationBody(a.id, MakeBackup(a.id, BackupState::kBackupSucceeded).id))
                         .Json()["ID"];
  clock_.Advance(5);
  std::string b_op = Post("/api/installations/operations/database/restorations",
                          RestorationBody(b.id, MakeBackup(b.id, BackupState::kBackupSucceeded).id))
                         .Json()["ID"];

  auto ids = [&](const std::string& query) {
    WireResponse r = Get("/api/installations/operations/database/restorations" + query);
    EXPECT_EQ(r.status, 200);
    std::vector<std::string> out;
    for (const auto& item : r.Json()) out.push_back(item["ID"]);
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<std::string>{b_op, a_op}));
  EXPECT_EQ(ids("?installation=" + a.id), (std::vector<std::string>{a_op}));
  EXPECT_EQ(ids("?state=installation-db-restoration-requested&per_page=1&page=1"),
            (std::vector<std::string>{a_op}));
  EXPECT_EQ(Get("/api/installations/operations/database/restorations?state=x").body, "null\n");
  EXPECT_EQ(Get("/api/installations/operations/database/restorations?per_page=z").status, 400);
  EXPECT_EQ(Get("/api/installations/operations/database/restoration/" + NewId()).status, 404);
}

// --- Migrations ---------------------------------------------------------------------------

TEST_P(DBOperationRoutes, TriggerMigrationIs202WithSniffedContentType) {
  model::Installation inst = MakeInstallation("alpha", InstallationState::kHibernating,
                                              "aws-multitenant-rds-postgres", "bifrost");
  model::MultitenantDatabase current = MakeMultitenantDatabase("vpc1", {inst.id});
  model::MultitenantDatabase destination = MakeMultitenantDatabase("vpc1", {});
  webhook_hook_.Clear();

  WireResponse r = Post("/api/installations/operations/database/migrations",
                        MigrationBody(inst.id, destination.id));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
  std::string id = r.Json()["ID"];
  std::string expected =
      R"({"ID":")" + id + R"(","InstallationID":")" + inst.id + R"(","RequestAt":)" +
      std::to_string(clock_.NowMillis()) +
      R"(,"State":"installation-db-migration-requested",)"
      R"("SourceDatabase":"aws-multitenant-rds-postgres",)"
      R"("DestinationDatabase":"aws-multitenant-rds-postgres",)"
      R"("SourceMultiTenant":{"DatabaseID":")" +
      current.id + R"("},"DestinationMultiTenant":{"DatabaseID":")" + destination.id +
      R"("},"BackupID":"","InstallationDBRestorationOperationID":"","CompleteAt":0,)"
      R"("DeleteAt":0,"LockAcquiredBy":null,"LockAcquiredAt":0})"
      "\n";
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(StateOf(inst.id), InstallationState::kDBMigrationInProgress);
  EXPECT_EQ(notifier_.Count(ResourceKind::kDBMigration), 1u);
  std::vector<store::StateChangeRecord> records = webhook_hook_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].resource_type, model::ResourceType::kInstallationDBMigration);
  EXPECT_EQ(records[0].extra_data.at("Installation"), inst.id);

  WireResponse one = Get("/api/installations/operations/database/migration/" + id);
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.Header("content-type"), "application/json");
  EXPECT_EQ(one.body, expected);
}

TEST_P(DBOperationRoutes, TriggerMigrationRejections) {
  const std::string mt = "aws-multitenant-rds-postgres";
  model::Installation inst =
      MakeInstallation("alpha", InstallationState::kHibernating, mt, "bifrost");
  model::MultitenantDatabase current = MakeMultitenantDatabase("vpc1", {inst.id});
  model::MultitenantDatabase destination = MakeMultitenantDatabase("vpc1", {});
  model::MultitenantDatabase other_vpc = MakeMultitenantDatabase("vpc2", {});
  model::MultitenantDatabase still_migrated = MakeMultitenantDatabase("vpc1", {}, {inst.id});

  model::Installation single =
      MakeInstallation("single", InstallationState::kHibernating, "aws-rds-postgres", "bifrost");
  model::Installation pending = MakeInstallation("pending", InstallationState::kHibernating, mt);
  MakeMultitenantDatabase("vpc1", {pending.id});
  MakeMigration(pending.id, MigrationState::kSucceeded);
  model::Installation stable = MakeInstallation("stable", InstallationState::kStable, mt);
  model::Installation secured = MakeInstallation("secured", InstallationState::kHibernating, mt);
  ASSERT_TRUE(installations_->SetInstallationAPISecurityLock(secured.id, true));
  model::Installation locked = MakeInstallation("locked", InstallationState::kHibernating, mt);
  store::Lease held = HoldLock(store::LockTable::kInstallation, locked.id);

  struct Case {
    std::string name;
    std::string body;
    int status;
  };
  std::vector<Case> cases = {
      {"malformed", "{\"InstallationID\":", 400},
      {"unknown installation", MigrationBody(NewId(), destination.id), 404},
      {"lock held", MigrationBody(locked.id, destination.id), 409},
      {"API security lock", MigrationBody(secured.id, destination.id), 403},
      {"not hibernating", MigrationBody(stable.id, destination.id), 400},
      {"uncommitted succeeded migration", MigrationBody(pending.id, destination.id), 400},
      {"not on a multitenant database", MigrationBody(single.id, destination.id), 400},
      {"destination type", MigrationBody(inst.id, destination.id, "aws-rds-postgres"), 400},
      {"destination data missing",
       R"({"InstallationID":")" + inst.id + R"(","DestinationDatabase":")" + mt + R"("})", 400},
      {"destination unknown", MigrationBody(inst.id, NewId()), 400},
      {"destination is current", MigrationBody(inst.id, current.id), 400},
      {"other VPC", MigrationBody(inst.id, other_vpc.id), 400},
      {"still in migrated installations", MigrationBody(inst.id, still_migrated.id), 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WireResponse r = Post("/api/installations/operations/database/migrations", c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
  }
  EXPECT_EQ(StateOf(inst.id), InstallationState::kHibernating);
  EXPECT_EQ(notifier_.Count(ResourceKind::kDBMigration), 0u);
  ASSERT_TRUE(locks_->Release(held));
}

TEST_P(DBOperationRoutes, ListMigrationsFiltersByInstallationAndState) {
  WireResponse empty = Get("/api/installations/operations/database/migrations");
  EXPECT_EQ(empty.body, "[]\n");
  EXPECT_EQ(empty.Header("content-type"), "text/plain; charset=utf-8");

  model::InstallationDBMigrationOperation a = MakeMigration("inst-a", MigrationState::kSucceeded);
  clock_.Advance(5);
  model::InstallationDBMigrationOperation b =
      MakeMigration("inst-b", MigrationState::kDatabaseSwitch);

  auto ids = [&](const std::string& query) {
    WireResponse r = Get("/api/installations/operations/database/migrations" + query);
    EXPECT_EQ(r.status, 200);
    std::vector<std::string> out;
    for (const auto& item : r.Json()) out.push_back(item["ID"]);
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<std::string>{b.id, a.id}));
  EXPECT_EQ(ids("?installation=inst-a"), (std::vector<std::string>{a.id}));
  EXPECT_EQ(ids("?state=installation-db-migration-database%20switch"),
            (std::vector<std::string>{b.id}));
  EXPECT_EQ(ids("?cluster_installation=ignored"), (std::vector<std::string>{b.id, a.id}));
  EXPECT_EQ(ids("?per_page=1&page=1"), (std::vector<std::string>{a.id}));
  EXPECT_EQ(Get("/api/installations/operations/database/migrations?include_deleted=2").status, 400);
  EXPECT_EQ(Get("/api/installations/operations/database/migration/" + NewId()).status, 404);
}

TEST_P(DBOperationRoutes, CommitMigration) {
  model::InstallationDBMigrationOperation op = MakeMigration("inst", MigrationState::kSucceeded);
  model::InstallationDBMigrationOperation running =
      MakeMigration("inst", MigrationState::kFinalizing);
  model::InstallationDBMigrationOperation held_op =
      MakeMigration("inst", MigrationState::kSucceeded);
  store::Lease held = HoldLock(store::LockTable::kInstallationDBMigrationOperation, held_op.id);
  std::string base = "/api/installations/operations/database/migration/";

  EXPECT_EQ(Post(base + NewId() + "/commit").status, 404);
  EXPECT_EQ(Post(base + held_op.id + "/commit").status, 409);
  EXPECT_EQ(Post(base + running.id + "/commit").status, 400);
  EXPECT_TRUE(torn_down_.empty());

  fail_teardown_ = true;
  WireResponse failed = Post(base + op.id + "/commit");
  EXPECT_GE(failed.status, 500);
  EXPECT_EQ(Get(base + op.id).Json()["State"], "installation-db-migration-succeeded");

  fail_teardown_ = false;
  WireResponse r = Post(base + op.id + "/commit");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.Json()["State"], "installation-db-migration-committed");
  EXPECT_EQ(r.Json()["LockAcquiredBy"], nullptr);
  EXPECT_EQ(torn_down_, (std::vector<std::string>{op.id, op.id}));
  EXPECT_EQ(Get(base + op.id).Json()["State"], "installation-db-migration-committed");
  EXPECT_EQ(notifier_.Count(ResourceKind::kDBMigration), 0u);
  EXPECT_TRUE(webhook_hook_.records().size() == 3u);  // only the three creations

  // Committed is not succeeded any more.
  EXPECT_EQ(Post(base + op.id + "/commit").status, 400);
  ASSERT_TRUE(locks_->Release(held));
}

TEST_P(DBOperationRoutes, RollbackMigration) {
  model::Installation inst =
      MakeInstallation("alpha", InstallationState::kHibernating, "aws-multitenant-rds-postgres");
  ASSERT_TRUE(installations_->SetInstallationAPISecurityLock(inst.id, true));  // not checked
  model::Installation awake =
      MakeInstallation("awake", InstallationState::kStable, "aws-multitenant-rds-postgres");
  model::Installation busy =
      MakeInstallation("busy", InstallationState::kHibernating, "aws-multitenant-rds-postgres");
  store::Lease busy_lease = HoldLock(store::LockTable::kInstallation, busy.id);

  model::InstallationDBMigrationOperation op = MakeMigration(inst.id, MigrationState::kSucceeded);
  model::InstallationDBMigrationOperation committed =
      MakeMigration(inst.id, MigrationState::kCommitted);
  model::InstallationDBMigrationOperation on_awake =
      MakeMigration(awake.id, MigrationState::kSucceeded);
  model::InstallationDBMigrationOperation on_busy =
      MakeMigration(busy.id, MigrationState::kSucceeded);
  model::InstallationDBMigrationOperation orphan =
      MakeMigration(NewId(), MigrationState::kSucceeded);
  std::string base = "/api/installations/operations/database/migration/";

  struct Case {
    std::string name;
    std::string id;
    int status;
  };
  std::vector<Case> cases = {
      {"unknown operation", NewId(), 404},
      {"operation not succeeded", committed.id, 400},
      {"installation missing", orphan.id, 404},
      {"installation lock held", on_busy.id, 409},
      {"installation not hibernating", on_awake.id, 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Post(base + c.id + "/rollback").status, c.status);
  }
  EXPECT_EQ(notifier_.Count(ResourceKind::kDBMigration), 0u);

  WireResponse r = Post(base + op.id + "/rollback");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.Json()["State"], "installation-db-migration-rollback-requested");
  EXPECT_EQ(Get(base + op.id).Json()["State"], "installation-db-migration-rollback-requested");
  EXPECT_EQ(StateOf(inst.id), InstallationState::kDBMigrationRollbackInProgress);
  EXPECT_EQ(notifier_.Count(ResourceKind::kDBMigration), 1u);

  // Both leases were released.
  EXPECT_TRUE(locks_->AcquireOne(store::LockTable::kInstallation, inst.id, "x").has_value());
  EXPECT_TRUE(locks_->AcquireOne(store::LockTable::kInstallationDBMigrationOperation, op.id, "x")
                  .has_value());
  ASSERT_TRUE(locks_->Release(busy_lease));
}

CLOUD_INSTANTIATE_ENGINE_TESTS(DBOperationRoutes);

}  // namespace
}  // namespace cloud::apitest
