// RunRowPass: the per-row pass every supervisor makes (STYLE.md §4.7 levels 2 and 3): claim
// the row with a lease, re-read it, take ONE level-based idempotent step, save the new state
// with fencing (its event in the same transaction), renew the lease while the step runs,
// release.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/logging.h"
#include "common/result.h"
#include "store/lock_store.h"
#include "supervisor/doer.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/step_observer.h"

namespace cloud::supervisor {

// What every pass of one supervisor shares.
struct RowPassContext {
  store::LockStore& locks;
  LeaseRenewer* renewer = nullptr;  // optional: without it, leases are not renewed
  std::string instance_id;          // the locker ID (upstream: HOSTNAME or a random ID)
  Logger log;
};

// How one resource kind plugs into the pass. Row is the model type, State its state enum.
template <class Row, class State>
struct RowPassHooks {
  store::LockTable table = store::LockTable::kCluster;
  std::string_view log_key;  // logkey::kCluster, ...
  // Re-reads the row (nullopt: gone).
  std::function<Result<std::optional<Row>>(std::string_view id)> reload;
  std::function<State(const Row&)> state_of;
  std::function<std::string_view(State)> state_name;  // wire string
  std::function<bool(State)> has_pending_work;
  // Level 3: the supervisor's Transition(). Returns the state to persist; never throws
  // (a throw is caught, logged, and treated as "stay").
  std::function<State(Row&, const store::Lease&, const Logger&)> transition;
  // Persists `new_state` (and whatever the kind persists with it) fenced by the lease, with its
  // state-change event in the same transaction. Called only when the state changed.
  // Errors: kConflict when the lease was lost (nothing written).
  std::function<Result<void>(Row&, State new_state, const store::Lease&, const Logger&)> persist;
  // Set when a successful `persist` also released the (one-row) lease in its fenced write, so
  // that the pass makes one write at its end instead of two. The lease stops being renewed when
  // the step returns (the save follows at once, well inside the lease duration; a lost lease
  // still fails the fenced write); a failed save leaves the release to the pass as usual.
  bool persist_releases = false;
};

// Runs one pass on `item.id`:
//   * the lease cannot be had (held elsewhere, or the row is gone) -> kSkipped;
//   * the state read after claiming differs from item.expected_state -> kRequeue if the new
//     state has work (the row is taken again at once, without an expected state), else kDone;
//   * the state has no pending work -> kDone;
//   * the step returns another state: persisted; kRequeue if it has pending work, else kDone;
//     if persisting fails: kSkipped on a lost lease, kStay otherwise;
//   * the step returns the same state: nothing written, kStay.
// The lease is tracked by ctx.renewer while the step runs and released at the end (by the save
// itself with hooks.persist_releases).
// When a step was taken, `observer` (optional) gets the pass's duration, labelled `supervisor`
// and the state the step started from.
template <class Row, class State>
StepOutcome RunRowPass(const RowPassContext& ctx, const WorkItem& item,
                       const RowPassHooks<Row, State>& hooks, StepObserver* observer = nullptr,
                       std::string_view supervisor = {}) {
  const auto pass_start = std::chrono::steady_clock::now();
  std::optional<State> stepped_from;  // set when a step was taken
  Logger log = ctx.log.With(std::string(hooks.log_key), item.id);
  Result<store::Lease> claimed = ctx.locks.AcquireOne(hooks.table, item.id, ctx.instance_id);
  if (!claimed) {
    const ErrorCode code = claimed.error().code;
    if (code != ErrorCode::kConflict && code != ErrorCode::kNotFound) {
      log.Warn("failed to claim row", claimed.error());
      return StepOutcome::kStay;
    }
    return StepOutcome::kSkipped;
  }
  const store::Lease lease = std::move(*claimed);
  StepOutcome outcome = StepOutcome::kDone;
  bool released = false;  // by a persist that releases
  {
    std::optional<LeaseRenewer::Ticket> ticket;
    if (ctx.renewer != nullptr) ticket.emplace(ctx.renewer->Track(lease));

    Result<std::optional<Row>> fresh = hooks.reload(item.id);
    if (!fresh) {
      log.Warn("failed to get refreshed row", fresh.error());
      outcome = StepOutcome::kStay;
    } else if (!fresh->has_value()) {
      outcome = StepOutcome::kDone;
    } else {
      Row& row = **fresh;
      const State old_state = hooks.state_of(row);
      const bool pending = hooks.has_pending_work(old_state);
      if (item.expected_state && *item.expected_state != hooks.state_name(old_state)) {
        log.With(logkey::kState, std::string(hooks.state_name(old_state)))
            .Debug("another provisioner has worked on this row; skipping");
        outcome = pending ? StepOutcome::kRequeue : StepOutcome::kDone;
      } else if (!pending) {
        outcome = StepOutcome::kDone;
      } else {
        Logger step_log = log.With(logkey::kState, std::string(hooks.state_name(old_state)));
        State new_state = old_state;
        stepped_from = old_state;
        try {
          new_state = hooks.transition(row, lease, step_log);
        } catch (const std::exception& e) {
          step_log.With(logkey::kError, e.what()).Error("supervisor step threw; will retry");
        } catch (...) {
          step_log.Error("supervisor step threw an unknown exception; will retry");
        }
        if (new_state != old_state && hooks.persist_releases) ticket.reset();
        if (new_state == old_state) {
          outcome = StepOutcome::kStay;
        } else if (Result<void> saved = hooks.persist(row, new_state, lease, step_log); !saved) {
          if (saved.error().code == ErrorCode::kConflict) {
            step_log.Warn("lease lost during the step; new state not saved", saved.error());
            outcome = StepOutcome::kSkipped;
          } else {
            step_log.Error("failed to save new state", saved.error());
            outcome = StepOutcome::kStay;
          }
        } else {
          released = hooks.persist_releases;
          step_log.With("new_state", std::string(hooks.state_name(new_state)))
              .Info("state transition");
          outcome = hooks.has_pending_work(new_state) ? StepOutcome::kRequeue : StepOutcome::kDone;
        }
      }
    }
  }  // stop renewing before releasing
  if (!released) {
    if (Result<void> r = ctx.locks.Release(lease); !r)
      log.Warn("failed to release lease", r.error());
  }
  if (observer != nullptr && stepped_from) {
    observer->ObserveStep(
        supervisor, hooks.state_name(*stepped_from),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - pass_start).count());
  }
  return outcome;
}

}  // namespace cloud::supervisor
