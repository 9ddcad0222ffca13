// DBRestorationSupervisor against the real stores (SQLite and PostgreSQL) and the sim cloud:
// every transition of upstream-core.md §1.8 on success and failure, retries, steps re-run after
// a crash, and the installation state changes it makes.
#include "supervisor/db_restoration_supervisor.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "operation_test_fixture.h"
#include "supervisor/scheduler.h"

namespace cloud::supervisor {
namespace {

using model::InstallationState;
using model::RestorationState;
using provisioner::sim::SimStep;

class DBRestorationSupervisorTest : public OperationSupervisorTest {
 protected:
  void SetUp() override {
    OperationSupervisorTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    supervisor_ = std::make_unique<DBRestorationSupervisor>(
        DBRestorationSupervisorStores{*restorations_, *backups_, *installations_, *cis_, *clusters_,
                                      *locks_},
        provisioners_->Restore(), nullptr,
        DBRestorationSupervisorOptions{kInstance, "test", &notifier_}, logger_.log);
    backup_ = NewSucceededBackup(installation_);
  }
  void TearDown() override {
    supervisor_.reset();
    OperationSupervisorTest::TearDown();
  }

  model::InstallationBackup NewSucceededBackup(const model::Installation& i) {
    model::InstallationBackup b;
    b.installation_id = i.id;
    b.state = model::BackupState::kBackupRequested;
    auto created = backups_->CreateInstallationBackup(b, {});
    EXPECT_TRUE(created);
    if (!created) return {};
    auto lease = locks_->AcquireOne(store::LockTable::kInstallationBackup, created->id, "test");
    EXPECT_TRUE(lease);
    created->cluster_installation_id = ci_.id;
    EXPECT_TRUE(backups_->UpdateInstallationBackup(*created, *lease));
    EXPECT_TRUE(backups_->UpdateInstallationBackupState(
        created->id, model::BackupState::kBackupSucceeded, *lease));
    EXPECT_TRUE(locks_->Release(*lease));
    clock_.Advance(10);
    return *created;
  }

  // As the API does: the operation in `requested`, the installation db-restoration-in-progress.
  model::InstallationDBRestorationOperation NewRestoration(const model::Installation& i,
                                                           const model::InstallationBackup& b) {
    model::InstallationDBRestorationOperation op;
    op.installation_id = i.id;
    op.backup_id = b.id;
    op.state = RestorationState::kRequested;
    op.target_installation_state = std::string(model::ToString(GetInstallation(i.id).state));
    auto lease = locks_->AcquireOne(store::LockTable::kInstallation, i.id, "api");
    EXPECT_TRUE(lease);
    auto created = restorations_->TriggerInstallationDBRestoration(op, *lease);
    EXPECT_TRUE(created) << created.error().ToString();
    EXPECT_TRUE(locks_->Release(*lease));
    clock_.Advance(10);
    return created ? *created : model::InstallationDBRestorationOperation{};
  }

  void Set(const model::InstallationDBRestorationOperation& op) {
    auto lease =
        locks_->AcquireOne(store::LockTable::kInstallationDBRestorationOperation, op.id, "test");
    ASSERT_TRUE(lease);
    ASSERT_TRUE(restorations_->UpdateInstallationDBRestorationOperation(op, *lease));
    ASSERT_TRUE(locks_->Release(*lease));
  }

  model::InstallationDBRestorationOperation Get(const std::string& id) {
    auto op = restorations_->GetInstallationDBRestorationOperation(id);
    EXPECT_TRUE(op && op->has_value());
    return op && op->has_value() ? **op : model::InstallationDBRestorationOperation{};
  }

  StepOutcome Pass(const std::string& id) {
    clock_.Advance(1);
    return supervisor_->Supervise(WorkItem{id, std::nullopt});
  }

  // Runs the step of `id` as a pass that crashed before saving its state would have.
  RestorationState CrashedPass(const std::string& id) {
    auto lease =
        locks_->AcquireOne(store::LockTable::kInstallationDBRestorationOperation, id, kInstance);
    EXPECT_TRUE(lease);
    if (!lease) return {};
    model::InstallationDBRestorationOperation row = Get(id);
    const RestorationState next = supervisor_->Transition(row, *lease, logger_.log);
    EXPECT_TRUE(locks_->Release(*lease));
    return next;
  }

  std::unique_ptr<DBRestorationSupervisor> supervisor_;
  model::InstallationBackup backup_;
};

TEST_P(DBRestorationSupervisorTest, RequestedToSucceededRestoresTheInstallationState) {
  sim_->SetDuration(SimStep::kTriggerRestore, 1'000);
  model::InstallationDBRestorationOperation op = NewRestoration(installation_, backup_);
  EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kDBRestorationInProgress);
  const size_t events = InstallationEventCount(installation_.id);

  EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
  EXPECT_EQ(Get(op.id).state, RestorationState::kInProgress);
  EXPECT_EQ(Get(op.id).cluster_installation_id, ci_.id);
  EXPECT_TRUE(sim_->RestoreJobExists(backup_.id));
  EXPECT_FALSE(Leased(store::LockTable::kClusterInstallation, ci_.id));
  EXPECT_FALSE(Leased(store::LockTable::kInstallation, installation_.id));
  const int64_t done_at = clock_.NowMillis() + 1'000;

  EXPECT_EQ(Pass(op.id), StepOutcome::kStay);
  EXPECT_EQ(Get(op.id).state, RestorationState::kInProgress);
  clock_.Advance(1'000);
  EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
  EXPECT_EQ(Get(op.id).state, RestorationState::kFinalizing);
  EXPECT_EQ(Get(op.id).complete_at, done_at);

  EXPECT_EQ(Pass(op.id), StepOutcome::kDone);
  EXPECT_EQ(Get(op.id).state, RestorationState::kSucceeded);
  EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kHibernating);
  EXPECT_EQ(InstallationEventCount(installation_.id), events + 1);
  EXPECT_EQ(hook_.Of(op.id),
            (std::vector<std::string>{
                "n/a -> installation-db-restoration-requested",
                "installation-db-restoration-requested -> installation-db-restoration-in-progress",
                "installation-db-restoration-in-progress -> installation-db-restoration-finishing",
                "installation-db-restoration-finishing -> installation-db-restoration-succeeded"}));
  EXPECT_EQ(notifier_.woken().size(), 3u);
}

TEST_P(DBRestorationSupervisorTest, RequestedFailuresStay) {
  {
    SCOPED_TRACE("installation leased elsewhere");
    model::InstallationDBRestorationOperation op = NewRestoration(installation_, backup_);
    auto held = locks_->AcquireOne(store::LockTable::kInstallation, installation_.id, "other");
    ASSERT_TRUE(held);
    EXPECT_EQ(Pass(op.id), StepOutcome::kStay);
    EXPECT_EQ(Get(op.id).state, RestorationState::kRequested);
    EXPECT_EQ(sim_->Calls(SimStep::kTriggerRestore), 0);
    ASSERT_TRUE(locks_->Release(*held));
  }
  {
    SCOPED_TRACE("trigger fails: the claimed cluster installation is kept for the retry");
    model::Installation other = NewInstallation("other", InstallationState::kHibernating);
    model::ClusterInstallation other_ci = NewClusterInstallation(other);
    model::InstallationBackup b = NewSucceededBackup(other);
    model::InstallationDBRestorationOperation op = NewRestoration(other, b);
    sim_->FailNext(SimStep::kTriggerRestore, b.id);
    EXPECT_EQ(Pass(op.id), StepOutcome::kStay);
    EXPECT_EQ(Get(op.id).state, RestorationState::kRequested);
    EXPECT_EQ(Get(op.id).cluster_installation_id, other_ci.id);
    EXPECT_FALSE(sim_->RestoreJobExists(b.id));
    // The retry does not need to claim it again: it works while the CI is leased elsewhere.
    auto held = locks_->AcquireOne(store::LockTable::kClusterInstallation, other_ci.id, "other");
    ASSERT_TRUE(held);
    EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
    EXPECT_EQ(Get(op.id).state, RestorationState::kInProgress);
    ASSERT_TRUE(locks_->Release(*held));
  }
  {
    SCOPED_TRACE("installation without cluster installations");
    model::Installation lonely = NewInstallation("lonely", InstallationState::kHibernating);
    model::InstallationBackup b = NewSucceededBackup(lonely);
    model::InstallationDBRestorationOperation op = NewRestoration(lonely, b);
    EXPECT_EQ(Pass(op.id), StepOutcome::kStay);
    EXPECT_EQ(Get(op.id).state, RestorationState::kRequested);
    EXPECT_TRUE(Get(op.id).cluster_installation_id.empty());
  }
  {
    SCOPED_TRACE("backup missing");
    model::InstallationDBRestorationOperation op = NewRestoration(installation_, backup_);
    op.backup_id = "nosuchbackup0000000000000";
    // The backup ID is not a column UpdateInstallationDBRestorationOperation writes: change it
    // directly.
    ASSERT_TRUE(
        db().Exec("UPDATE InstallationDBRestorationOperation SET BackupID = $1 WHERE ID = $2",
                  {op.backup_id, op.id}));
    EXPECT_EQ(Pass(op.id), StepOutcome::kStay);
    EXPECT_EQ(Get(op.id).state, RestorationState::kRequested);
  }
}

TEST_P(DBRestorationSupervisorTest, AFailedJobFailsTheInstallation) {
  model::InstallationDBRestorationOperation op = NewRestoration(installation_, backup_);
  sim_->SetJobFails(backup_.id);
  EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
  sim_->FailNext(SimStep::kCheckRestoreStatus, backup_.id);
  EXPECT_EQ(Pass(op.id), StepOutcome::kStay);  // a status error is retried
  EXPECT_EQ(Get(op.id).state, RestorationState::kInProgress);
  EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
  EXPECT_EQ(Get(op.id).state, RestorationState::kFailing);

  auto held = locks_->AcquireOne(store::LockTable::kInstallation, installation_.id, "other");
  ASSERT_TRUE(held);
  EXPECT_EQ(Pass(op.id), StepOutcome::kStay);  // failing waits for the installation lease
  EXPECT_EQ(Get(op.id).state, RestorationState::kFailing);
  ASSERT_TRUE(locks_->Release(*held));

  EXPECT_EQ(Pass(op.id), StepOutcome::kDone);
  EXPECT_EQ(Get(op.id).state, RestorationState::kFailed);
  EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kDBRestorationFailed);
}

TEST_P(DBRestorationSupervisorTest, DeletionRequested) {
  struct Case {
    std::string name;
    bool backup_exists;
    std::optional<SimStep> fail;
    RestorationState expected;
  };
  const std::vector<Case> cases = {
      {"with its backup", true, std::nullopt, RestorationState::kDeleted},
      {"backup gone", false, std::nullopt, RestorationState::kDeleted},
      {"job cleanup fails", true, SimStep::kCleanupRestoreJob,
       RestorationState::kDeletionRequested},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    model::InstallationDBRestorationOperation op = NewRestoration(installation_, backup_);
    op.cluster_installation_id = ci_.id;
    op.state = RestorationState::kDeletionRequested;
    Set(op);
    if (!c.backup_exists) {
      ASSERT_TRUE(
          db().Exec("UPDATE InstallationDBRestorationOperation SET BackupID = $1 "
                    "WHERE ID = $2",
                    {std::string("nosuchbackup0000000000000"), op.id}));
    }
    if (c.fail) sim_->FailNext(*c.fail, backup_.id);
    const int64_t cleanups = sim_->Calls(SimStep::kCleanupRestoreJob);
    Pass(op.id);
    EXPECT_EQ(Get(op.id).state, c.expected);
    EXPECT_EQ(Get(op.id).delete_at != 0, c.expected == RestorationState::kDeleted);
    EXPECT_EQ(sim_->Calls(SimStep::kCleanupRestoreJob), cleanups + (c.backup_exists ? 1 : 0));
    if (c.fail) {
      EXPECT_EQ(Pass(op.id), StepOutcome::kDone);
      EXPECT_EQ(Get(op.id).state, RestorationState::kDeleted);
    }
  }
}

TEST_P(DBRestorationSupervisorTest, StepsRerunAfterACrashDoNothingTwice) {
  sim_->SetDuration(SimStep::kTriggerRestore, 300);
  model::InstallationDBRestorationOperation op = NewRestoration(installation_, backup_);
  // requested: the job started, the state was not saved.
  EXPECT_EQ(CrashedPass(op.id), RestorationState::kInProgress);
  const int64_t done_at = clock_.NowMillis() + 300;
  clock_.Advance(100);
  EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
  clock_.Advance(300);
  EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
  EXPECT_EQ(Get(op.id).state, RestorationState::kFinalizing);
  EXPECT_EQ(Get(op.id).complete_at, done_at);  // the first job, not a second one

  // finishing: the installation was moved, the state was not saved.
  const size_t events = InstallationEventCount(installation_.id);
  EXPECT_EQ(CrashedPass(op.id), RestorationState::kSucceeded);
  EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kHibernating);
  EXPECT_EQ(Get(op.id).state, RestorationState::kFinalizing);
  EXPECT_EQ(Pass(op.id), StepOutcome::kDone);
  EXPECT_EQ(Get(op.id).state, RestorationState::kSucceeded);
  EXPECT_EQ(InstallationEventCount(installation_.id), events + 1);  // one event, not two
}

TEST_P(DBRestorationSupervisorTest, TheSchedulerRunsARestorationToTheEnd) {
  model::InstallationDBRestorationOperation op = NewRestoration(installation_, backup_);
  auto work = supervisor_->GetPendingWork();
  ASSERT_TRUE(work);
  EXPECT_EQ(*work, (std::vector<WorkItem>{{op.id, "installation-db-restoration-requested"}}));
  Scheduler scheduler(*supervisor_, SchedulerOptions{.workers = 1, .poll_ms = 0}, clock_,
                      logger_.log);
  scheduler.RunOnceForTest();
  EXPECT_EQ(Get(op.id).state, RestorationState::kSucceeded);
  EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kHibernating);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(DBRestorationSupervisorTest);

}  // namespace
}  // namespace cloud::supervisor
