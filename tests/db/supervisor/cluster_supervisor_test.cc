// ClusterSupervisor against the real cluster store (SQLite and PostgreSQL) and the sim cloud:
// every transition of upstream-core.md §1.2, failure paths, "stay" paths, pending-work order,
// abandoned selections, crash recovery by lease expiry, lease renewal during a long step, and
// the scheduler driving clusters to stable through wake-ups.
#include "supervisor/cluster_supervisor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "provisioner/sim/sim_cloud.h"
#include "store/sql_cluster_store.h"
#include "supervisor/scheduler.h"
#include "testlib/test_database.h"

namespace cloud::supervisor {
namespace {

using model::ClusterState;
using provisioner::sim::SimCloud;
using provisioner::sim::SimOptions;
using provisioner::sim::SimStep;

constexpr const char* kInstance = "supervisor-instance-1";

class ClusterSupervisorTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = store::MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<store::SqlClusterStore>(db(), *locks_, clock_);
    sim_ = std::make_unique<SimCloud>(clock_, logger_.log, SimOptions{.default_duration_ms = 0});
    provisioners_ = std::make_unique<provisioner::ProvisionerSet>(sim_->MakeProvisionerSet());
    renewer_ = std::make_unique<LeaseRenewer>(*locks_, clock_, logger_.log, 20'000);
    supervisor_ = std::make_unique<ClusterSupervisor>(
        *store_, *locks_, *provisioners_, renewer_.get(),
        ClusterSupervisorOptions{kInstance, "test"}, logger_.log);
  }
  void TearDown() override {
    if (sim_) sim_->Shutdown();
    supervisor_.reset();
    renewer_.reset();
    DatabaseTest::TearDown();
  }

  model::Cluster Create(ClusterState state) {
    model::Cluster c;
    c.state = state;
    c.provider = model::ClusterProvider::kAws;
    c.provider_metadata_aws = model::AWSMetadata{{"us-east-1a"}};
    c.provisioner = model::ClusterProvisioner::kKops;
    c.provisioner_metadata_kops.emplace();
    c.allow_installations = true;
    auto dto = store_->CreateCluster(c, {}, store::EventOptions::IfChanged());
    EXPECT_TRUE(dto) << dto.error().ToString();
    clock_.Advance(10);
    return dto ? dto->cluster : model::Cluster{};
  }

  // A cluster that already exists in the sim (for states past creation).
  model::Cluster CreateExisting(ClusterState state) {
    model::Cluster c = Create(state);
    EXPECT_TRUE(sim_->CreateCluster(c));
    return c;
  }

  model::Cluster Get(const std::string& id) {
    auto c = store_->GetCluster(id);
    EXPECT_TRUE(c && c->has_value());
    return c && c->has_value() ? **c : model::Cluster{};
  }

  ClusterState State(const std::string& id) { return Get(id).state; }

  // (old, new) state pairs of the cluster's events, oldest first.
  std::vector<std::pair<std::string, std::string>> Events(const std::string& id) {
    auto rows = db().Query(
        "SELECT OldState, NewState FROM StateChangeEvent JOIN Event ON Event.ID = "
        "StateChangeEvent.EventID WHERE ResourceID = $1 ORDER BY Event.Timestamp, Event.ID",
        {id});
    EXPECT_TRUE(rows) << rows.error().ToString();
    std::vector<std::pair<std::string, std::string>> out;
    if (!rows) return out;
    for (const auto& row : *rows) out.emplace_back(row.GetString(0), row.GetString(1));
    return out;
  }

  StepOutcome Pass(const std::string& id) {
    clock_.Advance(1);  // distinct event timestamps
    return supervisor_->Supervise(WorkItem{id, std::nullopt});
  }

  std::unique_ptr<store::LockStore> locks_;
  std::unique_ptr<store::SqlClusterStore> store_;
  std::unique_ptr<SimCloud> sim_;
  std::unique_ptr<provisioner::ProvisionerSet> provisioners_;
  std::unique_ptr<LeaseRenewer> renewer_;
  std::unique_ptr<ClusterSupervisor> supervisor_;
};

TEST_P(ClusterSupervisorTest, CreationGoesThroughEveryCreationStateToStable) {
  model::Cluster c = Create(ClusterState::kCreationRequested);
  sim_->SetDuration(SimStep::kCreateCluster, 1'000);
  sim_->SetDuration(SimStep::kCreateNodegroups, 500);

  EXPECT_EQ(Pass(c.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(c.id), ClusterState::kCreationInProgress);
  EXPECT_EQ(Get(c.id).provisioner_metadata_kops->name, c.id + "-kops.k8s.local");
  EXPECT_EQ(Pass(c.id), StepOutcome::kStay);  // not ready yet: nothing written
  EXPECT_EQ(State(c.id), ClusterState::kCreationInProgress);

  clock_.Advance(1'000);
  EXPECT_EQ(Pass(c.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(c.id), ClusterState::kWaitingForNodes);
  EXPECT_EQ(Pass(c.id), StepOutcome::kStay);

  clock_.Advance(500);
  EXPECT_EQ(Pass(c.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(c.id), ClusterState::kProvisionInProgress);  // provisioning is a new pass
  EXPECT_EQ(Pass(c.id), StepOutcome::kDone);
  EXPECT_EQ(State(c.id), ClusterState::kStable);

  using E = std::pair<std::string, std::string>;
  EXPECT_EQ(Events(c.id), (std::vector<E>{{"n/a", "creation-requested"},
                                          {"creation-requested", "creation-in-progress"},
                                          {"creation-in-progress", "waiting-for-nodes"},
                                          {"waiting-for-nodes", "provision-in-progress"},
                                          {"provision-in-progress", "stable"}}));
  EXPECT_TRUE(sim_->ClusterProvisioned(c.id));
  EXPECT_EQ(sim_->Calls(SimStep::kCreateCluster, c.id), 1);
  EXPECT_EQ(sim_->Calls(SimStep::kProvisionCluster, c.id), 1);
  EXPECT_FALSE(Get(c.id).lock_acquired_by.has_value());  // lease released
}

TEST_P(ClusterSupervisorTest, EveryPendingStateTransitionsAsUpstreamOnSuccessAndFailure) {
  struct Case {
    std::string name;
    ClusterState from;
    std::optional<SimStep> fail;
    ClusterState expected;
  };
  const std::vector<Case> cases = {
      {"create", ClusterState::kCreationRequested, {}, ClusterState::kProvisionInProgress},
      {"create fails", ClusterState::kCreationRequested, SimStep::kCreateCluster,
       ClusterState::kCreationFailed},
      {"create check fails", ClusterState::kCreationRequested, SimStep::kCheckClusterCreated,
       ClusterState::kCreationFailed},
      {"create nodegroups fails", ClusterState::kCreationRequested, SimStep::kCreateNodegroups,
       ClusterState::kCreationFailed},
      {"create nodegroups check fails", ClusterState::kCreationRequested,
       SimStep::kCheckNodegroupsCreated, ClusterState::kCreationFailed},
      {"in progress", ClusterState::kCreationInProgress, {}, ClusterState::kProvisionInProgress},
      {"in progress check fails", ClusterState::kCreationInProgress, SimStep::kCheckClusterCreated,
       ClusterState::kCreationFailed},
      {"waiting for nodes", ClusterState::kWaitingForNodes, {}, ClusterState::kProvisionInProgress},
      {"waiting for nodes check fails", ClusterState::kWaitingForNodes,
       SimStep::kCheckNodegroupsCreated, ClusterState::kCreationFailed},
      {"provision in progress", ClusterState::kProvisionInProgress, {}, ClusterState::kStable},
      {"provision fails", ClusterState::kProvisionInProgress, SimStep::kProvisionCluster,
       ClusterState::kProvisioningFailed},
      {"provision refresh fails", ClusterState::kProvisionInProgress,
       SimStep::kRefreshClusterMetadata, ClusterState::kRefreshMetadata},
      {"provisioning requested", ClusterState::kProvisioningRequested, {}, ClusterState::kStable},
      {"provisioning requested fails", ClusterState::kProvisioningRequested,
       SimStep::kProvisionCluster, ClusterState::kProvisioningFailed},
      {"refresh", ClusterState::kRefreshMetadata, {}, ClusterState::kStable},
      {"refresh fails (stays)", ClusterState::kRefreshMetadata, SimStep::kRefreshClusterMetadata,
       ClusterState::kRefreshMetadata},
      {"upgrade", ClusterState::kUpgradeRequested, {}, ClusterState::kStable},
      {"upgrade fails", ClusterState::kUpgradeRequested, SimStep::kUpgradeCluster,
       ClusterState::kUpgradeFailed},
      {"resize", ClusterState::kResizeRequested, {}, ClusterState::kStable},
      {"resize fails", ClusterState::kResizeRequested, SimStep::kResizeCluster,
       ClusterState::kResizeFailed},
      {"nodegroups creation",
       ClusterState::kNodegroupsCreationRequested,
       {},
       ClusterState::kStable},
      {"nodegroups creation fails", ClusterState::kNodegroupsCreationRequested,
       SimStep::kCreateNodegroups, ClusterState::kNodegroupsCreationFailed},
      {"nodegroups creation check fails", ClusterState::kNodegroupsCreationRequested,
       SimStep::kCheckNodegroupsCreated, ClusterState::kNodegroupsCreationFailed},
      {"nodegroups deletion",
       ClusterState::kNodegroupsDeletionRequested,
       {},
       ClusterState::kStable},
      {"nodegroups deletion fails", ClusterState::kNodegroupsDeletionRequested,
       SimStep::kDeleteNodegroups, ClusterState::kNodegroupsDeletionFailed},
      {"deletion", ClusterState::kDeletionRequested, {}, ClusterState::kDeleted},
      {"deletion fails", ClusterState::kDeletionRequested, SimStep::kDeleteCluster,
       ClusterState::kDeletionFailed},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    model::Cluster cluster =
        c.from == ClusterState::kCreationRequested ? Create(c.from) : CreateExisting(c.from);
    if (c.from == ClusterState::kWaitingForNodes) {
      ASSERT_TRUE(sim_->CreateNodegroups(cluster));
    }
    if (c.fail) sim_->FailNext(*c.fail, cluster.id);
    const size_t events_before = Events(cluster.id).size();
    const StepOutcome outcome = Pass(cluster.id);
    EXPECT_EQ(State(cluster.id), c.expected);
    const bool changed = c.expected != c.from;
    EXPECT_EQ(Events(cluster.id).size(), events_before + (changed ? 1 : 0));
    if (!changed) {
      EXPECT_EQ(outcome, StepOutcome::kStay);
    } else if (model::IsClusterStatePendingWork(c.expected)) {
      EXPECT_EQ(outcome, StepOutcome::kRequeue);
    } else {
      EXPECT_EQ(outcome, StepOutcome::kDone);
    }
    if (c.expected == ClusterState::kDeleted) {
      EXPECT_NE(Get(cluster.id).delete_at, 0);
      EXPECT_FALSE(sim_->ClusterExists(cluster.id));
    }
  }
}

TEST_P(ClusterSupervisorTest, StatesWithoutPendingWorkAreLeftAlone) {
  for (ClusterState state : model::kAllClusterStates) {
    if (model::IsClusterStatePendingWork(state)) continue;
    SCOPED_TRACE(std::string(model::ToString(state)));
    model::Cluster c = Create(state);
    EXPECT_EQ(Pass(c.id), StepOutcome::kDone);
    EXPECT_EQ(State(c.id), state);
    EXPECT_EQ(Events(c.id).size(), 1u);  // only the creation event
  }
  EXPECT_EQ(sim_->Calls(SimStep::kProvisionCluster), 0);
  EXPECT_EQ(sim_->Calls(SimStep::kDeleteCluster), 0);
}

TEST_P(ClusterSupervisorTest, DeletionThatIsNotDoneStaysWithoutAnEvent) {
  model::Cluster c = CreateExisting(ClusterState::kDeletionRequested);
  sim_->SetDuration(SimStep::kDeleteCluster, 1'000);
  EXPECT_EQ(Pass(c.id), StepOutcome::kStay);
  EXPECT_EQ(State(c.id), ClusterState::kDeletionRequested);
  EXPECT_EQ(Get(c.id).delete_at, 0);
  EXPECT_EQ(Events(c.id).size(), 1u);
  clock_.Advance(1'000);
  EXPECT_EQ(Pass(c.id), StepOutcome::kDone);
  EXPECT_EQ(State(c.id), ClusterState::kDeleted);
  EXPECT_NE(Get(c.id).delete_at, 0);
}

TEST_P(ClusterSupervisorTest, FailedStepIsRetriedAfterTheApiRequestsItAgain) {
  model::Cluster c = CreateExisting(ClusterState::kProvisioningRequested);
  sim_->FailNext(SimStep::kProvisionCluster, c.id);
  EXPECT_EQ(Pass(c.id), StepOutcome::kDone);
  EXPECT_EQ(State(c.id), ClusterState::kProvisioningFailed);
  // The API moves provisioning-failed -> provisioning-requested under its own lease.
  auto lease = locks_->AcquireOne(store::LockTable::kCluster, c.id, "api-request");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(store_->UpdateClusterState(c.id, ClusterState::kProvisioningRequested, *lease));
  ASSERT_TRUE(locks_->Release(*lease));
  EXPECT_EQ(Pass(c.id), StepOutcome::kDone);
  EXPECT_EQ(State(c.id), ClusterState::kStable);
  EXPECT_EQ(sim_->Calls(SimStep::kProvisionCluster, c.id), 2);
}

TEST_P(ClusterSupervisorTest, PendingWorkIsOrderedByPriorityAndSkipsLeasedRows) {
  model::Cluster provision = Create(ClusterState::kProvisionInProgress);
  model::Cluster deletion = Create(ClusterState::kDeletionRequested);
  model::Cluster creation = Create(ClusterState::kCreationRequested);
  model::Cluster stable = Create(ClusterState::kStable);
  model::Cluster waiting = Create(ClusterState::kWaitingForNodes);
  model::Cluster leased = Create(ClusterState::kCreationRequested);
  ASSERT_TRUE(locks_->AcquireOne(store::LockTable::kCluster, leased.id, "someone-else"));

  auto work = supervisor_->GetPendingWork();
  ASSERT_TRUE(work) << work.error().ToString();
  EXPECT_EQ(*work, (std::vector<WorkItem>{{creation.id, "creation-requested"},
                                          {waiting.id, "waiting-for-nodes"},
                                          {provision.id, "provision-in-progress"},
                                          {deletion.id, "deletion-requested"}}));
}

TEST_P(ClusterSupervisorTest, ASelectionWhoseStateChangedIsAbandoned) {
  model::Cluster c = CreateExisting(ClusterState::kProvisioningRequested);
  StepOutcome outcome = supervisor_->Supervise(WorkItem{c.id, std::string("creation-requested")});
  EXPECT_EQ(outcome, StepOutcome::kRequeue);  // still has work: taken again without selection
  EXPECT_EQ(State(c.id), ClusterState::kProvisioningRequested);
  EXPECT_EQ(sim_->Calls(SimStep::kProvisionCluster), 0);
  EXPECT_EQ(sim_->Calls(SimStep::kPrepareCluster), 0);
}

TEST_P(ClusterSupervisorTest, AStepIsRerunAfterACrashOnceTheDeadLeaseExpires) {
  model::Cluster c = Create(ClusterState::kCreationRequested);
  // The crashed instance claimed the cluster and created it in the cloud, then died before
  // saving the new state.
  auto dead = locks_->AcquireOne(store::LockTable::kCluster, c.id, "crashed-instance");
  ASSERT_TRUE(dead);
  ASSERT_TRUE(sim_->CreateCluster(c));

  EXPECT_EQ(Pass(c.id), StepOutcome::kSkipped);  // never before expiry
  clock_.Advance(locks_->lease_duration_ms() - 10);
  EXPECT_EQ(Pass(c.id), StepOutcome::kSkipped);
  EXPECT_EQ(sim_->Calls(SimStep::kPrepareCluster), 0);

  clock_.Advance(20);
  EXPECT_EQ(Pass(c.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(c.id), ClusterState::kProvisionInProgress);
  EXPECT_EQ(sim_->Calls(SimStep::kCreateCluster, c.id), 2);  // re-run, idempotent
  EXPECT_TRUE(sim_->ClusterExists(c.id));

  // The crashed instance comes back: its fenced write is refused.
  Result<void> stale = store_->UpdateClusterState(c.id, ClusterState::kCreationFailed, *dead);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(State(c.id), ClusterState::kProvisionInProgress);
}

TEST_P(ClusterSupervisorTest, ALongStepKeepsItsLeaseByRenewal) {
  model::Cluster c = CreateExisting(ClusterState::kProvisioningRequested);
  sim_->SetDuration(SimStep::kProvisionCluster, c.id, 120'000);  // twice the lease duration
  std::atomic<int> outcome{-1};
  std::thread worker([&] {
    outcome = static_cast<int>(supervisor_->Supervise(WorkItem{c.id, std::nullopt}));
  });
  for (int i = 0; i < 50'000'000 && sim_->InFlight() == 0; ++i) std::this_thread::yield();
  ASSERT_EQ(sim_->InFlight(), 1);

  clock_.Advance(30'000);
  EXPECT_EQ(renewer_->RenewDueForTest(), 1);
  clock_.Advance(40'000);  // 70 s after the claim, 40 s after the renewal
  auto other = locks_->AcquireOne(store::LockTable::kCluster, c.id, "other-instance");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);

  clock_.Advance(50'000);
  sim_->Wake();
  worker.join();
  EXPECT_EQ(outcome.load(), static_cast<int>(StepOutcome::kDone));
  EXPECT_EQ(State(c.id), ClusterState::kStable);
}

TEST_P(ClusterSupervisorTest, SchedulerDrivesClustersToStableThroughWakeUps) {
  std::vector<model::Cluster> clusters;
  for (int i = 0; i < 4; ++i) clusters.push_back(Create(ClusterState::kCreationRequested));
  Scheduler scheduler(*supervisor_,
                      SchedulerOptions{.workers = 3, .poll_ms = 0, .stay_backoff_min_ms = 0},
                      clock_, logger_.log);
  scheduler.Start();
  for (const model::Cluster& c : clusters) scheduler.Notify(c.id);
  ASSERT_TRUE(scheduler.WaitIdleForTest(60'000));
  scheduler.Stop();
  for (const model::Cluster& c : clusters) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(State(c.id), ClusterState::kStable);
    EXPECT_EQ(sim_->Calls(SimStep::kCreateCluster, c.id), 1);
    EXPECT_EQ(sim_->Calls(SimStep::kProvisionCluster, c.id), 1);
    // n/a -> creation-requested -> provision-in-progress (create, check and nodegroups in one
    // pass) -> stable (the requeued pass).
    EXPECT_EQ(Events(c.id).size(), 3u);
  }
}

CLOUD_INSTANTIATE_ENGINE_TESTS(ClusterSupervisorTest);

}  // namespace
}  // namespace cloud::supervisor
