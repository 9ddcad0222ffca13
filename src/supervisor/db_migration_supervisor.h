// DBMigrationSupervisor: moves an installation's database to another multitenant database
// through a backup and a restoration (upstream internal/supervisor/db_migration.go; spec
// upstream-core.md §1.9).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "model/db_migration.h"
#include "provisioner/provisioner_set.h"
#include "store/backup_store.h"
#include "store/cluster_installation_store.h"
#include "store/cluster_store.h"
#include "store/db_migration_store.h"
#include "store/db_restoration_store.h"
#include "store/installation_store.h"
#include "store/lock_store.h"
#include "supervisor/doer.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/notifier.h"
#include "supervisor/operation_support.h"
#include "supervisor/row_pass.h"

namespace cloud::supervisor {

// The store roles the migration supervisor uses. All must outlive it.
struct DBMigrationSupervisorStores {
  store::DBMigrationStore& migrations;
  store::DBRestorationStore& restorations;
  store::BackupStore& backups;
  store::InstallationStore& installations;
  store::ClusterInstallationStore& cluster_installations;
  store::ClusterStore& clusters;
  store::LockStore& locks;
};

struct DBMigrationSupervisorOptions {
  std::string instance_id;  // the locker ID of this server instance
  std::string environment;  // "Environment" extra data of webhooks and installation events
  // Woken when the migration creates a backup (kBackup) or a restoration (kDBRestoration), by
  // ID, once the pass ended. Optional.
  Notifier* notifier = nullptr;
};

// DBMigrationSupervisor: requested -> installation-backup-in-progress -> database switch ->
// refresh-secrets -> trigger-restoration -> restoration-in-progress ->
// updating-installation-config -> finalizing -> succeeded; a failed backup or restoration ->
// failing -> failed; rollback-requested -> rollback-finished; deletion-requested -> deleted.
// (committed and rollback-requested are set by the API.)
//
// Lifecycle: created once in app/ when --installation-db-migration-supervisor is set, driven by
//   a Scheduler (ResourceKind::kDBMigration); the backup and restoration supervisors wake it.
// Concurrency: an operation is worked on under its lease; steps that change the installation
//   lease it too (upstream getAndLockInstallation).
// Reentrancy (a step re-run after a crash before its state was saved does nothing twice):
//   requested adopts the backup it already created (saved BackupID, or the installation's
//   running backup); trigger-restoration adopts its restoration; installation state writes are
//   no-ops without a second event; the database moves (MigrateOut / MigrateTo /
//   RollbackMigration / TeardownMigrated) are idempotent by the DatabaseProvisioner contract.
// Errors: steps never throw; failures stay (retried), a failed backup/restoration -> failing.
class DBMigrationSupervisor final : public Doer {
 public:
  DBMigrationSupervisor(DBMigrationSupervisorStores stores,
                        const provisioner::ProvisionerSet& provisioners, const Clock& clock,
                        LeaseRenewer* renewer, DBMigrationSupervisorOptions options, Logger log);

  std::string_view Name() const override { return "db_migration"; }
  Result<std::vector<WorkItem>> GetPendingWork() override;
  StepOutcome Supervise(const WorkItem& item) override;

  // Level 3: one step for the operation's current state; returns the state to persist.
  model::MigrationState Transition(model::InstallationDBMigrationOperation& op,
                                   const store::Lease& lease, const Logger& log);

 private:
  using State = model::MigrationState;
  using Operation = model::InstallationDBMigrationOperation;
  // The installation, read without group merge, under its lease.
  struct LockedInstallation {
    model::Installation installation;
    HeldLease lease;
  };
  Result<LockedInstallation> GetAndLockInstallation(const Operation& op, const Logger& log);

  State TriggerBackup(Operation& op, const store::Lease& lease, const Logger& log);
  State WaitForBackup(Operation& op, const Logger& log);
  State SwitchDatabase(Operation& op, const Logger& log);
  State RefreshCredentials(Operation& op, const Logger& log);
  State TriggerRestoration(Operation& op, const store::Lease& lease, const Logger& log);
  State WaitForRestoration(Operation& op, const Logger& log);
  State UpdateInstallationConfig(Operation& op, const Logger& log);
  State Finalize(Operation& op, const store::Lease& lease, const Logger& log);
  State Fail(Operation& op, const Logger& log);
  State Rollback(Operation& op, const Logger& log);
  State Cleanup(Operation& op, const store::Lease& lease, const Logger& log);
  // Refreshes the secrets of every live cluster installation of the installation.
  Result<void> RefreshSecrets(const model::Installation& installation);

  DBMigrationSupervisorStores stores_;
  const provisioner::ProvisionerSet& provisioners_;
  const Clock& clock_;
  DBMigrationSupervisorOptions options_;
  Logger log_;
  RowPassContext ctx_;
  RowPassHooks<Operation, State> hooks_;
};

}  // namespace cloud::supervisor
