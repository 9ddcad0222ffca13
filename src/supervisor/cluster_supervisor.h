// ClusterSupervisor: drives clusters from a *-requested state to stable (or *-failed)
// (upstream internal/supervisor/cluster.go; spec upstream-core.md §1.2).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "model/cluster.h"
#include "provisioner/provisioner_set.h"
#include "store/cluster_store.h"
#include "store/lock_store.h"
#include "supervisor/doer.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/row_pass.h"

namespace cloud::supervisor {

struct ClusterSupervisorOptions {
  std::string instance_id;  // the locker ID of this server instance
  std::string environment;  // the "Environment" extra data of state-change events
};

// ClusterSupervisor drives clusters from a *-requested state to stable (or *-failed).
//
// Lifecycle: created once in app/, driven by a Scheduler (ResourceKind::kCluster): the
//   scheduler calls GetPendingWork() on its dispatcher and Supervise() on its workers,
//   concurrently for different clusters.
// Concurrency: several server instances may run it against the same database. Work on a
//   cluster happens only while holding its lease (LockAcquiredBy = instance ID, renewed while
//   a long step runs), and every write is fenced by that lease, so an instance that lost its
//   lease cannot overwrite newer state. A pass selected with a state abandons the cluster if
//   the state read after claiming differs.
// Reentrancy: each step observes the cluster/provisioner afresh and may be re-run after a
//   crash (the state is saved once, after the step's side effects; a crash re-runs the step,
//   and the provisioner calls are idempotent). "Not done yet" returns the same state and the
//   scheduler looks again after a backoff.
// Errors: steps never throw and never return Error; failures become *-failed states (or stay,
//   where upstream retries), exactly as the transition table of upstream-core.md §1.2.
// Not yet: the per-request-state duration histograms and Grafana annotations (no metrics
//   layer yet).
class ClusterSupervisor final : public Doer {
 public:
  ClusterSupervisor(store::ClusterStore& store, store::LockStore& locks,
                    const provisioner::ProvisionerSet& provisioners, LeaseRenewer* renewer,
                    ClusterSupervisorOptions options, Logger log);

  std::string_view Name() const override { return "cluster"; }
  // Upstream GetUnlockedClustersPendingWork, stable-sorted by ClusterStateWorkPriority.
  Result<std::vector<WorkItem>> GetPendingWork() override;
  StepOutcome Supervise(const WorkItem& item) override;

  // Level 3: one step for the cluster's current state; returns the state to persist. May save
  // intermediate data (the provisioner name, partly upgraded metadata, refreshed metadata)
  // under `lease` on the way, as upstream does.
  model::ClusterState Transition(model::Cluster& cluster, const store::Lease& lease,
                                 const Logger& log);

 private:
  model::ClusterState CreateCluster(model::Cluster& c, const store::Lease& lease,
                                    const Logger& log);
  model::ClusterState CheckClusterCreated(model::Cluster& c, const store::Lease& lease,
                                          const Logger& log);
  model::ClusterState CheckNodesCreated(model::Cluster& c, const Logger& log);
  model::ClusterState ProvisionCluster(model::Cluster& c, const store::Lease& lease,
                                       const Logger& log);
  model::ClusterState UpgradeCluster(model::Cluster& c, const store::Lease& lease,
                                     const Logger& log);
  model::ClusterState ResizeCluster(model::Cluster& c, const store::Lease& lease,
                                    const Logger& log);
  model::ClusterState CreateNodegroups(model::Cluster& c, const store::Lease& lease,
                                       const Logger& log);
  model::ClusterState DeleteNodegroups(model::Cluster& c, const store::Lease& lease,
                                       const Logger& log);
  model::ClusterState RefreshClusterMetadata(model::Cluster& c, const store::Lease& lease,
                                             const Logger& log);
  model::ClusterState DeleteCluster(model::Cluster& c, const store::Lease& lease,
                                    const Logger& log);
  // Saves the cluster's metadata without changing its state or emitting an event.
  Result<void> SaveMetadata(const model::Cluster& c, const store::Lease& lease);

  store::ClusterStore& store_;
  const provisioner::ProvisionerSet& provisioners_;
  ClusterSupervisorOptions options_;
  Logger log_;
  RowPassContext ctx_;
  RowPassHooks<model::Cluster, model::ClusterState> hooks_;
};

}  // namespace cloud::supervisor
