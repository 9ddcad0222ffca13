// BackupSupervisor: the installation backup state machine (upstream-core.md §1.7).
#include "supervisor/backup_supervisor.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "supervisor/operation_support.h"

namespace cloud::supervisor {

using model::BackupState;
using model::InstallationBackup;

namespace {
constexpr std::string_view kAWSS3URL = "s3.amazonaws.com";
}  // namespace

BackupSupervisor::BackupSupervisor(BackupSupervisorStores stores,
                                   provisioner::BackupOperator& backup_operator,
                                   LeaseRenewer* renewer, BackupSupervisorOptions options,
                                   Logger log)
    : stores_(stores),
      operator_(backup_operator),
      options_(std::move(options)),
      log_(log.With(logkey::kComponent, "backup-supervisor")),
      ctx_{stores_.locks, renewer, options_.instance_id, log_} {
  hooks_.table = store::LockTable::kInstallationBackup;
  hooks_.log_key = logkey::kBackup;
  hooks_.reload = [this](std::string_view id) { return stores_.backups.GetInstallationBackup(id); };
  hooks_.state_of = [](const InstallationBackup& b) { return b.state; };
  hooks_.state_name = [](BackupState s) { return model::ToString(s); };
  hooks_.has_pending_work = [](BackupState s) {
    return std::find(model::kBackupStatesPendingWork.begin(), model::kBackupStatesPendingWork.end(),
                     s) != model::kBackupStatesPendingWork.end();
  };
  hooks_.transition = [this](InstallationBackup& b, const store::Lease& lease,
                             const Logger& step_log) { return Transition(b, lease, step_log); };
  hooks_.persist = [this](InstallationBackup& b, BackupState new_state, const store::Lease& lease,
                          const Logger&) {
    return stores_.backups.UpdateInstallationBackupState(b.id, new_state, lease,
                                                         {{"Environment", options_.environment}});
  };
}

Result<std::vector<WorkItem>> BackupSupervisor::GetPendingWork() {
  CLOUD_TRY(std::vector<InstallationBackup> pending,
            stores_.backups.GetUnlockedInstallationBackupsPendingWork());
  std::vector<WorkItem> items;
  items.reserve(pending.size());
  for (const InstallationBackup& b : pending) {
    items.push_back(WorkItem{b.id, std::string(model::ToString(b.state))});
  }
  return items;
}

StepOutcome BackupSupervisor::Supervise(const WorkItem& item) {
  bool changed = false;
  RowPassHooks<InstallationBackup, BackupState> hooks = hooks_;
  hooks.persist = [this, &changed](InstallationBackup& b, BackupState new_state,
                                   const store::Lease& lease,
                                   const Logger& step_log) -> Result<void> {
    CLOUD_TRY_VOID(hooks_.persist(b, new_state, lease, step_log));
    changed = true;
    return Ok();
  };
  const StepOutcome outcome = RunRowPass(ctx_, item, hooks, step_observer(), Name());
  if (changed && options_.notifier != nullptr) {
    options_.notifier->Notify(ResourceKind::kDBMigration);
  }
  return outcome;
}

BackupState BackupSupervisor::Transition(InstallationBackup& backup, const store::Lease& lease,
                                         const Logger& log) {
  switch (backup.state) {
    case State::kBackupRequested:
      return TriggerBackup(backup, lease, log);
    case State::kBackupInProgress:
      return CheckBackupStatus(backup, lease, log);
    case State::kDeletionRequested:
      return CleanupBackup(backup, lease, log);
    case State::kBackupSucceeded:
    case State::kBackupFailed:
    case State::kDeleted:
    case State::kDeletionFailed:
      log.Warn("found backup pending work in unexpected state");
      return backup.state;
  }
  return backup.state;
}

BackupState BackupSupervisor::TriggerBackup(InstallationBackup& backup, const store::Lease& lease,
                                            const Logger& log) {
  Result<std::optional<model::Installation>> installation =
      stores_.installations.GetInstallation(backup.installation_id, store::GroupMerge::None());
  if (!installation) {
    log.Error("failed to get installation", installation.error());
    return backup.state;
  }
  if (!*installation) {
    log.With(logkey::kInstallation, backup.installation_id).Error("installation not found");
    return State::kBackupFailed;
  }
  const model::Installation& i = **installation;
  Result<HeldLease> installation_lease =
      LeaseRow(stores_.locks, store::LockTable::kInstallation, i.id, options_.instance_id, log);
  if (!installation_lease) {
    log.With(logkey::kInstallation, i.id).Debug("failed to lock installation; will retry");
    return backup.state;
  }
  const std::string state(model::ToString(i.state));
  if (Result<void> ready = model::EnsureInstallationReadyForBackup(
          model::BackupInstallationView{i.id, state, i.database, i.filestore});
      !ready) {
    log.Error("installation is not ready for backup", ready.error());
    return backup.state;
  }
  Result<ClaimedClusterInstallation> ci = ClaimClusterInstallation(
      stores_.cluster_installations, stores_.locks, i.id, options_.instance_id, log);
  if (!ci) {
    log.Error("failed to claim a cluster installation for the backup", ci.error());
    return backup.state;
  }
  Result<std::optional<model::Cluster>> cluster = stores_.clusters.GetCluster(ci->ci.cluster_id);
  if (!cluster || !*cluster) {
    log.With(logkey::kCluster, ci->ci.cluster_id)
        .Error("failed to get the cluster of the cluster installation",
               cluster ? NotFound("cluster not found") : cluster.error());
    return backup.state;
  }
  Result<model::S3DataResidence> residence = operator_.TriggerBackup(backup, **cluster, i);
  if (!residence) {
    log.Error("failed to trigger backup", residence.error());
    return backup.state;
  }
  backup.data_residence = *residence;
  backup.cluster_installation_id = ci->ci.id;
  if (Result<void> saved = stores_.backups.UpdateInstallationBackup(backup, lease); !saved) {
    log.Error("failed to save backup scheduling data", saved.error());
    return backup.state;
  }
  log.With(logkey::kClusterInstallation, backup.cluster_installation_id).Info("backup job started");
  return State::kBackupInProgress;
}

BackupState BackupSupervisor::CheckBackupStatus(InstallationBackup& backup,
                                                const store::Lease& lease, const Logger& log) {
  Result<model::Cluster> cluster = ClusterOfClusterInstallation(
      stores_.cluster_installations, stores_.clusters, backup.cluster_installation_id);
  if (!cluster) {
    log.Error("failed to get the cluster of the backup", cluster.error());
    return backup.state;
  }
  Result<provisioner::JobStatus> status = operator_.CheckBackupStatus(backup, *cluster);
  if (!status) {
    log.Error("failed to check backup status", status.error());
    return backup.state;
  }
  switch (status->phase) {
    case provisioner::JobStatus::Phase::kFailed:
      log.Error("backup job failed: backoff limit reached");
      return State::kBackupFailed;
    case provisioner::JobStatus::Phase::kRunning:
      log.Debug("backup job not finished yet");
      return backup.state;
    case provisioner::JobStatus::Phase::kSucceeded:
      break;
  }
  if (status->at_millis <= 0) {
    log.Debug("backup job not finished yet");
    return backup.state;
  }
  backup.start_at = status->at_millis;
  if (Result<void> saved = stores_.backups.UpdateInstallationBackup(backup, lease); !saved) {
    log.Error("failed to save backup start time", saved.error());
    return backup.state;
  }
  log.Info("backup finished successfully");
  return State::kBackupSucceeded;
}

BackupState BackupSupervisor::CleanupBackup(InstallationBackup& backup, const store::Lease& lease,
                                            const Logger& log) {
  Result<model::Cluster> cluster = ClusterOfClusterInstallation(
      stores_.cluster_installations, stores_.clusters, backup.cluster_installation_id);
  if (!cluster) {
    log.Error("failed to get the cluster of the backup", cluster.error());
    return backup.state;
  }
  if (Result<void> r = operator_.CleanupBackupJob(backup, *cluster); !r) {
    log.Error("failed to clean up backup job", r.error());
    return backup.state;
  }
  if (!backup.data_residence || backup.data_residence->url != kAWSS3URL) {
    log.With("url", backup.data_residence ? backup.data_residence->url : std::string())
        .Error("backup data residence is not S3; cannot delete the backup data");
    return State::kDeletionFailed;
  }
  if (Result<void> r = operator_.DeleteBackupData(backup); !r) {
    log.Error("failed to delete backup data", r.error());
    return backup.state;
  }
  if (Result<void> r = stores_.backups.DeleteInstallationBackup(backup.id, lease); !r) {
    log.Error("failed to mark backup as deleted", r.error());
    return backup.state;
  }
  log.Info("backup deleted");
  return State::kDeleted;
}

}  // namespace cloud::supervisor
