#include "api/worker_pool.h"

#include <utility>

namespace cloud::api {
namespace {

// How many times an idle polling worker yields the CPU before it sleeps.
constexpr int kPollYields = 50;

}  // namespace

WorkerPool::WorkerPool(size_t threads, size_t max_queued, bool poll_when_idle)
    : max_queued_(max_queued), poll_when_idle_(poll_when_idle) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    sleeper_slots_.push_back(std::make_unique<Sleeper>());
    threads_.emplace_back([this, self = sleeper_slots_.back().get()] { Run(*self); });
  }
}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::TrySubmit(std::function<void()> task) {
  Sleeper* woken = nullptr;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(task));
    queued_.store(queue_.size(), std::memory_order_release);
    // The poller takes the first queued task: it looks at the queue under mu_ before it sleeps,
    // so the task is never stranded. A second queued task wakes a sleeper (also when the poller
    // is off the CPU: the next submit rescues the task left to it).
    if (polling_ && queue_.size() == 1) {
      submits_left_to_poller_.fetch_add(1, std::memory_order_relaxed);
    } else {
      woken = PopSleeperLocked();
    }
  }
  // Signalled after mu_ is released, so that the woken worker does not wake only to wait for
  // mu_. Sleepers belong to the pool: the signal never outlives its condition variable.
  if (woken != nullptr) woken->cv.notify_one();
  return true;
}

void WorkerPool::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    while (Sleeper* sleeper = PopSleeperLocked()) sleeper->cv.notify_one();
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mu_);
  threads_.clear();
}

size_t WorkerPool::sleeping() const {
  std::lock_guard lock(mu_);
  return sleepers_.size();
}

WorkerPool::Sleeper* WorkerPool::PopSleeperLocked() {
  if (sleepers_.empty()) return nullptr;
  Sleeper* sleeper = sleepers_.back();  // the one that slept last: its caches are warm
  sleepers_.pop_back();
  sleeper->woken = true;
  return sleeper;
}

void WorkerPool::Run(Sleeper& self) {
  std::unique_lock lock(mu_);
  while (true) {
    if (poll_when_idle_ && queue_.empty() && !stopping_ && !polling_) {
      polling_ = true;
      lock.unlock();
      // About one short request's handling; yielding, not spinning, as the I/O thread and the
      // clients may need this CPU.
      for (int i = 0; i < kPollYields && queued_.load(std::memory_order_acquire) == 0; ++i) {
        std::this_thread::yield();
      }
      lock.lock();
      polling_ = false;
    }
    if (queue_.empty() && !stopping_) {
      self.woken = false;
      sleepers_.push_back(&self);
      self.cv.wait(lock, [&self] { return self.woken; });  // Shutdown wakes every sleeper
    }
    if (queue_.empty()) {
      if (stopping_) return;  // drained
      continue;               // another worker took the task this one was woken for
    }
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    queued_.store(queue_.size(), std::memory_order_release);
    lock.unlock();
    task();
    task = nullptr;  // its captures are released outside mu_
    lock.lock();
  }
}

}  // namespace cloud::api
