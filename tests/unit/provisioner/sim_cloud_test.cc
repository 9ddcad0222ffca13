// SimCloud: timing on the injected clock, failure injection, call counting, consistent state;
// ProvisionerSet routing; the multitenant database choice rule.
#include "provisioner/sim/sim_cloud.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"

namespace cloud::provisioner::sim {
namespace {

model::Cluster MakeCluster(std::string id) {
  model::Cluster c;
  c.id = std::move(id);
  c.provisioner_metadata_kops.emplace();
  return c;
}

model::Installation MakeInstallation(std::string id) {
  model::Installation i;
  i.id = std::move(id);
  return i;
}

model::ClusterInstallation MakeCI(std::string id, std::string cluster, std::string inst) {
  model::ClusterInstallation ci;
  ci.id = std::move(id);
  ci.cluster_id = std::move(cluster);
  ci.installation_id = std::move(inst);
  return ci;
}

// Spins (yielding, no sleep) until `cond` holds; fails the test after many iterations.
template <class F>
bool SpinUntil(F cond) {
  for (int i = 0; i < 50'000'000; ++i) {
    if (cond()) return true;
    std::this_thread::yield();
  }
  return false;
}

class SimCloudTest : public ::testing::Test {
 protected:
  SimCloudTest() : sim_(clock_, Logger(sink_), SimOptions{.default_duration_ms = 0}) {}

  ManualClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  SimCloud sim_;
};

TEST(SimStep, EveryStepHasADistinctName) {
  std::set<std::string_view> names;
  const int last = static_cast<int>(SimStep::kFindImportJob);
  for (int i = 0; i <= last; ++i) {
    std::string_view name = ToString(static_cast<SimStep>(i));
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(last + 1));
  EXPECT_TRUE(IsAsyncSimStep(SimStep::kCreateCluster));
  EXPECT_FALSE(IsAsyncSimStep(SimStep::kProvisionCluster));
}

TEST_F(SimCloudTest, CreateClusterReturnsAtOnceAndIsReadyAfterItsDuration) {
  sim_.SetDuration(SimStep::kCreateCluster, 30'000);
  model::Cluster c = MakeCluster("c1");
  ASSERT_TRUE(sim_.CreateCluster(c));
  EXPECT_TRUE(sim_.ClusterExists("c1"));
  EXPECT_EQ(*sim_.CheckClusterCreated(c), false);
  clock_.Advance(29'999);
  EXPECT_EQ(*sim_.CheckClusterCreated(c), false);
  clock_.Advance(1);
  EXPECT_EQ(*sim_.CheckClusterCreated(c), true);
  // Creating again is "already exists": no new timer.
  ASSERT_TRUE(sim_.CreateCluster(c));
  EXPECT_EQ(*sim_.CheckClusterCreated(c), true);
  EXPECT_EQ(sim_.Calls(SimStep::kCreateCluster, "c1"), 2);
  EXPECT_EQ(sim_.Calls(SimStep::kCheckClusterCreated), 4);
}

TEST_F(SimCloudTest, PerResourceDurationOverridesTheStepDuration) {
  sim_.SetDuration(SimStep::kCreateCluster, 10);
  sim_.SetDuration(SimStep::kCreateCluster, "slow", 5'000);
  model::Cluster fast = MakeCluster("fast");
  model::Cluster slow = MakeCluster("slow");
  ASSERT_TRUE(sim_.CreateCluster(fast));
  ASSERT_TRUE(sim_.CreateCluster(slow));
  clock_.Advance(10);
  EXPECT_TRUE(*sim_.CheckClusterCreated(fast));
  EXPECT_FALSE(*sim_.CheckClusterCreated(slow));
  clock_.Advance(4'990);
  EXPECT_TRUE(*sim_.CheckClusterCreated(slow));
}

TEST_F(SimCloudTest, BlockingStepWaitsForTheInjectedClockWithoutDelayingOthers) {
  model::Cluster slow = MakeCluster("slow");
  model::Cluster fast = MakeCluster("fast");
  ASSERT_TRUE(sim_.CreateCluster(slow));
  ASSERT_TRUE(sim_.CreateCluster(fast));
  sim_.SetDuration(SimStep::kProvisionCluster, "slow", 60'000);

  std::atomic<bool> done{false};
  std::thread worker([&] {
    EXPECT_TRUE(sim_.ProvisionCluster(slow));
    done = true;
  });
  ASSERT_TRUE(SpinUntil([&] { return sim_.InFlight() == 1; }));
  // Another resource's call completes while the slow one is blocked.
  ASSERT_TRUE(sim_.ProvisionCluster(fast));
  EXPECT_TRUE(sim_.ClusterProvisioned("fast"));
  EXPECT_FALSE(done.load());
  EXPECT_FALSE(sim_.ClusterProvisioned("slow"));

  clock_.Advance(60'000);
  sim_.Wake();
  worker.join();
  EXPECT_TRUE(done.load());
  EXPECT_TRUE(sim_.ClusterProvisioned("slow"));
  EXPECT_EQ(sim_.MaxInFlight(), 2);
}

// Once armed, holds the caller of Write on the record with `message` until Release().
class GateSink final : public LogSink {
 public:
  explicit GateSink(std::string message) : message_(std::move(message)) {}
  void Write(const LogRecord& record) override {
    if (record.message != message_) return;
    std::unique_lock lock(mu_);
    if (!armed_) return;
    held_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return released_; });
  }
  void Arm() {
    std::lock_guard lock(mu_);
    armed_ = true;
  }
  bool Held() {
    std::lock_guard lock(mu_);
    return held_;
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  const std::string message_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;
  bool held_ = false;
  bool released_ = false;
};

// A call's duration runs from the moment it shows in InFlight(): a caller that sees it in
// flight and advances the clock by its duration finishes it, however late the call's own
// thread gets to its wait (here held in the call log, which comes between the two).
TEST(SimCloudTiming, ADurationStartsWhenTheCallIsSeenInFlight) {
  ManualClock clock;
  auto gate = std::make_shared<GateSink>("sim call started");
  SimCloud sim(clock, Logger(gate), SimOptions{.default_duration_ms = 0, .log_calls = true});
  model::Cluster c = MakeCluster("c");
  ASSERT_TRUE(sim.CreateCluster(c));
  sim.SetDuration(SimStep::kProvisionCluster, "c", 60'000);
  gate->Arm();

  std::atomic<bool> done{false};
  Result<void> result;
  std::thread worker([&] {
    result = sim.ProvisionCluster(c);
    done = true;
  });
  ASSERT_TRUE(SpinUntil([&] { return gate->Held(); }));
  ASSERT_EQ(sim.InFlight(), 1);
  clock.Advance(60'000);
  gate->Release();
  sim.Wake();
  // It finishes without another advance of the clock (a late start would wait for one).
  const bool finished = SpinUntil([&] { return done.load(); });
  if (!finished) sim.Shutdown();
  worker.join();
  EXPECT_TRUE(finished);
  EXPECT_TRUE(result);
  EXPECT_TRUE(sim.ClusterProvisioned("c"));
}

TEST_F(SimCloudTest, BlockForMakesAnAsyncCallBlock) {
  model::Cluster c = MakeCluster("c");
  ASSERT_TRUE(sim_.CreateCluster(c));
  model::Installation inst = MakeInstallation("i");
  model::ClusterInstallation ci = MakeCI("ci", "c", "i");
  sim_.SetBlockFor(SimStep::kCreateClusterInstallation, "i", 30'000);
  std::thread worker([&] { EXPECT_TRUE(sim_.CreateClusterInstallation(c, inst, {}, ci)); });
  ASSERT_TRUE(SpinUntil([&] { return sim_.InFlight() == 1; }));
  EXPECT_FALSE(sim_.ClusterInstallationExists("ci"));
  clock_.Advance(30'000);
  sim_.Wake();
  worker.join();
  EXPECT_TRUE(sim_.ClusterInstallationExists("ci"));
}

TEST_F(SimCloudTest, ShutdownReleasesBlockedCallsWithUnavailable) {
  model::Cluster c = MakeCluster("c");
  ASSERT_TRUE(sim_.CreateCluster(c));
  sim_.SetDuration(SimStep::kUpgradeCluster, 1'000'000);
  Result<void> result;
  std::thread worker([&] { result = sim_.UpgradeCluster(c); });
  ASSERT_TRUE(SpinUntil([&] { return sim_.InFlight() == 1; }));
  sim_.Shutdown();
  worker.join();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
}

TEST_F(SimCloudTest, FailureRulesMatchStepResourceAndCallNumber) {
  struct Case {
    std::string name;
    std::function<void(SimCloud&)> arm;
    std::vector<bool> expected_ok;  // for calls on a, b, a, b, a, b
  };
  const std::vector<Case> cases = {
      {"none", [](SimCloud&) {}, {true, true, true, true, true, true}},
      {"always on a",
       [](SimCloud& s) { s.FailAlways(SimStep::kProvisionCluster, "a"); },
       {false, true, false, true, false, true}},
      {"always on any",
       [](SimCloud& s) { s.FailAlways(SimStep::kProvisionCluster); },
       {false, false, false, false, false, false}},
      {"next 2 on b",
       [](SimCloud& s) { s.FailNext(SimStep::kProvisionCluster, "b", 2); },
       {true, false, true, false, true, true}},
      {"next on any",
       [](SimCloud& s) { s.FailNext(SimStep::kProvisionCluster); },
       {false, true, true, true, true, true}},
      {"3rd call",
       [](SimCloud& s) { s.FailNthCall(SimStep::kProvisionCluster, 3); },
       {true, true, false, true, true, true}},
      {"other step",
       [](SimCloud& s) { s.FailAlways(SimStep::kUpgradeCluster, "a"); },
       {true, true, true, true, true, true}},
      {"rate 1",
       [](SimCloud& s) { s.SetFailureRate(1.0); },
       {false, false, false, false, false, false}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ManualClock clock;
    SimCloud sim(clock, Logger(std::make_shared<CapturingLogSink>()),
                 SimOptions{.default_duration_ms = 0});
    model::Cluster a = MakeCluster("a");
    model::Cluster b = MakeCluster("b");
    ASSERT_TRUE(sim.CreateCluster(a));
    ASSERT_TRUE(sim.CreateCluster(b));
    c.arm(sim);
    std::vector<bool> got;
    for (int i = 0; i < 3; ++i) {
      got.push_back(sim.ProvisionCluster(a).has_value());
      got.push_back(sim.ProvisionCluster(b).has_value());
    }
    EXPECT_EQ(got, c.expected_ok);
    EXPECT_EQ(sim.Calls(SimStep::kProvisionCluster), 6);
    EXPECT_EQ(sim.Calls(SimStep::kProvisionCluster, "a"), 3);
  }
}

TEST_F(SimCloudTest, InjectedFailureIsUnavailableNamesTheStepAndChangesNoState) {
  sim_.FailNext(SimStep::kCreateCluster, "c");
  model::Cluster c = MakeCluster("c");
  Result<void> r = sim_.CreateCluster(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("create-cluster"), std::string::npos);
  EXPECT_FALSE(sim_.ClusterExists("c"));
  EXPECT_EQ(sim_.Calls(SimStep::kCreateCluster, "c"), 1);
  ASSERT_TRUE(sim_.CreateCluster(c));
  EXPECT_TRUE(sim_.ClusterExists("c"));
  bool logged = false;
  for (const LogRecord& rec : sink_->Records()) {
    if (rec.message.rfind("sim: injected failure", 0) == 0) logged = true;
  }
  EXPECT_TRUE(logged);
}

TEST_F(SimCloudTest, FailureRateIsReproducibleWithTheSameSeed) {
  auto pattern = [](uint64_t seed) {
    ManualClock clock;
    SimCloud sim(clock, Logger(std::make_shared<CapturingLogSink>()),
                 SimOptions{.default_duration_ms = 0, .seed = seed});
    sim.SetFailureRate(0.5);
    std::vector<bool> out;
    for (int i = 0; i < 64; ++i) out.push_back(sim.CreateDNSRecords({"x"}, {"lb"}).has_value());
    return out;
  };
  const std::vector<bool> first = pattern(42);
  EXPECT_EQ(first, pattern(42));
  EXPECT_NE(first, pattern(43));
  const auto failures = std::count(first.begin(), first.end(), false);
  EXPECT_GT(failures, 10);
  EXPECT_LT(failures, 54);
}

TEST_F(SimCloudTest, CallCountsAreExactUnderConcurrency) {
  model::Cluster c = MakeCluster("c");
  ASSERT_TRUE(sim_.CreateCluster(c));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      model::Installation inst = MakeInstallation("i" + std::to_string(t));
      for (int i = 0; i < 100; ++i) EXPECT_TRUE(sim_.ProvisionDatabase(inst));
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(sim_.Calls(SimStep::kProvisionDatabase), 800);
  for (int t = 0; t < 8; ++t) {
    EXPECT_EQ(sim_.Calls(SimStep::kProvisionDatabase, "i" + std::to_string(t)), 100);
    EXPECT_TRUE(sim_.DatabaseExists("i" + std::to_string(t)));
  }
}

TEST_F(SimCloudTest, ClusterLifecycleStateIsConsistent) {
  model::Cluster c = MakeCluster("c");
  EXPECT_TRUE(sim_.PrepareCluster(c));
  EXPECT_EQ(c.provisioner_metadata_kops->name, "c-kops.k8s.local");
  EXPECT_FALSE(sim_.PrepareCluster(c));  // only unset fields

  // Calls on a cluster that was never created fail with kNotFound.
  Result<void> early = sim_.ProvisionCluster(c);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kNotFound);

  sim_.SetDuration(SimStep::kCreateNodegroups, 100);
  ASSERT_TRUE(sim_.CreateCluster(c));
  EXPECT_FALSE(*sim_.CheckNodegroupsCreated(c));
  ASSERT_TRUE(sim_.CreateNodegroups(c));
  EXPECT_FALSE(*sim_.CheckNodegroupsCreated(c));
  clock_.Advance(100);
  EXPECT_TRUE(*sim_.CheckNodegroupsCreated(c));

  model::KopsMetadataRequestedState change;
  change.version = "1.31.0";
  change.node_min_count = 4;
  c.provisioner_metadata_kops->change_request = change;
  ASSERT_TRUE(sim_.RefreshClusterMetadata(c));
  EXPECT_EQ(c.provisioner_metadata_kops->version, "1.31.0");
  EXPECT_EQ(c.provisioner_metadata_kops->node_min_count, 4);
  EXPECT_FALSE(c.provisioner_metadata_kops->change_request.has_value());

  sim_.SetDuration(SimStep::kDeleteCluster, 500);
  EXPECT_FALSE(*sim_.DeleteCluster(c));  // deletion started
  EXPECT_FALSE(sim_.ClusterExists("c"));
  clock_.Advance(499);
  EXPECT_FALSE(*sim_.DeleteCluster(c));
  clock_.Advance(1);
  EXPECT_TRUE(*sim_.DeleteCluster(c));
  EXPECT_TRUE(*sim_.DeleteCluster(c));  // already gone
}

TEST_F(SimCloudTest, ClusterInstallationReadinessHibernationAndDeletion) {
  model::Cluster c = MakeCluster("c");
  ASSERT_TRUE(sim_.CreateCluster(c));
  model::Installation inst = MakeInstallation("i");
  model::ClusterInstallation ci = MakeCI("ci", "c", "i");
  sim_.SetDuration(SimStep::kCreateClusterInstallation, 1'000);
  sim_.SetDuration(SimStep::kHibernateClusterInstallation, 200);

  EXPECT_EQ(sim_.IsResourceReadyAndStable(c, ci).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(sim_.CreateClusterInstallation(c, inst, {}, ci));
  EXPECT_EQ(*sim_.IsResourceReadyAndStable(c, ci), (ResourceReadiness{false, false}));
  clock_.Advance(1'000);
  EXPECT_EQ(*sim_.IsResourceReadyAndStable(c, ci), (ResourceReadiness{true, true}));
  EXPECT_EQ(sim_.GetClusterInstallationStatus(c, ci)->ready_pod, 1);

  ASSERT_TRUE(sim_.HibernateClusterInstallation(c, inst, ci));
  EXPECT_TRUE(sim_.ClusterInstallationHibernated("ci"));
  EXPECT_FALSE(sim_.IsResourceReadyAndStable(c, ci)->stable);
  clock_.Advance(200);
  EXPECT_TRUE(sim_.IsResourceReadyAndStable(c, ci)->stable);
  EXPECT_EQ(sim_.GetClusterInstallationStatus(c, ci)->replicas, 0);

  ASSERT_TRUE(sim_.UpdateClusterInstallation(c, inst, {}, ci));  // wake up
  EXPECT_FALSE(sim_.ClusterInstallationHibernated("ci"));

  ASSERT_TRUE(sim_.DeleteClusterInstallation(c, inst, ci));
  ASSERT_TRUE(sim_.DeleteClusterInstallation(c, inst, ci));  // already gone
  EXPECT_FALSE(sim_.ClusterInstallationExists("ci"));
  EXPECT_FALSE(sim_.GetClusterInstallationStatus(c, ci)->installation_found);
  // Counted under the cluster installation, installation and cluster IDs.
  EXPECT_EQ(sim_.Calls(SimStep::kDeleteClusterInstallation, "ci"), 2);
  EXPECT_EQ(sim_.Calls(SimStep::kDeleteClusterInstallation, "i"), 2);
  EXPECT_EQ(sim_.Calls(SimStep::kDeleteClusterInstallation, "c"), 2);
}

TEST_F(SimCloudTest, DnsDatabaseAndFilestoreState) {
  ASSERT_TRUE(sim_.CreateDNSRecords({"a.example.com", "b.example.com"}, {"lb1"}));
  ASSERT_TRUE(sim_.CreateDNSRecords({"a.example.com"}, {"lb2"}));  // upsert
  EXPECT_EQ(*sim_.DNSRecord("a.example.com"), std::vector<std::string>{"lb2"});
  EXPECT_EQ(*sim_.DNSRecord("b.example.com"), std::vector<std::string>{"lb1"});
  ASSERT_TRUE(sim_.DeleteDNSRecords({"a.example.com", "missing.example.com"}));
  EXPECT_FALSE(sim_.DNSRecord("a.example.com").has_value());
  EXPECT_EQ(sim_.Calls(SimStep::kCreateDNSRecords, "a.example.com"), 2);

  model::Installation inst = MakeInstallation("i");
  ASSERT_TRUE(sim_.ProvisionDatabase(inst));
  ASSERT_TRUE(sim_.ProvisionFilestore(inst));
  ASSERT_TRUE(sim_.TeardownDatabase(inst, /*keep_data=*/true));
  EXPECT_TRUE(sim_.DatabaseExists("i"));
  ASSERT_TRUE(sim_.TeardownDatabase(inst, false));
  ASSERT_TRUE(sim_.TeardownFilestore(inst, false));
  EXPECT_FALSE(sim_.DatabaseExists("i"));
  EXPECT_FALSE(sim_.FilestoreExists("i"));
}

TEST_F(SimCloudTest, BackupAndRestoreJobs) {
  model::Cluster c = MakeCluster("c");
  ASSERT_TRUE(sim_.CreateCluster(c));
  model::Installation inst = MakeInstallation("i");
  model::InstallationBackup ok;
  ok.id = "b1";
  model::InstallationBackup bad;
  bad.id = "b2";
  sim_.SetDuration(SimStep::kTriggerBackup, 300);
  sim_.SetJobFails("b2");
  EXPECT_EQ(sim_.CheckBackupStatus(ok, c).error().code, ErrorCode::kNotFound);
  Result<model::S3DataResidence> where = sim_.TriggerBackup(ok, c, inst);
  ASSERT_TRUE(where);
  EXPECT_EQ(where->url, "s3.amazonaws.com");
  EXPECT_EQ(where->object_key, "backup-b1");
  ASSERT_TRUE(sim_.TriggerBackup(bad, c, inst));
  EXPECT_EQ(sim_.CheckBackupStatus(ok, c)->phase, JobStatus::Phase::kRunning);
  const int64_t started = clock_.NowMillis();
  clock_.Advance(300);
  EXPECT_EQ(*sim_.CheckBackupStatus(ok, c), (JobStatus{JobStatus::Phase::kSucceeded, started}));
  EXPECT_EQ(sim_.CheckBackupStatus(bad, c)->phase, JobStatus::Phase::kFailed);
  ASSERT_TRUE(sim_.CleanupBackupJob(ok, c));
  EXPECT_FALSE(sim_.BackupJobExists("b1"));

  ASSERT_TRUE(sim_.TriggerRestore(inst, ok, c));
  EXPECT_TRUE(sim_.RestoreJobExists("b1"));
  EXPECT_EQ(sim_.CheckRestoreStatus(ok, c)->phase, JobStatus::Phase::kSucceeded);  // duration 0
  ASSERT_TRUE(sim_.CleanupRestoreJob(ok, c));
  EXPECT_FALSE(sim_.RestoreJobExists("b1"));
}

TEST_F(SimCloudTest, LogLinesNameTheSimulation) {
  model::Cluster c = MakeCluster("c");
  ASSERT_TRUE(sim_.CreateCluster(c));
  bool found = false;
  for (const LogRecord& rec : sink_->Records()) {
    if (rec.message == "sim: created cluster") {
      found = true;
      EXPECT_NE(std::find(rec.fields.begin(), rec.fields.end(),
                          std::pair<std::string, std::string>{"cluster", "c"}),
                rec.fields.end());
    }
  }
  EXPECT_TRUE(found);
}

// A backend that is not the sim, to prove routing.
class OtherClusterProvisioner final : public ClusterProvisioner {
 public:
  bool PrepareCluster(model::Cluster&) override { return false; }
  Result<void> CreateCluster(model::Cluster&) override { return Ok(); }
  Result<bool> CheckClusterCreated(model::Cluster&) override { return true; }
  Result<void> CreateNodegroups(model::Cluster&) override { return Ok(); }
  Result<bool> CheckNodegroupsCreated(model::Cluster&) override { return true; }
  Result<void> DeleteNodegroups(model::Cluster&) override { return Ok(); }
  Result<void> ProvisionCluster(model::Cluster&) override { return Ok(); }
  Result<void> UpgradeCluster(model::Cluster&) override { return Ok(); }
  Result<void> ResizeCluster(model::Cluster&) override { return Ok(); }
  Result<bool> DeleteCluster(model::Cluster&) override { return true; }
  Result<void> RefreshClusterMetadata(model::Cluster&) override { return Ok(); }
};

TEST_F(SimCloudTest, ProvisionerSetRoutesByClusterProvisionerAndDatabaseType) {
  ProvisionerSet set = sim_.MakeProvisionerSet();
  OtherClusterProvisioner eks;
  set.RegisterCluster(model::ClusterProvisioner::kEks, eks);
  model::Cluster kops_cluster = MakeCluster("k");
  model::Cluster eks_cluster = MakeCluster("e");
  eks_cluster.provisioner = model::ClusterProvisioner::kEks;
  EXPECT_EQ(&set.For(kops_cluster), static_cast<ClusterProvisioner*>(&sim_));
  EXPECT_EQ(&set.For(eks_cluster), static_cast<ClusterProvisioner*>(&eks));
  model::Installation inst = MakeInstallation("i");
  inst.database = "aws-rds";
  EXPECT_EQ(&set.DatabaseFor(inst), static_cast<DatabaseProvisioner*>(&sim_));
  EXPECT_EQ(&set.DNS(), static_cast<DNSProvider*>(&sim_));
}

TEST(ChooseMultitenantDatabase, PicksTheFullestDatabaseWithRoomInTheVpc) {
  auto db = [](std::string id, std::string vpc, int members,
               model::DatabaseEngineType type = model::DatabaseEngineType::kPostgres) {
    model::MultitenantDatabase d;
    d.id = std::move(id);
    d.vpc_id = std::move(vpc);
    d.database_type = type;
    if (members > 0) {
      d.installations.emplace();
      for (int i = 0; i < members; ++i) d.installations->push_back("i" + std::to_string(i));
    }
    return d;
  };
  struct Case {
    std::string name;
    std::vector<model::MultitenantDatabase> candidates;
    std::optional<std::string> expected;
  };
  model::MultitenantDatabase deleted = db("deleted", "vpc", 5);
  deleted.delete_at = 1;
  const std::vector<Case> cases = {
      {"none", {}, std::nullopt},
      {"fullest wins", {db("a", "vpc", 1), db("b", "vpc", 3), db("c", "vpc", 2)}, "b"},
      {"ties: last wins", {db("a", "vpc", 2), db("b", "vpc", 2)}, "b"},
      {"full ones are skipped", {db("a", "vpc", 10), db("b", "vpc", 0)}, "b"},
      {"other vpc", {db("a", "other", 1)}, std::nullopt},
      {"other type", {db("a", "vpc", 1, model::DatabaseEngineType::kMySQL)}, std::nullopt},
      {"deleted", {deleted, db("b", "vpc", 1)}, "b"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::optional<model::MultitenantDatabase> got =
        ChooseMultitenantDatabase(c.candidates, model::DatabaseEngineType::kPostgres, "vpc", 10);
    EXPECT_EQ(got ? std::optional<std::string>(got->id) : std::nullopt, c.expected);
  }
}

// A restarted `cloud server` has a fresh SimCloud but a store full of clusters and cluster
// installations: with adopt_unknown_resources they exist and are ready; what this SimCloud
// itself deleted stays gone.
TEST(SimCloudAdoption, UnknownResourcesAreAdoptedButDeletedOnesStayGone) {
  ManualClock clock;
  SimCloud sim(clock, Logger(std::make_shared<CapturingLogSink>()),
               SimOptions{.default_duration_ms = 0, .adopt_unknown_resources = true});
  model::Cluster c;
  c.id = "old-cluster";
  model::ClusterInstallation ci;
  ci.id = "old-ci";
  ci.cluster_id = "old-cluster";
  ci.installation_id = "old-inst";
  model::Installation inst;
  inst.id = "old-inst";

  EXPECT_TRUE(sim.ProvisionCluster(c));
  EXPECT_TRUE(sim.ClusterExists("old-cluster"));
  EXPECT_EQ(*sim.IsResourceReadyAndStable(c, ci), (ResourceReadiness{true, true}));
  EXPECT_EQ(sim.GetClusterInstallationStatus(c, ci)->ready_pod, 1);

  ASSERT_TRUE(sim.DeleteClusterInstallation(c, inst, ci));
  EXPECT_EQ(sim.IsResourceReadyAndStable(c, ci).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(*sim.DeleteCluster(c));
  EXPECT_EQ(sim.ProvisionCluster(c).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cloud::provisioner::sim
