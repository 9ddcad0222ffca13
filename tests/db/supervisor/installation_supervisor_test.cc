// InstallationSupervisor (with the ClusterInstallationSupervisor and the
// InstallationDeletionSupervisor it works with) against the real stores (SQLite and PostgreSQL)
// and the sim cloud with zero durations: the creation sequence and its events, every failure
// path of upstream-core.md §1.3, placement rules (§6), no compatible clusters, hibernation and
// wake-up, update, both deletion paths, the group sequence check, and an end-to-end run of the
// schedulers driving a cluster and 20 installations to stable.
#include "supervisor/installation_supervisor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "model/installation_enums.h"
#include "provisioner/sim/sim_cloud.h"
#include "store/sql_annotation_store.h"
#include "store/sql_backup_store.h"
#include "store/sql_cluster_installation_store.h"
#include "store/sql_cluster_store.h"
#include "store/sql_db_migration_store.h"
#include "store/sql_db_restoration_store.h"
#include "store/sql_dns_record_store.h"
#include "store/sql_event_store.h"
#include "store/sql_group_store.h"
#include "store/sql_installation_store.h"
#include "supervisor/cluster_installation_supervisor.h"
#include "supervisor/cluster_supervisor.h"
#include "supervisor/installation_deletion_supervisor.h"
#include "supervisor/scheduler.h"
#include "supervisor/scheduler_set.h"
#include "testlib/test_database.h"

namespace cloud::supervisor {
namespace {

using model::ClusterInstallationState;
using model::ClusterState;
using model::InstallationState;
using provisioner::sim::SimCloud;
using provisioner::sim::SimOptions;
using provisioner::sim::SimStep;
using E = std::pair<std::string, std::string>;

constexpr const char* kInstance = "supervisor-instance-1";

class InstallationSupervisorTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = store::MakeSqlLockStore(db(), clock_);
    clusters_ = std::make_unique<store::SqlClusterStore>(db(), *locks_, clock_);
    installations_ = std::make_unique<store::SqlInstallationStore>(db(), *locks_, clock_);
    cis_ = std::make_unique<store::SqlClusterInstallationStore>(db(), *locks_, clock_);
    groups_ = std::make_unique<store::SqlGroupStore>(db(), *locks_, clock_);
    dns_ = std::make_unique<store::SqlDNSRecordStore>(db(), clock_);
    annotations_ = std::make_unique<store::SqlAnnotationStore>(db());
    backups_ = std::make_unique<store::SqlBackupStore>(db(), *locks_, clock_);
    migrations_ = std::make_unique<store::SqlDBMigrationStore>(db(), *locks_, clock_);
    restorations_ = std::make_unique<store::SqlDBRestorationStore>(db(), *locks_, clock_);
    events_ = std::make_unique<store::SqlEventStore>(db());
    sim_ = std::make_unique<SimCloud>(clock_, logger_.log, SimOptions{.default_duration_ms = 0});
    provisioners_ = std::make_unique<provisioner::ProvisionerSet>(sim_->MakeProvisionerSet());
    MakeSupervisors({}, nullptr);
  }
  void TearDown() override {
    if (sim_) sim_->Shutdown();
    deletion_.reset();
    ci_supervisor_.reset();
    supervisor_.reset();
    DatabaseTest::TearDown();
  }

  void MakeSupervisors(InstallationSchedulingOptions scheduling, Notifier* notifier) {
    InstallationSupervisorOptions options;
    options.instance_id = kInstance;
    options.environment = "test";
    options.scheduling = scheduling;
    options.notifier = notifier;
    supervisor_ = std::make_unique<InstallationSupervisor>(
        InstallationSupervisorStores{*installations_, *cis_, *clusters_, *groups_, *dns_,
                                     *annotations_, *backups_, *migrations_, *restorations_,
                                     *locks_},
        *provisioners_, nullptr, options, logger_.log);
    ci_supervisor_ = std::make_unique<ClusterInstallationSupervisor>(
        ClusterInstallationSupervisorStores{*cis_, *clusters_, *installations_, *dns_, *backups_,
                                            *locks_},
        *provisioners_, nullptr, ClusterInstallationSupervisorOptions{kInstance, "test", notifier},
        logger_.log);
    InstallationDeletionSupervisorOptions deletion_options;
    deletion_options.instance_id = kInstance;
    deletion_options.environment = "test";
    deletion_options.deletion_pending_time_ms = 60'000;
    deletion_options.max_updating = 25;
    deletion_options.notifier = notifier;
    deletion_ = std::make_unique<InstallationDeletionSupervisor>(
        *installations_, *events_, *locks_, clock_, nullptr, deletion_options, logger_.log);
  }

  // A cluster (existing in the sim unless still being created).
  model::Cluster CreateCluster(ClusterState state = ClusterState::kStable,
                               std::vector<std::string> annotations = {},
                               bool allow_installations = true) {
    model::Cluster c;
    c.state = state;
    c.provider = model::ClusterProvider::kAws;
    c.provider_metadata_aws = model::AWSMetadata{{"us-east-1a"}};
    c.provisioner = model::ClusterProvisioner::kKops;
    c.provisioner_metadata_kops.emplace();
    c.provisioner_metadata_kops->node_min_count = 2;
    c.provisioner_metadata_kops->node_max_count = 2;
    c.allow_installations = allow_installations;
    auto dto = clusters_->CreateCluster(c, annotations, store::EventOptions::IfChanged());
    EXPECT_TRUE(dto) << dto.error().ToString();
    clock_.Advance(10);
    if (!dto) return {};
    if (state != ClusterState::kCreationRequested) {
      EXPECT_TRUE(sim_->CreateCluster(dto->cluster));
    }
    return dto->cluster;
  }

  model::Installation CreateInstallation(
      InstallationState state = InstallationState::kCreationRequested,
      std::string affinity = "multitenant", std::vector<std::string> annotations = {}) {
    static int counter = 0;
    const std::string name = "inst" + std::to_string(++counter);
    model::Installation i;
    i.owner_id = "owner";
    i.name = name;
    i.state = state;
    i.size = "100users";
    i.version = "stable";
    i.image = "mattermost/mattermost-enterprise-edition";
    i.database = "aws-multitenant-rds-postgres";
    i.filestore = "aws-multitenant-s3";
    i.affinity = affinity;
    i.cr_version = std::string(model::kV1betaCRVersion);
    auto dto = installations_->CreateInstallation(i, annotations, {name + ".example.com"},
                                                  store::EventOptions::IfChanged());
    EXPECT_TRUE(dto) << dto.error().ToString();
    clock_.Advance(10);
    return dto ? dto->installation : model::Installation{};
  }

  // A CI of `installation` on `cluster` in `state`, existing in the sim.
  model::ClusterInstallation AddCI(const model::Installation& installation,
                                   const model::Cluster& cluster, ClusterInstallationState state) {
    model::ClusterInstallation ci;
    ci.cluster_id = cluster.id;
    ci.installation_id = installation.id;
    ci.namespace_ = installation.id;
    ci.state = state;
    ci.is_active = true;
    auto created = cis_->CreateClusterInstallation(ci, nullptr, store::EventOptions::IfChanged());
    EXPECT_TRUE(created) << created.error().ToString();
    if (!created) return {};
    EXPECT_TRUE(sim_->CreateClusterInstallation(cluster, installation, {}, *created));
    clock_.Advance(1);
    return *created;
  }

  // Moves the installation as the API would (own lease, event).
  void SetState(const std::string& id, InstallationState state) {
    clock_.Advance(1);
    auto lease = locks_->AcquireOne(store::LockTable::kInstallation, id, "api-request");
    ASSERT_TRUE(lease) << lease.error().ToString();
    ASSERT_TRUE(installations_->UpdateInstallationState(id, state, *lease));
    ASSERT_TRUE(locks_->Release(*lease));
    clock_.Advance(1);
  }

  model::Installation Get(const std::string& id) {
    auto i = installations_->GetInstallation(id, store::GroupMerge::None());
    EXPECT_TRUE(i && i->has_value());
    return i && i->has_value() ? **i : model::Installation{};
  }
  InstallationState State(const std::string& id) { return Get(id).state; }

  std::vector<model::ClusterInstallation> CIs(const std::string& installation_id,
                                              bool include_deleted = false) {
    model::ClusterInstallationFilter filter;
    filter.paging.per_page = model::Paging::kAllPerPage;
    filter.paging.include_deleted = include_deleted;
    filter.installation_id = installation_id;
    auto cis = cis_->GetClusterInstallations(filter);
    EXPECT_TRUE(cis) << cis.error().ToString();
    return cis ? *cis : std::vector<model::ClusterInstallation>{};
  }

  // (old, new) state pairs of a resource's events, oldest first.
  std::vector<E> Events(const std::string& id) {
    auto rows = db().Query(
        "SELECT OldState, NewState FROM StateChangeEvent JOIN Event ON Event.ID = "
        "StateChangeEvent.EventID WHERE ResourceID = $1 ORDER BY Event.Timestamp, Event.ID",
        {id});
    EXPECT_TRUE(rows) << rows.error().ToString();
    std::vector<E> out;
    if (!rows) return out;
    for (const auto& row : *rows) out.emplace_back(row.GetString(0), row.GetString(1));
    return out;
  }
  // The timestamp of the resource's event into `new_state`.
  int64_t EventTime(const std::string& id, const std::string& new_state) {
    auto rows = db().Query(
        "SELECT Event.Timestamp FROM StateChangeEvent JOIN Event ON Event.ID = "
        "StateChangeEvent.EventID WHERE ResourceID = $1 AND NewState = $2",
        {id, new_state});
    EXPECT_TRUE(rows && rows->size() == 1);
    return rows && rows->size() == 1 ? (*rows)[0].GetInt64(0) : -1;
  }

  StepOutcome Pass(const std::string& id) {
    clock_.Advance(1);  // distinct event timestamps
    return supervisor_->Supervise(WorkItem{id, std::nullopt});
  }
  StepOutcome CIPass(const std::string& id) {
    clock_.Advance(1);
    return ci_supervisor_->Supervise(WorkItem{id, std::nullopt});
  }
  StepOutcome DeletionPass(const std::string& id) {
    clock_.Advance(1);
    return deletion_->Supervise(WorkItem{id, std::nullopt});
  }
  // Runs CI passes on every CI of the installation until none changes.
  void SettleCIs(const std::string& installation_id) {
    for (int round = 0; round < 5; ++round) {
      for (const auto& ci : CIs(installation_id, true)) CIPass(ci.id);
    }
  }

  // An installation driven to stable (on the one cluster there is).
  model::Installation CreateStable() {
    model::Installation i = CreateInstallation();
    EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue);
    SettleCIs(i.id);
    EXPECT_EQ(Pass(i.id), StepOutcome::kDone);
    EXPECT_EQ(State(i.id), InstallationState::kStable);
    return Get(i.id);
  }

  std::unique_ptr<store::LockStore> locks_;
  std::unique_ptr<store::SqlClusterStore> clusters_;
  std::unique_ptr<store::SqlInstallationStore> installations_;
  std::unique_ptr<store::SqlClusterInstallationStore> cis_;
  std::unique_ptr<store::SqlGroupStore> groups_;
  std::unique_ptr<store::SqlDNSRecordStore> dns_;
  std::unique_ptr<store::SqlAnnotationStore> annotations_;
  std::unique_ptr<store::SqlBackupStore> backups_;
  std::unique_ptr<store::SqlDBMigrationStore> migrations_;
  std::unique_ptr<store::SqlDBRestorationStore> restorations_;
  std::unique_ptr<store::SqlEventStore> events_;
  std::unique_ptr<SimCloud> sim_;
  std::unique_ptr<provisioner::ProvisionerSet> provisioners_;
  std::unique_ptr<InstallationSupervisor> supervisor_;
  std::unique_ptr<ClusterInstallationSupervisor> ci_supervisor_;
  std::unique_ptr<InstallationDeletionSupervisor> deletion_;
};

TEST_P(InstallationSupervisorTest, CreationReachesStableWithTheUpstreamEventSequence) {
  model::Cluster cluster = CreateCluster();
  model::Installation i = CreateInstallation();

  // Tick 1: the CI is placed, the DB/filestore provisioned, DNS configured; the CI is not
  // stable yet.
  EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(i.id), InstallationState::kCreationInProgress);
  std::vector<model::ClusterInstallation> cis = CIs(i.id);
  ASSERT_EQ(cis.size(), 1u);
  const model::ClusterInstallation ci = cis[0];
  EXPECT_EQ(ci.cluster_id, cluster.id);
  EXPECT_EQ(ci.namespace_, i.id);
  EXPECT_TRUE(ci.is_active);
  EXPECT_EQ(ci.state, ClusterInstallationState::kCreationRequested);
  EXPECT_FALSE(Get(i.id).lock_acquired_by.has_value());  // lease released

  EXPECT_EQ(CIPass(ci.id), StepOutcome::kRequeue);  // creation-requested -> reconciling
  EXPECT_EQ(CIPass(ci.id), StepOutcome::kDone);     // reconciling -> stable
  EXPECT_EQ(Pass(i.id), StepOutcome::kDone);
  EXPECT_EQ(State(i.id), InstallationState::kStable);

  EXPECT_EQ(Events(i.id), (std::vector<E>{{"n/a", "creation-requested"},
                                          {"creation-requested", "creation-in-progress"},
                                          {"creation-in-progress", "stable"}}));
  EXPECT_EQ(Events(ci.id), (std::vector<E>{{"n/a", "creation-requested"},
                                           {"creation-requested", "reconciling"},
                                           {"reconciling", "stable"}}));
  // The upstream e2e order across resources.
  EXPECT_LE(EventTime(ci.id, "creation-requested"), EventTime(i.id, "creation-in-progress"));
  EXPECT_LT(EventTime(i.id, "creation-in-progress"), EventTime(ci.id, "reconciling"));
  EXPECT_LT(EventTime(ci.id, "stable"), EventTime(i.id, "stable"));

  EXPECT_TRUE(sim_->DatabaseExists(i.id));
  EXPECT_TRUE(sim_->FilestoreExists(i.id));
  EXPECT_TRUE(sim_->ClusterInstallationExists(ci.id));
  EXPECT_EQ(sim_->DNSRecord(i.name + ".example.com"),
            std::vector<std::string>{"nginx-" + cluster.id + ".elb.sim.cloud"});
  EXPECT_EQ(sim_->Calls(SimStep::kProvisionDatabase, i.id), 1);
  EXPECT_EQ(sim_->Calls(SimStep::kProvisionFilestore, i.id), 1);
  EXPECT_EQ(sim_->Calls(SimStep::kCreateClusterInstallation, ci.id), 1);
  EXPECT_EQ(sim_->Calls(SimStep::kCreateDNSRecords), 1);
}

TEST_P(InstallationSupervisorTest, PendingWorkIsOrderedByPriority) {
  model::Installation update = CreateInstallation(InstallationState::kUpdateRequested);
  model::Installation in_progress = CreateInstallation(InstallationState::kCreationInProgress);
  model::Installation requested = CreateInstallation(InstallationState::kCreationRequested);
  CreateInstallation(InstallationState::kStable);
  model::Installation leased = CreateInstallation(InstallationState::kCreationRequested);
  ASSERT_TRUE(locks_->AcquireOne(store::LockTable::kInstallation, leased.id, "someone-else"));
  auto work = supervisor_->GetPendingWork();
  ASSERT_TRUE(work) << work.error().ToString();
  EXPECT_EQ(*work, (std::vector<WorkItem>{{requested.id, "creation-requested"},
                                          {in_progress.id, "creation-in-progress"},
                                          {update.id, "update-requested"}}));
}

TEST_P(InstallationSupervisorTest, EveryFailurePathEndsInTheUpstreamState) {
  model::Cluster cluster = CreateCluster();
  struct Case {
    std::string name;
    InstallationState from;
    std::vector<ClusterInstallationState> cis;  // existing CIs
    std::optional<SimStep> fail;
    InstallationState expected;
  };
  using CI = ClusterInstallationState;
  using S = InstallationState;
  const std::vector<Case> cases = {
      {"database provisioning fails",
       S::kCreationRequested,
       {},
       SimStep::kProvisionDatabase,
       S::kCreationPreProvisioning},
      {"filestore provisioning fails",
       S::kCreationRequested,
       {},
       SimStep::kProvisionFilestore,
       S::kCreationPreProvisioning},
      {"pre-provisioning retried fails",
       S::kCreationPreProvisioning,
       {CI::kCreationRequested},
       SimStep::kProvisionDatabase,
       S::kCreationPreProvisioning},
      {"DNS upsert fails", S::kCreationRequested, {}, SimStep::kCreateDNSRecords, S::kCreationDNS},
      {"load balancer lookup fails",
       S::kCreationRequested,
       {},
       SimStep::kGetPublicLoadBalancerEndpoint,
       S::kCreationDNS},
      {"configuring DNS retried fails",
       S::kCreationDNS,
       {CI::kStable},
       SimStep::kCreateDNSRecords,
       S::kCreationDNS},
      {"a CI failed creation",
       S::kCreationInProgress,
       {CI::kCreationFailed},
       {},
       S::kCreationFailed},
      {"CIs only ready count as created", S::kCreationInProgress, {CI::kReady}, {}, S::kStable},
      {"update of the CR fails",
       S::kUpdateRequested,
       {CI::kStable},
       SimStep::kUpdateClusterInstallation,
       S::kUpdateRequested},
      {"CR migration fails",
       S::kUpdateRequested,
       {CI::kStable},
       SimStep::kEnsureCRMigrated,
       S::kUpdateRequested},
      {"a CI failed during update",
       S::kUpdateInProgress,
       {CI::kCreationFailed},
       {},
       S::kUpdateFailed},
      {"ready is not stable for an update",
       S::kUpdateInProgress,
       {CI::kReady},
       {},
       S::kUpdateInProgress},
      {"load balancer lookup fails after update",
       S::kUpdateInProgress,
       {CI::kStable},
       SimStep::kGetPublicLoadBalancerEndpoint,
       S::kUpdateFailed},
      {"DNS upsert fails after update (stays)",
       S::kUpdateInProgress,
       {CI::kStable},
       SimStep::kCreateDNSRecords,
       S::kUpdateInProgress},
      {"hibernating the CR fails",
       S::kHibernationRequested,
       {CI::kStable},
       SimStep::kHibernateClusterInstallation,
       S::kHibernationRequested},
      {"DB metadata refresh fails before hibernation",
       S::kHibernationRequested,
       {CI::kStable},
       SimStep::kRefreshResourceMetadata,
       S::kHibernationRequested},
      {"hibernation without CIs", S::kHibernationRequested, {}, {}, S::kHibernationRequested},
      {"a CI failed during hibernation (no failure state)",
       S::kHibernationInProgress,
       {CI::kCreationFailed},
       {},
       S::kHibernationInProgress},
      {"DB metadata refresh fails on wake-up",
       S::kWakeUpRequested,
       {CI::kStable},
       SimStep::kRefreshResourceMetadata,
       S::kWakeUpRequested},
      {"DB metadata refresh fails on cancellation",
       S::kDeletionCancellationRequested,
       {CI::kStable},
       SimStep::kRefreshResourceMetadata,
       S::kDeletionCancellationRequested},
      {"hibernating for pending deletion fails",
       S::kDeletionPendingRequested,
       {CI::kStable},
       SimStep::kHibernateClusterInstallation,
       S::kDeletionPendingRequested},
      {"a CI in ready cannot be deleted",
       S::kDeletionRequested,
       {CI::kReady},
       {},
       S::kDeletionFailed},
      {"a CI deletion failed",
       S::kDeletionInProgress,
       {CI::kDeletionFailed},
       {},
       S::kDeletionFailed},
      {"a new deletion request retries failed CIs",
       S::kDeletionRequested,
       {CI::kDeletionFailed},
       {},
       S::kDeletionInProgress},
      {"DNS record deletion fails",
       S::kDeletionFinalCleanup,
       {CI::kDeleted},
       SimStep::kDeleteDNSRecords,
       S::kDeletionFinalCleanup},
      {"database teardown fails",
       S::kDeletionRequested,
       {CI::kDeleted},
       SimStep::kTeardownDatabase,
       S::kDeletionFinalCleanup},
      {"filestore teardown fails",
       S::kDeletionFinalCleanup,
       {},
       SimStep::kTeardownFilestore,
       S::kDeletionFinalCleanup},
      {"DNS for a migrated hibernating installation fails",
       S::kDNSMigrationHibernating,
       {CI::kStable},
       SimStep::kCreateDNSRecords,
       S::kDNSMigrationHibernating},
      {"DNS for a migrated hibernating installation",
       S::kDNSMigrationHibernating,
       {CI::kStable},
       {},
       S::kHibernating},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    model::Installation i = CreateInstallation(c.from);
    for (ClusterInstallationState s : c.cis) AddCI(i, cluster, s);
    if (c.fail) sim_->FailNext(*c.fail);
    const size_t events_before = Events(i.id).size();
    const StepOutcome outcome = Pass(i.id);
    sim_->ClearFailures();
    EXPECT_EQ(State(i.id), c.expected) << model::ToString(State(i.id));
    const bool changed = c.expected != c.from;
    EXPECT_EQ(Events(i.id).size(), events_before + (changed ? 1 : 0));
    if (!changed) {
      EXPECT_EQ(outcome, StepOutcome::kStay);
    }
  }
}

TEST_P(InstallationSupervisorTest, NoCompatibleClusterIsRetriedUntilOneAppears) {
  model::Installation i = CreateInstallation();
  EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(i.id), InstallationState::kCreationNoCompatibleClusters);
  EXPECT_EQ(Pass(i.id), StepOutcome::kStay);  // nothing written again

  // Clusters that do not qualify.
  CreateCluster(ClusterState::kStable, {}, /*allow_installations=*/false);
  CreateCluster(ClusterState::kCreationInProgress);
  CreateCluster(ClusterState::kDeletionRequested);
  EXPECT_EQ(Pass(i.id), StepOutcome::kStay);
  EXPECT_TRUE(CIs(i.id).empty());

  model::Cluster good = CreateCluster(ClusterState::kUpgradeRequested);  // schedulable state
  EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(i.id), InstallationState::kCreationInProgress);
  ASSERT_EQ(CIs(i.id).size(), 1u);
  EXPECT_EQ(CIs(i.id)[0].cluster_id, good.id);
  EXPECT_EQ(Events(i.id),
            (std::vector<E>{{"n/a", "creation-requested"},
                            {"creation-requested", "creation-no-compatible-clusters"},
                            {"creation-no-compatible-clusters", "creation-in-progress"}}));
}

TEST_P(InstallationSupervisorTest, PlacementFollowsAffinityAnnotationsAndLocks) {
  // Isolated installations need an empty cluster; multitenant ones avoid a cluster whose only
  // CI is isolated; annotations restrict the candidates; a cluster whose scheduling lock is
  // held is skipped.
  model::Cluster busy = CreateCluster();
  model::Installation other = CreateInstallation(InstallationState::kStable);
  AddCI(other, busy, ClusterInstallationState::kStable);
  model::Cluster isolated_host = CreateCluster();
  model::Installation lonely = CreateInstallation(InstallationState::kStable, "isolated");
  AddCI(lonely, isolated_host, ClusterInstallationState::kStable);
  model::Cluster empty = CreateCluster();
  model::Cluster annotated = CreateCluster(ClusterState::kStable, {"big", "fast"});

  struct Case {
    std::string name;
    std::string affinity;
    std::vector<std::string> annotations;
    std::optional<std::string> scheduling_locked;
    std::string expected_cluster;  // "" = none
  };
  const std::vector<Case> cases = {
      {"multitenant goes to the first eligible cluster", "multitenant", {}, {}, busy.id},
      {"isolated skips clusters with CIs", "isolated", {}, {}, empty.id},
      {"annotations restrict the candidates", "multitenant", {"fast"}, {}, annotated.id},
      {"every annotation must match", "multitenant", {"fast", "slow"}, {}, ""},
      // busy is locked; isolated_host's only CI is isolated.
      {"a held scheduling lock skips the cluster", "multitenant", {}, busy.id, empty.id},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::optional<store::Lease> held;
    if (c.scheduling_locked) {
      auto lease =
          locks_->AcquireOne(store::LockTable::kClusterScheduling, *c.scheduling_locked, "api");
      ASSERT_TRUE(lease);
      held = *lease;
    }
    model::Installation i =
        CreateInstallation(InstallationState::kCreationRequested, c.affinity, c.annotations);
    Pass(i.id);
    std::vector<model::ClusterInstallation> cis = CIs(i.id);
    if (c.expected_cluster.empty()) {
      EXPECT_TRUE(cis.empty());
      EXPECT_EQ(State(i.id), InstallationState::kCreationNoCompatibleClusters);
    } else {
      ASSERT_EQ(cis.size(), 1u);
      EXPECT_EQ(cis[0].cluster_id, c.expected_cluster);
    }
    if (held) {
      ASSERT_TRUE(locks_->Release(*held));
    }
    // Keep later cases independent of this placement.
    for (const auto& ci : cis) {
      auto lease = locks_->AcquireOne(store::LockTable::kClusterInstallation, ci.id, "cleanup");
      ASSERT_TRUE(lease);
      ASSERT_TRUE(cis_->DeleteClusterInstallation(ci.id, *lease));
      ASSERT_TRUE(locks_->Release(*lease));
    }
  }
}

// A scheduling lock held for a moment (another installation being placed) is waited for:
// the installation lands on the cluster instead of falling to no-compatible-clusters.
TEST_P(InstallationSupervisorTest, ABrieflyHeldSchedulingLockIsWaitedFor) {
  model::Cluster only = CreateCluster();
  auto held = locks_->AcquireOne(store::LockTable::kClusterScheduling, only.id, "other-server");
  ASSERT_TRUE(held);
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(locks_->Release(*held));
  });
  model::Installation i = CreateInstallation(InstallationState::kCreationRequested, "multitenant");
  Pass(i.id);
  releaser.join();
  std::vector<model::ClusterInstallation> cis = CIs(i.id);
  ASSERT_EQ(cis.size(), 1u);
  EXPECT_EQ(cis[0].cluster_id, only.id);
  EXPECT_NE(State(i.id), InstallationState::kCreationNoCompatibleClusters);
}

// Passes placing installations on the same cluster at once are combined under one hold of its
// scheduling lock, each placement still checked as if alone: of 8 isolated installations placed
// concurrently on 2 empty clusters exactly one lands on each; multitenant ones placed
// concurrently then avoid both (their only CI is isolated) and all land on a third cluster.
TEST_P(InstallationSupervisorTest, ConcurrentPlacementsKeepAffinityAsOneByOne) {
  model::Cluster first = CreateCluster();
  model::Cluster second = CreateCluster();
  const SchedulerOptions options{.workers = 4, .poll_ms = 0, .stay_backoff_min_ms = 0};
  Scheduler scheduler(*supervisor_, options, clock_, logger_.log);
  std::vector<model::Installation> isolated;
  for (int n = 0; n < 8; ++n) {
    isolated.push_back(CreateInstallation(InstallationState::kCreationRequested, "isolated"));
  }
  scheduler.Start();
  for (const model::Installation& i : isolated) scheduler.Notify(i.id);
  ASSERT_TRUE(scheduler.WaitIdleForTest(60'000));
  std::map<std::string, int> per_cluster;
  int placed = 0;
  for (const model::Installation& i : isolated) {
    std::vector<model::ClusterInstallation> cis = CIs(i.id);
    if (cis.empty()) {
      EXPECT_EQ(State(i.id), InstallationState::kCreationNoCompatibleClusters);
      continue;
    }
    ASSERT_EQ(cis.size(), 1u);
    ++per_cluster[cis[0].cluster_id];
    ++placed;
  }
  EXPECT_EQ(placed, 2);
  EXPECT_EQ(per_cluster[first.id], 1);
  EXPECT_EQ(per_cluster[second.id], 1);

  model::Cluster third = CreateCluster();
  std::vector<model::Installation> shared;
  for (int n = 0; n < 12; ++n) shared.push_back(CreateInstallation());
  for (const model::Installation& i : shared) scheduler.Notify(i.id);
  ASSERT_TRUE(scheduler.WaitIdleForTest(60'000));
  scheduler.Stop();
  for (const model::Installation& i : shared) {
    SCOPED_TRACE(i.id);
    std::vector<model::ClusterInstallation> cis = CIs(i.id);
    ASSERT_EQ(cis.size(), 1u);
    EXPECT_EQ(cis[0].cluster_id, third.id);
  }
}

TEST_P(InstallationSupervisorTest, BalancedSchedulingPrefersTheLeastLoadedCluster) {
  model::Cluster loaded = CreateCluster();
  model::Cluster light = CreateCluster();
  provisioner::ClusterResources busy{.milli_total_cpu = 10'000,
                                     .milli_used_cpu = 6'000,
                                     .total_memory = 100 * (int64_t{1} << 30),
                                     .used_memory = 60 * (int64_t{1} << 30),
                                     .total_pod_count = 100,
                                     .used_pod_count = 60};
  provisioner::ClusterResources idle = busy;
  idle.milli_used_cpu = 1'000;
  idle.used_memory = 10 * (int64_t{1} << 30);
  idle.used_pod_count = 10;
  sim_->SetClusterResources(loaded.id, busy);
  sim_->SetClusterResources(light.id, idle);
  model::Installation i = CreateInstallation();
  Pass(i.id);
  ASSERT_EQ(CIs(i.id).size(), 1u);
  EXPECT_EQ(CIs(i.id)[0].cluster_id, light.id);
}

TEST_P(InstallationSupervisorTest, ClusterOverThresholdIsRejectedOrResizedWithAScaleValue) {
  model::Cluster full = CreateCluster();
  provisioner::ClusterResources res{.milli_total_cpu = 10'000,
                                    .milli_used_cpu = 9'500,
                                    .total_memory = 100 * (int64_t{1} << 30),
                                    .used_memory = 0,
                                    .total_pod_count = 100,
                                    .used_pod_count = 0};
  sim_->SetClusterResources(full.id, res);

  model::Installation first = CreateInstallation();
  Pass(first.id);
  EXPECT_EQ(State(first.id), InstallationState::kCreationNoCompatibleClusters);

  // With a scale value and room to grow (min 2 < max 5), the cluster is resized and used.
  model::Cluster c = **clusters_->GetCluster(full.id);
  c.provisioner_metadata_kops->node_max_count = 5;
  auto lease = locks_->AcquireOne(store::LockTable::kCluster, c.id, "api");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(clusters_->UpdateCluster(c, *lease, store::EventOptions::None()));
  ASSERT_TRUE(locks_->Release(*lease));
  InstallationSchedulingOptions scheduling;
  scheduling.cluster_resource_threshold_scale_value = 2;
  MakeSupervisors(scheduling, nullptr);

  Pass(first.id);
  EXPECT_EQ(State(first.id), InstallationState::kCreationInProgress);
  ASSERT_EQ(CIs(first.id).size(), 1u);
  model::Cluster resized = **clusters_->GetCluster(full.id);
  EXPECT_EQ(resized.state, ClusterState::kResizeRequested);
  ASSERT_TRUE(resized.provisioner_metadata_kops->change_request.has_value());
  EXPECT_EQ(resized.provisioner_metadata_kops->change_request->node_min_count, 4);
  EXPECT_FALSE(resized.scheduling_lock_acquired_by.has_value());  // released

  // A cluster that is not stable is never auto-resized.
  model::Installation second = CreateInstallation();
  Pass(second.id);
  EXPECT_EQ(State(second.id), InstallationState::kCreationNoCompatibleClusters);
}

TEST_P(InstallationSupervisorTest, ResourceRequirementsFollowTheOperatorSizes) {
  struct Case {
    std::string size;
    std::string database;
    std::string filestore;
    InstallationResourceRequirements expected;
  };
  constexpr int64_t kMi = int64_t{1} << 20;
  constexpr int64_t kGi = int64_t{1} << 30;
  const std::vector<Case> cases = {
      {"100users", "aws-rds", "aws-s3", {100, 256 * kMi, 1}},
      {"1000users",
       "mysql-operator",
       "minio-operator",
       {2 * 150 + 2 * 250 + 4 * 150, 2 * 256 * kMi + 2 * 512 * kMi + 4 * 512 * kMi, 2}},
      {"provisionerXL", "aws-rds", "aws-s3", {4 * 1000, 4 * 4 * kGi, 4}},
      {"provisionerXL-2",
       "aws-rds",
       "local-ephemeral",
       {2 * 1000 + 4 * 150, 2 * 4 * kGi + 4 * 512 * kMi, 2}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.size);
    model::Installation i;
    i.size = c.size;
    i.database = c.database;
    i.filestore = c.filestore;
    auto r = GetInstallationResourceRequirements(i);
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(*r, c.expected);
  }
  model::Installation bad;
  bad.size = "huge";
  EXPECT_FALSE(GetInstallationResourceRequirements(bad));
}

TEST_P(InstallationSupervisorTest, HibernationAndWakeUp) {
  model::Cluster cluster = CreateCluster();
  model::Installation i = CreateStable();
  const std::string ci = CIs(i.id)[0].id;

  SetState(i.id, InstallationState::kHibernationRequested);
  EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(i.id), InstallationState::kHibernationInProgress);
  EXPECT_TRUE(sim_->ClusterInstallationHibernated(ci));
  EXPECT_EQ(CIs(i.id)[0].state, ClusterInstallationState::kReconciling);
  EXPECT_EQ(CIPass(ci), StepOutcome::kDone);
  EXPECT_EQ(Pass(i.id), StepOutcome::kDone);
  EXPECT_EQ(State(i.id), InstallationState::kHibernating);

  SetState(i.id, InstallationState::kWakeUpRequested);
  EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(i.id), InstallationState::kUpdateInProgress);
  EXPECT_FALSE(sim_->ClusterInstallationHibernated(ci));
  EXPECT_EQ(CIPass(ci), StepOutcome::kDone);
  EXPECT_EQ(Pass(i.id), StepOutcome::kDone);
  EXPECT_EQ(State(i.id), InstallationState::kStable);

  EXPECT_EQ(Events(i.id), (std::vector<E>{{"n/a", "creation-requested"},
                                          {"creation-requested", "creation-in-progress"},
                                          {"creation-in-progress", "stable"},
                                          {"stable", "hibernation-requested"},
                                          {"hibernation-requested", "hibernation-in-progress"},
                                          {"hibernation-in-progress", "hibernating"},
                                          {"hibernating", "wake-up-requested"},
                                          {"wake-up-requested", "update-in-progress"},
                                          {"update-in-progress", "stable"}}));
  EXPECT_EQ(Events(ci), (std::vector<E>{{"n/a", "creation-requested"},
                                        {"creation-requested", "reconciling"},
                                        {"reconciling", "stable"},
                                        {"stable", "reconciling"},
                                        {"reconciling", "stable"},
                                        {"stable", "reconciling"},
                                        {"reconciling", "stable"}}));
  EXPECT_EQ(sim_->Calls(SimStep::kRefreshResourceMetadata, i.id), 2);
}

TEST_P(InstallationSupervisorTest, UpdateReconcilesEveryCIAndRefreshesDNS) {
  model::Cluster cluster = CreateCluster();
  model::Installation i = CreateStable();
  const std::string ci = CIs(i.id)[0].id;
  SetState(i.id, InstallationState::kUpdateRequested);
  EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(i.id), InstallationState::kUpdateInProgress);
  EXPECT_EQ(CIs(i.id)[0].state, ClusterInstallationState::kReconciling);
  EXPECT_FALSE(CIs(i.id)[0].lock_acquired_by.has_value());  // CI leases released
  EXPECT_EQ(Pass(i.id), StepOutcome::kStay);                // waiting for the CI
  EXPECT_EQ(CIPass(ci), StepOutcome::kDone);
  EXPECT_EQ(Pass(i.id), StepOutcome::kDone);
  EXPECT_EQ(State(i.id), InstallationState::kStable);
  EXPECT_EQ(sim_->Calls(SimStep::kUpdateClusterInstallation, ci), 1);
  EXPECT_EQ(sim_->Calls(SimStep::kCreateDNSRecords), 2);  // creation, then after the update
}

TEST_P(InstallationSupervisorTest, GroupMemberBecomesStableOnlyWithTheGroupsSequence) {
  // Records the group wake-ups.
  class GroupWakeups final : public Notifier {
   public:
    void Notify(ResourceKind) override {}
    void Notify(ResourceKind kind, std::string_view id) override {
      std::lock_guard lock(mu);
      if (kind == ResourceKind::kGroup) groups.emplace_back(id);
    }
    std::mutex mu;
    std::vector<std::string> groups;
  } wakeups;
  MakeSupervisors({}, &wakeups);
  model::Cluster cluster = CreateCluster();
  model::Group g;
  g.name = "g";
  g.max_rolling = 1;
  auto group = groups_->CreateGroup(g, {});
  ASSERT_TRUE(group) << group.error().ToString();
  model::Installation i = CreateInstallation();
  {
    model::Installation raw = Get(i.id);
    raw.group_id = group->group.id;
    auto lease = locks_->AcquireOne(store::LockTable::kInstallation, i.id, "api");
    ASSERT_TRUE(lease);
    ASSERT_TRUE(installations_->UpdateInstallation(raw, *lease, store::EventOptions::None()));
    ASSERT_TRUE(locks_->Release(*lease));
  }
  EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue) << model::ToString(State(i.id));
  EXPECT_EQ(Get(i.id).group_sequence, std::optional<int64_t>(0));  // SEQ-SYNC saved it
  SettleCIs(i.id);

  // The group changes while the member is being created: it must update again.
  {
    auto lease = locks_->AcquireOne(store::LockTable::kGroup, group->group.id, "api");
    ASSERT_TRUE(lease);
    model::Group changed = group->group;
    changed.version = "9.9.9";
    ASSERT_TRUE(groups_->UpdateGroup(changed, false, *lease));
    ASSERT_TRUE(locks_->Release(*lease));
  }
  // The pass computed "stable"; the group check saved update-requested instead (the pass
  // wakes the installation again through the notifier).
  Pass(i.id);
  EXPECT_EQ(State(i.id), InstallationState::kUpdateRequested);

  // The group is locked elsewhere: the final check cannot run, nothing is saved.
  EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue);  // update-requested -> update-in-progress
  EXPECT_EQ(Get(i.id).group_sequence, std::optional<int64_t>(1));
  SettleCIs(i.id);
  auto held = locks_->AcquireOne(store::LockTable::kGroup, group->group.id, "group-supervisor");
  ASSERT_TRUE(held);
  EXPECT_EQ(Pass(i.id), StepOutcome::kStay);
  EXPECT_EQ(State(i.id), InstallationState::kUpdateInProgress);
  ASSERT_TRUE(locks_->Release(*held));
  // Not stable yet: the group was not woken (update-requested is not a finished roll).
  EXPECT_TRUE(wakeups.groups.empty());
  EXPECT_EQ(Pass(i.id), StepOutcome::kDone);
  EXPECT_EQ(State(i.id), InstallationState::kStable);
  // Stable: the group supervisor is woken to roll its next member.
  EXPECT_EQ(wakeups.groups, std::vector<std::string>{group->group.id});
  MakeSupervisors({}, nullptr);
}

TEST_P(InstallationSupervisorTest, DeletionFromStableGoesThroughDeletionPending) {
  model::Cluster cluster = CreateCluster();
  model::Installation i = CreateStable();
  const std::string ci = CIs(i.id)[0].id;
  const std::string domain = i.name + ".example.com";

  SetState(i.id, InstallationState::kDeletionPendingRequested);
  EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(i.id), InstallationState::kDeletionPendingInProgress);
  EXPECT_EQ(CIPass(ci), StepOutcome::kDone);
  EXPECT_EQ(Pass(i.id), StepOutcome::kDone);
  EXPECT_EQ(State(i.id), InstallationState::kDeletionPending);
  EXPECT_TRUE(sim_->ClusterInstallationHibernated(ci));

  // The deletion supervisor waits out the pending time (no expiry: from the event).
  EXPECT_EQ(DeletionPass(i.id), StepOutcome::kStay);
  clock_.Advance(60'000);
  EXPECT_EQ(DeletionPass(i.id), StepOutcome::kDone);
  EXPECT_EQ(State(i.id), InstallationState::kDeletionRequested);

  EXPECT_EQ(Pass(i.id), StepOutcome::kRequeue);
  EXPECT_EQ(State(i.id), InstallationState::kDeletionInProgress);
  EXPECT_EQ(CIs(i.id)[0].state, ClusterInstallationState::kDeletionRequested);
  EXPECT_EQ(CIPass(ci), StepOutcome::kDone);
  EXPECT_FALSE(sim_->ClusterInstallationExists(ci));
  EXPECT_EQ(Pass(i.id), StepOutcome::kDone);
  EXPECT_EQ(State(i.id), InstallationState::kDeleted);

  EXPECT_NE(Get(i.id).delete_at, 0);
  EXPECT_FALSE(sim_->DatabaseExists(i.id));
  EXPECT_FALSE(sim_->FilestoreExists(i.id));
  EXPECT_FALSE(sim_->DNSRecord(domain).has_value());
  auto records = dns_->GetDNSRecordsForInstallation(i.id);
  ASSERT_TRUE(records);
  EXPECT_TRUE(records->empty());
  EXPECT_TRUE(CIs(i.id).empty());  // soft-deleted
  const std::vector<E> events = Events(i.id);
  ASSERT_GE(events.size(), 6u);
  EXPECT_EQ(std::vector<E>(events.end() - 6, events.end()),
            (std::vector<E>{{"stable", "deletion-pending-requested"},
                            {"deletion-pending-requested", "deletion-pending-in-progress"},
                            {"deletion-pending-in-progress", "deletion-pending"},
                            {"deletion-pending", "deletion-requested"},
                            {"deletion-requested", "deletion-in-progress"},
                            {"deletion-in-progress", "deleted"}}));
  EXPECT_EQ(Events(ci).back(), E("deletion-requested", "deleted"));
}

TEST_P(InstallationSupervisorTest, DeletionFromCreationRequestedNeedsNoClusterWork) {
  model::Installation i = CreateInstallation();
  SetState(i.id, InstallationState::kDeletionRequested);
  EXPECT_EQ(Pass(i.id), StepOutcome::kDone);
  EXPECT_EQ(State(i.id), InstallationState::kDeleted);
  EXPECT_NE(Get(i.id).delete_at, 0);
  EXPECT_EQ(Events(i.id), (std::vector<E>{{"n/a", "creation-requested"},
                                          {"creation-requested", "deletion-requested"},
                                          {"deletion-requested", "deleted"}}));
  EXPECT_EQ(sim_->Calls(SimStep::kTeardownDatabase, i.id), 1);
  EXPECT_EQ(sim_->Calls(SimStep::kDeleteClusterInstallation), 0);
}

TEST_P(InstallationSupervisorTest, FinalCleanupWaitsForBackupsToBeDeleted) {
  model::Installation i = CreateInstallation(InstallationState::kDeletionFinalCleanup);
  model::InstallationBackup b;
  b.installation_id = i.id;
  b.state = model::BackupState::kBackupSucceeded;
  auto backup = backups_->CreateInstallationBackup(b, {});
  ASSERT_TRUE(backup) << backup.error().ToString();

  EXPECT_EQ(Pass(i.id), StepOutcome::kStay);
  EXPECT_EQ(State(i.id), InstallationState::kDeletionFinalCleanup);
  auto stored = backups_->GetInstallationBackup(backup->id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->state, model::BackupState::kDeletionRequested);
  EXPECT_FALSE((*stored)->lock_acquired_by.has_value());

  // The backup supervisor deletes it.
  auto lease = locks_->AcquireOne(store::LockTable::kInstallationBackup, backup->id, "backups");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(backups_->UpdateInstallationBackupState(backup->id, model::BackupState::kDeleted,
                                                      *lease, {}));
  ASSERT_TRUE(backups_->DeleteInstallationBackup(backup->id, *lease));
  ASSERT_TRUE(locks_->Release(*lease));
  EXPECT_EQ(Pass(i.id), StepOutcome::kDone);
  EXPECT_EQ(State(i.id), InstallationState::kDeleted);
}

TEST_P(InstallationSupervisorTest, DeletionSupervisorHonoursScheduleLockAndLimit) {
  // Scheduled deletion: only once the time has come, and never for a deletion-locked one.
  model::Installation scheduled = CreateInstallation(InstallationState::kStable);
  model::Installation locked = CreateInstallation(InstallationState::kHibernating);
  for (const std::string& id : {scheduled.id, locked.id}) {
    model::Installation raw = Get(id);
    raw.scheduled_deletion_time = clock_.NowMillis() + 10'000;
    auto lease = locks_->AcquireOne(store::LockTable::kInstallation, id, "api");
    ASSERT_TRUE(lease);
    ASSERT_TRUE(installations_->UpdateInstallation(raw, *lease, store::EventOptions::None()));
    ASSERT_TRUE(locks_->Release(*lease));
  }
  ASSERT_TRUE(installations_->SetInstallationDeletionLocked(locked.id, true));
  model::Installation pending = CreateInstallation(InstallationState::kStable);
  SetState(pending.id, InstallationState::kDeletionPending);
  {
    model::Installation raw = Get(pending.id);
    raw.deletion_pending_expiry = clock_.NowMillis() + 5'000;
    auto lease = locks_->AcquireOne(store::LockTable::kInstallation, pending.id, "api");
    ASSERT_TRUE(lease);
    ASSERT_TRUE(installations_->UpdateInstallation(raw, *lease, store::EventOptions::None()));
    ASSERT_TRUE(locks_->Release(*lease));
  }

  auto work = deletion_->GetPendingWork();
  ASSERT_TRUE(work) << work.error().ToString();
  EXPECT_EQ(*work,
            (std::vector<WorkItem>{{scheduled.id, "stable"}, {pending.id, "deletion-pending"}}));

  EXPECT_EQ(DeletionPass(scheduled.id), StepOutcome::kStay);
  EXPECT_EQ(DeletionPass(pending.id), StepOutcome::kStay);
  clock_.Advance(5'000);
  EXPECT_EQ(DeletionPass(pending.id), StepOutcome::kDone);  // the expiry wins over the event
  EXPECT_EQ(State(pending.id), InstallationState::kDeletionRequested);

  // The max-updating limit: with 25 installations updating, nothing starts.
  for (int n = 0; n < 24; ++n) CreateInstallation(InstallationState::kUpdateRequested);
  clock_.Advance(10'000);
  EXPECT_EQ(DeletionPass(scheduled.id), StepOutcome::kStay);
  EXPECT_EQ(State(scheduled.id), InstallationState::kStable);
  EXPECT_EQ(DeletionPass(locked.id), StepOutcome::kStay);

  InstallationDeletionSupervisorOptions roomy;
  roomy.instance_id = kInstance;
  roomy.max_updating = 100;
  InstallationDeletionSupervisor relaxed(*installations_, *events_, *locks_, clock_, nullptr, roomy,
                                         logger_.log);
  EXPECT_EQ(relaxed.Supervise(WorkItem{scheduled.id, std::nullopt}), StepOutcome::kDone);
  EXPECT_EQ(State(scheduled.id), InstallationState::kDeletionPendingRequested);
  EXPECT_EQ(relaxed.Supervise(WorkItem{locked.id, std::nullopt}), StepOutcome::kStay);
  EXPECT_EQ(State(locked.id), InstallationState::kHibernating);
}

// The schedulers of the cluster, installation and cluster installation supervisors, wired
// through a SchedulerSet as in app/, drive a cluster and 20 installations to stable through
// wake-ups only (no poll, no stay backoff), and every create step runs exactly once.
TEST_P(InstallationSupervisorTest, SchedulersDriveAClusterAndTwentyInstallationsToStable) {
  SchedulerSet set(logger_.log);
  MakeSupervisors({}, &set);
  ClusterSupervisor cluster_supervisor(*clusters_, *locks_, *provisioners_, nullptr,
                                       ClusterSupervisorOptions{kInstance, "test"}, logger_.log);
  const SchedulerOptions options{.workers = 3, .poll_ms = 0, .stay_backoff_min_ms = 0};
  set.Add(ResourceKind::kCluster,
          std::make_unique<Scheduler>(cluster_supervisor, options, clock_, logger_.log));
  set.Add(ResourceKind::kInstallation,
          std::make_unique<Scheduler>(*supervisor_, options, clock_, logger_.log));
  set.Add(ResourceKind::kClusterInstallation,
          std::make_unique<Scheduler>(*ci_supervisor_, options, clock_, logger_.log));
  // Settled: every scheduler idle and no supervisor has pending work. A pass that stays (a
  // placement that lost the scheduling lock race, an installation waiting on its CI) is left to
  // wake-ups and the safety-net poll; the poll is run here by hand when nothing else is left.
  const std::vector<Doer*> doers = {&cluster_supervisor, supervisor_.get(), ci_supervisor_.get()};
  int manual_polls = 0;
  auto wait_idle = [&] {
    for (int round = 0; round < 50; ++round) {
      for (ResourceKind kind : {ResourceKind::kCluster, ResourceKind::kInstallation,
                                ResourceKind::kClusterInstallation}) {
        if (!set.Get(kind)->WaitIdleForTest(60'000)) return false;
      }
      bool pending = false;
      for (Doer* doer : doers) {
        auto work = doer->GetPendingWork();
        if (!work || !work->empty()) pending = true;
      }
      if (!pending) return true;
      ++manual_polls;
      for (ResourceKind kind : {ResourceKind::kCluster, ResourceKind::kInstallation,
                                ResourceKind::kClusterInstallation}) {
        set.Get(kind)->Notify();
      }
    }
    return false;
  };

  model::Cluster cluster = CreateCluster(ClusterState::kCreationRequested);
  set.Start();
  set.Notify(ResourceKind::kCluster);
  ASSERT_TRUE(wait_idle());
  ASSERT_EQ((**clusters_->GetCluster(cluster.id)).state, ClusterState::kStable);

  std::vector<model::Installation> installations;
  for (int n = 0; n < 20; ++n) installations.push_back(CreateInstallation());
  set.Notify(ResourceKind::kInstallation);
  ASSERT_TRUE(wait_idle());
  set.Stop();
  // Wake-ups carry almost everything; a poll is needed only after lost placement races.
  EXPECT_LE(manual_polls, 10);

  EXPECT_EQ(sim_->Calls(SimStep::kCreateCluster, cluster.id), 1);
  for (const model::Installation& i : installations) {
    SCOPED_TRACE(i.id);
    EXPECT_EQ(State(i.id), InstallationState::kStable);
    std::vector<model::ClusterInstallation> cis = CIs(i.id);
    ASSERT_EQ(cis.size(), 1u);
    EXPECT_EQ(cis[0].state, ClusterInstallationState::kStable);
    EXPECT_EQ(sim_->Calls(SimStep::kCreateClusterInstallation, cis[0].id), 1);
    EXPECT_EQ(sim_->Calls(SimStep::kProvisionDatabase, i.id), 1);
    EXPECT_EQ(sim_->Calls(SimStep::kProvisionFilestore, i.id), 1);
    EXPECT_EQ(sim_->Calls(SimStep::kCreateDNSRecords, i.name + ".example.com"), 1);
    // All events of a test share one timestamp here (the clock does not move), so only the
    // set is checked: a placement that lost the scheduling lock race may add a detour through
    // creation-no-compatible-clusters.
    const std::vector<E> events = Events(i.id);
    EXPECT_NE(std::find(events.begin(), events.end(), E("n/a", "creation-requested")),
              events.end());
    EXPECT_NE(std::find(events.begin(), events.end(), E("creation-in-progress", "stable")),
              events.end());
    EXPECT_LE(events.size(), 5u);
  }
}

CLOUD_INSTANTIATE_ENGINE_TESTS(InstallationSupervisorTest);

}  // namespace
}  // namespace cloud::supervisor
