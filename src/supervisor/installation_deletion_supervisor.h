// InstallationDeletionSupervisor: starts the deletion of installations whose scheduled deletion
// time or pending-deletion expiry has passed (upstream internal/supervisor/
// installation_deletion.go; spec upstream-core.md §1.6, §7.3).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "model/installation.h"
#include "store/event_store.h"
#include "store/installation_store.h"
#include "store/lock_store.h"
#include "supervisor/doer.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/notifier.h"
#include "supervisor/row_pass.h"

namespace cloud::supervisor {

struct InstallationDeletionSupervisorOptions {
  std::string instance_id;  // the locker ID of this server instance
  std::string environment;  // the "Environment" extra data of state-change events
  // --installation-deletion-pending-time: how long an installation stays deletion-pending when
  // its DeletionPendingExpiry is 0 (measured from its latest deletion-pending event). 0 means
  // immediately.
  int64_t deletion_pending_time_ms = 3 * 60 * 1000;
  // --installation-deletion-max-updating: no deletion starts while this many live installations
  // are outside stable / hibernating / deletion-pending.
  int64_t max_updating = 25;
  // Woken (kind kInstallation, by ID) after a transition, once the lease is released, so the
  // installation supervisor carries on at once. Optional.
  Notifier* notifier = nullptr;
};

// InstallationDeletionSupervisor moves stable/hibernating installations whose
// ScheduledDeletionTime has passed to deletion-pending-requested, and deletion-pending ones
// whose expiry has passed to deletion-requested. The installation supervisor does the rest.
//
// Lifecycle: created once in app/, driven by the slow Scheduler
//   (ResourceKind::kInstallationDeletion); Supervise() runs concurrently for different rows.
// Concurrency: works under the installation lease (fenced writes). The max-updating limit is
//   checked against the store right before each transition, so it is a soft limit across
//   workers and server instances, as upstream's per-process counter is.
// Reentrancy: each pass re-reads the installation and the clock; nothing is done outside the
//   single state write.
// Errors: never thrown; a failed read means "stay" and the next pass looks again.
class InstallationDeletionSupervisor final : public Doer {
 public:
  InstallationDeletionSupervisor(store::InstallationStore& installations, store::EventStore& events,
                                 store::LockStore& locks, const Clock& clock, LeaseRenewer* renewer,
                                 InstallationDeletionSupervisorOptions options, Logger log);

  std::string_view Name() const override { return "installation_deletion"; }
  // The installations scheduled for deletion, then those pending deletion (each CreateAt ASC).
  Result<std::vector<WorkItem>> GetPendingWork() override;
  StepOutcome Supervise(const WorkItem& item) override;

  // Level 3: returns the state to persist.
  model::InstallationState Transition(model::Installation& installation, const Logger& log);

 private:
  using State = model::InstallationState;

  State CheckScheduledDeletion(const model::Installation& i, const Logger& log);
  State CheckPendingDeletion(const model::Installation& i, const Logger& log);
  // True when another deletion may start now (the max-updating limit).
  bool UnderUpdatingLimit(const Logger& log);

  store::InstallationStore& installations_;
  store::EventStore& events_;
  const Clock& clock_;
  InstallationDeletionSupervisorOptions options_;
  Logger log_;
  RowPassContext ctx_;
  RowPassHooks<model::Installation, model::InstallationState> hooks_;
};

}  // namespace cloud::supervisor
