// WorkerPool: every accepted task runs exactly once (also the ones left to the polling worker
// without a wake-up), the queue bound, Shutdown running what is queued, and the LIFO wake-up;
// with and without poll_when_idle.
#include "api/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace cloud::api {
namespace {

// Counts finished tasks; waits (bounded) for a number of them.
class PoolTaskCounter {
 public:
  void Done() {
    std::lock_guard lock(mu_);
    ++done_;
    cv_.notify_all();
  }
  bool WaitFor(size_t n, std::chrono::seconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done_ >= n; });
  }
  size_t done() {
    std::lock_guard lock(mu_);
    return done_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t done_ = 0;
};

class WorkerPoolPollingTest : public testing::TestWithParam<bool> {};

// Tasks submitted one at a time with gaps (the pool idles between them, so with polling the
// poller takes most of them without a wake-up) and in bursts (several queued at once): each one
// runs exactly once and promptly; none waits for a later submit to be rescued.
TEST_P(WorkerPoolPollingTest, EveryTaskRunsOnceWhetherSpacedOrBursty) {
  const bool poll = GetParam();
  WorkerPool pool(4, 1024, poll);
  PoolTaskCounter counter;
  constexpr size_t kSpaced = 200;
  std::vector<std::atomic<int>> runs(kSpaced + 400);
  for (size_t i = 0; i < kSpaced; ++i) {
    ASSERT_TRUE(pool.TrySubmit([&, i] {
      runs[i].fetch_add(1);
      counter.Done();
    }));
    // Each spaced task completes before the next is submitted: a task left to a poller that
    // then slept would hang here (bounded wait fails the test).
    ASSERT_TRUE(counter.WaitFor(i + 1, std::chrono::seconds(5))) << "task " << i << " stranded";
    if (i % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));  // sleepers
  }
  for (size_t burst = 0; burst < 20; ++burst) {
    for (size_t j = 0; j < 20; ++j) {
      const size_t i = kSpaced + burst * 20 + j;
      ASSERT_TRUE(pool.TrySubmit([&, i] {
        runs[i].fetch_add(1);
        counter.Done();
      }));
    }
    ASSERT_TRUE(counter.WaitFor(kSpaced + (burst + 1) * 20, std::chrono::seconds(5)));
  }
  for (size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i].load(), 1) << "task " << i;
  if (poll) {
    EXPECT_GT(pool.submits_left_to_poller(), 0u);  // the saving happens
  } else {
    EXPECT_EQ(pool.submits_left_to_poller(), 0u);
  }
}

// A full queue refuses; Shutdown runs the queued tasks, joins, and refuses afterwards.
TEST_P(WorkerPoolPollingTest, BoundedQueueAndShutdownRunsQueuedTasks) {
  WorkerPool pool(1, 2, GetParam());
  std::mutex gate;
  std::unique_lock hold(gate);
  PoolTaskCounter counter;
  std::atomic<bool> started{false};
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.store(true);
    std::lock_guard wait(gate);  // blocks the only worker until released
    counter.Done();
  }));
  while (!started.load()) std::this_thread::yield();
  ASSERT_TRUE(pool.TrySubmit([&] { counter.Done(); }));
  ASSERT_TRUE(pool.TrySubmit([&] { counter.Done(); }));
  EXPECT_FALSE(pool.TrySubmit([&] { counter.Done(); }));  // two queued: full
  hold.unlock();
  pool.Shutdown();
  EXPECT_EQ(counter.done(), 3u);
  EXPECT_FALSE(pool.TrySubmit([&] { counter.Done(); }));
}

// A task wakes the worker that slept last: tasks submitted one at a time, each after every
// worker is asleep again, all run on the same thread (a FIFO wake-up rotates them over all 4).
TEST_P(WorkerPoolPollingTest, WakesTheWorkerThatSleptLast) {
  WorkerPool pool(4, 1024, GetParam());
  PoolTaskCounter counter;
  const auto all_asleep = [&pool] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (pool.sleeping() < 4 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    return pool.sleeping() == 4;
  };
  std::mutex mu;
  std::set<std::thread::id> threads;
  constexpr size_t kTasks = 40;
  for (size_t i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(all_asleep()) << "before task " << i;
    ASSERT_TRUE(pool.TrySubmit([&] {
      {
        std::lock_guard lock(mu);
        threads.insert(std::this_thread::get_id());
      }
      counter.Done();
    }));
    ASSERT_TRUE(counter.WaitFor(i + 1));
  }
  std::lock_guard lock(mu);
  EXPECT_EQ(threads.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(PollWhenIdle, WorkerPoolPollingTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? "Polling" : "Sleeping";
                         });

}  // namespace
}  // namespace cloud::api
