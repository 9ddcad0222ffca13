// Cross-instance wake-ups: two SchedulerSets, each with its own SqlDatabase and
// NotifyWakeupChannel on one real PostgreSQL database (two "server instances"), and the
// SQLite case (no channel; in-process wake-ups only).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "supervisor/notifier_channel.h"
#include "supervisor/scheduler_set.h"
#include "testlib/test_database.h"

namespace cloud::supervisor {
namespace {

using Steady = std::chrono::steady_clock;

// A Doer that records which ids it was asked to supervise and how many pending-work queries ran.
class RecordingDoer final : public Doer {
 public:
  std::string_view Name() const override { return "recording"; }
  Result<std::vector<WorkItem>> GetPendingWork() override {
    std::lock_guard lock(mu_);
    ++queries_;
    cv_.notify_all();
    return std::vector<WorkItem>{};
  }
  StepOutcome Supervise(const WorkItem& item) override {
    std::lock_guard lock(mu_);
    seen_.push_back({item.id, Steady::now()});
    cv_.notify_all();
    return StepOutcome::kDone;
  }
  // Waits until `id` was supervised; returns when, or nullopt after `timeout`.
  std::optional<Steady::time_point> WaitFor(const std::string& id,
                                            std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    std::optional<Steady::time_point> at;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& [seen_id, when] : seen_) {
        if (seen_id == id) at = when;
      }
      return at.has_value();
    });
    return at;
  }
  int Count(const std::string& id) {
    std::lock_guard lock(mu_);
    return static_cast<int>(
        std::count_if(seen_.begin(), seen_.end(), [&](const auto& s) { return s.first == id; }));
  }
  int Queries() {
    std::lock_guard lock(mu_);
    return queries_;
  }
  bool WaitQueriesAbove(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return queries_ > n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<std::string, Steady::time_point>> seen_;
  int queries_ = 0;
};

// One "server instance": a database connection, a channel, a SchedulerSet with one scheduler.
struct Instance {
  std::unique_ptr<store::SqlDatabase> db;
  std::unique_ptr<WakeupChannel> channel;
  RecordingDoer doer;
  std::unique_ptr<SchedulerSet> set;
};

class WakeupChannelTest : public testlib::DatabaseTest {
 protected:
  // A channel name of this test only: parallel test processes share the PostgreSQL database.
  std::string channel_name_ = "cloud_wakeup_test_" + NewId();

  std::unique_ptr<Instance> MakeInstance() {
    auto instance = std::make_unique<Instance>();
    auto db = test_db().OpenAnother();
    EXPECT_TRUE(db) << db.error().message;
    if (!db) return nullptr;
    instance->db = std::move(*db);
    store::NotifyChannelOptions options;
    options.channel = channel_name_;
    options.reconnect_min_ms = 20;
    auto channel = MakeWakeupChannel(test_db().url(), *instance->db, logger_.log, options);
    EXPECT_TRUE(channel) << channel.error().message;
    if (!channel) return nullptr;
    instance->channel = std::move(*channel);
    instance->set = std::make_unique<SchedulerSet>(logger_.log, instance->channel.get());
    SchedulerOptions scheduler_options;
    scheduler_options.poll_ms = 0;  // no safety-net poll: only wake-ups can start a pass
    instance->set->Add(ResourceKind::kInstallation,
                       std::make_unique<Scheduler>(instance->doer, scheduler_options,
                                                   SystemClock::Instance(), logger_.log));
    instance->set->Start();
    return instance;
  }
};

TEST_P(WakeupChannelTest, NotifyInOneInstanceWakesTheOtherAtOnce) {
  auto a = MakeInstance();
  auto b = MakeInstance();
  ASSERT_TRUE(a && b);
  if (engine() == testlib::Engine::kSqlite) {
    // One instance per SQLite database: no channel, wake-ups stay in the process.
    EXPECT_EQ(a->channel, nullptr);
    a->set->Notify(ResourceKind::kInstallation, "local-only");
    EXPECT_TRUE(a->doer.WaitFor("local-only", std::chrono::milliseconds(2000)));
    EXPECT_FALSE(b->doer.WaitFor("local-only", std::chrono::milliseconds(200)));
    return;
  }
  ASSERT_NE(a->channel, nullptr);

  std::vector<double> latencies_ms;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "inst-" + std::to_string(i);
    Instance& from = i % 2 == 0 ? *a : *b;
    Instance& to = i % 2 == 0 ? *b : *a;
    const Steady::time_point sent = Steady::now();
    from.set->Notify(ResourceKind::kInstallation, id);
    std::optional<Steady::time_point> woken = to.doer.WaitFor(id, std::chrono::milliseconds(5000));
    ASSERT_TRUE(woken) << "the other instance was not woken for " << id;
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(*woken - sent).count());
    // The sender's own scheduler ran it locally, once: its channel drops its own messages.
    ASSERT_TRUE(from.doer.WaitFor(id, std::chrono::milliseconds(2000)));
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double p50 = latencies_ms[latencies_ms.size() / 2];
  const double p99 = latencies_ms[latencies_ms.size() * 99 / 100];
  std::printf("cross-instance wake-up latency over %zu notifies: p50 %.2f ms, p99 %.2f ms\n",
              latencies_ms.size(), p50, p99);
  EXPECT_LT(p50, 100.0);  // milliseconds, not a poll period
  // Let stray deliveries arrive, then check nothing ran twice in one instance.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int i = 0; i < 50; ++i) {
    const std::string id = "inst-" + std::to_string(i);
    EXPECT_EQ(a->doer.Count(id), 1) << id;
    EXPECT_EQ(b->doer.Count(id), 1) << id;
  }

  // A kind-wide wake-up travels too (a pending-work query in the other instance).
  const int queries = b->doer.Queries();
  a->set->Notify(ResourceKind::kInstallation);
  EXPECT_TRUE(b->doer.WaitQueriesAbove(queries, std::chrono::milliseconds(5000)));
}

TEST_P(WakeupChannelTest, ListenerReconnectsAndCatchesUpAfterItsConnectionIsKilled) {
  if (engine() == testlib::Engine::kSqlite) GTEST_SKIP() << "no channel on SQLite";
  auto a = MakeInstance();
  auto b = MakeInstance();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(b->doer.WaitQueriesAbove(0, std::chrono::milliseconds(5000)));  // start-up query
  const int queries = b->doer.Queries();

  // Kill the listening backends of this test's channel (both instances').
  auto killed =
      db().Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1",
                 {"LISTEN \"" + channel_name_ + "\""});
  ASSERT_TRUE(killed) << killed.error().message;
  ASSERT_EQ(killed->size(), 2u);

  // After reconnecting, each instance looks for work of every kind (wake-ups may be lost).
  EXPECT_TRUE(b->doer.WaitQueriesAbove(queries, std::chrono::milliseconds(10000)));
  // And wake-ups flow again.
  bool woken = false;
  for (int i = 0; i < 50 && !woken; ++i) {
    const std::string id = "after-" + std::to_string(i);
    a->set->Notify(ResourceKind::kInstallation, id);
    woken = b->doer.WaitFor(id, std::chrono::milliseconds(200)).has_value();
  }
  EXPECT_TRUE(woken);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(WakeupChannelTest);

}  // namespace
}  // namespace cloud::supervisor
