// DBMigrationSupervisor: the installation DB migration state machine (upstream-core.md §1.9).
#include "supervisor/db_migration_supervisor.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace cloud::supervisor {

using model::InstallationDBMigrationOperation;
using model::InstallationState;
using model::MigrationState;

namespace {

std::string SourceDatabaseID(const InstallationDBMigrationOperation& op) {
  return op.source_multi_tenant ? op.source_multi_tenant->database_id : std::string();
}
std::string DestinationDatabaseID(const InstallationDBMigrationOperation& op) {
  return op.destination_multi_tenant ? op.destination_multi_tenant->database_id : std::string();
}

}  // namespace

DBMigrationSupervisor::DBMigrationSupervisor(DBMigrationSupervisorStores stores,
                                             const provisioner::ProvisionerSet& provisioners,
                                             const Clock& clock, LeaseRenewer* renewer,
                                             DBMigrationSupervisorOptions options, Logger log)
    : stores_(stores),
      provisioners_(provisioners),
      clock_(clock),
      options_(std::move(options)),
      log_(log.With(logkey::kComponent, "db-migration-supervisor")),
      ctx_{stores_.locks, renewer, options_.instance_id, log_} {
  hooks_.table = store::LockTable::kInstallationDBMigrationOperation;
  hooks_.log_key = logkey::kMigration;
  hooks_.reload = [this](std::string_view id) {
    return stores_.migrations.GetInstallationDBMigrationOperation(id);
  };
  hooks_.state_of = [](const Operation& op) { return op.state; };
  hooks_.state_name = [](State s) { return model::ToString(s); };
  hooks_.has_pending_work = [](State s) {
    return std::find(model::kMigrationStatesPendingWork.begin(),
                     model::kMigrationStatesPendingWork.end(),
                     s) != model::kMigrationStatesPendingWork.end();
  };
  hooks_.transition = [this](Operation& op, const store::Lease& lease, const Logger& step_log) {
    return Transition(op, lease, step_log);
  };
  hooks_.persist = [this](Operation& op, State new_state, const store::Lease& lease,
                          const Logger&) {
    return stores_.migrations.UpdateInstallationDBMigrationOperationState(
        op.id, new_state, lease, {{"Environment", options_.environment}});
  };
}

Result<std::vector<WorkItem>> DBMigrationSupervisor::GetPendingWork() {
  CLOUD_TRY(std::vector<Operation> pending,
            stores_.migrations.GetUnlockedInstallationDBMigrationOperationsPendingWork());
  std::vector<WorkItem> items;
  items.reserve(pending.size());
  for (const Operation& op : pending) {
    items.push_back(WorkItem{op.id, std::string(model::ToString(op.state))});
  }
  return items;
}

StepOutcome DBMigrationSupervisor::Supervise(const WorkItem& item) {
  std::optional<std::pair<ResourceKind, std::string>> wake;
  RowPassHooks<Operation, State> hooks = hooks_;
  hooks.persist = [this, &wake](Operation& op, State new_state, const store::Lease& lease,
                                const Logger& step_log) -> Result<void> {
    CLOUD_TRY_VOID(hooks_.persist(op, new_state, lease, step_log));
    if (new_state == State::kBackupInProgress) {
      wake.emplace(ResourceKind::kBackup, op.backup_id);
    } else if (new_state == State::kRestorationInProgress) {
      wake.emplace(ResourceKind::kDBRestoration, op.installation_db_restoration_operation_id);
    }
    return Ok();
  };
  const StepOutcome outcome = RunRowPass(ctx_, item, hooks, step_observer(), Name());
  if (wake && options_.notifier != nullptr) options_.notifier->Notify(wake->first, wake->second);
  return outcome;
}

MigrationState DBMigrationSupervisor::Transition(Operation& op, const store::Lease& lease,
                                                 const Logger& log) {
  switch (op.state) {
    case State::kRequested:
      return TriggerBackup(op, lease, log);
    case State::kBackupInProgress:
      return WaitForBackup(op, log);
    case State::kDatabaseSwitch:
      return SwitchDatabase(op, log);
    case State::kRefreshSecrets:
      return RefreshCredentials(op, log);
    case State::kTriggerRestoration:
      return TriggerRestoration(op, lease, log);
    case State::kRestorationInProgress:
      return WaitForRestoration(op, log);
    case State::kUpdatingInstallationConfig:
      return UpdateInstallationConfig(op, log);
    case State::kFinalizing:
      return Finalize(op, lease, log);
    case State::kFailing:
      return Fail(op, log);
    case State::kRollbackRequested:
      return Rollback(op, log);
    case State::kDeletionRequested:
      return Cleanup(op, lease, log);
    case State::kSucceeded:
    case State::kFailed:
    case State::kCommitted:
    case State::kRollbackFinished:
    case State::kDeleted:
      log.Warn("found migration pending work in unexpected state");
      return op.state;
  }
  return op.state;
}

Result<DBMigrationSupervisor::LockedInstallation> DBMigrationSupervisor::GetAndLockInstallation(
    const Operation& op, const Logger& log) {
  CLOUD_TRY(HeldLease lease, LeaseRow(stores_.locks, store::LockTable::kInstallation,
                                      op.installation_id, options_.instance_id, log));
  CLOUD_TRY(std::optional<model::Installation> installation,
            stores_.installations.GetInstallation(op.installation_id, store::GroupMerge::None()));
  if (!installation) return NotFound("installation " + op.installation_id + " not found");
  return LockedInstallation{std::move(*installation), std::move(lease)};
}

MigrationState DBMigrationSupervisor::TriggerBackup(Operation& op, const store::Lease& lease,
                                                    const Logger& log) {
  Result<LockedInstallation> locked = GetAndLockInstallation(op, log);
  if (!locked) {
    log.Warn("failed to get and lock installation", locked.error());
    return op.state;
  }
  const model::Installation& i = locked->installation;
  // A re-run after a crash: the backup this step created is kept (upstream would be stuck on
  // "backup already running").
  std::optional<model::InstallationBackup> backup;
  if (!op.backup_id.empty()) {
    Result<std::optional<model::InstallationBackup>> saved =
        stores_.backups.GetInstallationBackup(op.backup_id);
    if (!saved) {
      log.Error("failed to get backup", saved.error());
      return op.state;
    }
    if (*saved && !(*saved)->IsDeleted()) backup = **saved;
  }
  if (!backup) {
    model::InstallationBackupFilter filter;
    filter.paging = model::AllPagesNotDeleted();
    filter.installation_id = i.id;
    filter.states.assign(model::kBackupStatesRunning.begin(), model::kBackupStatesRunning.end());
    Result<std::vector<model::InstallationBackup>> running =
        stores_.backups.GetInstallationBackups(filter);
    if (!running) {
      log.Error("failed to list running backups", running.error());
      return op.state;
    }
    // The installation is db-migration-in-progress and leased by us: a running backup can only
    // be the one a crashed pass of this step created.
    if (!running->empty()) backup = running->front();
  }
  if (!backup) {
    // Go common.TriggerInstallationBackup.
    const std::string state(model::ToString(i.state));
    if (Result<void> ready = model::EnsureInstallationReadyForBackup(
            model::BackupInstallationView{i.id, state, i.database, i.filestore});
        !ready) {
      log.Error("installation is not ready for backup", ready.error());
      return op.state;
    }
    model::InstallationBackup request;
    request.installation_id = i.id;
    request.backed_up_database_type = i.database;
    request.state = model::BackupState::kBackupRequested;
    Result<model::InstallationBackup> created = stores_.backups.CreateInstallationBackup(
        request, {{"Installation", i.id}, {"Environment", options_.environment}});
    if (!created) {
      log.Error("failed to create backup", created.error());
      return op.state;
    }
    backup = *created;
    log.With(logkey::kBackup, backup->id).Info("backup requested for migration");
  }
  if (op.backup_id != backup->id) {
    op.backup_id = backup->id;
    if (Result<void> saved = stores_.migrations.UpdateInstallationDBMigrationOperation(op, lease);
        !saved) {
      log.Error("failed to save the migration's backup", saved.error());
      return op.state;
    }
  }
  return State::kBackupInProgress;
}

MigrationState DBMigrationSupervisor::WaitForBackup(Operation& op, const Logger& log) {
  Result<std::optional<model::InstallationBackup>> backup =
      stores_.backups.GetInstallationBackup(op.backup_id);
  if (!backup || !*backup) {
    log.With(logkey::kBackup, op.backup_id)
        .Error("failed to get backup", backup ? NotFound("backup not found") : backup.error());
    return op.state;
  }
  switch ((*backup)->state) {
    case model::BackupState::kBackupSucceeded:
      log.Info("backup succeeded; switching database");
      return State::kDatabaseSwitch;
    case model::BackupState::kBackupFailed:
      log.Error("backup failed; failing migration");
      return State::kFailing;
    default:
      log.Debug("backup not finished yet");
      return op.state;
  }
}

MigrationState DBMigrationSupervisor::SwitchDatabase(Operation& op, const Logger& log) {
  Result<LockedInstallation> locked = GetAndLockInstallation(op, log);
  if (!locked) {
    log.Warn("failed to get and lock installation", locked.error());
    return op.state;
  }
  model::Installation& i = locked->installation;
  // MigrateOut / MigrateTo are idempotent (DatabaseProvisioner contract): a re-run after a
  // crash finds the installation already moved. Source and destination are both multitenant
  // databases of the same type, so the installation row cannot tell whether it was switched.
  model::Installation as_source = i;
  as_source.database = op.source_database;
  if (Result<void> r = provisioners_.DatabaseFor(as_source).MigrateOut(i, SourceDatabaseID(op));
      !r) {
    log.Error("failed to migrate the installation out of its source database", r.error());
    return op.state;
  }
  model::Installation as_destination = i;
  as_destination.database = op.destination_database;
  if (Result<void> r =
          provisioners_.DatabaseFor(as_destination).MigrateTo(i, DestinationDatabaseID(op));
      !r) {
    log.Error("failed to migrate the installation to its destination database", r.error());
    return op.state;
  }
  i.database = op.destination_database;
  if (Result<void> r = stores_.installations.UpdateInstallation(i, locked->lease.lease(),
                                                                store::EventOptions::IfChanged());
      !r) {
    log.Error("failed to save the installation's new database", r.error());
    return op.state;
  }
  log.Info("installation database switched");
  return State::kRefreshSecrets;
}

Result<void> DBMigrationSupervisor::RefreshSecrets(const model::Installation& installation) {
  model::ClusterInstallationFilter filter;
  filter.paging = model::AllPagesNotDeleted();
  filter.installation_id = installation.id;
  CLOUD_TRY(std::vector<model::ClusterInstallation> cis,
            stores_.cluster_installations.GetClusterInstallations(filter));
  for (const model::ClusterInstallation& ci : cis) {
    CLOUD_TRY(std::optional<model::Cluster> cluster, stores_.clusters.GetCluster(ci.cluster_id));
    if (!cluster) return NotFound("cluster " + ci.cluster_id + " not found");
    // Upstream passes the first CI for every cluster; each CI's own is used here.
    CLOUD_TRY_VOID(provisioners_.ClusterInstallation(installation.cr_version)
                       .RefreshSecrets(*cluster, installation, ci));
  }
  return Ok();
}

MigrationState DBMigrationSupervisor::RefreshCredentials(Operation& op, const Logger& log) {
  Result<LockedInstallation> locked = GetAndLockInstallation(op, log);
  if (!locked) {
    log.Warn("failed to get and lock installation", locked.error());
    return op.state;
  }
  if (Result<void> r = RefreshSecrets(locked->installation); !r) {
    log.Error("failed to refresh installation secrets", r.error());
    return op.state;
  }
  log.Info("installation secrets refreshed");
  return State::kTriggerRestoration;
}

MigrationState DBMigrationSupervisor::TriggerRestoration(Operation& op, const store::Lease& lease,
                                                         const Logger& log) {
  Result<LockedInstallation> locked = GetAndLockInstallation(op, log);
  if (!locked) {
    log.Warn("failed to get and lock installation", locked.error());
    return op.state;
  }
  const model::Installation& i = locked->installation;
  Result<std::optional<model::InstallationBackup>> backup =
      stores_.backups.GetInstallationBackup(op.backup_id);
  if (!backup) {
    log.Error("failed to get backup", backup.error());
    return op.state;
  }
  if (!*backup) {
    log.With(logkey::kBackup, op.backup_id).Error("backup not found; failing migration");
    return State::kFailing;
  }
  // A re-run after a crash: adopt the restoration this step created for this backup.
  std::optional<std::string> restoration_id;
  model::InstallationDBRestorationFilter filter;
  filter.paging = model::AllPagesNotDeleted();
  filter.installation_id = i.id;
  Result<std::vector<model::InstallationDBRestorationOperation>> existing =
      stores_.restorations.GetInstallationDBRestorationOperations(filter);
  if (!existing) {
    log.Error("failed to list restorations", existing.error());
    return op.state;
  }
  for (const model::InstallationDBRestorationOperation& r : *existing) {  // RequestAt DESC
    if (r.backup_id == op.backup_id &&
        (r.id == op.installation_db_restoration_operation_id || r.request_at >= op.request_at)) {
      restoration_id = r.id;
      break;
    }
  }
  if (!restoration_id) {
    // Go common.TriggerInstallationDBRestoration.
    const std::string state(model::ToString(i.state));
    const model::BackupInstallationView view{i.id, state, i.database, i.filestore};
    if (Result<void> ready = model::EnsureInstallationReadyForDBRestoration(view, **backup);
        !ready) {
      log.Error("installation is not ready for database restoration", ready.error());
      return op.state;
    }
    Result<std::string> target = model::DetermineAfterRestorationState(state);
    if (!target) {
      log.Error("no state to restore the installation to", target.error());
      return op.state;
    }
    model::InstallationDBRestorationOperation restoration;
    restoration.installation_id = i.id;
    restoration.backup_id = op.backup_id;
    restoration.state = model::RestorationState::kRequested;
    restoration.target_installation_state = *target;
    Result<model::InstallationDBRestorationOperation> created =
        stores_.restorations.TriggerInstallationDBRestoration(
            restoration, locked->lease.lease(),
            {{"Installation", i.id},
             {"Backup", op.backup_id},
             {"Environment", options_.environment}},
            {{"Environment", options_.environment}});
    if (!created) {
      log.Error("failed to trigger restoration", created.error());
      return op.state;
    }
    restoration_id = created->id;
    log.With(logkey::kRestoration, created->id).Info("restoration requested for migration");
  }
  if (op.installation_db_restoration_operation_id != *restoration_id) {
    op.installation_db_restoration_operation_id = *restoration_id;
    if (Result<void> saved = stores_.migrations.UpdateInstallationDBMigrationOperation(op, lease);
        !saved) {
      log.Error("failed to save the migration's restoration", saved.error());
      return op.state;
    }
  }
  return State::kRestorationInProgress;
}

MigrationState DBMigrationSupervisor::WaitForRestoration(Operation& op, const Logger& log) {
  Result<std::optional<model::InstallationDBRestorationOperation>> restoration =
      stores_.restorations.GetInstallationDBRestorationOperation(
          op.installation_db_restoration_operation_id);
  if (!restoration || !*restoration) {
    log.With(logkey::kRestoration, op.installation_db_restoration_operation_id)
        .Error("failed to get restoration",
               restoration ? NotFound("restoration not found") : restoration.error());
    return op.state;
  }
  switch ((*restoration)->state) {
    case model::RestorationState::kSucceeded:
      log.Info("restoration succeeded; updating installation config");
      return State::kUpdatingInstallationConfig;
    case model::RestorationState::kFailed:
    case model::RestorationState::kInvalid:
      log.Error("restoration failed; failing migration");
      return State::kFailing;
    default:
      log.Debug("restoration not finished yet");
      return op.state;
  }
}

MigrationState DBMigrationSupervisor::UpdateInstallationConfig(Operation& op, const Logger& log) {
  // Upstream takes no installation lease here.
  Result<std::optional<model::Installation>> installation =
      stores_.installations.GetInstallation(op.installation_id, store::GroupMerge::Config());
  if (!installation || !*installation) {
    log.Error("failed to get installation",
              installation ? NotFound("installation not found") : installation.error());
    return op.state;
  }
  Result<ClaimedClusterInstallation> ci = ClaimClusterInstallation(
      stores_.cluster_installations, stores_.locks, op.installation_id, options_.instance_id, log);
  if (!ci) {
    log.Error("failed to claim a cluster installation", ci.error());
    return op.state;
  }
  Result<std::optional<model::Cluster>> cluster = stores_.clusters.GetCluster(ci->ci.cluster_id);
  if (!cluster || !*cluster) {
    log.Error("failed to get cluster", cluster ? NotFound("cluster not found") : cluster.error());
    return op.state;
  }
  // The new DataSource comes from the refreshed secret ($MM_CONFIG); setting it is idempotent.
  if (Result<void> r = provisioners_.ClusterInstallation((*installation)->cr_version)
                           .ExecClusterInstallationJob(**cluster, ci->ci,
                                                       {"mattermost", "config", "set",
                                                        "SqlSettings.DataSource", "$MM_CONFIG"});
      !r) {
    log.Error("failed to update the installation's database config", r.error());
    return op.state;
  }
  log.Info("installation database config updated");
  return State::kFinalizing;
}

MigrationState DBMigrationSupervisor::Finalize(Operation& op, const store::Lease& lease,
                                               const Logger& log) {
  Result<LockedInstallation> locked = GetAndLockInstallation(op, log);
  if (!locked) {
    log.Warn("failed to get and lock installation", locked.error());
    return op.state;
  }
  if (Result<void> r = stores_.installations.UpdateInstallationState(
          op.installation_id, InstallationState::kHibernating, locked->lease.lease(),
          store::EventOptions::IfChanged({{"Environment", options_.environment}}));
      !r) {
    log.Error("failed to move installation to hibernating", r.error());
    return op.state;
  }
  if (op.complete_at == 0) {
    op.complete_at = clock_.NowMillis();
    if (Result<void> saved = stores_.migrations.UpdateInstallationDBMigrationOperation(op, lease);
        !saved) {
      log.Error("failed to save migration completion time", saved.error());
      return op.state;
    }
  }
  log.Info("migration finished");
  return State::kSucceeded;
}

MigrationState DBMigrationSupervisor::Fail(Operation& op, const Logger& log) {
  Result<LockedInstallation> locked = GetAndLockInstallation(op, log);
  if (!locked) {
    log.Warn("failed to get and lock installation", locked.error());
    return op.state;
  }
  if (Result<void> r = stores_.installations.UpdateInstallationState(
          op.installation_id, InstallationState::kDBMigrationFailed, locked->lease.lease(),
          store::EventOptions::IfChanged({{"Environment", options_.environment}}));
      !r) {
    log.Error("failed to move installation to db-migration-failed", r.error());
    return op.state;
  }
  log.Info("migration failed");
  return State::kFailed;
}

MigrationState DBMigrationSupervisor::Rollback(Operation& op, const Logger& log) {
  Result<LockedInstallation> locked = GetAndLockInstallation(op, log);
  if (!locked) {
    log.Warn("failed to get and lock installation", locked.error());
    return op.state;
  }
  model::Installation& i = locked->installation;
  // RollbackMigration is idempotent (DatabaseProvisioner contract).
  model::Installation as_destination = i;
  as_destination.database = op.destination_database;
  if (Result<void> r =
          provisioners_.DatabaseFor(as_destination).RollbackMigration(i, DestinationDatabaseID(op));
      !r) {
    log.Error("failed to roll back the database migration", r.error());
    return op.state;
  }
  if (i.database != op.source_database) {
    i.database = op.source_database;
    if (Result<void> r = stores_.installations.UpdateInstallation(i, locked->lease.lease(),
                                                                  store::EventOptions::None());
        !r) {
      log.Error("failed to save the installation's source database", r.error());
      return op.state;
    }
  }
  if (Result<void> r = RefreshSecrets(i); !r) {
    log.Error("failed to refresh installation secrets", r.error());
    return op.state;
  }
  if (Result<void> r = stores_.installations.UpdateInstallationState(
          i.id, InstallationState::kHibernating, locked->lease.lease(),
          store::EventOptions::IfChanged({{"Environment", options_.environment}}));
      !r) {
    log.Error("failed to move installation to hibernating", r.error());
    return op.state;
  }
  log.Info("migration rolled back");
  return State::kRollbackFinished;
}

MigrationState DBMigrationSupervisor::Cleanup(Operation& op, const store::Lease& lease,
                                              const Logger& log) {
  Result<std::optional<model::Installation>> installation =
      stores_.installations.GetInstallation(op.installation_id, store::GroupMerge::None());
  if (!installation || !*installation) {
    log.Error("failed to get installation",
              installation ? NotFound("installation not found") : installation.error());
    return op.state;
  }
  model::Installation as_source = **installation;
  as_source.database = op.source_database;
  if (Result<void> r = provisioners_.DatabaseFor(as_source).TeardownMigrated(**installation,
                                                                             SourceDatabaseID(op));
      !r) {
    log.Error("failed to tear down the migrated source database", r.error());
    return op.state;
  }
  if (Result<void> r = stores_.migrations.DeleteInstallationDBMigrationOperation(op.id, lease);
      !r) {
    log.Error("failed to mark migration as deleted", r.error());
    return op.state;
  }
  log.Info("migration deleted");
  return State::kDeleted;
}

}  // namespace cloud::supervisor
