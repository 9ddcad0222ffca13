// ClusterInstallationSupervisor against the real stores (SQLite and PostgreSQL) and the sim
// cloud: every transition of upstream-core.md §1.4 on success and failure, missing parents,
// running backups holding deletion back, pending-work order, and the installation wake-up.
#include "supervisor/cluster_installation_supervisor.h"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/installation_enums.h"
#include "provisioner/sim/sim_cloud.h"
#include "store/sql_backup_store.h"
#include "store/sql_cluster_installation_store.h"
#include "store/sql_cluster_store.h"
#include "store/sql_dns_record_store.h"
#include "store/sql_installation_store.h"
#include "testlib/test_database.h"

namespace cloud::supervisor {
namespace {

using model::ClusterInstallationState;
using provisioner::sim::SimCloud;
using provisioner::sim::SimOptions;
using provisioner::sim::SimStep;
using E = std::pair<std::string, std::string>;

constexpr const char* kInstance = "supervisor-instance-1";

// Records wake-ups.
class RecordingNotifier final : public Notifier {
 public:
  void Notify(ResourceKind) override {}
  void Notify(ResourceKind kind, std::string_view id) override {
    std::lock_guard lock(mu_);
    woken_.emplace_back(std::string(ToString(kind)), std::string(id));
  }
  std::vector<E> woken() const {
    std::lock_guard lock(mu_);
    return woken_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<E> woken_;
};

class ClusterInstallationSupervisorTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = store::MakeSqlLockStore(db(), clock_);
    clusters_ = std::make_unique<store::SqlClusterStore>(db(), *locks_, clock_);
    installations_ = std::make_unique<store::SqlInstallationStore>(db(), *locks_, clock_);
    cis_ = std::make_unique<store::SqlClusterInstallationStore>(db(), *locks_, clock_);
    dns_ = std::make_unique<store::SqlDNSRecordStore>(db(), clock_);
    backups_ = std::make_unique<store::SqlBackupStore>(db(), *locks_, clock_);
    sim_ = std::make_unique<SimCloud>(clock_, logger_.log, SimOptions{.default_duration_ms = 0});
    provisioners_ = std::make_unique<provisioner::ProvisionerSet>(sim_->MakeProvisionerSet());
    supervisor_ = std::make_unique<ClusterInstallationSupervisor>(
        ClusterInstallationSupervisorStores{*cis_, *clusters_, *installations_, *dns_, *backups_,
                                            *locks_},
        *provisioners_, nullptr,
        ClusterInstallationSupervisorOptions{kInstance, "test", &notifier_}, logger_.log);

    model::Cluster c;
    c.state = model::ClusterState::kStable;
    c.provisioner_metadata_kops.emplace();
    c.provider_metadata_aws = model::AWSMetadata{{"us-east-1a"}};
    c.allow_installations = true;
    auto dto = clusters_->CreateCluster(c, {}, store::EventOptions::IfChanged());
    ASSERT_TRUE(dto) << dto.error().ToString();
    cluster_ = dto->cluster;
    ASSERT_TRUE(sim_->CreateCluster(cluster_));

    model::Installation i;
    i.owner_id = "owner";
    i.name = "inst";
    i.state = model::InstallationState::kCreationInProgress;
    i.size = "100users";
    i.database = "aws-rds";
    i.filestore = "aws-s3";
    i.affinity = "multitenant";
    i.cr_version = std::string(model::kV1betaCRVersion);
    auto inst = installations_->CreateInstallation(i, {}, {"inst.example.com"},
                                                   store::EventOptions::IfChanged());
    ASSERT_TRUE(inst) << inst.error().ToString();
    installation_ = inst->installation;
  }
  void TearDown() override {
    if (sim_) sim_->Shutdown();
    supervisor_.reset();
    DatabaseTest::TearDown();
  }

  model::ClusterInstallation Create(ClusterInstallationState state, bool in_sim,
                                    std::string cluster_id = {}, std::string installation_id = {}) {
    model::ClusterInstallation ci;
    ci.cluster_id = cluster_id.empty() ? cluster_.id : cluster_id;
    ci.installation_id = installation_id.empty() ? installation_.id : installation_id;
    ci.namespace_ = ci.installation_id;
    ci.state = state;
    ci.is_active = true;
    auto created = cis_->CreateClusterInstallation(ci, nullptr, store::EventOptions::IfChanged());
    EXPECT_TRUE(created) << created.error().ToString();
    clock_.Advance(10);
    if (!created) return {};
    if (in_sim) {
      EXPECT_TRUE(sim_->CreateClusterInstallation(cluster_, installation_, {}, *created));
    }
    return *created;
  }

  model::ClusterInstallation Get(const std::string& id) {
    auto ci = cis_->GetClusterInstallation(id);
    EXPECT_TRUE(ci && ci->has_value());
    return ci && ci->has_value() ? **ci : model::ClusterInstallation{};
  }

  size_t EventCount(const std::string& id) {
    auto rows = db().Query("SELECT COUNT(*) FROM StateChangeEvent WHERE ResourceID = $1", {id});
    EXPECT_TRUE(rows && rows->size() == 1);
    return rows && rows->size() == 1 ? static_cast<size_t>((*rows)[0].GetInt64(0)) : 0;
  }

  StepOutcome Pass(const std::string& id) {
    clock_.Advance(1);
    return supervisor_->Supervise(WorkItem{id, std::nullopt});
  }

  RecordingNotifier notifier_;
  std::unique_ptr<store::LockStore> locks_;
  std::unique_ptr<store::SqlClusterStore> clusters_;
  std::unique_ptr<store::SqlInstallationStore> installations_;
  std::unique_ptr<store::SqlClusterInstallationStore> cis_;
  std::unique_ptr<store::SqlDNSRecordStore> dns_;
  std::unique_ptr<store::SqlBackupStore> backups_;
  std::unique_ptr<SimCloud> sim_;
  std::unique_ptr<provisioner::ProvisionerSet> provisioners_;
  std::unique_ptr<ClusterInstallationSupervisor> supervisor_;
  model::Cluster cluster_;
  model::Installation installation_;
};

TEST_P(ClusterInstallationSupervisorTest, EveryStateTransitionsAsUpstream) {
  using S = ClusterInstallationState;
  struct Case {
    std::string name;
    S from;
    bool in_sim;  // the CR exists
    std::optional<SimStep> fail;
    int64_t ready_in_ms = 0;  // the CR's readiness delay (update duration)
    S expected;
  };
  const std::vector<Case> cases = {
      {"create", S::kCreationRequested, false, {}, 0, S::kReconciling},
      {"create: utilities fail (retried forever)", S::kCreationRequested, false,
       SimStep::kPrepareClusterUtilities, 0, S::kCreationRequested},
      {"create: CR creation fails (retried forever)", S::kCreationRequested, false,
       SimStep::kCreateClusterInstallation, 0, S::kCreationRequested},
      {"reconciling and stable", S::kReconciling, true, {}, 0, S::kStable},
      {"reconciling, readiness check fails", S::kReconciling, true,
       SimStep::kIsResourceReadyAndStable, 0, S::kReconciling},
      {"reconciling, not ready yet", S::kReconciling, true, {}, 1'000, S::kReconciling},
      {"ready, readiness check fails drops back", S::kReady, true,
       SimStep::kIsResourceReadyAndStable, 0, S::kReconciling},
      {"ready and stable", S::kReady, true, {}, 0, S::kStable},
      {"stable but license secret cleanup fails", S::kReconciling, true,
       SimStep::kDeleteOldLicenseSecrets, 0, S::kReconciling},
      {"deletion", S::kDeletionRequested, true, {}, 0, S::kDeleted},
      {"deletion fails", S::kDeletionRequested, true, SimStep::kDeleteClusterInstallation, 0,
       S::kDeletionFailed},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    model::ClusterInstallation ci = Create(c.from, c.in_sim);
    if (c.ready_in_ms > 0) {
      sim_->SetDuration(SimStep::kUpdateClusterInstallation, c.ready_in_ms);
      ASSERT_TRUE(sim_->UpdateClusterInstallation(cluster_, installation_, {}, ci));
      sim_->SetDuration(SimStep::kUpdateClusterInstallation, 0);
    }
    if (c.fail) {
      sim_->FailNext(*c.fail);
    }
    const size_t events_before = EventCount(ci.id);
    const StepOutcome outcome = Pass(ci.id);
    sim_->ClearFailures();
    EXPECT_EQ(Get(ci.id).state, c.expected) << model::ToString(Get(ci.id).state);
    const bool changed = c.expected != c.from;
    EXPECT_EQ(EventCount(ci.id), events_before + (changed ? 1 : 0));
    if (!changed) {
      EXPECT_EQ(outcome, StepOutcome::kStay);
    }
    if (c.expected == S::kDeleted) {
      EXPECT_NE(Get(ci.id).delete_at, 0);
      EXPECT_FALSE(sim_->ClusterInstallationExists(ci.id));
    }
    if (c.expected == S::kReconciling && c.from == S::kCreationRequested) {
      EXPECT_TRUE(sim_->ClusterInstallationExists(ci.id));
    }
  }
}

TEST_P(ClusterInstallationSupervisorTest, MissingClusterOrInstallationFailsRequests) {
  using S = ClusterInstallationState;
  struct Case {
    std::string name;
    S from;
    bool missing_cluster;
    S expected;
  };
  const std::vector<Case> cases = {
      {"creation without cluster", S::kCreationRequested, true, S::kCreationFailed},
      {"deletion without cluster", S::kDeletionRequested, true, S::kDeletionFailed},
      {"reconciling without cluster stays", S::kReconciling, true, S::kReconciling},
      {"creation without installation", S::kCreationRequested, false, S::kCreationFailed},
      {"deletion without installation", S::kDeletionRequested, false, S::kDeletionFailed},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    model::ClusterInstallation ci = c.missing_cluster
                                        ? Create(c.from, false, "nosuchcluster0000000000000")
                                        : Create(c.from, false, {}, "nosuchinstallation00000000");
    Pass(ci.id);
    EXPECT_EQ(Get(ci.id).state, c.expected);
  }
}

TEST_P(ClusterInstallationSupervisorTest, DeletionWaitsForRunningBackups) {
  model::ClusterInstallation ci = Create(ClusterInstallationState::kDeletionRequested, true);
  model::InstallationBackup b;
  b.installation_id = installation_.id;
  b.cluster_installation_id = ci.id;
  b.state = model::BackupState::kBackupInProgress;
  auto backup = backups_->CreateInstallationBackup(b, {});
  ASSERT_TRUE(backup) << backup.error().ToString();

  EXPECT_EQ(Pass(ci.id), StepOutcome::kStay);
  EXPECT_EQ(Get(ci.id).state, ClusterInstallationState::kDeletionRequested);
  EXPECT_EQ(sim_->Calls(SimStep::kDeleteClusterInstallation), 0);

  auto lease = locks_->AcquireOne(store::LockTable::kInstallationBackup, backup->id, "backups");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(backups_->UpdateInstallationBackupState(
      backup->id, model::BackupState::kBackupSucceeded, *lease, {}));
  ASSERT_TRUE(locks_->Release(*lease));
  EXPECT_EQ(Pass(ci.id), StepOutcome::kDone);
  EXPECT_EQ(Get(ci.id).state, ClusterInstallationState::kDeleted);
}

TEST_P(ClusterInstallationSupervisorTest, PendingWorkIsOrderedByPriority) {
  model::ClusterInstallation ready = Create(ClusterInstallationState::kReady, true);
  model::ClusterInstallation deletion = Create(ClusterInstallationState::kDeletionRequested, true);
  model::ClusterInstallation reconciling = Create(ClusterInstallationState::kReconciling, true);
  model::ClusterInstallation creation = Create(ClusterInstallationState::kCreationRequested, false);
  Create(ClusterInstallationState::kStable, true);
  auto work = supervisor_->GetPendingWork();
  ASSERT_TRUE(work) << work.error().ToString();
  EXPECT_EQ(*work, (std::vector<WorkItem>{{creation.id, "creation-requested"},
                                          {reconciling.id, "reconciling"},
                                          {ready.id, "ready"},
                                          {deletion.id, "deletion-requested"}}));
}

TEST_P(ClusterInstallationSupervisorTest, AStateChangeWakesTheInstallation) {
  model::ClusterInstallation ci = Create(ClusterInstallationState::kCreationRequested, false);
  sim_->FailNext(SimStep::kCreateClusterInstallation, ci.id);
  EXPECT_EQ(Pass(ci.id), StepOutcome::kStay);
  EXPECT_TRUE(notifier_.woken().empty());  // nothing changed
  EXPECT_EQ(Pass(ci.id), StepOutcome::kRequeue);
  EXPECT_EQ(Pass(ci.id), StepOutcome::kDone);
  EXPECT_EQ(notifier_.woken(), (std::vector<E>{{"installation", installation_.id},
                                               {"installation", installation_.id}}));
  EXPECT_EQ(sim_->Calls(SimStep::kCreateClusterInstallation, ci.id), 2);
  EXPECT_FALSE(Get(ci.id).lock_acquired_by.has_value());
}

CLOUD_INSTANTIATE_ENGINE_TESTS(ClusterInstallationSupervisorTest);

}  // namespace
}  // namespace cloud::supervisor
