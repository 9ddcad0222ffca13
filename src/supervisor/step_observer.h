// StepObserver: where supervisors report how long each step took (app/ adapts it to the
// Prometheus histogram provisioner_supervisor_step_duration_seconds{supervisor,state}).
#pragma once

#include <string_view>

namespace cloud::supervisor {

// Threading: called from every worker of every scheduler at once; implementations must be
// thread-safe and cheap (no I/O). Lifecycle: outlives the supervisors it is given to.
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  // `supervisor`: Doer::Name() ("cluster", "installation", ...). `state`: the wire state the
  // step started from ("n/a" for groups, which have none). `seconds`: wall time of the pass
  // that took the step (claim, re-read, step, save, release).
  virtual void ObserveStep(std::string_view supervisor, std::string_view state, double seconds) = 0;
};

// Where supervisors report that a resource settled after a request: an installation reached
// stable, hibernating or deleted; a cluster installation or a cluster stable or deleted
// (upstream-core.md §1.1, §1.2, §1.4 "Metrics"). app/ looks up the latest request event of the
// resource and observes the time since it in upstream's provisioner_app_* histograms.
// Threading: called from the supervisors' workers after the state was saved; may read the store
// (one indexed query). Lifecycle: outlives the supervisors it is given to.
class LifecycleObserver {
 public:
  virtual ~LifecycleObserver() = default;
  // `kind`: "installation", "cluster_installation" or "cluster". `label`: the histogram label's
  // value (installation: its group ID or "none"; cluster installation: its cluster ID; cluster:
  // unused).
  virtual void ResourceSettled(std::string_view kind, std::string_view id,
                               std::string_view label) = 0;
};

}  // namespace cloud::supervisor
