// ClusterInstallationSupervisor: the cluster installation state machine (upstream-core.md §1.4).
#include "supervisor/cluster_installation_supervisor.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace cloud::supervisor {

using model::Cluster;
using model::ClusterInstallation;
using model::ClusterInstallationState;
using model::Installation;

namespace {

// The state a CI goes to when its cluster or installation is missing.
ClusterInstallationState MissingParentState(ClusterInstallationState state) {
  if (state == ClusterInstallationState::kCreationRequested) {
    return ClusterInstallationState::kCreationFailed;
  }
  if (state == ClusterInstallationState::kDeletionRequested) {
    return ClusterInstallationState::kDeletionFailed;
  }
  return state;
}

}  // namespace

ClusterInstallationSupervisor::ClusterInstallationSupervisor(
    ClusterInstallationSupervisorStores stores, const provisioner::ProvisionerSet& provisioners,
    LeaseRenewer* renewer, ClusterInstallationSupervisorOptions options, Logger log)
    : stores_(stores),
      provisioners_(provisioners),
      options_(std::move(options)),
      log_(log.With(logkey::kComponent, "cluster-installation-supervisor")),
      ctx_{stores_.locks, renewer, options_.instance_id, log_} {
  hooks_.table = store::LockTable::kClusterInstallation;
  hooks_.log_key = logkey::kClusterInstallation;
  hooks_.reload = [this](std::string_view id) {
    return stores_.cluster_installations.GetClusterInstallation(id);
  };
  hooks_.state_of = [](const ClusterInstallation& ci) { return ci.state; };
  hooks_.state_name = [](ClusterInstallationState s) { return model::ToString(s); };
  hooks_.has_pending_work = [](ClusterInstallationState s) {
    const auto pending = model::AllClusterInstallationStatesPendingWork();
    return std::find(pending.begin(), pending.end(), s) != pending.end();
  };
  hooks_.transition = [this](ClusterInstallation& ci, const store::Lease& lease,
                             const Logger& step_log) { return Transition(ci, lease, step_log); };
  hooks_.persist = [this](ClusterInstallation& ci, ClusterInstallationState new_state,
                          const store::Lease& lease, const Logger&) -> Result<void> {
    ci.state = new_state;
    CLOUD_TRY_VOID(stores_.cluster_installations.UpdateClusterInstallationAndRelease(
        ci, lease, store::EventOptions::IfChanged(EventExtra())));
    if (lifecycle_observer() != nullptr && (new_state == ClusterInstallationState::kStable ||
                                            new_state == ClusterInstallationState::kDeleted)) {
      lifecycle_observer()->ResourceSettled("cluster_installation", ci.id, ci.cluster_id);
    }
    return Ok();
  };
  hooks_.persist_releases = true;
}

std::map<std::string, std::string> ClusterInstallationSupervisor::EventExtra() const {
  return {{"Environment", options_.environment}};
}

Result<std::vector<WorkItem>> ClusterInstallationSupervisor::GetPendingWork() {
  CLOUD_TRY(std::vector<ClusterInstallation> pending,
            stores_.cluster_installations.GetUnlockedClusterInstallationsPendingWork());
  std::stable_sort(pending.begin(), pending.end(),
                   [](const ClusterInstallation& a, const ClusterInstallation& b) {
                     return model::ClusterInstallationStateWorkPriority(a.state) >
                            model::ClusterInstallationStateWorkPriority(b.state);
                   });
  std::vector<WorkItem> items;
  items.reserve(pending.size());
  for (const ClusterInstallation& ci : pending) {
    items.push_back(WorkItem{ci.id, std::string(model::ToString(ci.state))});
  }
  return items;
}

StepOutcome ClusterInstallationSupervisor::Supervise(const WorkItem& item) {
  std::optional<std::string> changed_installation;
  RowPassHooks<ClusterInstallation, ClusterInstallationState> hooks = hooks_;
  hooks.persist = [this, &changed_installation](
                      ClusterInstallation& ci, ClusterInstallationState new_state,
                      const store::Lease& lease, const Logger& step_log) -> Result<void> {
    CLOUD_TRY_VOID(hooks_.persist(ci, new_state, lease, step_log));
    changed_installation = ci.installation_id;
    return Ok();
  };
  const StepOutcome outcome = RunRowPass(ctx_, item, hooks, step_observer(), Name());
  if (options_.notifier != nullptr && changed_installation) {
    options_.notifier->Notify(ResourceKind::kInstallation, *changed_installation);
  }
  return outcome;
}

ClusterInstallationState ClusterInstallationSupervisor::Transition(ClusterInstallation& ci,
                                                                   const store::Lease& lease,
                                                                   const Logger& log) {
  // Pre-step (every state): the cluster and the group-merged installation.
  Result<std::optional<Cluster>> cluster = stores_.clusters.GetCluster(ci.cluster_id);
  if (!cluster) {
    log.Error("failed to get cluster", cluster.error());
    return ci.state;
  }
  if (!*cluster) {
    log.With(logkey::kCluster, ci.cluster_id).Error("cluster not found");
    return MissingParentState(ci.state);
  }
  Result<std::optional<Installation>> installation =
      stores_.installations.GetInstallation(ci.installation_id, store::GroupMerge::Config());
  if (!installation) {
    log.Error("failed to get installation", installation.error());
    return ci.state;
  }
  if (!*installation) {
    log.With(logkey::kInstallation, ci.installation_id).Error("installation not found");
    return MissingParentState(ci.state);
  }

  switch (ci.state) {  // no default: -Werror=switch guards it
    case State::kCreationRequested:
      return CreateClusterInstallation(ci, **cluster, **installation, log);
    case State::kReconciling:
    case State::kReady:
      return CheckReconcilingClusterInstallation(ci, **cluster, **installation, log);
    case State::kDeletionRequested:
      return DeleteClusterInstallation(ci, **cluster, **installation, lease, log);
    case State::kCreationFailed:
    case State::kDeletionFailed:
    case State::kDeleted:
    case State::kStable:
      log.Warn("found cluster installation pending work in unexpected state");
      return ci.state;
  }
  return ci.state;
}

ClusterInstallationState ClusterInstallationSupervisor::CreateClusterInstallation(
    ClusterInstallation& ci, const Cluster& cluster, const Installation& installation,
    const Logger& log) {
  provisioner::ClusterInstallationProvisioner& p =
      provisioners_.ClusterInstallation(installation.cr_version);
  if (Result<void> r = p.PrepareClusterUtilities(cluster, installation); !r) {
    log.Error("failed to prepare cluster utilities", r.error());
    return State::kCreationRequested;
  }
  Result<std::vector<model::InstallationDNS>> dns =
      stores_.dns_records.GetDNSRecordsForInstallation(installation.id);
  if (!dns) {
    log.Error("failed to get installation DNS records", dns.error());
    return State::kCreationRequested;
  }
  if (Result<void> r = p.CreateClusterInstallation(cluster, installation, *dns, ci); !r) {
    // Upstream retries creation forever: it never reaches creation-failed from here.
    log.Error("failed to create cluster installation", r.error());
    return State::kCreationRequested;
  }
  log.Info("finished creating cluster installation");
  return State::kReconciling;
}

ClusterInstallationState ClusterInstallationSupervisor::CheckReconcilingClusterInstallation(
    ClusterInstallation& ci, const Cluster& cluster, const Installation& installation,
    const Logger& log) {
  provisioner::ClusterInstallationProvisioner& p =
      provisioners_.ClusterInstallation(installation.cr_version);
  Result<provisioner::ResourceReadiness> readiness = p.IsResourceReadyAndStable(cluster, ci);
  if (!readiness) {
    log.Error("failed to check cluster installation readiness", readiness.error());
    return State::kReconciling;
  }
  if (!readiness->ready) {
    log.Debug("cluster installation is not ready yet");
    return State::kReconciling;
  }
  if (!readiness->stable) {
    log.Debug("cluster installation is ready but not stable yet");
    return State::kReady;
  }
  if (Result<void> r = p.DeleteOldClusterInstallationLicenseSecrets(cluster, installation, ci);
      !r) {
    log.Error("failed to delete old license secrets", r.error());
    return State::kReconciling;
  }
  log.Info("cluster installation is stable");
  return State::kStable;
}

ClusterInstallationState ClusterInstallationSupervisor::DeleteClusterInstallation(
    ClusterInstallation& ci, const Cluster& cluster, const Installation& installation,
    const store::Lease& lease, const Logger& log) {
  model::InstallationBackupFilter filter;
  filter.paging.per_page = model::Paging::kAllPerPage;
  filter.cluster_installation_id = ci.id;
  filter.states = {model::BackupState::kBackupRequested, model::BackupState::kBackupInProgress};
  Result<std::vector<model::InstallationBackup>> running =
      stores_.backups.GetInstallationBackups(filter);
  if (!running) {
    log.Error("failed to list running backups", running.error());
    return ci.state;
  }
  if (!running->empty()) {
    log.Info("cluster installation has running backups; waiting before deletion");
    return ci.state;
  }
  if (Result<void> r = provisioners_.ClusterInstallation(installation.cr_version)
                           .DeleteClusterInstallation(cluster, installation, ci);
      !r) {
    log.Error("failed to delete cluster installation", r.error());
    return State::kDeletionFailed;
  }
  if (Result<void> r = stores_.cluster_installations.DeleteClusterInstallation(ci.id, lease); !r) {
    log.Error("failed to mark cluster installation as deleted", r.error());
    return State::kDeletionFailed;
  }
  log.Info("finished deleting cluster installation");
  return State::kDeleted;
}

}  // namespace cloud::supervisor
