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
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::TrySubmit(std::function<void()> task) {
  bool wake = true;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(task));
    queued_.store(queue_.size(), std::memory_order_release);
    // The poller takes the first queued task: it looks at the queue under mu_ before it sleeps,
    // so the task is never stranded. A second queued task wakes a sleeper (also when the poller
    // is off the CPU: the next submit rescues the task left to it).
    wake = !polling_ || queue_.size() > 1;
  }
  if (wake) {
    cv_.notify_one();
  } else {
    submits_left_to_poller_.fetch_add(1, std::memory_order_relaxed);
  }
  return true;
}

void WorkerPool::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mu_);
  threads_.clear();
}

void WorkerPool::Run() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
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
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      queued_.store(queue_.size(), std::memory_order_release);
    }
    task();
  }
}

}  // namespace cloud::api
