// SqlDBRestorationStore on both engines: create/get/list, pending work and claims, fenced
// state and column updates with the hook, the trigger transaction (operation + installation
// state + installation event), and soft delete.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/lock_store.h"
#include "store/sql_db_restoration_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using model::InstallationDBRestorationOperation;
using model::RestorationState;
using testlib::DatabaseTest;

constexpr std::string_view kInsertInstallation =
    "INSERT INTO Installation (ID, OwnerID, Version, Affinity, State, CreateAt, DeleteAt, "
    "LockAcquiredAt, Database, Filestore, Image, Name) VALUES ($1, 'o', 'v', 'multitenant', $2, "
    "1, 0, 0, 'aws-multitenant-rds-postgres', 'bifrost', 'img', $1)";

class DBRestorationStoreTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlDBRestorationStore>(
        db(), *locks_, clock_, [this](SqlExecutor&, const StateChangeRecord& c) -> Result<void> {
          changes_.push_back(c);
          return Ok();
        });
  }

  InstallationDBRestorationOperation Create(const std::string& installation, RestorationState state,
                                            const std::string& ci = "") {
    InstallationDBRestorationOperation o;
    o.installation_id = installation;
    o.backup_id = "backup-" + installation;
    o.state = state;
    o.target_installation_state = "hibernating";
    o.cluster_installation_id = ci;
    auto created = store_->CreateInstallationDBRestorationOperation(o, {});
    EXPECT_TRUE(created) << created.error().ToString();
    clock_.Advance(10);
    return created ? *created : o;
  }

  static std::vector<std::string> Ids(const std::vector<InstallationDBRestorationOperation>& ops) {
    std::vector<std::string> ids;
    for (const auto& o : ops) ids.push_back(o.id);
    return ids;
  }

  int64_t Count(const std::string& sql) { return (*db().Query(sql)).front().GetInt64(0); }

  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<SqlDBRestorationStore> store_;
  std::vector<StateChangeRecord> changes_;
};

TEST_P(DBRestorationStoreTest, CreateGetAndList) {
  auto a = Create("i1", RestorationState::kRequested, "ci1");
  auto b = Create("i1", RestorationState::kSucceeded, "ci2");
  auto c = Create("i2", RestorationState::kFailed, "ci1");
  auto got = store_->GetInstallationDBRestorationOperation(a.id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, a);
  EXPECT_FALSE((*store_->GetInstallationDBRestorationOperation("nope")).has_value());
  ASSERT_EQ(changes_.size(), 3u);
  EXPECT_EQ(changes_[0].resource_type, model::ResourceType::kInstallationDBRestoration);
  EXPECT_EQ(changes_[0].old_state, "n/a");
  EXPECT_EQ(changes_[0].new_state, "installation-db-restoration-requested");

  struct Case {
    std::string name;
    model::InstallationDBRestorationFilter filter;
    std::vector<std::string> want;
  };
  std::vector<Case> cases;
  cases.push_back({"all, RequestAt DESC", {}, {c.id, b.id, a.id}});
  {
    model::InstallationDBRestorationFilter f;
    f.installation_id = "i1";
    cases.push_back({"installation", f, {b.id, a.id}});
  }
  {
    model::InstallationDBRestorationFilter f;
    f.cluster_installation_id = "ci1";
    cases.push_back({"cluster installation", f, {c.id, a.id}});
  }
  {
    model::InstallationDBRestorationFilter f;
    f.state = "installation-db-restoration-succeeded";
    cases.push_back({"state", f, {b.id}});
  }
  {
    model::InstallationDBRestorationFilter f;
    f.states = {RestorationState::kRequested, RestorationState::kFailed};
    cases.push_back({"states", f, {c.id, a.id}});
  }
  {
    model::InstallationDBRestorationFilter f;
    f.ids = {b.id};
    cases.push_back({"ids", f, {b.id}});
  }
  {
    model::InstallationDBRestorationFilter f;
    f.paging.per_page = 2;
    f.paging.page = 1;
    cases.push_back({"paging", f, {a.id}});
  }
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto got_list = store_->GetInstallationDBRestorationOperations(tc.filter);
    ASSERT_TRUE(got_list) << got_list.error().ToString();
    EXPECT_EQ(Ids(*got_list), tc.want);
  }
}

TEST_P(DBRestorationStoreTest, PendingWorkAndClaim) {
  auto requested = Create("i", RestorationState::kRequested);
  auto succeeded = Create("i", RestorationState::kSucceeded);
  auto finishing = Create("i", RestorationState::kFinalizing);
  auto deleting = Create("i", RestorationState::kDeletionRequested);
  (void)succeeded;
  auto pending = store_->GetUnlockedInstallationDBRestorationOperationsPendingWork();
  ASSERT_TRUE(pending);
  EXPECT_EQ(Ids(*pending), (std::vector<std::string>{requested.id, finishing.id, deleting.id}));
  auto claim = store_->ClaimInstallationDBRestorationOperationsPendingWork("me", 2);
  ASSERT_TRUE(claim) << claim.error().ToString();
  EXPECT_EQ(Ids(claim->operations), (std::vector<std::string>{requested.id, finishing.id}));
  pending = store_->GetUnlockedInstallationDBRestorationOperationsPendingWork();
  ASSERT_TRUE(pending);
  EXPECT_EQ(Ids(*pending), std::vector<std::string>{deleting.id});
}

TEST_P(DBRestorationStoreTest, FencedUpdates) {
  auto op = Create("i", RestorationState::kRequested);
  changes_.clear();
  auto lease = locks_->AcquireOne(LockTable::kInstallationDBRestorationOperation, op.id, "me");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(store_->UpdateInstallationDBRestorationOperationState(
      op.id, RestorationState::kInProgress, *lease, {{"Environment", "t"}}));
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].old_state, "installation-db-restoration-requested");
  EXPECT_EQ(changes_[0].new_state, "installation-db-restoration-in-progress");

  op.state = RestorationState::kFinalizing;
  op.complete_at = 77;
  op.cluster_installation_id = "ci3";
  op.target_installation_state = "db-migration-in-progress";
  op.backup_id = "not-written";
  ASSERT_TRUE(store_->UpdateInstallationDBRestorationOperation(op, *lease, {}));
  auto got = *store_->GetInstallationDBRestorationOperation(op.id);
  EXPECT_EQ(got->state, RestorationState::kFinalizing);
  EXPECT_EQ(got->complete_at, 77);
  EXPECT_EQ(got->cluster_installation_id, "ci3");
  EXPECT_EQ(got->target_installation_state, "db-migration-in-progress");
  EXPECT_EQ(got->backup_id, "backup-i");
  EXPECT_EQ(changes_.size(), 2u);

  ASSERT_TRUE(locks_->Release(*lease));
  auto stale = store_->UpdateInstallationDBRestorationOperationState(
      op.id, RestorationState::kFailed, *lease, {});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(changes_.size(), 2u);

  auto lease2 = locks_->AcquireOne(LockTable::kInstallationDBRestorationOperation, op.id, "me");
  ASSERT_TRUE(lease2);
  ASSERT_TRUE(store_->DeleteInstallationDBRestorationOperation(op.id, *lease2));
  EXPECT_NE((*store_->GetInstallationDBRestorationOperation(op.id))->delete_at, 0);
  EXPECT_TRUE((*store_->GetInstallationDBRestorationOperations({})).empty());
}

TEST_P(DBRestorationStoreTest, TriggerMovesInstallationAndWritesItsEventAtomically) {
  ASSERT_TRUE(db().Exec(kInsertInstallation, {std::string("inst1"), std::string("hibernating")}));
  auto installation_lease = locks_->AcquireOne(LockTable::kInstallation, "inst1", "req");
  ASSERT_TRUE(installation_lease);
  InstallationDBRestorationOperation op;
  op.installation_id = "inst1";
  op.backup_id = "b1";
  op.state = RestorationState::kRequested;
  op.target_installation_state = "hibernating";
  auto created = store_->TriggerInstallationDBRestoration(op, *installation_lease,
                                                          {{"Backup", "b1"}}, {{"Name", "inst1"}});
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ((*db().Query("SELECT State FROM Installation WHERE ID = 'inst1'")).front().GetString(0),
            "db-restoration-in-progress");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM StateChangeEvent WHERE ResourceID = 'inst1' AND "
                  "OldState = 'hibernating' AND NewState = 'db-restoration-in-progress' AND "
                  "ResourceType = 'installation'"),
            1);
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].extra_data.at("Backup"), "b1");

  // A lost installation lease rolls everything back: no operation, no event.
  ASSERT_TRUE(db().Exec("UPDATE Installation SET State = 'hibernating'"));
  ASSERT_TRUE(locks_->Release(*installation_lease));
  auto failed = store_->TriggerInstallationDBRestoration(op, *installation_lease, {}, {});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM InstallationDBRestorationOperation"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM Event"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM StateChangeEvent"), 1);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(DBRestorationStoreTest);

}  // namespace
}  // namespace cloud::store
