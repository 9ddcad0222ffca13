// BackupSupervisor against the real stores (SQLite and PostgreSQL) and the sim cloud: every
// transition of upstream-core.md §1.7 on success and failure, retries, a step re-run after a
// crash, pending-work order, the scheduler chaining steps, and the wake-ups.
#include "supervisor/backup_supervisor.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "operation_test_fixture.h"
#include "supervisor/scheduler.h"

namespace cloud::supervisor {
namespace {

using model::BackupState;
using provisioner::sim::SimStep;

class BackupSupervisorTest : public OperationSupervisorTest {
 protected:
  void SetUp() override {
    OperationSupervisorTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    supervisor_ = std::make_unique<BackupSupervisor>(
        BackupSupervisorStores{*backups_, *installations_, *cis_, *clusters_, *locks_},
        provisioners_->Backup(), nullptr, BackupSupervisorOptions{kInstance, "test", &notifier_},
        logger_.log);
  }
  void TearDown() override {
    supervisor_.reset();
    OperationSupervisorTest::TearDown();
  }

  model::InstallationBackup NewBackup(const std::string& installation_id) {
    model::InstallationBackup b;
    b.installation_id = installation_id;
    b.backed_up_database_type = "aws-multitenant-rds-postgres";
    b.state = BackupState::kBackupRequested;
    auto created = backups_->CreateInstallationBackup(b, {});
    EXPECT_TRUE(created) << created.error().ToString();
    clock_.Advance(10);
    return created ? *created : model::InstallationBackup{};
  }

  // Writes state, CI and residence of `b` under a test lease.
  void Set(const model::InstallationBackup& b) {
    auto lease = locks_->AcquireOne(store::LockTable::kInstallationBackup, b.id, "test");
    ASSERT_TRUE(lease) << lease.error().ToString();
    ASSERT_TRUE(backups_->UpdateInstallationBackup(b, *lease));
    ASSERT_TRUE(backups_->UpdateInstallationBackupState(b.id, b.state, *lease));
    ASSERT_TRUE(locks_->Release(*lease));
  }

  // A backup whose job ran on the sim, in `state`.
  model::InstallationBackup CompletedBackup(BackupState state) {
    model::InstallationBackup b = NewBackup(installation_.id);
    auto residence = sim_->TriggerBackup(b, cluster_, installation_);
    EXPECT_TRUE(residence);
    b.data_residence = *residence;
    b.cluster_installation_id = ci_.id;
    b.state = state;
    Set(b);
    return b;
  }

  model::InstallationBackup Get(const std::string& id) {
    auto b = backups_->GetInstallationBackup(id);
    EXPECT_TRUE(b && b->has_value());
    return b && b->has_value() ? **b : model::InstallationBackup{};
  }

  StepOutcome Pass(const std::string& id) {
    clock_.Advance(1);
    return supervisor_->Supervise(WorkItem{id, std::nullopt});
  }

  std::unique_ptr<BackupSupervisor> supervisor_;
};

TEST_P(BackupSupervisorTest, RequestedToInProgressToSucceeded) {
  sim_->SetDuration(SimStep::kTriggerBackup, 1'000);
  model::InstallationBackup b = NewBackup(installation_.id);

  EXPECT_EQ(Pass(b.id), StepOutcome::kRequeue);
  model::InstallationBackup stored = Get(b.id);
  EXPECT_EQ(stored.state, BackupState::kBackupInProgress);
  EXPECT_EQ(stored.cluster_installation_id, ci_.id);
  ASSERT_TRUE(stored.data_residence.has_value());
  EXPECT_EQ(stored.data_residence->url, "s3.amazonaws.com");
  EXPECT_TRUE(sim_->BackupJobExists(b.id));
  const int64_t triggered_at = clock_.NowMillis();
  // The extra leases (installation, CI) are released after the step.
  EXPECT_FALSE(Leased(store::LockTable::kInstallation, installation_.id));
  EXPECT_FALSE(Leased(store::LockTable::kClusterInstallation, ci_.id));
  EXPECT_FALSE(Leased(store::LockTable::kInstallationBackup, b.id));

  EXPECT_EQ(Pass(b.id), StepOutcome::kStay);  // the job runs for 1 s
  EXPECT_EQ(Get(b.id).state, BackupState::kBackupInProgress);

  clock_.Advance(1'000);
  EXPECT_EQ(Pass(b.id), StepOutcome::kDone);
  stored = Get(b.id);
  EXPECT_EQ(stored.state, BackupState::kBackupSucceeded);
  EXPECT_EQ(stored.start_at, triggered_at);
  EXPECT_EQ(hook_.Of(b.id), (std::vector<std::string>{"n/a -> backup-requested",
                                                      "backup-requested -> backup-in-progress",
                                                      "backup-in-progress -> backup-succeeded"}));
  EXPECT_EQ(sim_->Calls(SimStep::kTriggerBackup, b.id), 1);
  // Each change woke the migration supervisor, which waits on backups.
  EXPECT_EQ(notifier_.woken(), (std::vector<std::pair<std::string, std::string>>{
                                   {"db_migration", ""}, {"db_migration", ""}}));
}

TEST_P(BackupSupervisorTest, RequestedFailuresStayOrFail) {
  struct Case {
    std::string name;
    std::function<void(model::InstallationBackup&)> arrange;
    BackupState expected;
  };
  std::optional<store::Lease> held;
  const std::vector<Case> cases = {
      {"installation missing",
       [&](model::InstallationBackup& b) { b = NewBackup("nosuchinstallation000000000"); },
       BackupState::kBackupFailed},
      {"installation leased elsewhere",
       [&](model::InstallationBackup&) {
         auto l = locks_->AcquireOne(store::LockTable::kInstallation, installation_.id, "other");
         ASSERT_TRUE(l);
         held = *l;
       },
       BackupState::kBackupRequested},
      {"the only cluster installation leased elsewhere",
       [&](model::InstallationBackup&) {
         auto l = locks_->AcquireOne(store::LockTable::kClusterInstallation, ci_.id, "other");
         ASSERT_TRUE(l);
         held = *l;
       },
       BackupState::kBackupRequested},
      {"installation not hibernating",
       [&](model::InstallationBackup& b) {
         b = NewBackup(NewInstallation("awake", model::InstallationState::kStable).id);
       },
       BackupState::kBackupRequested},
      {"installation without cluster installations",
       [&](model::InstallationBackup& b) {
         b = NewBackup(NewInstallation("noci", model::InstallationState::kHibernating).id);
       },
       BackupState::kBackupRequested},
      {"trigger fails",
       [&](model::InstallationBackup& b) { sim_->FailNext(SimStep::kTriggerBackup, b.id); },
       BackupState::kBackupRequested},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    model::InstallationBackup b = NewBackup(installation_.id);
    c.arrange(b);
    const StepOutcome outcome = Pass(b.id);
    EXPECT_EQ(Get(b.id).state, c.expected);
    if (c.expected == BackupState::kBackupRequested) {
      EXPECT_EQ(outcome, StepOutcome::kStay);
      EXPECT_FALSE(sim_->BackupJobExists(b.id));
      EXPECT_TRUE(Get(b.id).cluster_installation_id.empty());
    }
    if (held) {
      ASSERT_TRUE(locks_->Release(*held));
      held.reset();
      if (b.installation_id == installation_.id) {  // retried once the lease is free
        EXPECT_EQ(Pass(b.id), StepOutcome::kRequeue);
        EXPECT_EQ(Get(b.id).state, BackupState::kBackupInProgress);
      }
    }
    if (c.name == "trigger fails") {  // retried: the next pass starts the job
      EXPECT_EQ(Pass(b.id), StepOutcome::kRequeue);
      EXPECT_EQ(Get(b.id).state, BackupState::kBackupInProgress);
      EXPECT_EQ(sim_->Calls(SimStep::kTriggerBackup, b.id), 2);
    }
  }
}

TEST_P(BackupSupervisorTest, InProgressFailuresStayOrFail) {
  {
    SCOPED_TRACE("job exceeded its backoff limit");
    model::InstallationBackup b = CompletedBackup(BackupState::kBackupInProgress);
    sim_->SetJobFails(b.id);
    EXPECT_EQ(Pass(b.id), StepOutcome::kDone);
    EXPECT_EQ(Get(b.id).state, BackupState::kBackupFailed);
  }
  {
    SCOPED_TRACE("status check fails, then succeeds");
    model::InstallationBackup b = CompletedBackup(BackupState::kBackupInProgress);
    sim_->FailNext(SimStep::kCheckBackupStatus, b.id);
    EXPECT_EQ(Pass(b.id), StepOutcome::kStay);
    EXPECT_EQ(Get(b.id).state, BackupState::kBackupInProgress);
    EXPECT_EQ(Pass(b.id), StepOutcome::kDone);
    EXPECT_EQ(Get(b.id).state, BackupState::kBackupSucceeded);
  }
  {
    SCOPED_TRACE("cluster installation unknown");
    model::InstallationBackup b = CompletedBackup(BackupState::kBackupInProgress);
    b.cluster_installation_id = "nosuchci00000000000000000";
    Set(b);
    EXPECT_EQ(Pass(b.id), StepOutcome::kStay);
    EXPECT_EQ(Get(b.id).state, BackupState::kBackupInProgress);
    EXPECT_EQ(sim_->Calls(SimStep::kCheckBackupStatus, b.id), 0);
  }
}

TEST_P(BackupSupervisorTest, DeletionRequested) {
  {
    SCOPED_TRACE("success");
    model::InstallationBackup b = CompletedBackup(BackupState::kDeletionRequested);
    EXPECT_EQ(Pass(b.id), StepOutcome::kDone);
    model::InstallationBackup stored = Get(b.id);
    EXPECT_EQ(stored.state, BackupState::kDeleted);
    EXPECT_NE(stored.delete_at, 0);
    EXPECT_FALSE(sim_->BackupJobExists(b.id));
    EXPECT_EQ(sim_->Calls(SimStep::kDeleteBackupData, b.id), 1);
  }
  struct Case {
    std::string name;
    std::optional<SimStep> fail;
    bool no_s3 = false;
    bool no_ci = false;
    BackupState expected;
  };
  const std::vector<Case> cases = {
      {"job cleanup fails", SimStep::kCleanupBackupJob, false, false,
       BackupState::kDeletionRequested},
      {"data deletion fails", SimStep::kDeleteBackupData, false, false,
       BackupState::kDeletionRequested},
      {"data not on S3", std::nullopt, true, false, BackupState::kDeletionFailed},
      {"never scheduled (no cluster installation)", std::nullopt, false, true,
       BackupState::kDeletionRequested},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    model::InstallationBackup b = CompletedBackup(BackupState::kDeletionRequested);
    if (c.no_s3) b.data_residence->url = "minio.local";
    if (c.no_ci) b.cluster_installation_id.clear();
    Set(b);
    if (c.fail) sim_->FailNext(*c.fail, b.id);
    Pass(b.id);
    EXPECT_EQ(Get(b.id).state, c.expected);
    EXPECT_EQ(Get(b.id).delete_at, 0);
    if (c.fail) {  // a transient failure is retried
      EXPECT_EQ(Pass(b.id), StepOutcome::kDone);
      EXPECT_EQ(Get(b.id).state, BackupState::kDeleted);
    }
  }
}

TEST_P(BackupSupervisorTest, AStepRerunAfterACrashStartsNothingTwice) {
  sim_->SetDuration(SimStep::kTriggerBackup, 500);
  model::InstallationBackup b = NewBackup(installation_.id);
  // A pass that crashed after its step, before saving the new state: the step ran (the job
  // started), the state write never happened, and the lease was lost.
  {
    auto lease = locks_->AcquireOne(store::LockTable::kInstallationBackup, b.id, kInstance);
    ASSERT_TRUE(lease);
    model::InstallationBackup row = Get(b.id);
    EXPECT_EQ(supervisor_->Transition(row, *lease, logger_.log), BackupState::kBackupInProgress);
    ASSERT_TRUE(locks_->Release(*lease));
  }
  const int64_t job_started_at = clock_.NowMillis();
  EXPECT_EQ(Get(b.id).state, BackupState::kBackupRequested);
  clock_.Advance(200);

  EXPECT_EQ(Pass(b.id), StepOutcome::kRequeue);
  EXPECT_EQ(Get(b.id).state, BackupState::kBackupInProgress);
  clock_.Advance(500);
  EXPECT_EQ(Pass(b.id), StepOutcome::kDone);
  // The job kept its original start: the re-run reused it instead of starting another.
  EXPECT_EQ(Get(b.id).start_at, job_started_at);
  EXPECT_EQ(hook_.Of(b.id), (std::vector<std::string>{"n/a -> backup-requested",
                                                      "backup-requested -> backup-in-progress",
                                                      "backup-in-progress -> backup-succeeded"}));

  // Deletion crashed after soft-deleting: the re-run finishes without failing.
  b = CompletedBackup(BackupState::kDeletionRequested);
  {
    auto lease = locks_->AcquireOne(store::LockTable::kInstallationBackup, b.id, kInstance);
    ASSERT_TRUE(lease);
    model::InstallationBackup row = Get(b.id);
    EXPECT_EQ(supervisor_->Transition(row, *lease, logger_.log), BackupState::kDeleted);
    ASSERT_TRUE(locks_->Release(*lease));
  }
  const int64_t deleted_at = Get(b.id).delete_at;
  EXPECT_NE(deleted_at, 0);
  EXPECT_EQ(Pass(b.id), StepOutcome::kDone);
  EXPECT_EQ(Get(b.id).state, BackupState::kDeleted);
  EXPECT_EQ(Get(b.id).delete_at, deleted_at);
}

TEST_P(BackupSupervisorTest, PendingWorkAndTheSchedulerChainingSteps) {
  model::InstallationBackup first = NewBackup(installation_.id);
  model::InstallationBackup done = CompletedBackup(BackupState::kBackupSucceeded);
  model::InstallationBackup deletion = CompletedBackup(BackupState::kDeletionRequested);
  model::InstallationBackup leased = NewBackup(installation_.id);
  auto lease = locks_->AcquireOne(store::LockTable::kInstallationBackup, leased.id, "other");
  ASSERT_TRUE(lease);
  auto work = supervisor_->GetPendingWork();
  ASSERT_TRUE(work) << work.error().ToString();
  EXPECT_EQ(*work, (std::vector<WorkItem>{{first.id, "backup-requested"},
                                          {deletion.id, "deletion-requested"}}));
  ASSERT_TRUE(locks_->Release(*lease));

  // With instant jobs one scheduler round takes a backup from requested to succeeded: each
  // state that has more work is processed again at once.
  Scheduler scheduler(*supervisor_, SchedulerOptions{.workers = 1, .poll_ms = 0}, clock_,
                      logger_.log);
  scheduler.RunOnceForTest();
  EXPECT_EQ(Get(first.id).state, BackupState::kBackupSucceeded);
  EXPECT_EQ(Get(deletion.id).state, BackupState::kDeleted);
  EXPECT_EQ(Get(done.id).state, BackupState::kBackupSucceeded);
  // `leased` was requested while `first` ran: a second backup of one installation is allowed
  // to run once the first is done (the API refuses concurrent ones).
  EXPECT_EQ(Get(leased.id).state, BackupState::kBackupSucceeded);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(BackupSupervisorTest);

}  // namespace
}  // namespace cloud::supervisor
