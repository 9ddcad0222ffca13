// Scheduler: bounded workers, wake-ups, re-queueing, per-row dedup, head-of-line freedom,
// backoff, graceful shutdown; SchedulerSet routing. Driven by an in-memory fake Doer.
#include "supervisor/scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "supervisor/scheduler_set.h"

namespace cloud::supervisor {
namespace {

constexpr int64_t kWaitMs = 10'000;  // generous bound on wall-clock waits for threads

// A fake resource kind: each row needs `steps_left` passes (kRequeue between them, kDone at
// the end), may block on a gate, may return kStay, and records overlapping passes.
class FakeDoer final : public Doer {
 public:
  struct Row {
    int steps_left = 1;
    bool pending = true;  // listed by GetPendingWork
    bool blocks = false;  // waits for Release(id) in each pass
    bool stays = false;   // returns kStay without progress
    bool throws = false;
  };

  std::string_view Name() const override { return "fake"; }

  Result<std::vector<WorkItem>> GetPendingWork() override {
    std::lock_guard lock(mu_);
    ++queries_;
    cv_.notify_all();
    std::vector<WorkItem> out;
    for (const auto& [id, row] : rows_) {
      if (row.pending && row.steps_left > 0) out.push_back(WorkItem{id, std::nullopt});
    }
    return out;
  }

  StepOutcome Supervise(const WorkItem& item) override {
    std::unique_lock lock(mu_);
    if (!in_pass_.insert(item.id).second) ++overlaps_;
    ++passes_[item.id];
    max_running_ = std::max(max_running_, static_cast<int>(in_pass_.size()));
    cv_.notify_all();
    Row& row = rows_[item.id];
    if (row.blocks) {
      cv_.wait(lock, [&] { return released_.contains(item.id); });
    }
    in_pass_.erase(item.id);
    cv_.notify_all();
    if (row.throws) throw std::runtime_error("boom");
    if (row.stays) return StepOutcome::kStay;
    if (row.steps_left <= 0) return StepOutcome::kDone;
    --row.steps_left;
    if (row.steps_left == 0) {
      done_order_.push_back(item.id);
      cv_.notify_all();
      return StepOutcome::kDone;
    }
    return StepOutcome::kRequeue;
  }

  void Shutdown() override {
    std::lock_guard lock(mu_);
    shutdown_called_ = true;
    shutdown_saw_running_ = !in_pass_.empty();
  }

  void Add(const std::string& id, Row row) {
    std::lock_guard lock(mu_);
    rows_[id] = row;
  }
  void Release(const std::string& id) {
    std::lock_guard lock(mu_);
    released_.insert(id);
    cv_.notify_all();
  }
  void Unstay(const std::string& id) {
    std::lock_guard lock(mu_);
    rows_[id].stays = false;
  }
  template <class Pred>
  bool WaitFor(Pred pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(kWaitMs), [&] { return pred(); });
  }
  bool WaitRunning(const std::string& id) {
    return WaitFor([&] { return in_pass_.contains(id); });
  }
  bool WaitDone(const std::string& id) {
    return WaitFor([&] { return rows_[id].steps_left == 0; });
  }

  int Passes(const std::string& id) {
    std::lock_guard lock(mu_);
    return passes_[id];
  }
  int StepsLeft(const std::string& id) {
    std::lock_guard lock(mu_);
    return rows_[id].steps_left;
  }
  int RunningNow() {
    std::lock_guard lock(mu_);
    return static_cast<int>(in_pass_.size());
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Row> rows_;
  std::set<std::string> released_;
  std::set<std::string> in_pass_;
  std::map<std::string, int> passes_;
  std::vector<std::string> done_order_;
  int queries_ = 0;
  int overlaps_ = 0;
  int max_running_ = 0;
  bool shutdown_called_ = false;
  bool shutdown_saw_running_ = false;
};

class SchedulerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Scheduler> Make(SchedulerOptions options) {
    options.seed = 7;
    return std::make_unique<Scheduler>(doer_, options, clock_, Logger(sink_));
  }
  // Threaded tests: no poll, no backoffs (only wake-ups drive work).
  static SchedulerOptions EventOnly(int workers) {
    return SchedulerOptions{.workers = workers, .poll_ms = 0, .stay_backoff_min_ms = 0};
  }

  FakeDoer doer_;
  ManualClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
};

TEST_F(SchedulerTest, RunOnceProcessesEveryPendingRowAndRequeuesUntilNoWorkIsLeft) {
  doer_.Add("a", {.steps_left = 3});
  doer_.Add("b", {.steps_left = 1});
  doer_.Add("idle", {.steps_left = 0});
  auto scheduler = Make(EventOnly(2));
  EXPECT_EQ(scheduler->RunOnceForTest(), 4);
  EXPECT_EQ(doer_.StepsLeft("a"), 0);
  EXPECT_EQ(doer_.StepsLeft("b"), 0);
  EXPECT_EQ(doer_.Passes("a"), 3);  // re-queued at once, no poll needed
  EXPECT_EQ(doer_.Passes("idle"), 0);
  EXPECT_EQ(doer_.queries_, 1);
  EXPECT_EQ(scheduler->RunOnceForTest(), 0);
}

TEST_F(SchedulerTest, StayBacksOffOnTheClockAndDoublesUpToTheMax) {
  doer_.Add("w", {.steps_left = 1, .pending = false, .stays = true});
  auto scheduler = Make(
      {.workers = 1, .poll_ms = 0, .stay_backoff_min_ms = 1'000, .stay_backoff_max_ms = 3'000});
  scheduler->Notify("w");
  struct Step {
    int64_t advance;
    int expected_passes;
  };
  // Backoffs: 1000, 2000, 3000 (capped), 3000.
  const std::vector<Step> steps = {{0, 1}, {999, 1},   {1, 2}, {1'999, 2},
                                   {1, 3}, {2'999, 3}, {1, 4}, {3'000, 5}};
  for (const Step& s : steps) {
    SCOPED_TRACE(s.advance);
    clock_.Advance(s.advance);
    (void)scheduler->RunOnceForTest();
    EXPECT_EQ(doer_.Passes("w"), s.expected_passes);
  }
  EXPECT_EQ(scheduler->BackoffCountForTest(), 1u);
  // A wake-up overrides the backoff; progress clears it.
  doer_.Unstay("w");
  scheduler->Notify("w");
  EXPECT_EQ(scheduler->RunOnceForTest(), 1);
  EXPECT_EQ(doer_.StepsLeft("w"), 0);
  EXPECT_EQ(scheduler->BackoffCountForTest(), 0u);
}

TEST_F(SchedulerTest, ZeroBackoffLeavesStayingRowsToThePoll) {
  doer_.Add("w", {.steps_left = 1, .pending = false, .stays = true});
  auto scheduler = Make(EventOnly(1));
  scheduler->Notify("w");
  EXPECT_EQ(scheduler->RunOnceForTest(), 1);
  clock_.Advance(1'000'000);
  EXPECT_EQ(scheduler->RunOnceForTest(), 0);
  EXPECT_EQ(scheduler->BackoffCountForTest(), 0u);
}

TEST_F(SchedulerTest, AThrowingPassIsCaughtAndCountsAsStay) {
  doer_.Add("bad", {.steps_left = 1, .throws = true});
  doer_.Add("good", {.steps_left = 1});
  auto scheduler = Make({.workers = 1, .poll_ms = 0, .stay_backoff_min_ms = 500});
  EXPECT_EQ(scheduler->RunOnceForTest(), 2);
  EXPECT_EQ(doer_.StepsLeft("good"), 0);
  EXPECT_EQ(scheduler->BackoffCountForTest(), 1u);
}

TEST_F(SchedulerTest, WorkerPoolBoundsConcurrentPasses) {
  for (int i = 0; i < 12; ++i)
    doer_.Add("r" + std::to_string(i), {.steps_left = 1, .blocks = true});
  auto scheduler = Make(EventOnly(3));
  scheduler->Start();
  ASSERT_TRUE(doer_.WaitFor([&] { return doer_.in_pass_.size() == 3; }));
  EXPECT_EQ(doer_.RunningNow(), 3);
  for (int i = 0; i < 12; ++i) doer_.Release("r" + std::to_string(i));
  ASSERT_TRUE(doer_.WaitFor([&] { return doer_.done_order_.size() == 12; }));
  ASSERT_TRUE(scheduler->WaitIdleForTest());
  EXPECT_EQ(doer_.max_running_, 3);
  EXPECT_EQ(scheduler->MaxConcurrentForTest(), 3);
  EXPECT_EQ(doer_.overlaps_, 0);
  scheduler->Stop();
}

TEST_F(SchedulerTest, NotifyByIdAndByKindWakeTheSchedulerAtOnceWithoutAPoll) {
  auto scheduler = Make(EventOnly(2));
  scheduler->Start();
  ASSERT_TRUE(scheduler->WaitIdleForTest());
  const int queries_after_start = doer_.queries_;

  doer_.Add("by-id", {.steps_left = 2, .pending = false});
  scheduler->Notify("by-id");
  ASSERT_TRUE(doer_.WaitDone("by-id"));
  EXPECT_EQ(doer_.queries_, queries_after_start);  // no query for a wake-up by ID

  doer_.Add("by-kind", {.steps_left = 1});
  scheduler->Notify();
  ASSERT_TRUE(doer_.WaitDone("by-kind"));
  EXPECT_GT(doer_.queries_, queries_after_start);
  scheduler->Stop();
}

TEST_F(SchedulerTest, ARowIsNeverProcessedByTwoWorkersAtOnce) {
  doer_.Add("row", {.steps_left = 2, .blocks = true});
  auto scheduler = Make(EventOnly(4));
  scheduler->Start();
  ASSERT_TRUE(doer_.WaitRunning("row"));
  for (int i = 0; i < 20; ++i) {
    scheduler->Notify("row");
    scheduler->Notify();
  }
  ASSERT_TRUE(doer_.WaitFor([&] { return doer_.queries_ >= 2; }));
  EXPECT_EQ(doer_.RunningNow(), 1);
  doer_.Release("row");
  ASSERT_TRUE(doer_.WaitDone("row"));
  ASSERT_TRUE(scheduler->WaitIdleForTest());
  EXPECT_EQ(doer_.overlaps_, 0);
  EXPECT_EQ(doer_.max_running_, 1);
  // The 40 wake-ups during the first pass coalesced into one more pass (which finished the
  // row); a query that read the row before it finished may add one pass that finds no work.
  EXPECT_GE(doer_.Passes("row"), 2);
  EXPECT_LE(doer_.Passes("row"), 3);
  scheduler->Stop();
}

TEST_F(SchedulerTest, WakeUpDuringAPassRunsTheRowAgainEvenWhenThePassSaidDone) {
  doer_.Add("row", {.steps_left = 1, .pending = false, .blocks = true});
  auto scheduler = Make(EventOnly(2));
  scheduler->Start();
  scheduler->Notify("row");
  ASSERT_TRUE(doer_.WaitRunning("row"));
  scheduler->Notify("row");  // e.g. an API write after the pass read the row
  doer_.Release("row");
  ASSERT_TRUE(doer_.WaitFor([&] { return doer_.passes_["row"] == 2; }));
  ASSERT_TRUE(scheduler->WaitIdleForTest());
  EXPECT_EQ(doer_.Passes("row"), 2);
  scheduler->Stop();
}

TEST_F(SchedulerTest, ASlowRowDoesNotDelayOthers) {
  doer_.Add("slow", {.steps_left = 1, .blocks = true});
  auto scheduler = Make(EventOnly(2));
  scheduler->Start();
  ASSERT_TRUE(doer_.WaitRunning("slow"));
  for (int i = 0; i < 5; ++i) {
    const std::string id = "fast" + std::to_string(i);
    doer_.Add(id, {.steps_left = 3, .pending = false});
    scheduler->Notify(id);
  }
  ASSERT_TRUE(doer_.WaitFor([&] { return doer_.done_order_.size() == 5; }));
  EXPECT_EQ(doer_.StepsLeft("slow"), 1);  // still blocked while all fast rows finished
  doer_.Release("slow");
  ASSERT_TRUE(doer_.WaitDone("slow"));
  EXPECT_EQ(doer_.done_order_.back(), "slow");
  scheduler->Stop();
}

TEST_F(SchedulerTest, StopWaitsForRunningStepsThenShutsDownTheDoer) {
  doer_.Add("running", {.steps_left = 1, .blocks = true});
  doer_.Add("queued", {.steps_left = 1});
  auto scheduler = Make(EventOnly(1));
  scheduler->Start();
  ASSERT_TRUE(doer_.WaitRunning("running"));
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    scheduler->Stop();
    stopped = true;
  });
  EXPECT_FALSE(stopped.load());
  doer_.Release("running");
  stopper.join();
  EXPECT_TRUE(stopped.load());
  EXPECT_EQ(doer_.StepsLeft("running"), 0);  // the running step finished
  EXPECT_TRUE(doer_.shutdown_called_);
  EXPECT_FALSE(doer_.shutdown_saw_running_);
  // "queued" may or may not have started before Stop; nothing runs after it.
  const int passes = doer_.Passes("queued");
  scheduler->Notify("queued");
  scheduler->Notify();
  EXPECT_EQ(doer_.Passes("queued"), passes);
  EXPECT_LE(passes, 1);
}

TEST_F(SchedulerTest, SafetyNetPollFindsWorkWithoutWakeUps) {
  SystemClock wall;
  Scheduler scheduler(
      doer_,
      SchedulerOptions{
          .workers = 1, .poll_ms = 5, .poll_jitter = 0.5, .stay_backoff_min_ms = 0, .seed = 3},
      wall, Logger(sink_));
  scheduler.Start();
  ASSERT_TRUE(doer_.WaitFor([&] { return doer_.queries_ >= 1; }));
  doer_.Add("late", {.steps_left = 1});  // written without a wake-up
  ASSERT_TRUE(doer_.WaitDone("late"));
  ASSERT_TRUE(doer_.WaitFor([&] { return doer_.queries_ >= 4; }));
  scheduler.Stop();
}

// A WakeupChannel that records publishes and lets the test deliver "remote" wake-ups.
class FakeWakeupChannel final : public WakeupChannel {
 public:
  Result<void> Publish(ResourceKind kind, std::string_view id) override {
    std::lock_guard lock(mu_);
    published.emplace_back(std::string(ToString(kind)) + ":" + std::string(id));
    return Ok();
  }
  Result<void> Listen(Handler h) override {
    handler = std::move(h);
    return Ok();
  }
  void Close() override { closed = true; }

  std::mutex mu_;
  std::vector<std::string> published;
  Handler handler;
  bool closed = false;
};

TEST(SchedulerSet, RoutesWakeUpsByKindAndAcrossInstances) {
  FakeDoer clusters;
  FakeDoer installations;
  ManualClock clock;
  Logger log(std::make_shared<CapturingLogSink>());
  FakeWakeupChannel channel;
  SchedulerSet set(log, &channel);
  const SchedulerOptions options{.workers = 1, .poll_ms = 0, .stay_backoff_min_ms = 0};
  set.Add(ResourceKind::kCluster, std::make_unique<Scheduler>(clusters, options, clock, log));
  set.Add(ResourceKind::kInstallation,
          std::make_unique<Scheduler>(installations, options, clock, log));

  clusters.Add("c1", {.steps_left = 1, .pending = false});
  installations.Add("i1", {.steps_left = 1, .pending = false});
  set.Notify(ResourceKind::kCluster, "c1");
  set.Notify(ResourceKind::kGroup, "g1");  // no group scheduler: only published
  EXPECT_EQ(set.Get(ResourceKind::kCluster)->RunOnceForTest(), 1);
  EXPECT_EQ(set.Get(ResourceKind::kInstallation)->RunOnceForTest(), 0);
  EXPECT_EQ(clusters.StepsLeft("c1"), 0);
  EXPECT_EQ(channel.published, (std::vector<std::string>{"cluster:c1", "group:g1"}));

  set.Start();
  ASSERT_TRUE(channel.handler);
  channel.handler(ResourceKind::kInstallation, "i1");  // another instance wrote i1
  ASSERT_TRUE(installations.WaitDone("i1"));
  EXPECT_EQ(channel.published.size(), 2u);  // remote wake-ups are not re-published
  set.Stop();
  EXPECT_TRUE(channel.closed);
}

TEST(ResourceKind, NamesRoundTrip) {
  for (ResourceKind kind :
       {ResourceKind::kCluster, ResourceKind::kInstallation, ResourceKind::kClusterInstallation,
        ResourceKind::kGroup, ResourceKind::kInstallationDeletion, ResourceKind::kBackup,
        ResourceKind::kDBRestoration, ResourceKind::kDBMigration, ResourceKind::kImport}) {
    ResourceKind parsed{};
    ASSERT_TRUE(ParseEnum(ToString(kind), parsed)) << ToString(kind);
    EXPECT_EQ(parsed, kind);
  }
  ResourceKind unused{};
  EXPECT_FALSE(ParseEnum("clusters", unused));
}

}  // namespace
}  // namespace cloud::supervisor
