// GroupSupervisor: rolling group config updates with MaxRolling (upstream-core.md §1.5, §5).
#include "supervisor/group_supervisor.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "model/event.h"
#include "supervisor/operation_support.h"

namespace cloud::supervisor {

GroupSupervisor::GroupSupervisor(store::GroupStore& groups, store::InstallationStore& installations,
                                 store::LockStore& locks, LeaseRenewer* renewer,
                                 GroupSupervisorOptions options, Logger log)
    : groups_(groups),
      installations_(installations),
      locks_(locks),
      renewer_(renewer),
      options_(std::move(options)),
      log_(log.With(logkey::kComponent, "group-supervisor")),
      rng_(options_.seed != 0 ? options_.seed : std::random_device{}()) {}

Result<std::vector<WorkItem>> GroupSupervisor::GetPendingWork() {
  CLOUD_TRY(std::vector<model::Group> pending, groups_.GetUnlockedGroupsPendingWork());
  std::vector<WorkItem> items;
  items.reserve(pending.size());
  for (const model::Group& g : pending) items.push_back(WorkItem{g.id, std::nullopt});
  return items;
}

StepOutcome GroupSupervisor::Supervise(const WorkItem& item) {
  Logger log = log_.With(std::string(logkey::kGroup), item.id);
  Result<HeldLease> lease =
      LeaseRow(locks_, store::LockTable::kGroup, item.id, options_.instance_id, log);
  if (!lease) {
    const ErrorCode code = lease.error().code;
    if (code != ErrorCode::kConflict && code != ErrorCode::kNotFound) {
      log.Warn("failed to lock group", lease.error());
      return StepOutcome::kStay;
    }
    return StepOutcome::kSkipped;
  }
  const auto pass_start = std::chrono::steady_clock::now();
  std::vector<std::string> moved;
  StepOutcome outcome = StepOutcome::kDone;
  {
    std::optional<LeaseRenewer::Ticket> ticket;
    if (renewer_ != nullptr) ticket.emplace(renewer_->Track(lease->lease()));
    outcome = Roll(item.id, moved, log);
  }
  { HeldLease release = std::move(*lease); }  // release the group before waking members
  if (StepObserver* observer = step_observer(); observer != nullptr) {
    // Groups have no state of their own.
    observer->ObserveStep(
        Name(), model::kNotApplicableState,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - pass_start).count());
  }
  if (options_.notifier != nullptr) {
    for (const std::string& id : moved) options_.notifier->Notify(ResourceKind::kInstallation, id);
  }
  return outcome;
}

StepOutcome GroupSupervisor::Roll(const std::string& group_id, std::vector<std::string>& moved,
                                  const Logger& log) {
  Result<std::optional<model::Group>> group = groups_.GetGroup(group_id);
  if (!group) {
    log.Error("failed to get group", group.error());
    return StepOutcome::kStay;
  }
  if (!*group || (*group)->IsDeleted()) return StepOutcome::kDone;
  if ((*group)->max_rolling == 0) {
    log.Info("group updates are paused (MaxRolling is 0)");
    return StepOutcome::kDone;
  }
  Result<store::GroupRollingMetadata> metadata = groups_.GetGroupRollingMetadata(group_id);
  if (!metadata) {
    log.Error("failed to get group rolling metadata", metadata.error());
    return StepOutcome::kStay;
  }
  if (metadata->installations_rolling < 0) {
    log.Error("group rolling metadata is inconsistent (negative rolling count)");
    return StepOutcome::kStay;
  }
  std::vector<std::string> candidates = metadata->installation_ids_to_be_rolled;
  if (candidates.empty()) return StepOutcome::kDone;
  const int64_t max_rolling = (*group)->max_rolling;
  Logger roll_log = log.With("rolling", std::to_string(metadata->installations_rolling))
                        .With("max_rolling", std::to_string(max_rolling))
                        .With("to_roll", std::to_string(candidates.size()));
  if (metadata->installations_rolling >= max_rolling) {
    roll_log.Debug("group is rolling as many installations as allowed");
    return StepOutcome::kStay;
  }
  {
    std::lock_guard lock(rng_mu_);
    std::shuffle(candidates.begin(), candidates.end(), rng_);
  }
  for (const std::string& id : candidates) {
    if (metadata->installations_rolling + static_cast<int64_t>(moved.size()) >= max_rolling) break;
    Logger i_log = roll_log.With(std::string(logkey::kInstallation), id);
    Result<HeldLease> i_lease =
        LeaseRow(locks_, store::LockTable::kInstallation, id, options_.instance_id, i_log);
    if (!i_lease) {
      // Upstream abandons the remaining candidates of this pass.
      i_log.Debug("failed to lock installation; retrying the group later");
      return StepOutcome::kStay;
    }
    // Re-checked under the installation lease: only a stable member is rolled (upstream does
    // not re-check; without it a member that changed since the metadata read would be moved
    // out of whatever it was doing).
    Result<std::optional<model::Installation>> installation =
        installations_.GetInstallation(id, store::GroupMerge::None());
    if (!installation) {
      i_log.Error("failed to get installation", installation.error());
      return StepOutcome::kStay;
    }
    if (!*installation || (*installation)->state != model::InstallationState::kStable ||
        (*installation)->IsDeleted()) {
      continue;
    }
    if (Result<void> r = installations_.UpdateInstallationState(
            id, model::InstallationState::kUpdateRequested, i_lease->lease(),
            store::EventOptions::IfChanged({{"Environment", options_.environment}}));
        !r) {
      i_log.Error("failed to request installation update", r.error());
      return StepOutcome::kStay;
    }
    moved.push_back(id);
    i_log.Info("installation update requested for the group's new configuration");
  }
  const bool all_moved = moved.size() == candidates.size();
  return all_moved ? StepOutcome::kDone : StepOutcome::kStay;
}

}  // namespace cloud::supervisor
