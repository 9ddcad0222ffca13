// WorkerPool: a fixed number of threads running tasks from a bounded FIFO queue. The HTTP
// server runs handlers here so that slow handlers (store, provisioners) never block the I/O
// threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cloud::api {

// Lifecycle: threads start in the constructor; Shutdown() (or the destructor) stops taking
// new tasks, runs the tasks already queued, and joins. Thread-safe.
class WorkerPool {
 public:
  WorkerPool(size_t threads, size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`. Returns false (and drops it) when the queue already holds max_queued
  // tasks or the pool is shutting down.
  bool TrySubmit(std::function<void()> task);

  // Finishes queued tasks and joins the threads. Idempotent.
  void Shutdown();

  size_t thread_count() const { return threads_.size(); }

 private:
  void Run();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace cloud::api
