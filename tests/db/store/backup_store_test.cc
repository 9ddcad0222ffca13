// SqlBackupStore on both engines: create/get/list (filters, paging, RequestAt DESC), pending
// work and claims, fenced state writes with the webhook-only hook, running/used queries,
// API security lock and soft delete.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/event_outbox.h"
#include "store/lock_store.h"
#include "store/sql_backup_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using model::BackupState;
using model::InstallationBackup;
using testlib::DatabaseTest;

class BackupStoreTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlBackupStore>(
        db(), *locks_, clock_, [this](SqlExecutor& tx, const StateChangeRecord& c) -> Result<void> {
          if (fail_hook_) return Internal("hook failed");
          // Prove the hook runs inside the writing transaction: it sees the new state.
          auto rows =
              tx.Query("SELECT State FROM InstallationBackup WHERE ID = $1", {c.resource_id});
          if (!rows) return rows.error();
          changes_.push_back(c);
          seen_states_.push_back(rows->empty() ? "" : rows->front().GetString(0));
          return Ok();
        });
  }

  InstallationBackup Create(const std::string& installation, BackupState state,
                            const std::string& ci = "") {
    InstallationBackup b;
    b.installation_id = installation;
    b.cluster_installation_id = ci;
    b.backed_up_database_type = "aws-multitenant-rds-postgres";
    b.state = state;
    auto created = store_->CreateInstallationBackup(b, {{"Installation", installation}});
    EXPECT_TRUE(created) << created.error().ToString();
    clock_.Advance(10);
    return created ? *created : InstallationBackup{};
  }

  std::vector<std::string> Ids(const std::vector<InstallationBackup>& backups) {
    std::vector<std::string> ids;
    for (const auto& b : backups) ids.push_back(b.id);
    return ids;
  }

  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<BackupStore> store_;  // the interface: its default arguments
  std::vector<StateChangeRecord> changes_;
  std::vector<std::string> seen_states_;
  bool fail_hook_ = false;
};

TEST_P(BackupStoreTest, CreateAndGetRoundTrip) {
  const int64_t now = clock_.NowMillis();
  InstallationBackup b = Create("inst1", BackupState::kBackupRequested);
  EXPECT_EQ(b.id.size(), 26u);
  EXPECT_EQ(b.request_at, now);
  auto got = store_->GetInstallationBackup(b.id);
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, b);
  EXPECT_FALSE((*got)->data_residence.has_value());
  EXPECT_FALSE((*got)->lock_acquired_by.has_value());

  auto missing = store_->GetInstallationBackup("nope");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());

  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].resource_type, model::ResourceType::kInstallationBackup);
  EXPECT_EQ(changes_[0].old_state, "n/a");
  EXPECT_EQ(changes_[0].new_state, "backup-requested");
  EXPECT_EQ(changes_[0].extra_data.at("Installation"), "inst1");
}

TEST_P(BackupStoreTest, ListFiltersPagingAndOrder) {
  InstallationBackup a = Create("inst1", BackupState::kBackupRequested, "ci1");
  InstallationBackup b = Create("inst1", BackupState::kBackupSucceeded, "ci2");
  InstallationBackup c = Create("inst2", BackupState::kBackupFailed, "ci1");
  auto lease = locks_->AcquireOne(LockTable::kInstallationBackup, c.id, "me");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(store_->DeleteInstallationBackup(c.id, *lease));

  struct Case {
    std::string name;
    model::InstallationBackupFilter filter;
    std::vector<std::string> want;
  };
  auto f = [] { return model::InstallationBackupFilter{}; };
  std::vector<Case> cases;
  cases.push_back({"default excludes deleted, RequestAt DESC", f(), {b.id, a.id}});
  {
    auto x = f();
    x.paging.include_deleted = true;
    cases.push_back({"include deleted", x, {c.id, b.id, a.id}});
  }
  {
    auto x = f();
    x.paging = model::AllPagesWithDeleted();
    cases.push_back({"all pages", x, {c.id, b.id, a.id}});
  }
  {
    auto x = f();
    x.paging.per_page = 1;
    x.paging.page = 1;
    cases.push_back({"page 1 of 1", x, {a.id}});
  }
  {
    auto x = f();
    x.paging.per_page = 0;
    cases.push_back({"per_page 0", x, {}});
  }
  {
    auto x = f();
    x.installation_id = "inst1";
    x.paging.include_deleted = true;
    cases.push_back({"installation", x, {b.id, a.id}});
  }
  {
    auto x = f();
    x.cluster_installation_id = "ci1";
    x.paging.include_deleted = true;
    cases.push_back({"cluster installation", x, {c.id, a.id}});
  }
  {
    auto x = f();
    x.state = "backup-succeeded";
    cases.push_back({"state", x, {b.id}});
  }
  {
    auto x = f();
    x.states = {BackupState::kBackupRequested, BackupState::kBackupFailed};
    x.paging.include_deleted = true;
    cases.push_back({"states", x, {c.id, a.id}});
  }
  {
    auto x = f();
    x.ids = {a.id, c.id};
    cases.push_back({"ids", x, {a.id}});
  }
  {
    auto x = f();
    x.state = "no-such-state";
    cases.push_back({"unknown state matches nothing", x, {}});
  }
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto got = store_->GetInstallationBackups(tc.filter);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_EQ(Ids(*got), tc.want);
  }
}

TEST_P(BackupStoreTest, PendingWorkSkipsLeasedRowsAndClaimsOldestFirst) {
  InstallationBackup requested = Create("i", BackupState::kBackupRequested);
  InstallationBackup done = Create("i", BackupState::kBackupSucceeded);
  InstallationBackup in_progress = Create("i", BackupState::kBackupInProgress);
  InstallationBackup deleting = Create("i", BackupState::kDeletionRequested);
  (void)done;
  auto pending = store_->GetUnlockedInstallationBackupsPendingWork();
  ASSERT_TRUE(pending);
  EXPECT_EQ(Ids(*pending), (std::vector<std::string>{requested.id, in_progress.id, deleting.id}));

  auto held = locks_->AcquireOne(LockTable::kInstallationBackup, in_progress.id, "other");
  ASSERT_TRUE(held);
  pending = store_->GetUnlockedInstallationBackupsPendingWork();
  ASSERT_TRUE(pending);
  EXPECT_EQ(Ids(*pending), (std::vector<std::string>{requested.id, deleting.id}));

  auto claim = store_->ClaimInstallationBackupsPendingWork("me", 1);
  ASSERT_TRUE(claim) << claim.error().ToString();
  EXPECT_EQ(Ids(claim->backups), std::vector<std::string>{requested.id});
  EXPECT_TRUE(claim->lease.Holds(requested.id));
  EXPECT_EQ(claim->backups[0].lock_acquired_by, "me");
  auto rest = store_->ClaimInstallationBackupsPendingWork("me", 10);
  ASSERT_TRUE(rest);
  EXPECT_EQ(Ids(rest->backups), std::vector<std::string>{deleting.id});
  auto none = store_->ClaimInstallationBackupsPendingWork("me", 10);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->backups.empty());

  // An expired lease is claimable again.
  clock_.Advance(locks_->lease_duration_ms() + 1);
  auto again = store_->ClaimInstallationBackupsPendingWork("me", 10);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->backups.size(), 3u);
}

TEST_P(BackupStoreTest, StateUpdateIsFencedAndReportedInTheSameTransaction) {
  InstallationBackup b = Create("i", BackupState::kBackupRequested);
  changes_.clear();
  seen_states_.clear();
  auto lease = locks_->AcquireOne(LockTable::kInstallationBackup, b.id, "me");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(store_->UpdateInstallationBackupState(b.id, BackupState::kBackupInProgress, *lease,
                                                    {{"Environment", "test"}}));
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].old_state, "backup-requested");
  EXPECT_EQ(changes_[0].new_state, "backup-in-progress");
  EXPECT_EQ(seen_states_[0], "backup-in-progress");

  // Same state: no report.
  ASSERT_TRUE(store_->UpdateInstallationBackupState(b.id, BackupState::kBackupInProgress, *lease));
  EXPECT_EQ(changes_.size(), 1u);

  // A failing hook rolls the state back.
  fail_hook_ = true;
  EXPECT_FALSE(store_->UpdateInstallationBackupState(b.id, BackupState::kBackupFailed, *lease));
  fail_hook_ = false;
  EXPECT_EQ((*store_->GetInstallationBackup(b.id))->state, BackupState::kBackupInProgress);

  // Lease lost (expired and taken over): the old holder's write is rejected.
  clock_.Advance(locks_->lease_duration_ms() + 1);
  auto thief = locks_->AcquireOne(LockTable::kInstallationBackup, b.id, "thief");
  ASSERT_TRUE(thief);
  auto stale = store_->UpdateInstallationBackupState(b.id, BackupState::kBackupFailed, *lease);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ((*store_->GetInstallationBackup(b.id))->state, BackupState::kBackupInProgress);
  EXPECT_EQ(changes_.size(), 1u);

  auto missing = store_->UpdateInstallationBackupState("nope", BackupState::kBackupFailed, *thief);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(BackupStoreTest, UpdateWritesSchedulingDataUnderLease) {
  InstallationBackup b = Create("i", BackupState::kBackupRequested);
  auto lease = locks_->AcquireOne(LockTable::kInstallationBackup, b.id, "me");
  ASSERT_TRUE(lease);
  b.cluster_installation_id = "ci9";
  b.data_residence =
      model::S3DataResidence{"us-east-1", "s3.amazonaws.com", "bucket", "prefix", "key"};
  b.start_at = 1234;
  b.state = BackupState::kBackupFailed;  // not written by Update
  ASSERT_TRUE(store_->UpdateInstallationBackup(b, *lease));
  auto got = store_->GetInstallationBackup(b.id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->cluster_installation_id, "ci9");
  EXPECT_EQ((*got)->data_residence, b.data_residence);
  EXPECT_EQ((*got)->start_at, 1234);
  EXPECT_EQ((*got)->state, BackupState::kBackupRequested);

  ASSERT_TRUE(locks_->Release(*lease));
  auto after = store_->UpdateInstallationBackup(b, *lease);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::kConflict);
}

TEST_P(BackupStoreTest, RunningAndUsedQueries) {
  InstallationBackup done = Create("i1", BackupState::kBackupSucceeded);
  EXPECT_FALSE(*store_->IsInstallationBackupRunning("i1"));
  InstallationBackup running = Create("i1", BackupState::kBackupInProgress);
  EXPECT_TRUE(*store_->IsInstallationBackupRunning("i1"));
  EXPECT_FALSE(*store_->IsInstallationBackupRunning("i2"));
  auto lease = locks_->AcquireOne(LockTable::kInstallationBackup, running.id, "me");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(store_->DeleteInstallationBackup(running.id, *lease));
  EXPECT_FALSE(*store_->IsInstallationBackupRunning("i1"));

  EXPECT_FALSE(*store_->IsInstallationBackupBeingUsed(done.id));
  ASSERT_TRUE(db().Exec(
      "INSERT INTO InstallationDBRestorationOperation (ID, InstallationID, BackupID, RequestAt, "
      "State, TargetInstallationState, ClusterInstallationID, CompleteAt, DeleteAt, "
      "LockAcquiredAt) VALUES ('r1', 'i1', $1, 1, $2, 'hibernating', '', 0, 0, 0)",
      {done.id, std::string("installation-db-restoration-succeeded")}));
  EXPECT_FALSE(*store_->IsInstallationBackupBeingUsed(done.id));
  ASSERT_TRUE(db().Exec(
      "INSERT INTO InstallationDBMigrationOperation (ID, InstallationID, RequestAt, State, "
      "SourceDatabase, DestinationDatabase, BackupID, InstallationDBRestorationOperationID, "
      "CompleteAt, DeleteAt, LockAcquiredAt) VALUES ('m1', 'i1', 1, $2, 'a', 'b', $1, '', 0, 0, "
      "0)",
      {done.id, std::string("installation-db-migration-database switch")}));
  EXPECT_TRUE(*store_->IsInstallationBackupBeingUsed(done.id));
  ASSERT_TRUE(db().Exec("UPDATE InstallationDBMigrationOperation SET DeleteAt = 5"));
  ASSERT_TRUE(
      db().Exec("UPDATE InstallationDBRestorationOperation SET State = "
                "'installation-db-restoration-in-progress'"));
  EXPECT_TRUE(*store_->IsInstallationBackupBeingUsed(done.id));
}

TEST_P(BackupStoreTest, SecurityLockAndSoftDelete) {
  InstallationBackup b = Create("i", BackupState::kBackupSucceeded);
  ASSERT_TRUE(store_->SetInstallationBackupAPISecurityLock(b.id, true));
  EXPECT_TRUE((*store_->GetInstallationBackup(b.id))->api_security_lock);
  ASSERT_TRUE(store_->SetInstallationBackupAPISecurityLock(b.id, false));
  EXPECT_FALSE((*store_->GetInstallationBackup(b.id))->api_security_lock);
  EXPECT_EQ(store_->SetInstallationBackupAPISecurityLock("nope", true).error().code,
            ErrorCode::kNotFound);

  auto lease = locks_->AcquireOne(LockTable::kInstallationBackup, b.id, "me");
  ASSERT_TRUE(lease);
  clock_.Advance(100);
  const int64_t deleted_at = clock_.NowMillis();
  ASSERT_TRUE(store_->DeleteInstallationBackup(b.id, *lease));
  clock_.Advance(100);
  ASSERT_TRUE(store_->DeleteInstallationBackup(b.id, *lease));  // idempotent
  auto got = store_->GetInstallationBackup(b.id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->delete_at, deleted_at);  // Get returns deleted rows
}

CLOUD_INSTANTIATE_ENGINE_TESTS(BackupStoreTest);

}  // namespace
}  // namespace cloud::store
