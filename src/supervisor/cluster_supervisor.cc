// ClusterSupervisor: the cluster state machine (upstream-core.md §1.2).
#include "supervisor/cluster_supervisor.h"

#include <algorithm>
#include <map>
#include <utility>

namespace cloud::supervisor {

using model::Cluster;
using model::ClusterState;

ClusterSupervisor::ClusterSupervisor(store::ClusterStore& store, store::LockStore& locks,
                                     const provisioner::ProvisionerSet& provisioners,
                                     LeaseRenewer* renewer, ClusterSupervisorOptions options,
                                     Logger log)
    : store_(store),
      provisioners_(provisioners),
      options_(std::move(options)),
      log_(log.With(logkey::kComponent, "cluster-supervisor")),
      ctx_{locks, renewer, options_.instance_id, log_} {
  hooks_.table = store::LockTable::kCluster;
  hooks_.log_key = logkey::kCluster;
  hooks_.reload = [this](std::string_view id) { return store_.GetCluster(id); };
  hooks_.state_of = [](const Cluster& c) { return c.state; };
  hooks_.state_name = [](ClusterState s) { return model::ToString(s); };
  hooks_.has_pending_work = [](ClusterState s) { return model::IsClusterStatePendingWork(s); };
  hooks_.transition = [this](Cluster& c, const store::Lease& lease, const Logger& step_log) {
    return Transition(c, lease, step_log);
  };
  hooks_.persist = [this](Cluster& c, ClusterState new_state, const store::Lease& lease,
                          const Logger&) -> Result<void> {
    c.state = new_state;
    std::map<std::string, std::string> extra;
    extra["Environment"] = options_.environment;
    CLOUD_TRY_VOID(
        store_.UpdateCluster(c, lease, store::EventOptions::IfChanged(std::move(extra))));
    if (lifecycle_observer() != nullptr &&
        (new_state == ClusterState::kStable || new_state == ClusterState::kDeleted)) {
      lifecycle_observer()->ResourceSettled("cluster", c.id, "");
    }
    return Ok();
  };
}

Result<std::vector<WorkItem>> ClusterSupervisor::GetPendingWork() {
  CLOUD_TRY(std::vector<Cluster> pending, store_.GetUnlockedClustersPendingWork());
  std::stable_sort(pending.begin(), pending.end(), [](const Cluster& a, const Cluster& b) {
    return model::ClusterStateWorkPriority(a.state) > model::ClusterStateWorkPriority(b.state);
  });
  std::vector<WorkItem> items;
  items.reserve(pending.size());
  for (const Cluster& c : pending) {
    items.push_back(WorkItem{c.id, std::string(model::ToString(c.state))});
  }
  return items;
}

StepOutcome ClusterSupervisor::Supervise(const WorkItem& item) {
  return RunRowPass(ctx_, item, hooks_, step_observer(), Name());
}

ClusterState ClusterSupervisor::Transition(Cluster& c, const store::Lease& lease,
                                           const Logger& log) {
  switch (c.state) {  // no default: -Werror=switch guards it
    case ClusterState::kCreationRequested:
      return CreateCluster(c, lease, log);
    case ClusterState::kCreationInProgress:
      return CheckClusterCreated(c, lease, log);
    case ClusterState::kWaitingForNodes:
      return CheckNodesCreated(c, log);
    case ClusterState::kProvisionInProgress:
    case ClusterState::kProvisioningRequested:
      return ProvisionCluster(c, lease, log);
    case ClusterState::kRefreshMetadata:
      return RefreshClusterMetadata(c, lease, log);
    case ClusterState::kUpgradeRequested:
      return UpgradeCluster(c, lease, log);
    case ClusterState::kResizeRequested:
      return ResizeCluster(c, lease, log);
    case ClusterState::kNodegroupsCreationRequested:
      return CreateNodegroups(c, lease, log);
    case ClusterState::kNodegroupsDeletionRequested:
      return DeleteNodegroups(c, lease, log);
    case ClusterState::kDeletionRequested:
      return DeleteCluster(c, lease, log);
    case ClusterState::kStable:
    case ClusterState::kCreationFailed:
    case ClusterState::kProvisioningFailed:
    case ClusterState::kUpgradeFailed:
    case ClusterState::kResizeFailed:
    case ClusterState::kNodegroupsCreationFailed:
    case ClusterState::kNodegroupsDeletionFailed:
    case ClusterState::kDeletionFailed:
    case ClusterState::kDeleted:
      log.Warn("found cluster pending work in unexpected state");
      return c.state;
  }
  return c.state;
}

Result<void> ClusterSupervisor::SaveMetadata(const Cluster& c, const store::Lease& lease) {
  return store_.UpdateCluster(c, lease, store::EventOptions::None());
}

ClusterState ClusterSupervisor::CreateCluster(Cluster& c, const store::Lease& lease,
                                              const Logger& log) {
  provisioner::ClusterProvisioner& p = provisioners_.For(c);
  if (p.PrepareCluster(c)) {
    if (Result<void> r = SaveMetadata(c, lease); !r) {
      log.Error("failed to record updated cluster after creation preparation", r.error());
      return ClusterState::kCreationFailed;
    }
  }
  if (Result<void> r = p.CreateCluster(c); !r) {
    log.Error("failed to create cluster", r.error());
    return ClusterState::kCreationFailed;
  }
  log.Info("started cluster creation");
  return CheckClusterCreated(c, lease, log);
}

ClusterState ClusterSupervisor::CheckClusterCreated(Cluster& c, const store::Lease&,
                                                    const Logger& log) {
  provisioner::ClusterProvisioner& p = provisioners_.For(c);
  Result<bool> ready = p.CheckClusterCreated(c);
  if (!ready) {
    log.Error("failed to check if cluster creation finished", ready.error());
    return ClusterState::kCreationFailed;
  }
  if (!*ready) {
    log.Debug("cluster is not ready yet");
    return ClusterState::kCreationInProgress;
  }
  if (Result<void> r = p.CreateNodegroups(c); !r) {
    log.Error("failed to create nodegroups", r.error());
    return ClusterState::kCreationFailed;
  }
  return CheckNodesCreated(c, log);
}

ClusterState ClusterSupervisor::CheckNodesCreated(Cluster& c, const Logger& log) {
  Result<bool> ready = provisioners_.For(c).CheckNodegroupsCreated(c);
  if (!ready) {
    log.Error("failed to check if nodegroups creation finished", ready.error());
    return ClusterState::kCreationFailed;
  }
  if (!*ready) {
    log.Debug("nodegroups are not ready yet");
    return ClusterState::kWaitingForNodes;
  }
  // Provisioning is not started in the same pass (upstream).
  return ClusterState::kProvisionInProgress;
}

ClusterState ClusterSupervisor::ProvisionCluster(Cluster& c, const store::Lease& lease,
                                                 const Logger& log) {
  if (Result<void> r = provisioners_.For(c).ProvisionCluster(c); !r) {
    log.Error("failed to provision cluster", r.error());
    return ClusterState::kProvisioningFailed;
  }
  log.Info("finished provisioning cluster");
  return RefreshClusterMetadata(c, lease, log);
}

ClusterState ClusterSupervisor::UpgradeCluster(Cluster& c, const store::Lease& lease,
                                               const Logger& log) {
  if (Result<void> r = provisioners_.For(c).UpgradeCluster(c); !r) {
    log.Error("failed to upgrade cluster", r.error());
    // Keep the partly changed metadata.
    if (Result<void> saved = SaveMetadata(c, lease); !saved) {
      log.Error("failed to save cluster metadata after a failed upgrade", saved.error());
      return ClusterState::kRefreshMetadata;
    }
    return ClusterState::kUpgradeFailed;
  }
  log.Info("finished upgrading cluster");
  return RefreshClusterMetadata(c, lease, log);
}

ClusterState ClusterSupervisor::ResizeCluster(Cluster& c, const store::Lease& lease,
                                              const Logger& log) {
  if (Result<void> r = provisioners_.For(c).ResizeCluster(c); !r) {
    log.Error("failed to resize cluster", r.error());
    return ClusterState::kResizeFailed;
  }
  log.Info("finished resizing cluster");
  return RefreshClusterMetadata(c, lease, log);
}

ClusterState ClusterSupervisor::CreateNodegroups(Cluster& c, const store::Lease& lease,
                                                 const Logger& log) {
  provisioner::ClusterProvisioner& p = provisioners_.For(c);
  if (Result<void> r = p.CreateNodegroups(c); !r) {
    log.Error("failed to create nodegroups", r.error());
    return ClusterState::kNodegroupsCreationFailed;
  }
  // Upstream checks the creation but ignores its "ready" answer.
  if (Result<bool> ready = p.CheckNodegroupsCreated(c); !ready) {
    log.Error("failed to check nodegroups creation", ready.error());
    return ClusterState::kNodegroupsCreationFailed;
  }
  log.Info("finished creating nodegroups");
  return RefreshClusterMetadata(c, lease, log);
}

ClusterState ClusterSupervisor::DeleteNodegroups(Cluster& c, const store::Lease& lease,
                                                 const Logger& log) {
  if (Result<void> r = provisioners_.For(c).DeleteNodegroups(c); !r) {
    log.Error("failed to delete nodegroups", r.error());
    return ClusterState::kNodegroupsDeletionFailed;
  }
  log.Info("finished deleting nodegroups");
  return RefreshClusterMetadata(c, lease, log);
}

ClusterState ClusterSupervisor::RefreshClusterMetadata(Cluster& c, const store::Lease& lease,
                                                       const Logger& log) {
  if (Result<void> r = provisioners_.For(c).RefreshClusterMetadata(c); !r) {
    log.Error("failed to refresh cluster metadata", r.error());
    return ClusterState::kRefreshMetadata;
  }
  if (Result<void> r = SaveMetadata(c, lease); !r) {
    log.Error("failed to save refreshed cluster metadata", r.error());
    return ClusterState::kRefreshMetadata;
  }
  return ClusterState::kStable;
}

ClusterState ClusterSupervisor::DeleteCluster(Cluster& c, const store::Lease& lease,
                                              const Logger& log) {
  Result<bool> done = provisioners_.For(c).DeleteCluster(c);
  if (!done) {
    log.Error("failed to delete cluster", done.error());
    return ClusterState::kDeletionFailed;
  }
  if (!*done) {
    log.Info("cluster deletion is still in progress");
    return ClusterState::kDeletionRequested;
  }
  if (Result<void> r = store_.DeleteCluster(c.id, lease); !r) {
    log.Error("failed to mark cluster as deleted", r.error());
    return ClusterState::kDeletionFailed;
  }
  log.Info("finished deleting cluster");
  return ClusterState::kDeleted;
}

}  // namespace cloud::supervisor
