// InstallationSupervisor: the installation state machine (upstream-core.md §1.3) and the
// placement of new installations on clusters (§6).
#include "supervisor/installation_supervisor.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <random>
#include <thread>
#include <utility>

#include "common/id.h"

namespace cloud::supervisor {

using model::Cluster;
using model::ClusterInstallation;
using model::ClusterInstallationState;
using model::Installation;
using model::InstallationState;

namespace {

// Releases a lease when it goes out of scope (logs a failure; never throws).
class LeaseGuard {
 public:
  LeaseGuard(store::LockStore& locks, const store::Lease& lease, const Logger& log)
      : locks_(locks), lease_(lease), log_(log) {}
  ~LeaseGuard() {
    if (lease_.rows.empty()) return;
    if (Result<void> r = locks_.Release(lease_); !r) {
      log_.Warn("failed to release lease", r.error());
    }
  }
  LeaseGuard(const LeaseGuard&) = delete;
  LeaseGuard& operator=(const LeaseGuard&) = delete;

 private:
  store::LockStore& locks_;
  const store::Lease& lease_;
  const Logger& log_;
};

// Requests of one component of a mattermost-operator v1alpha1 size (CPU in millicores, memory
// in bytes).
struct ComponentRequests {
  int64_t replicas = 0;
  int64_t milli_cpu = 0;
  int64_t memory = 0;
};
struct SizeRequests {
  std::string_view name;
  ComponentRequests app;
  ComponentRequests minio;
  ComponentRequests database;
};

constexpr int64_t kMi = int64_t{1} << 20;
constexpr int64_t kGi = int64_t{1} << 30;

// mattermost-operator apis/mattermost/v1alpha1/clusterinstallation_sizes.go.
constexpr SizeRequests kOperatorSizes[] = {
    {"cloud10users", {2, 10, 150 * kMi}, {4, 100, 256 * kMi}, {2, 200, 512 * kMi}},
    {"cloud100users", {2, 50, 256 * kMi}, {4, 100, 256 * kMi}, {2, 200, 512 * kMi}},
    {"100users", {1, 100, 256 * kMi}, {1, 100, 256 * kMi}, {1, 200, 512 * kMi}},
    {"1000users", {2, 150, 256 * kMi}, {4, 150, 512 * kMi}, {2, 250, 512 * kMi}},
    {"5000users", {2, 500, 500 * kMi}, {4, 200, 500 * kMi}, {3, 500, 500 * kMi}},
    {"10000users", {2, 500, 500 * kMi}, {4, 200, 500 * kMi}, {3, 500, 500 * kMi}},
    {"25000users", {2, 1000, 4 * kGi}, {4, 300, 500 * kMi}, {3, 500, 1 * kGi}},
    {"miniSingleton", {1, 10, 150 * kMi}, {1, 100, 256 * kMi}, {1, 200, 512 * kMi}},
    {"miniHA", {2, 10, 150 * kMi}, {4, 100, 256 * kMi}, {2, 200, 512 * kMi}},
};
// provisionerXL[-N]: the app runs N (default 4) replicas requesting 1000m / 4Gi
// (upstream-provisioning.md, setMMInstanceSize); the operator database and MinIO use the
// 1000users sizes.
constexpr ComponentRequests kProvisionerXLApp = {4, 1000, 4 * kGi};
constexpr std::string_view kProvisionerXLBase = "1000users";

const SizeRequests* FindOperatorSize(std::string_view name) {
  for (const SizeRequests& s : kOperatorSizes) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// int((used + extra) / total * 100), as upstream's Calculate*PercentUsed; an empty total counts
// as full.
int64_t PercentUsed(int64_t used, int64_t extra, int64_t total) {
  if (total <= 0) return 100;
  return static_cast<int64_t>(static_cast<double>(used + extra) / static_cast<double>(total) *
                              100.0);
}

model::ClusterInstallationFilter LiveCIsOf(std::string_view installation_id) {
  model::ClusterInstallationFilter filter;
  filter.paging.per_page = model::Paging::kAllPerPage;
  filter.installation_id = std::string(installation_id);
  return filter;
}

// The worker node counts of a cluster (kops metadata, or the EKS "worker" node group;
// external clusters have 0/0).
std::pair<int64_t, int64_t> WorkerNodeCounts(const Cluster& c) {
  if (c.provisioner == model::ClusterProvisioner::kKops && c.provisioner_metadata_kops) {
    return {c.provisioner_metadata_kops->node_min_count,
            c.provisioner_metadata_kops->node_max_count};
  }
  if (c.provisioner == model::ClusterProvisioner::kEks && c.provisioner_metadata_eks &&
      c.provisioner_metadata_eks->node_groups) {
    auto it = c.provisioner_metadata_eks->node_groups->find(std::string(model::kNodeGroupWorker));
    if (it != c.provisioner_metadata_eks->node_groups->end()) {
      return {it->second.min_count, it->second.max_count};
    }
  }
  return {0, 0};
}

}  // namespace

Result<InstallationResourceRequirements> GetInstallationResourceRequirements(
    const Installation& installation) {
  CLOUD_TRY(model::InstallationSize size, model::GetInstallationSize(installation.size));
  SizeRequests requests;
  if (const SizeRequests* s = FindOperatorSize(size.name)) {
    requests = *s;
  } else {
    requests = *FindOperatorSize(kProvisionerXLBase);
    requests.app = kProvisionerXLApp;
    if (size.app_replicas) requests.app.replicas = *size.app_replicas;
  }
  InstallationResourceRequirements out;
  auto add = [&out](const ComponentRequests& c) {
    out.milli_cpu += c.milli_cpu * c.replicas;
    out.memory += c.memory * c.replicas;
  };
  add(requests.app);
  if (installation.database == model::kInstallationDatabaseMysqlOperator) add(requests.database);
  if (installation.filestore == model::kInstallationFilestoreMinioOperator ||
      installation.filestore == model::kInstallationFilestoreLocalEphemeral) {
    add(requests.minio);
  }
  out.pods = requests.app.replicas;
  return out;
}

InstallationSupervisor::InstallationSupervisor(InstallationSupervisorStores stores,
                                               const provisioner::ProvisionerSet& provisioners,
                                               LeaseRenewer* renewer,
                                               InstallationSupervisorOptions options, Logger log)
    : stores_(stores),
      provisioners_(provisioners),
      options_(std::move(options)),
      log_(log.With(logkey::kComponent, "installation-supervisor")),
      ctx_{stores_.locks, renewer, options_.instance_id, log_} {
  hooks_.table = store::LockTable::kInstallation;
  hooks_.log_key = logkey::kInstallation;
  hooks_.reload = [this](std::string_view id) {
    return stores_.installations.GetInstallation(id, store::GroupMerge::Config());
  };
  hooks_.state_of = [](const Installation& i) { return i.state; };
  hooks_.state_name = [](InstallationState s) { return model::ToString(s); };
  hooks_.has_pending_work = [](InstallationState s) {
    const auto pending = model::AllInstallationStatesPendingWork();
    return std::find(pending.begin(), pending.end(), s) != pending.end();
  };
  hooks_.transition = [this](Installation& i, const store::Lease& lease, const Logger& step_log) {
    return Transition(i, lease, step_log);
  };
  hooks_.persist = [this](Installation& i, InstallationState new_state, const store::Lease& lease,
                          const Logger& step_log) -> Result<void> {
    CLOUD_TRY_VOID(PersistState(i, new_state, lease, step_log));
    if (lifecycle_observer() != nullptr &&
        (i.state == State::kStable || i.state == State::kHibernating ||
         i.state == State::kDeleted)) {
      lifecycle_observer()->ResourceSettled(
          "installation", i.id, i.group_id && !i.group_id->empty() ? *i.group_id : "none");
    }
    return Ok();
  };
  hooks_.persist_releases = true;  // PersistState saves the state and releases in one write
}

std::map<std::string, std::string> InstallationSupervisor::EventExtra() const {
  return {{"Environment", options_.environment}};
}

Result<std::vector<WorkItem>> InstallationSupervisor::GetPendingWork() {
  CLOUD_TRY(std::vector<Installation> pending,
            stores_.installations.GetUnlockedInstallationsPendingWork());
  std::stable_sort(pending.begin(), pending.end(),
                   [](const Installation& a, const Installation& b) {
                     return model::InstallationStateWorkPriority(a.state) >
                            model::InstallationStateWorkPriority(b.state);
                   });
  std::vector<WorkItem> items;
  items.reserve(pending.size());
  for (const Installation& i : pending) {
    items.push_back(WorkItem{i.id, std::string(model::ToString(i.state))});
  }
  return items;
}

StepOutcome InstallationSupervisor::Supervise(const WorkItem& item) {
  std::vector<std::pair<ResourceKind, std::string>> wake;
  RowPassHooks<Installation, InstallationState> hooks = hooks_;
  hooks.transition = [this, &wake](Installation& i, const store::Lease& lease,
                                   const Logger& step_log) {
    Pass pass{lease, step_log, {}};
    const InstallationState next = Dispatch(i, pass);
    wake = std::move(pass.wake);
    return next;
  };
  hooks.persist = [this, &wake](Installation& i, InstallationState new_state,
                                const store::Lease& lease, const Logger& step_log) -> Result<void> {
    CLOUD_TRY_VOID(hooks_.persist(i, new_state, lease, step_log));  // saves, reports settling
    // The group check may have saved update-requested instead of stable: that has work.
    if (i.state != new_state) wake.emplace_back(ResourceKind::kInstallation, i.id);
    // A group member that finished rolling frees a MaxRolling slot: the group rolls the next.
    if (i.state == State::kStable && i.group_id && !i.group_id->empty()) {
      wake.emplace_back(ResourceKind::kGroup, *i.group_id);
    }
    return Ok();
  };
  const StepOutcome outcome = RunRowPass(ctx_, item, hooks, step_observer(), Name());
  if (options_.notifier != nullptr) {
    for (const auto& [kind, id] : wake) options_.notifier->Notify(kind, id);
  }
  return outcome;
}

InstallationState InstallationSupervisor::Transition(Installation& installation,
                                                     const store::Lease& lease, const Logger& log) {
  Pass pass{lease, log, {}};
  return Dispatch(installation, pass);
}

InstallationState InstallationSupervisor::Dispatch(Installation& i, Pass& pass) {
  switch (i.state) {  // no default: -Werror=switch guards it
    case State::kCreationRequested:
    case State::kCreationNoCompatibleClusters:
      return CreateInstallation(i, pass);
    case State::kCreationPreProvisioning:
      return PreProvisionInstallation(i, pass);
    case State::kCreationDNS:
      return ConfigureInstallationDNS(i, pass);
    case State::kCreationInProgress:
      return WaitForCreationStable(i, pass);
    case State::kCreationFinalTasks:
      return State::kStable;  // upstream's final tasks are a no-op
    case State::kUpdateRequested:
      return UpdateInstallation(i, pass);
    case State::kUpdateInProgress:
      return WaitForUpdateStable(i, pass);
    case State::kHibernationRequested:
      return HibernateInstallation(i, pass);
    case State::kHibernationInProgress:
      return WaitForHibernation(i, pass);
    case State::kWakeUpRequested:
    case State::kDeletionCancellationRequested:
      return WakeUpInstallation(i, pass);
    case State::kDeletionPendingRequested:
      return QueueInstallationDeletion(i, pass);
    case State::kDeletionPendingInProgress:
      return WaitForInstallationDeletionPending(i, pass);
    case State::kDeletionRequested:
    case State::kDeletionInProgress:
      return DeleteInstallation(i, pass);
    case State::kDeletionFinalCleanup:
      return FinalDeletionCleanup(i, pass);
    case State::kDNSMigrationHibernating:
      return ConfigureDNSForHibernatingInstallation(i, pass);
    case State::kStable:
    case State::kCreationFailed:
    case State::kHibernating:
    case State::kUpdateFailed:
    case State::kImportInProgress:
    case State::kImportComplete:
    case State::kDeletionPending:
    case State::kDeletionFailed:
    case State::kDeleted:
    case State::kDBRestorationInProgress:
    case State::kDBMigrationInProgress:
    case State::kDBMigrationRollbackInProgress:
    case State::kDBRestorationFailed:
    case State::kDBMigrationFailed:
      pass.log.Warn("found installation pending work in unexpected state");
      return i.state;
  }
  return i.state;
}

Result<void> InstallationSupervisor::PersistState(Installation& i, InstallationState new_state,
                                                  const store::Lease& lease, const Logger& log) {
  const bool in_group = i.ConfigMergedWithGroup() && i.group_id && !i.group_id->empty();
  if (new_state != State::kStable || !in_group) {
    CLOUD_TRY_VOID(stores_.installations.UpdateInstallationStateAndRelease(
        i.id, new_state, lease, store::EventOptions::IfChanged(EventExtra())));
    i.state = new_state;
    return Ok();
  }
  // Final group check (invariant 8): stable only while holding the group lease and with the
  // group's current sequence; the lease is held until the state is saved.
  Result<store::Lease> group_lease =
      stores_.locks.AcquireOne(store::LockTable::kGroup, *i.group_id, options_.instance_id);
  if (!group_lease) {
    return Unavailable("failed to lock group " + *i.group_id +
                       " for the final sequence check: " + group_lease.error().ToString());
  }
  LeaseGuard guard(stores_.locks, *group_lease, log);
  CLOUD_TRY(std::optional<model::Group> group, stores_.groups.GetGroup(*i.group_id));
  if (group && (!i.group_sequence || *i.group_sequence != group->sequence)) {
    log.Info("group sequence changed while the installation was updating; updating again");
    new_state = State::kUpdateRequested;
  }
  CLOUD_TRY_VOID(stores_.installations.UpdateInstallationStateAndRelease(
      i.id, new_state, lease, store::EventOptions::IfChanged(EventExtra())));
  i.state = new_state;
  return Ok();
}

// --- helpers ----------------------------------------------------------------------------------

Result<void> InstallationSupervisor::SyncGroupSequence(Installation& i, Pass& pass) {
  if (!i.ConfigMergedWithGroup() || i.InstallationSequenceMatchesMergedGroupSequence()) {
    return Ok();
  }
  i.SyncGroupAndInstallationSequence();
  return stores_.installations.UpdateInstallationGroupSequence(i.id, i.group_sequence, pass.lease);
}

Result<bool> InstallationSupervisor::ClusterInstallationsStable(const Installation& i,
                                                                bool allow_ready) {
  Result<std::vector<ClusterInstallation>> cis =
      stores_.cluster_installations.GetClusterInstallations(LiveCIsOf(i.id));
  if (!cis) return false;  // upstream: "not stable", no error
  size_t stable = 0;
  size_t ready = 0;
  bool failed = false;
  for (const ClusterInstallation& ci : *cis) {
    if (ci.state == ClusterInstallationState::kStable) ++stable;
    if (ci.state == ClusterInstallationState::kReady) ++ready;
    if (ci.state == ClusterInstallationState::kCreationFailed) failed = true;
  }
  if (stable == cis->size()) return true;
  if (allow_ready && ready == cis->size()) return true;
  if (failed) return FailedPrecondition("found a cluster installation in creation-failed state");
  return false;
}

Result<std::vector<std::string>> InstallationSupervisor::GetLoadBalancerEndpoints(
    const Installation& i) {
  model::ClusterInstallationFilter filter = LiveCIsOf(i.id);
  filter.is_active = true;
  CLOUD_TRY(std::vector<ClusterInstallation> cis,
            stores_.cluster_installations.GetClusterInstallations(filter));
  std::vector<std::string> endpoints;
  for (const ClusterInstallation& ci : cis) {
    CLOUD_TRY(std::optional<Cluster> cluster, stores_.clusters.GetCluster(ci.cluster_id));
    if (!cluster) return NotFound("cluster " + ci.cluster_id + " not found");
    CLOUD_TRY(std::string endpoint, provisioners_.Installation().GetPublicLoadBalancerEndpoint(
                                        *cluster, provisioner::kNginxNamespace));
    endpoints.push_back(std::move(endpoint));
  }
  return endpoints;
}

Result<void> InstallationSupervisor::ConfigureDNS(const Installation& i) {
  CLOUD_TRY(std::vector<std::string> endpoints, GetLoadBalancerEndpoints(i));
  CLOUD_TRY(std::vector<model::InstallationDNS> records,
            stores_.dns_records.GetDNSRecordsForInstallation(i.id));
  return provisioners_.DNS().CreateDNSRecords(model::DNSNamesFromRecords(records), endpoints);
}

bool InstallationSupervisor::HibernateClusterInstallations(Installation& i, Pass& pass) {
  if (Result<void> r = provisioners_.DatabaseFor(i).RefreshResourceMetadata(i); !r) {
    pass.log.Error("failed to refresh database resource metadata", r.error());
    return false;
  }
  Result<store::Claimed<ClusterInstallation>> claimed =
      stores_.cluster_installations.LockClusterInstallationsOfInstallation(
          i.id, options_.instance_id, /*include_deleted=*/false);
  if (!claimed) {
    pass.log.Warn("failed to lock cluster installations", claimed.error());
    return false;
  }
  if (claimed->rows.empty()) {
    pass.log.Error("expected at least one cluster installation to hibernate, found none");
    return false;
  }
  LeaseGuard guard(stores_.locks, claimed->lease, pass.log);
  for (ClusterInstallation& ci : claimed->rows) {
    Result<std::optional<Cluster>> cluster = stores_.clusters.GetCluster(ci.cluster_id);
    if (!cluster || !*cluster) {
      pass.log.With(logkey::kCluster, ci.cluster_id).Error("failed to get cluster");
      return false;
    }
    if (Result<void> r = provisioners_.ClusterInstallation(i.cr_version)
                             .HibernateClusterInstallation(**cluster, i, ci);
        !r) {
      pass.log.With(logkey::kClusterInstallation, ci.id)
          .Error("failed to hibernate cluster installation", r.error());
      return false;
    }
    if (Result<void> r = stores_.cluster_installations.UpdateClusterInstallationState(
            ci.id, ClusterInstallationState::kReconciling, claimed->lease.Only(ci.id),
            store::EventOptions::IfChanged(EventExtra()));
        !r) {
      pass.log.With(logkey::kClusterInstallation, ci.id)
          .Error("failed to save cluster installation state", r.error());
      return false;
    }
    pass.wake.emplace_back(ResourceKind::kClusterInstallation, ci.id);
  }
  return true;
}

// --- creation ---------------------------------------------------------------------------------

InstallationState InstallationSupervisor::CreateInstallation(Installation& i, Pass& pass) {
  if (Result<void> r = SyncGroupSequence(i, pass); !r) {
    pass.log.Error("failed to sync the group sequence", r.error());
    return i.state;
  }
  Result<std::vector<ClusterInstallation>> existing =
      stores_.cluster_installations.GetClusterInstallations(LiveCIsOf(i.id));
  if (!existing) {
    pass.log.Error("failed to list cluster installations", existing.error());
    return State::kCreationRequested;
  }
  if (!existing->empty()) {
    // A previous pass placed the installation (and crashed or failed before saving).
    return PreProvisionInstallation(i, pass);
  }
  Result<std::vector<Cluster>> candidates = CandidateClusters(i, pass.log);
  if (!candidates) {
    pass.log.Error("failed to list candidate clusters", candidates.error());
    return State::kCreationRequested;
  }
  for (const Cluster& cluster : *candidates) {
    if (CreateClusterInstallation(cluster, i, pass)) return PreProvisionInstallation(i, pass);
  }
  pass.log.Warn("no compatible clusters available for installation scheduling");
  return State::kCreationNoCompatibleClusters;
}

Result<std::vector<Cluster>> InstallationSupervisor::CandidateClusters(const Installation& i,
                                                                       const Logger& log) {
  CLOUD_TRY(std::vector<model::Annotation> annotations,
            stores_.annotations.GetAnnotationsFor(store::AnnotatedResource::kInstallation, i.id));
  store::ClusterListFilter filter;
  filter.paging.per_page = model::Paging::kAllPerPage;
  for (const model::Annotation& a : annotations) filter.annotation_ids.push_back(a.id);
  CLOUD_TRY(std::vector<Cluster> clusters, stores_.clusters.GetClusters(filter));

  const InstallationSchedulingOptions& opts = options_.scheduling;
  // One cluster needs no ordering: the checks that would drop it here (schedulable, resources
  // readable) are all made again under its scheduling lease before anything is placed.
  if (opts.balanced_installation_scheduling && clusters.size() > 1) {
    // Upstream prioritizeLowerUtilizedClusters: only the first element is the minimum.
    std::deque<Cluster> ordered;
    int64_t lowest = 10000;
    for (Cluster& c : clusters) {
      Result<bool> schedulable = CanBeScheduledOnCluster(c, i);
      if (!schedulable || !*schedulable) continue;
      std::optional<provisioner::ClusterResources> res = ClusterResources(c);
      if (!res) continue;
      const int64_t combined = (PercentUsed(res->milli_used_cpu, 0, res->milli_total_cpu) +
                                PercentUsed(res->used_memory, 0, res->total_memory) +
                                PercentUsed(res->used_pod_count, 0, res->total_pod_count)) /
                               3;
      if (combined < lowest) {
        lowest = combined;
        ordered.push_front(std::move(c));
      } else {
        ordered.push_back(std::move(c));
      }
    }
    clusters.assign(std::make_move_iterator(ordered.begin()),
                    std::make_move_iterator(ordered.end()));
  }
  if (opts.prefer_stable_clusters) {
    std::stable_partition(clusters.begin(), clusters.end(),
                          [](const Cluster& c) { return c.state == model::ClusterState::kStable; });
  }
  log.With("candidates", std::to_string(clusters.size())).Debug("candidate clusters");
  return clusters;
}

std::optional<provisioner::ClusterResources> InstallationSupervisor::ClusterResources(
    const Cluster& cluster) {
  Result<provisioner::ClusterResources> res =
      provisioners_.Installation().GetClusterResources(cluster, /*only_schedulable=*/true);
  if (!res) {
    log_.With(logkey::kCluster, cluster.id).Warn("failed to get cluster resources", res.error());
    return std::nullopt;
  }
  return *res;
}

Result<bool> InstallationSupervisor::CanBeScheduledOnCluster(const Cluster& cluster,
                                                             const Installation& i) {
  if (!cluster.allow_installations) return false;
  if (!model::IsClusterStateInstallationSchedulable(cluster.state)) return false;
  if (i.RequiresAWSInfrastructure() && !cluster.HasAWSInfrastructure()) return false;
  // Affinity: existing live CIs on the cluster count, inactive ones included. Only "none",
  // "exactly one" and "two or more" matter: read at most two (not every CI of the cluster).
  model::ClusterInstallationFilter filter;
  filter.paging.per_page = 2;
  filter.cluster_id = cluster.id;
  CLOUD_TRY(std::vector<ClusterInstallation> cis,
            stores_.cluster_installations.GetClusterInstallations(filter));
  if (i.affinity == model::kInstallationAffinityIsolated) return cis.empty();
  if (cis.size() == 1) {
    CLOUD_TRY(std::optional<Installation> other,
              stores_.installations.GetInstallation(cis.front().installation_id,
                                                    store::GroupMerge::None()));
    if (other && other->affinity == model::kInstallationAffinityIsolated) return false;
  }
  return true;
}

bool InstallationSupervisor::CreateClusterInstallation(const Cluster& candidate,
                                                       const Installation& i, Pass& pass) {
  PlacementRequest request{&i, &pass};
  std::unique_lock lock(placement_mu_);
  PlacementQueue& queue = placement_queues_[candidate.id];  // std::map: the reference stays valid
  queue.waiting.push_back(&request);
  placement_cv_.wait(lock, [&] { return request.done || !queue.leader_active; });
  if (request.done) return request.placed;  // a leader placed it (or not)
  // Lead: place everything queued so far (this request included) under one lease hold.
  queue.leader_active = true;
  std::vector<PlacementRequest*> batch = std::move(queue.waiting);
  queue.waiting.clear();
  lock.unlock();
  try {
    PlaceBatch(candidate, batch);
  } catch (const std::exception& e) {
    pass.log.With(logkey::kError, e.what()).Error("placing installations threw");
  }
  lock.lock();
  for (PlacementRequest* r : batch) r->done = true;
  queue.leader_active = false;  // a waiting pass leads the next batch
  lock.unlock();
  placement_cv_.notify_all();
  return request.placed;
}

void InstallationSupervisor::PlaceBatch(const Cluster& candidate,
                                        const std::vector<PlacementRequest*>& batch) {
  const Logger log = batch.front()->pass->log.With(logkey::kCluster, candidate.id);
  Result<store::Lease> scheduling = stores_.locks.AcquireOne(store::LockTable::kClusterScheduling,
                                                             candidate.id, options_.instance_id);
  // Busy: another server is placing installations on this cluster right now. Wait a little
  // (real time, with jitter) instead of giving up on a cluster that will be free in a moment.
  const auto wait_until = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(options_.scheduling_lock_wait_ms);
  std::minstd_rand jitter(std::hash<std::string>{}(batch.front()->installation->id));
  while (!scheduling && scheduling.error().code == ErrorCode::kConflict &&
         std::chrono::steady_clock::now() < wait_until) {
    std::this_thread::sleep_for(std::chrono::microseconds(500 + jitter() % 2000));
    scheduling = stores_.locks.AcquireOne(store::LockTable::kClusterScheduling, candidate.id,
                                          options_.instance_id);
  }
  if (!scheduling) {
    log.Debug("failed to take the cluster scheduling lock; skipping cluster");
    return;
  }
  LeaseGuard guard(stores_.locks, *scheduling, log);
  // Re-read under the scheduling lock: the candidate list may be stale.
  Result<std::optional<Cluster>> fresh = stores_.clusters.GetCluster(candidate.id);
  if (!fresh || !*fresh || (*fresh)->IsDeleted()) return;
  Cluster cluster = **fresh;
  // The cluster's resources are read once per hold: placing a cluster installation does not
  // change them (its pods come later, from the cluster installation supervisor), so every
  // placement of the batch sees what a live read right before it would.
  std::optional<provisioner::ClusterResources> resources;
  bool resources_read = false;
  if (batch.size() > 1) {
    log.With("batch", std::to_string(batch.size())).Debug("placing installations together");
  }
  for (PlacementRequest* r : batch) {
    r->placed =
        PlaceOnCluster(cluster, resources, resources_read, *r->installation, *r->pass, *scheduling);
  }
}

bool InstallationSupervisor::PlaceOnCluster(Cluster& cluster,
                                            std::optional<provisioner::ClusterResources>& res,
                                            bool& resources_read, const Installation& i, Pass& pass,
                                            const store::Lease& scheduling) {
  const Logger log = pass.log.With(logkey::kCluster, cluster.id);
  Result<bool> schedulable = CanBeScheduledOnCluster(cluster, i);
  if (!schedulable) {
    log.Warn("failed to check whether the installation can be scheduled", schedulable.error());
    return false;
  }
  if (!*schedulable) return false;

  const InstallationSchedulingOptions& opts = options_.scheduling;
  if (!(cluster.IsExternallyManaged() && opts.always_schedule_external_clusters)) {
    Result<InstallationResourceRequirements> needs = GetInstallationResourceRequirements(i);
    if (!needs) {
      log.Error("failed to compute the installation's resource requirements", needs.error());
      return false;
    }
    if (!resources_read) {
      res = ClusterResources(cluster);
      resources_read = true;
    }
    if (!res) return false;
    const int64_t cpu = PercentUsed(res->milli_used_cpu, needs->milli_cpu, res->milli_total_cpu);
    const int64_t mem = PercentUsed(res->used_memory, needs->memory, res->total_memory);
    const int64_t pods = PercentUsed(res->used_pod_count, needs->pods, res->total_pod_count);
    if (cpu > opts.cluster_resource_threshold_cpu || mem > opts.cluster_resource_threshold_memory ||
        pods > opts.cluster_resource_threshold_pod_count) {
      const auto [min_count, max_count] = WorkerNodeCounts(cluster);
      if (opts.cluster_resource_threshold_scale_value == 0 || min_count == max_count ||
          cluster.state != model::ClusterState::kStable) {
        log.Debug("cluster is over its resource thresholds");
        return false;
      }
      const int64_t new_min =
          std::min(min_count + opts.cluster_resource_threshold_scale_value, max_count);
      const Cluster unchanged = cluster;  // what the batch keeps seeing if the update fails
      cluster.state = model::ClusterState::kResizeRequested;
      if (cluster.provisioner == model::ClusterProvisioner::kEks) {
        model::EKSMetadataRequestedState change;
        model::NodeGroupMetadata worker;
        worker.name = std::string(model::kNodeGroupWorker) + "-" + NewId().substr(0, 6);
        worker.min_count = new_min;
        change.node_groups[std::string(model::kNodeGroupWorker)] = worker;
        cluster.provisioner_metadata_eks->change_request = change;
      } else {
        model::KopsMetadataRequestedState change;
        change.node_min_count = new_min;
        cluster.provisioner_metadata_kops->change_request = change;
      }
      if (Result<void> r = stores_.clusters.UpdateCluster(
              cluster, scheduling, store::EventOptions::IfChanged(EventExtra()));
          !r) {
        log.Error("failed to request a cluster resize", r.error());
        cluster = unchanged;
        return false;
      }
      log.With("node_min_count", std::to_string(new_min))
          .Info("cluster over its resource thresholds; resize requested");
      pass.wake.emplace_back(ResourceKind::kCluster, cluster.id);
    }
  }

  ClusterInstallation ci;
  ci.cluster_id = cluster.id;
  ci.installation_id = i.id;
  ci.namespace_ = i.id;
  ci.state = ClusterInstallationState::kCreationRequested;
  ci.is_active = true;
  Result<ClusterInstallation> created = stores_.cluster_installations.CreateClusterInstallation(
      ci, &scheduling, store::EventOptions::IfChanged(EventExtra()));
  if (!created) {
    log.Error("failed to create cluster installation", created.error());
    return false;
  }
  log.With(logkey::kClusterInstallation, created->id).Info("scheduled installation on cluster");
  pass.wake.emplace_back(ResourceKind::kClusterInstallation, created->id);
  return true;
}

InstallationState InstallationSupervisor::PreProvisionInstallation(Installation& i, Pass& pass) {
  if (Result<void> r = provisioners_.DatabaseFor(i).ProvisionDatabase(i); !r) {
    pass.log.Error("failed to provision database", r.error());
    return State::kCreationPreProvisioning;
  }
  if (Result<void> r = provisioners_.FilestoreFor(i).ProvisionFilestore(i); !r) {
    pass.log.Error("failed to provision filestore", r.error());
    return State::kCreationPreProvisioning;
  }
  return ConfigureInstallationDNS(i, pass);
}

InstallationState InstallationSupervisor::ConfigureInstallationDNS(Installation& i, Pass& pass) {
  if (Result<void> r = ConfigureDNS(i); !r) {
    pass.log.Error("failed to configure installation DNS", r.error());
    return State::kCreationDNS;
  }
  return WaitForCreationStable(i, pass);
}

InstallationState InstallationSupervisor::WaitForCreationStable(Installation& i, Pass& pass) {
  Result<bool> stable = ClusterInstallationsStable(i, /*allow_ready=*/true);
  if (!stable) {
    pass.log.Error("installation creation failed", stable.error());
    return State::kCreationFailed;
  }
  if (!*stable) {
    pass.log.Debug("installation is not stable yet");
    return State::kCreationInProgress;
  }
  pass.log.Info("finished creating installation");
  return State::kStable;  // upstream's "final tasks" are a no-op
}

// --- update, wake-up --------------------------------------------------------------------------

InstallationState InstallationSupervisor::UpdateInstallation(Installation& i, Pass& pass) {
  if (Result<void> r = SyncGroupSequence(i, pass); !r) {
    pass.log.Error("failed to sync the group sequence", r.error());
    return i.state;
  }
  if (options_.force_cr_upgrade && i.cr_version != model::kV1betaCRVersion) {
    if (Result<void> r = stores_.installations.UpdateInstallationCRVersion(
            i.id, model::kV1betaCRVersion, pass.lease);
        !r) {
      pass.log.Error("failed to upgrade the installation CR version", r.error());
      return i.state;
    }
    i.cr_version = std::string(model::kV1betaCRVersion);
  }
  Result<store::Claimed<ClusterInstallation>> claimed =
      stores_.cluster_installations.LockClusterInstallationsOfInstallation(
          i.id, options_.instance_id, /*include_deleted=*/false);
  if (!claimed) {
    pass.log.Warn("failed to lock cluster installations", claimed.error());
    return i.state;
  }
  {
    LeaseGuard guard(stores_.locks, claimed->lease, pass.log);
    Result<std::vector<model::InstallationDNS>> dns =
        stores_.dns_records.GetDNSRecordsForInstallation(i.id);
    if (!dns) {
      pass.log.Error("failed to get installation DNS records", dns.error());
      return i.state;
    }
    provisioner::ClusterInstallationProvisioner& p =
        provisioners_.ClusterInstallation(i.cr_version);
    for (ClusterInstallation& ci : claimed->rows) {
      const Logger log = pass.log.With(logkey::kClusterInstallation, ci.id);
      Result<std::optional<Cluster>> cluster = stores_.clusters.GetCluster(ci.cluster_id);
      if (!cluster) {
        // Upstream returns the CI's state string as the installation state here; we stay.
        log.Error("failed to get cluster", cluster.error());
        return i.state;
      }
      if (!*cluster) {
        // Upstream maps creation-requested / deletion-requested CIs to the matching failed
        // state and otherwise returns the CI's state; a state that is not an installation state
        // makes no sense, so every other case is update-failed here.
        log.With(logkey::kCluster, ci.cluster_id)
            .Error("cluster of cluster installation not found");
        if (ci.state == ClusterInstallationState::kCreationRequested) return State::kCreationFailed;
        if (ci.state == ClusterInstallationState::kDeletionRequested) return State::kDeletionFailed;
        return State::kUpdateFailed;
      }
      Result<bool> migrated = p.EnsureCRMigrated(**cluster, ci);
      if (!migrated || !*migrated) {
        if (!migrated) log.Error("failed to migrate the CR", migrated.error());
        return i.state;
      }
      if (Result<void> r = p.UpdateClusterInstallation(**cluster, i, *dns, ci); !r) {
        log.Error("failed to update cluster installation", r.error());
        return i.state;
      }
      if (ci.state != ClusterInstallationState::kReconciling) {
        if (Result<void> r = stores_.cluster_installations.UpdateClusterInstallationState(
                ci.id, ClusterInstallationState::kReconciling, claimed->lease.Only(ci.id),
                store::EventOptions::IfChanged(EventExtra()));
            !r) {
          log.Error("failed to save cluster installation state", r.error());
          return i.state;
        }
        ci.state = ClusterInstallationState::kReconciling;
      }
      pass.wake.emplace_back(ResourceKind::kClusterInstallation, ci.id);
    }
  }  // CI leases released before waiting
  return WaitForUpdateStable(i, pass);
}

InstallationState InstallationSupervisor::WaitForUpdateStable(Installation& i, Pass& pass) {
  if (i.ConfigMergedWithGroup() && !i.InstallationSequenceMatchesMergedGroupSequence()) {
    pass.log.Info("group config changed during the update; updating again");
    return State::kUpdateRequested;
  }
  Result<bool> stable = ClusterInstallationsStable(i, /*allow_ready=*/false);
  if (!stable) {
    pass.log.Error("installation update failed", stable.error());
    return State::kUpdateFailed;
  }
  if (!*stable) return State::kUpdateInProgress;
  if (options_.disable_dns_updates) return State::kStable;
  Result<std::vector<std::string>> endpoints = GetLoadBalancerEndpoints(i);
  if (!endpoints) {
    pass.log.Error("failed to get load balancer endpoints", endpoints.error());
    return State::kUpdateFailed;
  }
  Result<std::vector<model::InstallationDNS>> dns =
      stores_.dns_records.GetDNSRecordsForInstallation(i.id);
  if (!dns) {
    pass.log.Error("failed to get installation DNS records", dns.error());
    return State::kUpdateFailed;
  }
  if (Result<void> r =
          provisioners_.DNS().CreateDNSRecords(model::DNSNamesFromRecords(*dns), *endpoints);
      !r) {
    pass.log.Error("failed to update DNS records", r.error());
    return i.state;
  }
  pass.log.Info("finished updating installation");
  return State::kStable;
}

InstallationState InstallationSupervisor::WakeUpInstallation(Installation& i, Pass& pass) {
  if (Result<void> r = provisioners_.DatabaseFor(i).RefreshResourceMetadata(i); !r) {
    pass.log.Error("failed to refresh database resource metadata", r.error());
    return i.state;
  }
  return UpdateInstallation(i, pass);
}

// --- hibernation, pending deletion --------------------------------------------------------------

InstallationState InstallationSupervisor::HibernateInstallation(Installation& i, Pass& pass) {
  if (!HibernateClusterInstallations(i, pass)) return i.state;
  return WaitForHibernation(i, pass);
}

InstallationState InstallationSupervisor::WaitForHibernation(Installation& i, Pass& pass) {
  Result<bool> stable = ClusterInstallationsStable(i, /*allow_ready=*/false);
  if (!stable || !*stable) {
    if (!stable) pass.log.Warn("cluster installation failed while hibernating", stable.error());
    return State::kHibernationInProgress;  // hibernation has no failure state
  }
  pass.log.Info("installation is hibernating");
  return State::kHibernating;
}

InstallationState InstallationSupervisor::QueueInstallationDeletion(Installation& i, Pass& pass) {
  if (!HibernateClusterInstallations(i, pass)) return i.state;
  return WaitForInstallationDeletionPending(i, pass);
}

InstallationState InstallationSupervisor::WaitForInstallationDeletionPending(Installation& i,
                                                                             Pass& pass) {
  Result<bool> stable = ClusterInstallationsStable(i, /*allow_ready=*/false);
  if (!stable || !*stable) return State::kDeletionPendingInProgress;
  pass.log.Info("installation is pending deletion");
  return State::kDeletionPending;
}

InstallationState InstallationSupervisor::ConfigureDNSForHibernatingInstallation(Installation& i,
                                                                                 Pass& pass) {
  if (Result<void> r = ConfigureDNS(i); !r) {
    pass.log.Error("failed to configure installation DNS", r.error());
    return i.state;
  }
  return WaitForHibernation(i, pass);
}

// --- deletion ---------------------------------------------------------------------------------

InstallationState InstallationSupervisor::DeleteInstallation(Installation& i, Pass& pass) {
  Result<store::Claimed<ClusterInstallation>> claimed =
      stores_.cluster_installations.LockClusterInstallationsOfInstallation(
          i.id, options_.instance_id, /*include_deleted=*/true);
  if (!claimed) {
    pass.log.Warn("failed to lock cluster installations", claimed.error());
    return i.state;
  }
  size_t deleting = 0;
  size_t failed = 0;
  size_t deleted = 0;
  {
    LeaseGuard guard(stores_.locks, claimed->lease, pass.log);
    for (ClusterInstallation& ci : claimed->rows) {
      const Logger log = pass.log.With(logkey::kClusterInstallation, ci.id);
      bool request = false;
      switch (ci.state) {
        case ClusterInstallationState::kCreationRequested:
        case ClusterInstallationState::kCreationFailed:
        case ClusterInstallationState::kReconciling:
        case ClusterInstallationState::kStable:
          request = true;
          break;
        case ClusterInstallationState::kDeletionRequested:
          ++deleting;
          pass.wake.emplace_back(ResourceKind::kClusterInstallation, ci.id);
          break;
        case ClusterInstallationState::kDeletionFailed:
          if (i.state == State::kDeletionInProgress) {
            ++failed;
          } else {
            request = true;  // a new deletion request retries failed CI deletions
          }
          break;
        case ClusterInstallationState::kDeleted:
          ++deleted;
          break;
        case ClusterInstallationState::kReady:
          log.Error("cannot delete a cluster installation in state ready");
          return State::kDeletionFailed;
      }
      if (!request) continue;
      if (Result<void> r = stores_.cluster_installations.UpdateClusterInstallationState(
              ci.id, ClusterInstallationState::kDeletionRequested, claimed->lease.Only(ci.id),
              store::EventOptions::IfChanged(EventExtra()));
          !r) {
        log.Error("failed to request cluster installation deletion", r.error());
        return i.state;
      }
      ++deleting;
      pass.wake.emplace_back(ResourceKind::kClusterInstallation, ci.id);
    }
  }
  const size_t total = claimed->rows.size();
  pass.log.With("deleting", std::to_string(deleting))
      .With("deleted", std::to_string(deleted))
      .With("failed", std::to_string(failed))
      .Debug("cluster installation deletion status");
  if (failed > 0) return State::kDeletionFailed;
  if (deleted < total) return State::kDeletionInProgress;
  return FinalDeletionCleanup(i, pass);
}

InstallationState InstallationSupervisor::FinalDeletionCleanup(Installation& i, Pass& pass) {
  if (!CleanupDNSRecords(i, pass)) return State::kDeletionFinalCleanup;
  if (!options_.keep_filestore_data && !CleanupBackups(i, pass)) {
    return State::kDeletionFinalCleanup;
  }
  if (!CleanupMigrations(i, pass)) return State::kDeletionFinalCleanup;
  if (!CleanupRestorations(i, pass)) return State::kDeletionFinalCleanup;
  if (i.HasVolumes() && !i.volumes->empty()) {
    // TODO(supervisor): delete the volumes' backing secrets once a Secrets Manager port exists.
    pass.log.Warn("volume secrets are not deleted (no secrets manager port)");
  }
  if (Result<void> r =
          provisioners_.DatabaseFor(i).TeardownDatabase(i, options_.keep_database_data);
      !r) {
    pass.log.Error("failed to tear down database", r.error());
    return State::kDeletionFinalCleanup;
  }
  if (Result<void> r =
          provisioners_.FilestoreFor(i).TeardownFilestore(i, options_.keep_filestore_data);
      !r) {
    pass.log.Error("failed to tear down filestore", r.error());
    return State::kDeletionFinalCleanup;
  }
  if (Result<void> r = stores_.installations.DeleteInstallation(i.id, pass.lease); !r) {
    pass.log.Error("failed to mark installation as deleted", r.error());
    return State::kDeletionFinalCleanup;
  }
  pass.log.Info("finished deleting installation");
  return State::kDeleted;
}

bool InstallationSupervisor::CleanupDNSRecords(const Installation& i, Pass& pass) {
  Result<std::vector<model::InstallationDNS>> records =
      stores_.dns_records.GetDNSRecordsForInstallation(i.id);
  if (!records) {
    pass.log.Error("failed to get installation DNS records", records.error());
    return false;
  }
  for (const model::InstallationDNS& record : *records) {
    if (Result<void> r = provisioners_.DNS().DeleteDNSRecords({record.domain_name}); !r) {
      pass.log.With("domain", record.domain_name).Error("failed to delete DNS record", r.error());
      return false;
    }
    if (Result<void> r = stores_.dns_records.DeleteInstallationDNS(i.id, record.domain_name); !r) {
      pass.log.With("domain", record.domain_name)
          .Error("failed to mark DNS record as deleted", r.error());
      return false;
    }
  }
  return true;
}

bool InstallationSupervisor::CleanupBackups(const Installation& i, Pass& pass) {
  model::InstallationBackupFilter filter;
  filter.paging.per_page = model::Paging::kAllPerPage;
  filter.installation_id = i.id;
  Result<std::vector<model::InstallationBackup>> backups =
      stores_.backups.GetInstallationBackups(filter);
  if (!backups) {
    pass.log.Error("failed to list backups", backups.error());
    return false;
  }
  if (backups->empty()) return true;
  std::vector<std::string> ids;
  for (const model::InstallationBackup& b : *backups) ids.push_back(b.id);
  Result<store::Lease> lease =
      stores_.locks.Acquire(store::LockTable::kInstallationBackup, ids, options_.instance_id);
  if (!lease) {
    pass.log.Warn("failed to lock backups", lease.error());
    return false;
  }
  LeaseGuard guard(stores_.locks, *lease, pass.log);
  bool done = true;
  for (const model::InstallationBackup& b : *backups) {
    switch (b.state) {
      case model::BackupState::kDeleted:
        continue;
      case model::BackupState::kDeletionFailed:
        pass.log.With(logkey::kBackup, b.id).Error("backup deletion failed");
        return false;
      case model::BackupState::kDeletionRequested:
        done = false;
        continue;
      case model::BackupState::kBackupRequested:
      case model::BackupState::kBackupInProgress:
      case model::BackupState::kBackupSucceeded:
      case model::BackupState::kBackupFailed:
        break;
    }
    if (Result<void> r = stores_.backups.UpdateInstallationBackupState(
            b.id, model::BackupState::kDeletionRequested, lease->Only(b.id));
        !r) {
      pass.log.With(logkey::kBackup, b.id).Error("failed to request backup deletion", r.error());
      return false;
    }
    pass.wake.emplace_back(ResourceKind::kBackup, b.id);
    done = false;
  }
  return done;
}

bool InstallationSupervisor::CleanupMigrations(const Installation& i, Pass& pass) {
  model::InstallationDBMigrationFilter filter;
  filter.paging.per_page = model::Paging::kAllPerPage;
  filter.installation_id = i.id;
  Result<std::vector<model::InstallationDBMigrationOperation>> ops =
      stores_.migrations.GetInstallationDBMigrationOperations(filter);
  if (!ops) {
    pass.log.Error("failed to list migration operations", ops.error());
    return false;
  }
  if (ops->empty()) return true;
  std::vector<std::string> ids;
  for (const auto& op : *ops) ids.push_back(op.id);
  Result<store::Lease> lease = stores_.locks.Acquire(
      store::LockTable::kInstallationDBMigrationOperation, ids, options_.instance_id);
  if (!lease) {
    pass.log.Warn("failed to lock migration operations", lease.error());
    return false;
  }
  LeaseGuard guard(stores_.locks, *lease, pass.log);
  bool done = true;
  for (const auto& op : *ops) {
    if (op.state == model::MigrationState::kDeleted) continue;
    done = false;
    if (op.state == model::MigrationState::kDeletionRequested) continue;
    if (Result<void> r = stores_.migrations.UpdateInstallationDBMigrationOperationState(
            op.id, model::MigrationState::kDeletionRequested, lease->Only(op.id));
        !r) {
      pass.log.With(logkey::kMigration, op.id)
          .Error("failed to request migration operation deletion", r.error());
      return false;
    }
    pass.wake.emplace_back(ResourceKind::kDBMigration, op.id);
  }
  return done;
}

bool InstallationSupervisor::CleanupRestorations(const Installation& i, Pass& pass) {
  model::InstallationDBRestorationFilter filter;
  filter.paging.per_page = model::Paging::kAllPerPage;
  filter.installation_id = i.id;
  Result<std::vector<model::InstallationDBRestorationOperation>> ops =
      stores_.restorations.GetInstallationDBRestorationOperations(filter);
  if (!ops) {
    pass.log.Error("failed to list restoration operations", ops.error());
    return false;
  }
  if (ops->empty()) return true;
  std::vector<std::string> ids;
  for (const auto& op : *ops) ids.push_back(op.id);
  Result<store::Lease> lease = stores_.locks.Acquire(
      store::LockTable::kInstallationDBRestorationOperation, ids, options_.instance_id);
  if (!lease) {
    pass.log.Warn("failed to lock restoration operations", lease.error());
    return false;
  }
  LeaseGuard guard(stores_.locks, *lease, pass.log);
  bool done = true;
  for (const auto& op : *ops) {
    if (op.state == model::RestorationState::kDeleted) continue;
    done = false;
    if (op.state == model::RestorationState::kDeletionRequested) continue;
    if (Result<void> r = stores_.restorations.UpdateInstallationDBRestorationOperationState(
            op.id, model::RestorationState::kDeletionRequested, lease->Only(op.id));
        !r) {
      pass.log.With(logkey::kRestoration, op.id)
          .Error("failed to request restoration operation deletion", r.error());
      return false;
    }
    pass.wake.emplace_back(ResourceKind::kDBRestoration, op.id);
  }
  return done;
}

}  // namespace cloud::supervisor
