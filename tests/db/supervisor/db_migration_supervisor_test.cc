// DBMigrationSupervisor against the real stores (SQLite and PostgreSQL) and the sim cloud: a
// whole migration driven with the backup and restoration supervisors, every transition of
// upstream-core.md §1.9 on success and failure, retries, and steps re-run after a crash.
#include "supervisor/db_migration_supervisor.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "operation_test_fixture.h"
#include "supervisor/backup_supervisor.h"
#include "supervisor/db_restoration_supervisor.h"
#include "supervisor/scheduler.h"

namespace cloud::supervisor {
namespace {

using model::InstallationState;
using model::MigrationState;
using provisioner::sim::SimStep;

std::string M(MigrationState s) { return std::string(model::ToString(s)); }

class DBMigrationSupervisorTest : public OperationSupervisorTest {
 protected:
  void SetUp() override {
    OperationSupervisorTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    supervisor_ = std::make_unique<DBMigrationSupervisor>(
        DBMigrationSupervisorStores{*migrations_, *restorations_, *backups_, *installations_, *cis_,
                                    *clusters_, *locks_},
        *provisioners_, clock_, nullptr,
        DBMigrationSupervisorOptions{kInstance, "test", &notifier_}, logger_.log);
  }
  void TearDown() override {
    supervisor_.reset();
    OperationSupervisorTest::TearDown();
  }

  // As the API does: the operation in `requested`, the installation db-migration-in-progress.
  model::InstallationDBMigrationOperation NewMigration(const model::Installation& i) {
    model::InstallationDBMigrationOperation op;
    op.installation_id = i.id;
    op.state = MigrationState::kRequested;
    op.source_database = i.database;
    op.destination_database = i.database;
    op.source_multi_tenant = model::MultiTenantDBMigrationData{"sourcedb"};
    op.destination_multi_tenant = model::MultiTenantDBMigrationData{"destinationdb"};
    auto lease = locks_->AcquireOne(store::LockTable::kInstallation, i.id, "api");
    EXPECT_TRUE(lease);
    auto created = migrations_->TriggerInstallationDBMigration(op, *lease);
    EXPECT_TRUE(created) << created.error().ToString();
    EXPECT_TRUE(locks_->Release(*lease));
    clock_.Advance(10);
    return created ? *created : model::InstallationDBMigrationOperation{};
  }

  void Set(const model::InstallationDBMigrationOperation& op) {
    auto lease =
        locks_->AcquireOne(store::LockTable::kInstallationDBMigrationOperation, op.id, "test");
    ASSERT_TRUE(lease);
    ASSERT_TRUE(migrations_->UpdateInstallationDBMigrationOperation(op, *lease));
    ASSERT_TRUE(locks_->Release(*lease));
  }
  void SetBackupState(const std::string& id, model::BackupState state) {
    auto lease = locks_->AcquireOne(store::LockTable::kInstallationBackup, id, "test");
    ASSERT_TRUE(lease);
    ASSERT_TRUE(backups_->UpdateInstallationBackupState(id, state, *lease));
    ASSERT_TRUE(locks_->Release(*lease));
  }
  void SetRestorationState(const std::string& id, model::RestorationState state) {
    auto lease =
        locks_->AcquireOne(store::LockTable::kInstallationDBRestorationOperation, id, "test");
    ASSERT_TRUE(lease);
    ASSERT_TRUE(restorations_->UpdateInstallationDBRestorationOperationState(id, state, *lease));
    ASSERT_TRUE(locks_->Release(*lease));
  }
  void SetInstallationState(const std::string& id, InstallationState state) {
    auto lease = locks_->AcquireOne(store::LockTable::kInstallation, id, "test");
    ASSERT_TRUE(lease);
    ASSERT_TRUE(installations_->UpdateInstallationState(id, state, *lease));
    ASSERT_TRUE(locks_->Release(*lease));
  }

  model::InstallationDBMigrationOperation Get(const std::string& id) {
    auto op = migrations_->GetInstallationDBMigrationOperation(id);
    EXPECT_TRUE(op && op->has_value());
    return op && op->has_value() ? **op : model::InstallationDBMigrationOperation{};
  }

  StepOutcome Pass(const std::string& id) {
    clock_.Advance(1);
    return supervisor_->Supervise(WorkItem{id, std::nullopt});
  }

  MigrationState CrashedPass(const std::string& id) {
    auto lease =
        locks_->AcquireOne(store::LockTable::kInstallationDBMigrationOperation, id, kInstance);
    EXPECT_TRUE(lease);
    if (!lease) return {};
    model::InstallationDBMigrationOperation row = Get(id);
    const MigrationState next = supervisor_->Transition(row, *lease, logger_.log);
    EXPECT_TRUE(locks_->Release(*lease));
    return next;
  }

  size_t Count(const std::string& table, const std::string& installation_id) {
    auto rows = db().Query("SELECT COUNT(*) FROM " + table + " WHERE InstallationID = $1",
                           {installation_id});
    EXPECT_TRUE(rows && rows->size() == 1);
    return rows && rows->size() == 1 ? static_cast<size_t>((*rows)[0].GetInt64(0)) : 0;
  }

  // An operation of the fixture's installation advanced to `state` with a succeeded backup.
  model::InstallationDBMigrationOperation MigrationIn(MigrationState state) {
    model::InstallationDBMigrationOperation op = NewMigration(installation_);
    EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);  // creates the backup
    op = Get(op.id);
    SetBackupState(op.backup_id, model::BackupState::kBackupSucceeded);
    op.state = state;
    Set(op);
    return Get(op.id);
  }

  std::unique_ptr<DBMigrationSupervisor> supervisor_;
};

TEST_P(DBMigrationSupervisorTest, AWholeMigrationWithTheBackupAndRestorationSupervisors) {
  BackupSupervisor backups(
      BackupSupervisorStores{*backups_, *installations_, *cis_, *clusters_, *locks_},
      provisioners_->Backup(), nullptr, BackupSupervisorOptions{kInstance, "test", &notifier_},
      logger_.log);
  DBRestorationSupervisor restorations(
      DBRestorationSupervisorStores{*restorations_, *backups_, *installations_, *cis_, *clusters_,
                                    *locks_},
      provisioners_->Restore(), nullptr,
      DBRestorationSupervisorOptions{kInstance, "test", &notifier_}, logger_.log);
  const SchedulerOptions options{.workers = 1, .poll_ms = 0};
  Scheduler migration_scheduler(*supervisor_, options, clock_, logger_.log);
  Scheduler backup_scheduler(backups, options, clock_, logger_.log);
  Scheduler restoration_scheduler(restorations, options, clock_, logger_.log);

  model::InstallationDBMigrationOperation op = NewMigration(installation_);
  EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kDBMigrationInProgress);
  for (int round = 0; round < 10 && Get(op.id).state != MigrationState::kSucceeded; ++round) {
    clock_.Advance(10);
    migration_scheduler.RunOnceForTest();
    backup_scheduler.RunOnceForTest();
    restoration_scheduler.RunOnceForTest();
  }
  op = Get(op.id);
  EXPECT_EQ(op.state, MigrationState::kSucceeded);
  EXPECT_NE(op.complete_at, 0);
  EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kHibernating);
  EXPECT_EQ(
      hook_.Of(op.id),
      (std::vector<std::string>{
          "n/a -> " + M(MigrationState::kRequested),
          M(MigrationState::kRequested) + " -> " + M(MigrationState::kBackupInProgress),
          M(MigrationState::kBackupInProgress) + " -> " + M(MigrationState::kDatabaseSwitch),
          M(MigrationState::kDatabaseSwitch) + " -> " + M(MigrationState::kRefreshSecrets),
          M(MigrationState::kRefreshSecrets) + " -> " + M(MigrationState::kTriggerRestoration),
          M(MigrationState::kTriggerRestoration) + " -> " +
              M(MigrationState::kRestorationInProgress),
          M(MigrationState::kRestorationInProgress) + " -> " +
              M(MigrationState::kUpdatingInstallationConfig),
          M(MigrationState::kUpdatingInstallationConfig) + " -> " + M(MigrationState::kFinalizing),
          M(MigrationState::kFinalizing) + " -> " + M(MigrationState::kSucceeded)}));
  auto backup = backups_->GetInstallationBackup(op.backup_id);
  ASSERT_TRUE(backup && *backup);
  EXPECT_EQ((*backup)->state, model::BackupState::kBackupSucceeded);
  auto restoration = restorations_->GetInstallationDBRestorationOperation(
      op.installation_db_restoration_operation_id);
  ASSERT_TRUE(restoration && *restoration);
  EXPECT_EQ((*restoration)->state, model::RestorationState::kSucceeded);
  EXPECT_EQ((*restoration)->target_installation_state, "db-migration-in-progress");
  for (SimStep step : {SimStep::kMigrateOut, SimStep::kMigrateTo, SimStep::kRefreshSecrets,
                       SimStep::kExecJob, SimStep::kTriggerBackup, SimStep::kTriggerRestore}) {
    SCOPED_TRACE(std::string(provisioner::sim::ToString(step)));
    EXPECT_EQ(sim_->Calls(step), 1);
  }
  EXPECT_EQ(Count("InstallationBackup", installation_.id), 1u);
  EXPECT_EQ(Count("InstallationDBRestorationOperation", installation_.id), 1u);
}

TEST_P(DBMigrationSupervisorTest, RequestedCreatesABackupAndWakesItsSupervisor) {
  model::InstallationDBMigrationOperation op = NewMigration(installation_);
  auto held = locks_->AcquireOne(store::LockTable::kInstallation, installation_.id, "other");
  ASSERT_TRUE(held);
  EXPECT_EQ(Pass(op.id), StepOutcome::kStay);  // the installation lease is needed
  EXPECT_EQ(Count("InstallationBackup", installation_.id), 0u);
  ASSERT_TRUE(locks_->Release(*held));

  EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
  op = Get(op.id);
  EXPECT_EQ(op.state, MigrationState::kBackupInProgress);
  auto backup = backups_->GetInstallationBackup(op.backup_id);
  ASSERT_TRUE(backup && *backup);
  EXPECT_EQ((*backup)->state, model::BackupState::kBackupRequested);
  EXPECT_EQ(hook_.Of(op.backup_id), (std::vector<std::string>{"n/a -> backup-requested"}));
  EXPECT_EQ(notifier_.woken(),
            (std::vector<std::pair<std::string, std::string>>{{"backup", op.backup_id}}));

  EXPECT_EQ(Pass(op.id), StepOutcome::kStay);  // the backup runs
  SetBackupState(op.backup_id, model::BackupState::kBackupInProgress);
  EXPECT_EQ(Pass(op.id), StepOutcome::kStay);
  SetBackupState(op.backup_id, model::BackupState::kBackupSucceeded);
  EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
  EXPECT_EQ(Get(op.id).state, MigrationState::kDatabaseSwitch);
}

TEST_P(DBMigrationSupervisorTest, FailuresOfSteppingStatesStayAndAreRetried) {
  struct Case {
    MigrationState from;
    SimStep fail;
    MigrationState next;
  };
  const std::vector<Case> cases = {
      {MigrationState::kDatabaseSwitch, SimStep::kMigrateOut, MigrationState::kRefreshSecrets},
      {MigrationState::kDatabaseSwitch, SimStep::kMigrateTo, MigrationState::kRefreshSecrets},
      {MigrationState::kRefreshSecrets, SimStep::kRefreshSecrets,
       MigrationState::kTriggerRestoration},
      {MigrationState::kUpdatingInstallationConfig, SimStep::kExecJob, MigrationState::kFinalizing},
      {MigrationState::kRollbackRequested, SimStep::kRollbackMigration,
       MigrationState::kRollbackFinished},
      {MigrationState::kDeletionRequested, SimStep::kTeardownMigrated, MigrationState::kDeleted},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(M(c.from) + " failing " + std::string(provisioner::sim::ToString(c.fail)));
    SetInstallationState(installation_.id, InstallationState::kHibernating);
    model::InstallationDBMigrationOperation op = MigrationIn(c.from);
    sim_->FailNext(c.fail);
    EXPECT_EQ(Pass(op.id), StepOutcome::kStay);
    EXPECT_EQ(Get(op.id).state, c.from);
    Pass(op.id);
    EXPECT_EQ(Get(op.id).state, c.next);
    // Leave no pending operation behind for the next case.
    op = Get(op.id);
    op.state = MigrationState::kCommitted;
    Set(op);
  }
}

TEST_P(DBMigrationSupervisorTest, AFailedBackupOrRestorationFailsTheMigration) {
  {
    SCOPED_TRACE("backup failed");
    model::InstallationDBMigrationOperation op = NewMigration(installation_);
    EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
    SetBackupState(Get(op.id).backup_id, model::BackupState::kBackupFailed);
    EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
    EXPECT_EQ(Get(op.id).state, MigrationState::kFailing);
    EXPECT_EQ(Pass(op.id), StepOutcome::kDone);
    EXPECT_EQ(Get(op.id).state, MigrationState::kFailed);
    EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kDBMigrationFailed);
  }
  for (model::RestorationState failed :
       {model::RestorationState::kFailed, model::RestorationState::kInvalid}) {
    SCOPED_TRACE(std::string("restoration ") + std::string(model::ToString(failed)));
    SetInstallationState(installation_.id, InstallationState::kDBMigrationInProgress);
    model::InstallationDBMigrationOperation op = MigrationIn(MigrationState::kTriggerRestoration);
    EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
    op = Get(op.id);
    EXPECT_EQ(op.state, MigrationState::kRestorationInProgress);
    EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kDBRestorationInProgress);
    EXPECT_EQ(Pass(op.id), StepOutcome::kStay);
    SetRestorationState(op.installation_db_restoration_operation_id, failed);
    EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
    EXPECT_EQ(Get(op.id).state, MigrationState::kFailing);
    EXPECT_EQ(Pass(op.id), StepOutcome::kDone);
    EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kDBMigrationFailed);
  }
  {
    SCOPED_TRACE("backup gone before the restoration");
    SetInstallationState(installation_.id, InstallationState::kDBMigrationInProgress);
    model::InstallationDBMigrationOperation op = MigrationIn(MigrationState::kTriggerRestoration);
    op.backup_id = "nosuchbackup0000000000000";
    Set(op);
    EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
    EXPECT_EQ(Get(op.id).state, MigrationState::kFailing);
  }
}

TEST_P(DBMigrationSupervisorTest, RollbackAndDeletion) {
  SetInstallationState(installation_.id, InstallationState::kDBMigrationRollbackInProgress);
  model::InstallationDBMigrationOperation op = MigrationIn(MigrationState::kRollbackRequested);
  EXPECT_EQ(Pass(op.id), StepOutcome::kDone);
  EXPECT_EQ(Get(op.id).state, MigrationState::kRollbackFinished);
  EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kHibernating);
  EXPECT_EQ(GetInstallation(installation_.id).database, op.source_database);
  EXPECT_EQ(sim_->Calls(SimStep::kRollbackMigration, installation_.id), 1);
  EXPECT_EQ(sim_->Calls(SimStep::kRefreshSecrets, ci_.id), 1);

  op.state = MigrationState::kDeletionRequested;
  Set(op);
  EXPECT_EQ(Pass(op.id), StepOutcome::kDone);
  EXPECT_EQ(Get(op.id).state, MigrationState::kDeleted);
  EXPECT_NE(Get(op.id).delete_at, 0);
  EXPECT_EQ(sim_->Calls(SimStep::kTeardownMigrated, installation_.id), 1);
}

TEST_P(DBMigrationSupervisorTest, StepsRerunAfterACrashCreateNothingTwice) {
  model::InstallationDBMigrationOperation op = NewMigration(installation_);
  // requested: the backup was created, neither its ID nor the state were saved.
  ASSERT_TRUE(db().Exec("UPDATE InstallationDBMigrationOperation SET BackupID = '' WHERE ID = $1",
                        {op.id}));
  EXPECT_EQ(CrashedPass(op.id), MigrationState::kBackupInProgress);
  ASSERT_TRUE(db().Exec("UPDATE InstallationDBMigrationOperation SET BackupID = '' WHERE ID = $1",
                        {op.id}));
  EXPECT_EQ(Count("InstallationBackup", installation_.id), 1u);
  EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
  op = Get(op.id);
  EXPECT_EQ(op.state, MigrationState::kBackupInProgress);
  EXPECT_EQ(Count("InstallationBackup", installation_.id), 1u);  // adopted, not a second one
  SetBackupState(op.backup_id, model::BackupState::kBackupSucceeded);

  // trigger-restoration: the restoration was created (the installation moved to
  // db-restoration-in-progress), its ID and the state were not saved.
  op.state = MigrationState::kTriggerRestoration;
  Set(op);
  EXPECT_EQ(CrashedPass(op.id), MigrationState::kRestorationInProgress);
  EXPECT_TRUE(Get(op.id).installation_db_restoration_operation_id.empty() ||
              Get(op.id).state == MigrationState::kTriggerRestoration);
  ASSERT_TRUE(
      db().Exec("UPDATE InstallationDBMigrationOperation SET "
                "InstallationDBRestorationOperationID = '' WHERE ID = $1",
                {op.id}));
  EXPECT_EQ(Count("InstallationDBRestorationOperation", installation_.id), 1u);
  EXPECT_EQ(Pass(op.id), StepOutcome::kRequeue);
  op = Get(op.id);
  EXPECT_EQ(op.state, MigrationState::kRestorationInProgress);
  EXPECT_FALSE(op.installation_db_restoration_operation_id.empty());
  EXPECT_EQ(Count("InstallationDBRestorationOperation", installation_.id), 1u);

  // finalizing: the installation was moved to hibernating, the state was not saved.
  op.state = MigrationState::kFinalizing;
  Set(op);
  const size_t events = InstallationEventCount(installation_.id);
  EXPECT_EQ(CrashedPass(op.id), MigrationState::kSucceeded);
  const int64_t complete_at = Get(op.id).complete_at;
  EXPECT_NE(complete_at, 0);
  EXPECT_EQ(Pass(op.id), StepOutcome::kDone);
  EXPECT_EQ(Get(op.id).state, MigrationState::kSucceeded);
  EXPECT_EQ(Get(op.id).complete_at, complete_at);
  EXPECT_EQ(InstallationEventCount(installation_.id), events + 1);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(DBMigrationSupervisorTest);

}  // namespace
}  // namespace cloud::supervisor
