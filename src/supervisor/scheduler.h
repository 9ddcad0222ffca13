// Scheduler: runs one Doer (one resource kind) on a bounded pool of workers, woken at once by
// Notify and by a jittered safety-net poll (ARCHITECTURE.md decision 4; upstream
// internal/supervisor/scheduler.go, made concurrent per row).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "supervisor/doer.h"

namespace cloud::supervisor {

struct SchedulerOptions {
  // Worker threads: at most this many rows are processed at once.
  int workers = 4;
  // Safety-net poll period (upstream `--poll`, 30 s; `--slow-poll` for installation deletion).
  // 0 disables the poll; Notify still works.
  int64_t poll_ms = 30'000;
  // Each poll waits poll_ms plus a random extra of up to poll_ms * poll_jitter, so that the
  // instances sharing a database do not query in lock step.
  double poll_jitter = 0.1;
  // A row whose pass returned kStay is looked at again after a backoff that starts here and
  // doubles per consecutive kStay up to the max. 0 leaves such rows to the poll / wake-ups.
  int64_t stay_backoff_min_ms = 1'000;
  int64_t stay_backoff_max_ms = 30'000;
  // Seed of the jitter RNG (0: from std::random_device).
  uint64_t seed = 0;
};

// Lifecycle: built in app/ (or a test) around a Doer that outlives it; Start() launches the
// dispatcher and the workers, Stop() (or the destructor) stops them: queued rows are dropped,
// steps already running finish first, then Doer::Shutdown() runs. Without Start(), the
// scheduler does nothing by itself and RunOnceForTest() drives it on the caller's thread.
//
// Work: a queue of row IDs. A row is in at most one of {queued, running, waiting on a
// backoff}, so two workers of this process never process one row at once. A wake-up for a
// row that is running re-queues it when its pass ends (the write that caused the wake-up may
// have come after the pass read the row). kRequeue re-queues at once, kStay after a backoff.
//
// Time: the poll and the backoffs are measured with the injected Clock; with a ManualClock,
// threads wait on the wall clock for the computed time, so tests drive time-based behaviour
// through RunOnceForTest() and wake-ups rather than waiting.
//
// Threading: Notify*, Start, Stop and the *ForTest methods are thread-safe.
class Scheduler {
 public:
  Scheduler(Doer& doer, SchedulerOptions options, const Clock& clock, Logger log);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Start();
  // Waits for running steps, then calls Doer::Shutdown(). Idempotent.
  void Stop();

  // Runs a pending-work query now (coalesced: many calls before the dispatcher gets to it make
  // one query). Never blocks.
  void Notify();
  // Queues one row now (no query). Never blocks.
  void Notify(std::string_view id);

  std::string_view name() const { return doer_.Name(); }

  // --- deterministic driving (tests; the scheduler must not be started) -------------------
  // Runs one pending-work query, then processes on this thread every queued row, every row
  // re-queued by kRequeue, and every row whose backoff is due by the Clock, until none is
  // left (at most `max_passes` passes). Returns the number of passes run.
  int RunOnceForTest(int max_passes = 10'000);
  // Waits (wall clock, at most `timeout_ms`) until nothing is queued or running and no query is
  // pending. True if it became idle.
  bool WaitIdleForTest(int64_t timeout_ms = 10'000);
  // The most passes that ever ran at once, and the total number of passes.
  int MaxConcurrentForTest() const;
  int64_t PassesForTest() const;
  // Rows waiting on a backoff.
  size_t BackoffCountForTest() const;

 private:
  void DispatcherLoop();
  void WorkerLoop();
  // Runs the pending-work query (mu_ not held) and queues what it found.
  void ListPendingWork();
  StepOutcome RunPass(const WorkItem& item);
  // All *Locked methods require mu_.
  void EnqueueLocked(WorkItem item);
  void HandleOutcomeLocked(const WorkItem& item, StepOutcome outcome);
  void MoveDueBackoffsLocked(int64_t now);
  int64_t NextPollDelayLocked();
  bool IdleLocked() const;

  Doer& doer_;
  SchedulerOptions options_;
  const Clock& clock_;
  Logger log_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;      // workers: something queued, or stopping
  std::condition_variable dispatch_cv_;  // dispatcher: query requested, or stopping
  std::condition_variable idle_cv_;      // WaitIdleForTest
  std::deque<WorkItem> ready_;
  std::set<std::string, std::less<>> queued_;
  std::set<std::string, std::less<>> running_;
  std::map<std::string, WorkItem, std::less<>> rerun_;       // woken while running
  std::multimap<int64_t, std::string> backoff_;              // due time -> id
  std::map<std::string, int64_t, std::less<>> backoff_due_;  // id -> due time
  std::map<std::string, int, std::less<>> stays_;            // consecutive kStay per row
  bool query_requested_ = false;
  bool querying_ = false;
  int64_t next_poll_at_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  int concurrent_ = 0;
  int max_concurrent_ = 0;
  int64_t passes_ = 0;
  std::mt19937_64 rng_;

  std::thread dispatcher_;
  std::vector<std::thread> workers_;
};

}  // namespace cloud::supervisor
