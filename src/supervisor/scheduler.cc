// Scheduler: dispatcher (queries, polls, backoffs) + a bounded pool of row workers.
#include "supervisor/scheduler.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

namespace cloud::supervisor {

std::string_view ToString(StepOutcome outcome) {
  switch (outcome) {
    case StepOutcome::kDone:
      return "done";
    case StepOutcome::kRequeue:
      return "requeue";
    case StepOutcome::kStay:
      return "stay";
    case StepOutcome::kSkipped:
      return "skipped";
  }
  return "unknown";
}

Scheduler::Scheduler(Doer& doer, SchedulerOptions options, const Clock& clock, Logger log)
    : doer_(doer),
      options_(options),
      clock_(clock),
      log_(log.With(logkey::kComponent, std::string(doer.Name()) + "-scheduler")),
      rng_(options.seed != 0 ? options.seed : std::random_device{}()) {
  options_.workers = std::max(1, options_.workers);
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  query_requested_ = true;  // look for work at once
  if (options_.poll_ms > 0) next_poll_at_ = clock_.NowMillis() + NextPollDelayLocked();
  dispatcher_ = std::thread([this] { DispatcherLoop(); });
  for (int i = 0; i < options_.workers; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopping_ = true;
  }
  work_cv_.notify_all();
  dispatch_cv_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    ready_.clear();
    queued_.clear();
  }
  idle_cv_.notify_all();
  doer_.Shutdown();
}

void Scheduler::Notify() {
  {
    std::lock_guard lock(mu_);
    query_requested_ = true;
  }
  dispatch_cv_.notify_one();
}

void Scheduler::Notify(std::string_view id) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    WorkItem item{std::string(id), std::nullopt};
    if (running_.contains(id)) {
      rerun_[item.id] = std::move(item);
      return;
    }
    EnqueueLocked(std::move(item));
  }
  work_cv_.notify_one();
}

// --- internals ----------------------------------------------------------------------------

void Scheduler::EnqueueLocked(WorkItem item) {
  if (stopping_ || running_.contains(item.id) || queued_.contains(item.id)) return;
  auto due = backoff_due_.find(item.id);
  if (due != backoff_due_.end()) {  // a wake-up or query overrides the backoff
    auto [first, last] = backoff_.equal_range(due->second);
    for (auto it = first; it != last; ++it) {
      if (it->second == item.id) {
        backoff_.erase(it);
        break;
      }
    }
    backoff_due_.erase(due);
  }
  queued_.insert(item.id);
  ready_.push_back(std::move(item));
}

void Scheduler::MoveDueBackoffsLocked(int64_t now) {
  while (!backoff_.empty() && backoff_.begin()->first <= now) {
    std::string id = backoff_.begin()->second;
    backoff_.erase(backoff_.begin());
    backoff_due_.erase(id);
    EnqueueLocked(WorkItem{std::move(id), std::nullopt});
  }
}

void Scheduler::HandleOutcomeLocked(const WorkItem& item, StepOutcome outcome) {
  running_.erase(item.id);
  auto rerun = rerun_.find(item.id);
  if (rerun != rerun_.end()) {
    WorkItem again = std::move(rerun->second);
    rerun_.erase(rerun);
    stays_.erase(item.id);
    EnqueueLocked(std::move(again));
    return;
  }
  switch (outcome) {
    case StepOutcome::kRequeue:
      stays_.erase(item.id);
      EnqueueLocked(WorkItem{item.id, std::nullopt});
      return;
    case StepOutcome::kStay: {
      if (options_.stay_backoff_min_ms <= 0) return;
      const int n = std::min(++stays_[item.id], 30);
      int64_t delay = options_.stay_backoff_min_ms;
      for (int i = 1; i < n && delay < options_.stay_backoff_max_ms; ++i) delay *= 2;
      delay = std::min(delay, std::max(options_.stay_backoff_max_ms, options_.stay_backoff_min_ms));
      const int64_t due = clock_.NowMillis() + delay;
      backoff_.emplace(due, item.id);
      backoff_due_[item.id] = due;
      return;
    }
    case StepOutcome::kDone:
    case StepOutcome::kSkipped:
      stays_.erase(item.id);
      return;
  }
}

StepOutcome Scheduler::RunPass(const WorkItem& item) {
  try {
    return doer_.Supervise(item);
  } catch (const std::exception& e) {
    log_.With(logkey::kError, e.what()).Error("supervisor pass threw; will retry");
  } catch (...) {
    log_.Error("supervisor pass threw an unknown exception; will retry");
  }
  return StepOutcome::kStay;
}

void Scheduler::ListPendingWork() {
  Result<std::vector<WorkItem>> pending = Internal("not run");
  try {
    pending = doer_.GetPendingWork();
  } catch (const std::exception& e) {
    pending = Internal(e.what());
  }
  std::lock_guard lock(mu_);
  querying_ = false;
  if (!pending) {
    log_.Warn("failed to query pending work", pending.error());
  } else {
    for (WorkItem& item : *pending) EnqueueLocked(std::move(item));
  }
}

int64_t Scheduler::NextPollDelayLocked() {
  const double extra = options_.poll_jitter > 0
                           ? std::uniform_real_distribution<double>(0, options_.poll_jitter)(rng_)
                           : 0.0;
  return options_.poll_ms + static_cast<int64_t>(static_cast<double>(options_.poll_ms) * extra);
}

bool Scheduler::IdleLocked() const {
  return ready_.empty() && running_.empty() && !query_requested_ && !querying_;
}

void Scheduler::DispatcherLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const int64_t now = clock_.NowMillis();
    MoveDueBackoffsLocked(now);
    if (!ready_.empty()) work_cv_.notify_all();
    if (options_.poll_ms > 0 && now >= next_poll_at_) {
      query_requested_ = true;
      next_poll_at_ = now + NextPollDelayLocked();
    }
    if (query_requested_) {
      query_requested_ = false;
      querying_ = true;
      lock.unlock();
      ListPendingWork();
      lock.lock();
      work_cv_.notify_all();
      if (IdleLocked()) idle_cv_.notify_all();
      continue;
    }
    // Sleep until the next poll, the next backoff, or a wake-up.
    int64_t wait_ms = -1;
    if (options_.poll_ms > 0) wait_ms = std::max<int64_t>(0, next_poll_at_ - now);
    if (!backoff_.empty()) {
      const int64_t b = std::max<int64_t>(0, backoff_.begin()->first - now);
      wait_ms = wait_ms < 0 ? b : std::min(wait_ms, b);
    }
    auto wake = [this] { return stopping_ || query_requested_; };
    if (wait_ms < 0) {
      dispatch_cv_.wait(lock, wake);
    } else {
      dispatch_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(wait_ms, 1)), wake);
    }
  }
}

void Scheduler::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (stopping_) return;
    WorkItem item = std::move(ready_.front());
    ready_.pop_front();
    queued_.erase(item.id);
    running_.insert(item.id);
    max_concurrent_ = std::max(max_concurrent_, ++concurrent_);
    ++passes_;
    lock.unlock();
    const StepOutcome outcome = RunPass(item);
    lock.lock();
    --concurrent_;
    HandleOutcomeLocked(item, outcome);
    if (!backoff_.empty()) dispatch_cv_.notify_one();  // may need an earlier wake-up
    if (!ready_.empty()) work_cv_.notify_one();
    if (IdleLocked()) idle_cv_.notify_all();
  }
}

// --- tests --------------------------------------------------------------------------------

int Scheduler::RunOnceForTest(int max_passes) {
  {
    std::lock_guard lock(mu_);
    if (started_) {
      log_.Error("RunOnceForTest called on a started scheduler; ignored");
      return 0;
    }
    querying_ = true;
  }
  ListPendingWork();
  int passes = 0;
  std::unique_lock lock(mu_);
  while (passes < max_passes) {
    MoveDueBackoffsLocked(clock_.NowMillis());
    if (ready_.empty()) break;
    WorkItem item = std::move(ready_.front());
    ready_.pop_front();
    queued_.erase(item.id);
    running_.insert(item.id);
    ++concurrent_;
    max_concurrent_ = std::max(max_concurrent_, concurrent_);
    ++passes_;
    lock.unlock();
    const StepOutcome outcome = RunPass(item);
    lock.lock();
    --concurrent_;
    HandleOutcomeLocked(item, outcome);
    ++passes;
  }
  return passes;
}

bool Scheduler::WaitIdleForTest(int64_t timeout_ms) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [this] { return stopped_ || IdleLocked(); });
}

int Scheduler::MaxConcurrentForTest() const {
  std::lock_guard lock(mu_);
  return max_concurrent_;
}

int64_t Scheduler::PassesForTest() const {
  std::lock_guard lock(mu_);
  return passes_;
}

size_t Scheduler::BackoffCountForTest() const {
  std::lock_guard lock(mu_);
  return backoff_.size();
}

}  // namespace cloud::supervisor
