// Doer: what a Scheduler drives for one resource kind — find the rows with pending work, and
// take one step on one row (upstream internal/supervisor/doer.go, split per row so that rows
// can run concurrently).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "supervisor/step_observer.h"

namespace cloud::supervisor {

// A row to supervise. `expected_state` is the wire state the row had when it was selected
// (from a pending-work query); a pass abandons the row when the state read after claiming it
// differs (upstream's "another provisioner has worked on this"). Rows woken by ID carry none.
struct WorkItem {
  std::string id;
  std::optional<std::string> expected_state;
  friend bool operator==(const WorkItem&, const WorkItem&) = default;
};

// What one pass on a row means for when to look at it again.
enum class StepOutcome {
  kDone,     // nothing more to do now (stable or failed state, row gone): wait for a wake-up
  kRequeue,  // moved to another state that has work: process again at once
  kStay,     // still pending but no progress (waiting on the cloud, or a retryable error):
             // look again after a backoff
  kSkipped,  // not processed: leased elsewhere, or changed since selection; the holder (or
             // the next poll) takes care of it
};

std::string_view ToString(StepOutcome outcome);

// Lifecycle: owned by app/ (or a test) and outlives its Scheduler.
// Threading: GetPendingWork runs on the scheduler's dispatcher thread; Supervise runs on its
// workers, concurrently for DIFFERENT ids (never for the same id in one process), so it must
// be thread-safe. Neither may throw across the interface (the scheduler still catches and logs
// as a last resort, counting an exception as kStay).
class Doer {
 public:
  virtual ~Doer() = default;

  // "cluster", "installation", ... (logs).
  virtual std::string_view Name() const = 0;
  // The rows with pending work that no live lease holds, in the order to process them
  // (priority, then CreateAt). Errors are logged by the scheduler and retried at the next poll.
  virtual Result<std::vector<WorkItem>> GetPendingWork() = 0;
  // One pass on one row: claim, re-read, one step, save, release (see RunRowPass).
  virtual StepOutcome Supervise(const WorkItem& item) = 0;
  // Called once by Scheduler::Stop after the last Supervise returned.
  virtual void Shutdown() {}

  // Step-duration metrics (optional): set once, before the scheduler starts.
  void SetStepObserver(StepObserver* observer) { step_observer_ = observer; }
  StepObserver* step_observer() const { return step_observer_; }
  // Request-to-settled metrics (optional; installations, cluster installations and clusters
  // report): set once, before the scheduler starts.
  void SetLifecycleObserver(LifecycleObserver* observer) { lifecycle_observer_ = observer; }
  LifecycleObserver* lifecycle_observer() const { return lifecycle_observer_; }

 private:
  StepObserver* step_observer_ = nullptr;
  LifecycleObserver* lifecycle_observer_ = nullptr;
};

}  // namespace cloud::supervisor
