// GroupSupervisor: rolls group config changes out to the group's installations, at most
// MaxRolling at a time (upstream internal/supervisor/group.go; spec upstream-core.md §1.5, §5).
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "store/group_store.h"
#include "store/installation_store.h"
#include "store/lock_store.h"
#include "supervisor/doer.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/notifier.h"

namespace cloud::supervisor {

struct GroupSupervisorOptions {
  std::string instance_id;  // the locker ID of this server instance
  std::string environment;  // the "Environment" extra data of installation events
  // Woken (kind kInstallation, by ID) for every installation moved to update-requested, once
  // the group pass ended. Optional.
  Notifier* notifier = nullptr;
  // Seed of the candidate shuffle (0: from std::random_device).
  uint64_t seed = 0;
};

// GroupSupervisor: groups have no state machine. A pass on a group with stable members whose
// GroupSequence is NULL or differs from the group's Sequence moves randomly chosen ones to
// update-requested while fewer than MaxRolling members are rolling (members not stable,
// hibernating or deletion-pending). MaxRolling = 0 pauses the group.
//
// Lifecycle: created once in app/ when --group-supervisor is set, driven by a Scheduler
//   (ResourceKind::kGroup); Supervise() runs concurrently for different groups.
// Concurrency: works under the group lease; each moved installation is leased for its write
//   (fenced). As upstream, a member that cannot be leased ends the pass (retried later).
// Reentrancy: every pass re-reads the group and its rolling metadata; a member already moved
//   is no longer stable and is not picked again.
// Outcome: kDone when nothing is left to roll or the group is paused; kStay while members wait
//   for the rolling limit (the scheduler looks again after a backoff).
class GroupSupervisor final : public Doer {
 public:
  GroupSupervisor(store::GroupStore& groups, store::InstallationStore& installations,
                  store::LockStore& locks, LeaseRenewer* renewer, GroupSupervisorOptions options,
                  Logger log);

  std::string_view Name() const override { return "group"; }
  // Upstream GetUnlockedGroupsPendingWork. Groups have no state: items carry none.
  Result<std::vector<WorkItem>> GetPendingWork() override;
  StepOutcome Supervise(const WorkItem& item) override;

 private:
  // One pass under the group lease; `moved` receives the installations moved.
  StepOutcome Roll(const std::string& group_id, std::vector<std::string>& moved, const Logger& log);

  store::GroupStore& groups_;
  store::InstallationStore& installations_;
  store::LockStore& locks_;
  LeaseRenewer* renewer_;
  GroupSupervisorOptions options_;
  Logger log_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace cloud::supervisor
