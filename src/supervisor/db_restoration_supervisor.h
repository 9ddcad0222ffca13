// DBRestorationSupervisor: restores an installation's database from a backup (upstream
// internal/supervisor/installation_db_restoration.go; spec upstream-core.md §1.8).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "model/db_restoration.h"
#include "provisioner/backup_operator.h"
#include "store/backup_store.h"
#include "store/cluster_installation_store.h"
#include "store/cluster_store.h"
#include "store/db_restoration_store.h"
#include "store/installation_store.h"
#include "store/lock_store.h"
#include "supervisor/doer.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/notifier.h"
#include "supervisor/row_pass.h"

namespace cloud::supervisor {

// The store roles the restoration supervisor uses. All must outlive it.
struct DBRestorationSupervisorStores {
  store::DBRestorationStore& restorations;
  store::BackupStore& backups;
  store::InstallationStore& installations;
  store::ClusterInstallationStore& cluster_installations;
  store::ClusterStore& clusters;
  store::LockStore& locks;
};

struct DBRestorationSupervisorOptions {
  std::string instance_id;  // the locker ID of this server instance
  std::string environment;  // "Environment" extra data of webhooks and installation events
  // Woken after a restoration changed state (kind kDBMigration, kind-wide: a DB migration waits
  // on its restoration). Optional.
  Notifier* notifier = nullptr;
};

// DBRestorationSupervisor: requested -> in-progress -> finishing -> succeeded, in-progress ->
// failing -> failed, deletion-requested -> deleted. `finishing` / `failing` move the
// installation to the operation's TargetInstallationState / db-restoration-failed.
//
// Lifecycle: created once in app/ when --installation-db-restoration-supervisor is set, driven
//   by a Scheduler (ResourceKind::kDBRestoration).
// Concurrency: an operation is worked on under its lease; steps that touch the installation
//   also lease it, and the first trigger claims (leases) a cluster installation.
// Reentrancy: the restore Job is create-or-reuse; finishing/failing set an installation state
//   that is already set after a crash without a second event; deletion treats "gone" as done.
// Errors: steps never throw; failures stay and are retried, a failed Job goes to failing.
class DBRestorationSupervisor final : public Doer {
 public:
  DBRestorationSupervisor(DBRestorationSupervisorStores stores,
                          provisioner::RestoreOperator& restore_operator, LeaseRenewer* renewer,
                          DBRestorationSupervisorOptions options, Logger log);

  std::string_view Name() const override { return "db_restoration"; }
  Result<std::vector<WorkItem>> GetPendingWork() override;
  StepOutcome Supervise(const WorkItem& item) override;

  // Level 3: one step for the operation's current state; returns the state to persist.
  model::RestorationState Transition(model::InstallationDBRestorationOperation& op,
                                     const store::Lease& lease, const Logger& log);

 private:
  using State = model::RestorationState;
  using Operation = model::InstallationDBRestorationOperation;

  State TriggerRestoration(Operation& op, const store::Lease& lease, const Logger& log);
  State CheckRestorationStatus(Operation& op, const store::Lease& lease, const Logger& log);
  // finishing / failing: moves the installation to `installation_state`, then `next`.
  State SetInstallationState(Operation& op, model::InstallationState installation_state, State next,
                             const Logger& log);
  State CleanupRestoration(Operation& op, const store::Lease& lease, const Logger& log);

  DBRestorationSupervisorStores stores_;
  provisioner::RestoreOperator& operator_;
  DBRestorationSupervisorOptions options_;
  Logger log_;
  RowPassContext ctx_;
  RowPassHooks<Operation, State> hooks_;
};

}  // namespace cloud::supervisor
