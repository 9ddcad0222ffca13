// SqlDBMigrationStore on both engines: create/get/list, multi-tenant raw columns, pending
// work and claims, fenced updates with the hook, the trigger and rollback transactions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/lock_store.h"
#include "store/sql_db_migration_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using model::InstallationDBMigrationOperation;
using model::MigrationState;
using testlib::DatabaseTest;

constexpr std::string_view kInsertInstallation =
    "INSERT INTO Installation (ID, OwnerID, Version, Affinity, State, CreateAt, DeleteAt, "
    "LockAcquiredAt, Database, Filestore, Image, Name) VALUES ($1, 'o', 'v', 'multitenant', $2, "
    "1, 0, 0, 'aws-multitenant-rds-postgres', 'bifrost', 'img', $1)";

class DBMigrationStoreTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlDBMigrationStore>(
        db(), *locks_, clock_, [this](SqlExecutor&, const StateChangeRecord& c) -> Result<void> {
          changes_.push_back(c);
          return Ok();
        });
  }

  InstallationDBMigrationOperation Create(const std::string& installation, MigrationState state) {
    InstallationDBMigrationOperation o;
    o.installation_id = installation;
    o.state = state;
    o.source_database = "aws-multitenant-rds-postgres";
    o.destination_database = "aws-multitenant-rds-postgres";
    auto created = store_->CreateInstallationDBMigrationOperation(o, {});
    EXPECT_TRUE(created) << created.error().ToString();
    clock_.Advance(10);
    return created ? *created : o;
  }

  static std::vector<std::string> Ids(const std::vector<InstallationDBMigrationOperation>& ops) {
    std::vector<std::string> ids;
    for (const auto& o : ops) ids.push_back(o.id);
    return ids;
  }
  int64_t Count(const std::string& sql) { return (*db().Query(sql)).front().GetInt64(0); }
  std::string InstallationState(const std::string& id) {
    return (*db().Query("SELECT State FROM Installation WHERE ID = $1", {id})).front().GetString(0);
  }

  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<SqlDBMigrationStore> store_;
  std::vector<StateChangeRecord> changes_;
};

TEST_P(DBMigrationStoreTest, CreateGetRoundTripsMultiTenantData) {
  InstallationDBMigrationOperation o;
  o.installation_id = "i1";
  o.state = MigrationState::kDatabaseSwitch;
  o.source_database = "aws-multitenant-rds-postgres";
  o.destination_database = "aws-multitenant-rds-postgres";
  o.source_multi_tenant = model::MultiTenantDBMigrationData{"src"};
  o.destination_multi_tenant = model::MultiTenantDBMigrationData{"dst"};
  o.backup_id = "b";
  auto created = store_->CreateInstallationDBMigrationOperation(o, {{"Installation", "i1"}});
  ASSERT_TRUE(created) << created.error().ToString();
  auto got = store_->GetInstallationDBMigrationOperation(created->id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, *created);
  EXPECT_EQ((*got)->state, MigrationState::kDatabaseSwitch);  // the state with a space
  auto plain = Create("i2", MigrationState::kRequested);
  auto got_plain = *store_->GetInstallationDBMigrationOperation(plain.id);
  EXPECT_FALSE(got_plain->source_multi_tenant.has_value());
  EXPECT_FALSE(got_plain->destination_multi_tenant.has_value());
  EXPECT_TRUE((*db().Query("SELECT SourceMultiTenantRaw FROM InstallationDBMigrationOperation "
                           "WHERE ID = $1",
                           {plain.id}))
                  .front()
                  .IsNull(0));
  ASSERT_EQ(changes_.size(), 2u);
  EXPECT_EQ(changes_[0].new_state, "installation-db-migration-database switch");
}

TEST_P(DBMigrationStoreTest, ListFiltersAndPendingWork) {
  auto a = Create("i1", MigrationState::kRequested);
  auto b = Create("i1", MigrationState::kSucceeded);
  auto c = Create("i2", MigrationState::kRollbackRequested);
  auto d = Create("i2", MigrationState::kCommitted);
  struct Case {
    std::string name;
    model::InstallationDBMigrationFilter filter;
    std::vector<std::string> want;
  };
  std::vector<Case> cases;
  cases.push_back({"all", {}, {d.id, c.id, b.id, a.id}});
  {
    model::InstallationDBMigrationFilter f;
    f.installation_id = "i2";
    cases.push_back({"installation", f, {d.id, c.id}});
  }
  {
    model::InstallationDBMigrationFilter f;
    f.state = "installation-db-migration-succeeded";
    cases.push_back({"state", f, {b.id}});
  }
  {
    model::InstallationDBMigrationFilter f;
    f.states = {MigrationState::kRequested, MigrationState::kCommitted};
    cases.push_back({"states", f, {d.id, a.id}});
  }
  {
    model::InstallationDBMigrationFilter f;
    f.ids = {a.id, b.id};
    f.paging.per_page = 1;
    cases.push_back({"ids + paging", f, {b.id}});
  }
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto got = store_->GetInstallationDBMigrationOperations(tc.filter);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_EQ(Ids(*got), tc.want);
  }
  auto pending = store_->GetUnlockedInstallationDBMigrationOperationsPendingWork();
  ASSERT_TRUE(pending);
  EXPECT_EQ(Ids(*pending), (std::vector<std::string>{a.id, c.id}));
  auto claim = store_->ClaimInstallationDBMigrationOperationsPendingWork("me", 5);
  ASSERT_TRUE(claim);
  EXPECT_EQ(Ids(claim->operations), (std::vector<std::string>{a.id, c.id}));
  EXPECT_TRUE((*store_->GetUnlockedInstallationDBMigrationOperationsPendingWork()).empty());
}

TEST_P(DBMigrationStoreTest, FencedUpdatesAndCommitWithoutAnnouncement) {
  auto op = Create("i", MigrationState::kRequested);
  changes_.clear();
  auto lease = locks_->AcquireOne(LockTable::kInstallationDBMigrationOperation, op.id, "me");
  ASSERT_TRUE(lease);
  op.state = MigrationState::kBackupInProgress;
  op.backup_id = "b1";
  op.installation_db_restoration_operation_id = "r1";
  op.complete_at = 5;
  op.source_database = "not-written";
  ASSERT_TRUE(store_->UpdateInstallationDBMigrationOperation(op, *lease, {}));
  auto got = *store_->GetInstallationDBMigrationOperation(op.id);
  EXPECT_EQ(got->state, MigrationState::kBackupInProgress);
  EXPECT_EQ(got->backup_id, "b1");
  EXPECT_EQ(got->installation_db_restoration_operation_id, "r1");
  EXPECT_EQ(got->complete_at, 5);
  EXPECT_EQ(got->source_database, "aws-multitenant-rds-postgres");
  ASSERT_EQ(changes_.size(), 1u);

  ASSERT_TRUE(store_->UpdateInstallationDBMigrationOperationState(op.id, MigrationState::kCommitted,
                                                                  *lease, {}, /*announce=*/false));
  EXPECT_EQ((*store_->GetInstallationDBMigrationOperation(op.id))->state,
            MigrationState::kCommitted);
  EXPECT_EQ(changes_.size(), 1u);

  clock_.Advance(locks_->lease_duration_ms() + 1);
  ASSERT_TRUE(locks_->AcquireOne(LockTable::kInstallationDBMigrationOperation, op.id, "other"));
  auto stale = store_->UpdateInstallationDBMigrationOperationState(op.id, MigrationState::kFailed,
                                                                   *lease, {}, true);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto stale_delete = store_->DeleteInstallationDBMigrationOperation(op.id, *lease);
  ASSERT_FALSE(stale_delete);
  EXPECT_EQ(stale_delete.error().code, ErrorCode::kConflict);
}

TEST_P(DBMigrationStoreTest, TriggerAndRollback) {
  ASSERT_TRUE(db().Exec(kInsertInstallation, {std::string("inst1"), std::string("hibernating")}));
  auto installation_lease = locks_->AcquireOne(LockTable::kInstallation, "inst1", "req");
  ASSERT_TRUE(installation_lease);
  InstallationDBMigrationOperation op;
  op.installation_id = "inst1";
  op.state = MigrationState::kFailed;  // forced to requested
  op.installation_db_restoration_operation_id = "cleared";
  op.source_multi_tenant = model::MultiTenantDBMigrationData{"src"};
  auto created = store_->TriggerInstallationDBMigration(op, *installation_lease, {}, {});
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(created->state, MigrationState::kRequested);
  EXPECT_EQ(created->installation_db_restoration_operation_id, "");
  EXPECT_EQ(InstallationState("inst1"), "db-migration-in-progress");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM StateChangeEvent WHERE ResourceID = 'inst1' AND "
                  "NewState = 'db-migration-in-progress'"),
            1);

  // Rollback: op -> rollback-requested, installation -> db-migration-rollback-in-progress,
  // neither announced.
  ASSERT_TRUE(db().Exec("UPDATE Installation SET State = 'hibernating'"));
  auto op_lease =
      locks_->AcquireOne(LockTable::kInstallationDBMigrationOperation, created->id, "req");
  ASSERT_TRUE(op_lease);
  changes_.clear();
  ASSERT_TRUE(store_->TriggerInstallationDBMigrationRollback(created->id, *op_lease, "inst1",
                                                             *installation_lease));
  EXPECT_EQ((*store_->GetInstallationDBMigrationOperation(created->id))->state,
            MigrationState::kRollbackRequested);
  EXPECT_EQ(InstallationState("inst1"), "db-migration-rollback-in-progress");
  EXPECT_TRUE(changes_.empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM Event"), 1);

  // Without the installation lease, the operation change is rolled back too.
  ASSERT_TRUE(
      db().Exec("UPDATE InstallationDBMigrationOperation SET State = "
                "'installation-db-migration-succeeded'"));
  ASSERT_TRUE(locks_->Release(*installation_lease));
  auto failed = store_->TriggerInstallationDBMigrationRollback(created->id, *op_lease, "inst1",
                                                               *installation_lease);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
  EXPECT_EQ((*store_->GetInstallationDBMigrationOperation(created->id))->state,
            MigrationState::kSucceeded);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(DBMigrationStoreTest);

}  // namespace
}  // namespace cloud::store
