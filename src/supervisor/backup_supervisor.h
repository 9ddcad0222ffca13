// BackupSupervisor: runs installation backups to backup-succeeded / backup-failed and deletes
// them (upstream internal/supervisor/backup.go; spec upstream-core.md §1.7).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "model/backup.h"
#include "provisioner/backup_operator.h"
#include "store/backup_store.h"
#include "store/cluster_installation_store.h"
#include "store/cluster_store.h"
#include "store/installation_store.h"
#include "store/lock_store.h"
#include "supervisor/doer.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/notifier.h"
#include "supervisor/row_pass.h"

namespace cloud::supervisor {

// The store roles the backup supervisor uses. All must outlive it.
struct BackupSupervisorStores {
  store::BackupStore& backups;
  store::InstallationStore& installations;
  store::ClusterInstallationStore& cluster_installations;
  store::ClusterStore& clusters;
  store::LockStore& locks;
};

struct BackupSupervisorOptions {
  std::string instance_id;  // the locker ID of this server instance
  std::string environment;  // the "Environment" extra data of the backup webhooks
  // Woken (kind kDBMigration, kind-wide) after a backup changed state: a DB migration waits on
  // its backup. Optional.
  Notifier* notifier = nullptr;
};

// BackupSupervisor: backup-requested -> backup-in-progress -> backup-succeeded | backup-failed,
// and deletion-requested -> deleted | deletion-failed.
//
// Lifecycle: created once in app/ when --backup-supervisor is set, driven by a Scheduler
//   (ResourceKind::kBackup); Supervise() runs concurrently for different backups.
// Concurrency: a backup is worked on under its lease; triggering also leases the installation
//   and one of its cluster installations (upstream's lock order: backup, installation, CI).
// Reentrancy: the backup Job is create-or-reuse (its name derives from the backup ID), status
//   checks only read, deletion steps treat "already gone" as success; a step re-run after a
//   crash before its state was saved therefore starts nothing twice.
// Errors: steps never throw; failures stay (retried at the next pass) or become the failed
//   states of upstream-core.md §1.7.
class BackupSupervisor final : public Doer {
 public:
  BackupSupervisor(BackupSupervisorStores stores, provisioner::BackupOperator& backup_operator,
                   LeaseRenewer* renewer, BackupSupervisorOptions options, Logger log);

  std::string_view Name() const override { return "backup"; }
  // Upstream GetUnlockedInstallationBackupPendingWork (RequestAt ASC, no priority).
  Result<std::vector<WorkItem>> GetPendingWork() override;
  StepOutcome Supervise(const WorkItem& item) override;

  // Level 3: one step for the backup's current state; returns the state to persist.
  model::BackupState Transition(model::InstallationBackup& backup, const store::Lease& lease,
                                const Logger& log);

 private:
  using State = model::BackupState;

  State TriggerBackup(model::InstallationBackup& backup, const store::Lease& lease,
                      const Logger& log);
  State CheckBackupStatus(model::InstallationBackup& backup, const store::Lease& lease,
                          const Logger& log);
  State CleanupBackup(model::InstallationBackup& backup, const store::Lease& lease,
                      const Logger& log);

  BackupSupervisorStores stores_;
  provisioner::BackupOperator& operator_;
  BackupSupervisorOptions options_;
  Logger log_;
  RowPassContext ctx_;
  RowPassHooks<model::InstallationBackup, model::BackupState> hooks_;
};

}  // namespace cloud::supervisor
