// DBRestorationSupervisor: the installation DB restoration state machine (upstream-core.md §1.8).
#include "supervisor/db_restoration_supervisor.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "supervisor/operation_support.h"

namespace cloud::supervisor {

using model::InstallationDBRestorationOperation;
using model::RestorationState;

DBRestorationSupervisor::DBRestorationSupervisor(DBRestorationSupervisorStores stores,
                                                 provisioner::RestoreOperator& restore_operator,
                                                 LeaseRenewer* renewer,
                                                 DBRestorationSupervisorOptions options, Logger log)
    : stores_(stores),
      operator_(restore_operator),
      options_(std::move(options)),
      log_(log.With(logkey::kComponent, "db-restoration-supervisor")),
      ctx_{stores_.locks, renewer, options_.instance_id, log_} {
  hooks_.table = store::LockTable::kInstallationDBRestorationOperation;
  hooks_.log_key = logkey::kRestoration;
  hooks_.reload = [this](std::string_view id) {
    return stores_.restorations.GetInstallationDBRestorationOperation(id);
  };
  hooks_.state_of = [](const Operation& op) { return op.state; };
  hooks_.state_name = [](State s) { return model::ToString(s); };
  hooks_.has_pending_work = [](State s) {
    return std::find(model::kRestorationStatesPendingWork.begin(),
                     model::kRestorationStatesPendingWork.end(),
                     s) != model::kRestorationStatesPendingWork.end();
  };
  hooks_.transition = [this](Operation& op, const store::Lease& lease, const Logger& step_log) {
    return Transition(op, lease, step_log);
  };
  hooks_.persist = [this](Operation& op, State new_state, const store::Lease& lease,
                          const Logger&) {
    return stores_.restorations.UpdateInstallationDBRestorationOperationState(
        op.id, new_state, lease, {{"Environment", options_.environment}});
  };
}

Result<std::vector<WorkItem>> DBRestorationSupervisor::GetPendingWork() {
  CLOUD_TRY(std::vector<Operation> pending,
            stores_.restorations.GetUnlockedInstallationDBRestorationOperationsPendingWork());
  std::vector<WorkItem> items;
  items.reserve(pending.size());
  for (const Operation& op : pending) {
    items.push_back(WorkItem{op.id, std::string(model::ToString(op.state))});
  }
  return items;
}

StepOutcome DBRestorationSupervisor::Supervise(const WorkItem& item) {
  bool changed = false;
  RowPassHooks<Operation, State> hooks = hooks_;
  hooks.persist = [this, &changed](Operation& op, State new_state, const store::Lease& lease,
                                   const Logger& step_log) -> Result<void> {
    CLOUD_TRY_VOID(hooks_.persist(op, new_state, lease, step_log));
    changed = true;
    return Ok();
  };
  const StepOutcome outcome = RunRowPass(ctx_, item, hooks, step_observer(), Name());
  if (changed && options_.notifier != nullptr) {
    options_.notifier->Notify(ResourceKind::kDBMigration);
  }
  return outcome;
}

RestorationState DBRestorationSupervisor::Transition(Operation& op, const store::Lease& lease,
                                                     const Logger& log) {
  switch (op.state) {
    case State::kRequested:
      return TriggerRestoration(op, lease, log);
    case State::kInProgress:
      return CheckRestorationStatus(op, lease, log);
    case State::kFinalizing:
      return SetInstallationState(op, model::InstallationState{}, State::kSucceeded, log);
    case State::kFailing:
      return SetInstallationState(op, model::InstallationState::kDBRestorationFailed,
                                  State::kFailed, log);
    case State::kDeletionRequested:
      return CleanupRestoration(op, lease, log);
    case State::kSucceeded:
    case State::kFailed:
    case State::kInvalid:
    case State::kDeleted:
      log.Warn("found restoration pending work in unexpected state");
      return op.state;
  }
  return op.state;
}

RestorationState DBRestorationSupervisor::TriggerRestoration(Operation& op,
                                                             const store::Lease& lease,
                                                             const Logger& log) {
  Result<HeldLease> installation_lease = LeaseRow(stores_.locks, store::LockTable::kInstallation,
                                                  op.installation_id, options_.instance_id, log);
  if (!installation_lease) {
    log.With(logkey::kInstallation, op.installation_id)
        .Debug("failed to lock installation; will retry");
    return op.state;
  }
  Result<std::optional<model::Installation>> installation =
      stores_.installations.GetInstallation(op.installation_id, store::GroupMerge::None());
  if (!installation || !*installation) {
    log.Error("failed to get installation",
              installation ? NotFound("installation not found") : installation.error());
    return op.state;
  }
  Result<std::optional<model::InstallationBackup>> backup =
      stores_.backups.GetInstallationBackup(op.backup_id);
  if (!backup || !*backup) {
    log.With(logkey::kBackup, op.backup_id)
        .Error("failed to get backup", backup ? NotFound("backup not found") : backup.error());
    return op.state;
  }
  std::optional<ClaimedClusterInstallation> claimed;  // held until the Job is started
  if (op.cluster_installation_id.empty()) {
    Result<ClaimedClusterInstallation> ci =
        ClaimClusterInstallation(stores_.cluster_installations, stores_.locks, op.installation_id,
                                 options_.instance_id, log);
    if (!ci) {
      log.Error("failed to claim a cluster installation for the restoration", ci.error());
      return op.state;
    }
    op.cluster_installation_id = ci->ci.id;
    claimed.emplace(std::move(*ci));
    if (Result<void> saved =
            stores_.restorations.UpdateInstallationDBRestorationOperation(op, lease);
        !saved) {
      log.Error("failed to save the restoration's cluster installation", saved.error());
      return op.state;
    }
  }
  Result<model::Cluster> cluster = ClusterOfClusterInstallation(
      stores_.cluster_installations, stores_.clusters, op.cluster_installation_id);
  if (!cluster) {
    log.Error("failed to get the cluster of the restoration", cluster.error());
    return op.state;
  }
  if (Result<void> r = operator_.TriggerRestore(**installation, **backup, *cluster); !r) {
    log.Error("failed to trigger restoration", r.error());
    return op.state;
  }
  log.With(logkey::kClusterInstallation, op.cluster_installation_id)
      .Info("restoration job started");
  return State::kInProgress;
}

RestorationState DBRestorationSupervisor::CheckRestorationStatus(Operation& op,
                                                                 const store::Lease& lease,
                                                                 const Logger& log) {
  Result<std::optional<model::InstallationBackup>> backup =
      stores_.backups.GetInstallationBackup(op.backup_id);
  if (!backup || !*backup) {
    log.With(logkey::kBackup, op.backup_id)
        .Error("failed to get backup", backup ? NotFound("backup not found") : backup.error());
    return op.state;
  }
  Result<model::Cluster> cluster = ClusterOfClusterInstallation(
      stores_.cluster_installations, stores_.clusters, op.cluster_installation_id);
  if (!cluster) {
    log.Error("failed to get the cluster of the restoration", cluster.error());
    return op.state;
  }
  Result<provisioner::JobStatus> status = operator_.CheckRestoreStatus(**backup, *cluster);
  if (!status) {
    log.Error("failed to check restoration status", status.error());
    return op.state;
  }
  if (status->phase == provisioner::JobStatus::Phase::kFailed) {
    log.Error("restoration job failed: backoff limit reached");
    return State::kFailing;
  }
  if (status->phase == provisioner::JobStatus::Phase::kRunning || status->at_millis <= 0) {
    log.Debug("restoration job not finished yet");
    return op.state;
  }
  op.complete_at = status->at_millis;
  if (Result<void> saved = stores_.restorations.UpdateInstallationDBRestorationOperation(op, lease);
      !saved) {
    log.Error("failed to save restoration completion time", saved.error());
    return op.state;
  }
  log.Info("restoration job finished");
  return State::kFinalizing;
}

RestorationState DBRestorationSupervisor::SetInstallationState(
    Operation& op, model::InstallationState installation_state, State next, const Logger& log) {
  if (next == State::kSucceeded) {
    if (!model::ParseEnum(op.target_installation_state, installation_state)) {
      log.With("target_state", op.target_installation_state)
          .Error("restoration has an unknown target installation state");
      return op.state;
    }
  }
  Result<HeldLease> installation_lease = LeaseRow(stores_.locks, store::LockTable::kInstallation,
                                                  op.installation_id, options_.instance_id, log);
  if (!installation_lease) {
    log.With(logkey::kInstallation, op.installation_id)
        .Debug("failed to lock installation; will retry");
    return op.state;
  }
  // The state write is a no-op (and emits no event) when a crashed pass already made it.
  if (Result<void> r = stores_.installations.UpdateInstallationState(
          op.installation_id, installation_state, installation_lease->lease(),
          store::EventOptions::IfChanged({{"Environment", options_.environment}}));
      !r) {
    log.With(logkey::kInstallation, op.installation_id)
        .Error("failed to update installation state", r.error());
    return op.state;
  }
  log.With(logkey::kInstallation, op.installation_id)
      .With("installation_state", std::string(model::ToString(installation_state)))
      .Info("installation moved after restoration");
  return next;
}

RestorationState DBRestorationSupervisor::CleanupRestoration(Operation& op,
                                                             const store::Lease& lease,
                                                             const Logger& log) {
  Result<std::optional<model::InstallationBackup>> backup =
      stores_.backups.GetInstallationBackup(op.backup_id);
  if (!backup) {
    log.Error("failed to get backup", backup.error());
    return op.state;
  }
  if (*backup) {
    Result<model::Cluster> cluster = ClusterOfClusterInstallation(
        stores_.cluster_installations, stores_.clusters, op.cluster_installation_id);
    if (!cluster) {
      log.Error("failed to get the cluster of the restoration", cluster.error());
      return op.state;
    }
    if (Result<void> r = operator_.CleanupRestoreJob(**backup, *cluster); !r) {
      log.Error("failed to clean up restoration job", r.error());
      return op.state;
    }
  }
  if (Result<void> r = stores_.restorations.DeleteInstallationDBRestorationOperation(op.id, lease);
      !r) {
    log.Error("failed to mark restoration as deleted", r.error());
    return op.state;
  }
  log.Info("restoration deleted");
  return State::kDeleted;
}

}  // namespace cloud::supervisor
