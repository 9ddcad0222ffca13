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

}  // namespace cloud::supervisor
