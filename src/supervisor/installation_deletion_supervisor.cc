// InstallationDeletionSupervisor: scheduled and pending deletions (upstream-core.md §1.6).
#include "supervisor/installation_deletion_supervisor.h"

#include <optional>
#include <utility>

namespace cloud::supervisor {

using model::Installation;
using model::InstallationState;

InstallationDeletionSupervisor::InstallationDeletionSupervisor(
    store::InstallationStore& installations, store::EventStore& events, store::LockStore& locks,
    const Clock& clock, LeaseRenewer* renewer, InstallationDeletionSupervisorOptions options,
    Logger log)
    : installations_(installations),
      events_(events),
      clock_(clock),
      options_(std::move(options)),
      log_(log.With(logkey::kComponent, "installation-deletion-supervisor")),
      ctx_{locks, renewer, options_.instance_id, log_} {
  hooks_.table = store::LockTable::kInstallation;
  hooks_.log_key = logkey::kInstallation;
  hooks_.reload = [this](std::string_view id) {
    return installations_.GetInstallation(id, store::GroupMerge::None());
  };
  hooks_.state_of = [](const Installation& i) { return i.state; };
  hooks_.state_name = [](InstallationState s) { return model::ToString(s); };
  hooks_.has_pending_work = [](InstallationState s) {
    return s == State::kStable || s == State::kHibernating || s == State::kDeletionPending;
  };
  hooks_.transition = [this](Installation& i, const store::Lease&, const Logger& step_log) {
    return Transition(i, step_log);
  };
  hooks_.persist = [this](Installation& i, InstallationState new_state, const store::Lease& lease,
                          const Logger&) {
    return installations_.UpdateInstallationState(
        i.id, new_state, lease,
        store::EventOptions::IfChanged({{"Environment", options_.environment}}));
  };
}

Result<std::vector<WorkItem>> InstallationDeletionSupervisor::GetPendingWork() {
  CLOUD_TRY(std::vector<Installation> scheduled,
            installations_.GetUnlockedInstallationsScheduledForDeletion());
  CLOUD_TRY(std::vector<Installation> pending,
            installations_.GetUnlockedInstallationsPendingDeletion());
  std::vector<WorkItem> items;
  items.reserve(scheduled.size() + pending.size());
  for (const std::vector<Installation>* list : {&scheduled, &pending}) {
    for (const Installation& i : *list) {
      items.push_back(WorkItem{i.id, std::string(model::ToString(i.state))});
    }
  }
  return items;
}

StepOutcome InstallationDeletionSupervisor::Supervise(const WorkItem& item) {
  bool changed = false;
  RowPassHooks<Installation, InstallationState> hooks = hooks_;
  hooks.persist = [this, &changed](Installation& i, InstallationState new_state,
                                   const store::Lease& lease,
                                   const Logger& step_log) -> Result<void> {
    CLOUD_TRY_VOID(hooks_.persist(i, new_state, lease, step_log));
    changed = true;
    return Ok();
  };
  const StepOutcome outcome = RunRowPass(ctx_, item, hooks, step_observer(), Name());
  if (changed && options_.notifier != nullptr) {
    options_.notifier->Notify(ResourceKind::kInstallation, item.id);
  }
  return outcome;
}

InstallationState InstallationDeletionSupervisor::Transition(Installation& i, const Logger& log) {
  switch (i.state) {
    case State::kStable:
    case State::kHibernating:
      return CheckScheduledDeletion(i, log);
    case State::kDeletionPending:
      return CheckPendingDeletion(i, log);
    default:  // the other 29 states are not this supervisor's
      return i.state;
  }
}

InstallationState InstallationDeletionSupervisor::CheckScheduledDeletion(const Installation& i,
                                                                         const Logger& log) {
  if (i.deletion_locked || i.scheduled_deletion_time == 0) return i.state;
  if (clock_.NowMillis() < i.scheduled_deletion_time) return i.state;
  if (!UnderUpdatingLimit(log)) return i.state;
  // Upstream does not set DeletionPendingExpiry here: the event-time fallback applies.
  log.Info("scheduled deletion time reached; queueing installation for deletion");
  return State::kDeletionPendingRequested;
}

InstallationState InstallationDeletionSupervisor::CheckPendingDeletion(const Installation& i,
                                                                       const Logger& log) {
  // DeletionLocked is not re-checked here (upstream).
  const int64_t now = clock_.NowMillis();
  if (i.deletion_pending_expiry != 0) {
    if (now < i.deletion_pending_expiry) return i.state;
  } else {
    model::StateChangeEventFilter filter;
    filter.paging.per_page = 1;  // Timestamp DESC: the latest
    filter.resource_type = "installation";
    filter.resource_id = i.id;
    filter.new_states = {std::string(model::ToString(State::kDeletionPending))};
    Result<std::vector<model::StateChangeEventData>> events = events_.GetStateChangeEvents(filter);
    if (!events) {
      log.Error("failed to get the deletion-pending event", events.error());
      return i.state;
    }
    if (events->size() != 1) {
      log.With("events", std::to_string(events->size()))
          .Warn("expected exactly one deletion-pending event");
      return i.state;
    }
    if (now - events->front().event.timestamp < options_.deletion_pending_time_ms) return i.state;
  }
  if (!UnderUpdatingLimit(log)) return i.state;
  log.Info("deletion pending period over; requesting installation deletion");
  return State::kDeletionRequested;
}

bool InstallationDeletionSupervisor::UnderUpdatingLimit(const Logger& log) {
  Result<model::InstallationsStatus> status = installations_.GetInstallationsStatus();
  if (!status) {
    log.Error("failed to get installations status", status.error());
    return false;
  }
  if (status->installations_updating >= options_.max_updating) {
    log.With("updating", std::to_string(status->installations_updating))
        .Info("too many installations updating; deletion deferred");
    return false;
  }
  return true;
}

}  // namespace cloud::supervisor
