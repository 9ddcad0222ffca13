// ImportSupervisor against the real stores (SQLite and PostgreSQL), the sim cloud and a fake
// AWAT speaking AWAT's wire format over loopback HTTP (routes, methods, JSON keys and status
// codes of github.com/mattermost/awat internal/api/import.go): every state of upstream-core.md
// §1.10, failures reported to AWAT, AWAT outages, and a step re-run after a crash.
#include "supervisor/import_supervisor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "e2e/client/loopback_http_server.h"
#include "fakes/fake_awat_server.h"
#include "operation_test_fixture.h"
#include "supervisor/scheduler.h"

namespace cloud::supervisor {
namespace {

using model::InstallationState;
using provisioner::sim::SimStep;
using testing::AwatReply;
using testing::FakeAwatServer;

class ImportSupervisorTest : public OperationSupervisorTest {
 protected:
  void SetUp() override {
    OperationSupervisorTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto client = provisioner::NewHttpAwatClient(awat_.url() + "/");
    ASSERT_TRUE(client) << client.error().ToString();
    client_ = std::move(*client);
    supervisor_ = MakeSupervisor(*client_);
    target_ = NewInstallation("importee", InstallationState::kStable);
    target_ci_ = NewClusterInstallation(target_);
  }
  void TearDown() override {
    supervisor_.reset();
    OperationSupervisorTest::TearDown();
  }

  std::unique_ptr<ImportSupervisor> MakeSupervisor(provisioner::AwatClient& client) {
    ImportSupervisorOptions options;
    options.instance_id = kInstance;
    options.environment = "test";
    options.notifier = &notifier_;
    options.job_poll_interval_ms = 2;
    options.report_initial_backoff_ms = 5;
    options.report_max_backoff_ms = 20;
    options.report_max_elapsed_ms = 5'000;
    return std::make_unique<ImportSupervisor>(
        ImportSupervisorStores{*installations_, *cis_, *clusters_, *locks_}, client, *sim_, nullptr,
        options, logger_.log);
  }

  void SetState(const std::string& id, InstallationState state) {
    auto lease = locks_->AcquireOne(store::LockTable::kInstallation, id, "test");
    ASSERT_TRUE(lease);
    ASSERT_TRUE(installations_->UpdateInstallationState(id, state, *lease));
    ASSERT_TRUE(locks_->Release(*lease));
  }

  StepOutcome TakeWork() {
    clock_.Advance(1);
    return supervisor_->Supervise(WorkItem{std::string(ImportSupervisor::kAwatQueueItem), {}});
  }
  StepOutcome Pass(const std::string& id) {
    clock_.Advance(1);
    return supervisor_->Supervise(WorkItem{id, std::nullopt});
  }

  // "old -> new" of the installation's events, with the event's extra data.
  std::vector<std::pair<std::string, nlohmann::json>> Events(const std::string& id) {
    auto rows = db().Query(
        "SELECT OldState, NewState, ExtraData FROM StateChangeEvent JOIN Event ON Event.ID = "
        "StateChangeEvent.EventID WHERE ResourceID = $1 ORDER BY Event.Timestamp, Event.ID",
        {id});
    EXPECT_TRUE(rows);
    std::vector<std::pair<std::string, nlohmann::json>> out;
    if (!rows) return out;
    for (const auto& row : *rows) {
      auto extra = nlohmann::json::parse(row.GetBlob("ExtraData"), nullptr, false);
      out.emplace_back(row.GetString("OldState") + " -> " + row.GetString("NewState"),
                       extra.is_discarded() ? nlohmann::json() : extra["fields"]);
    }
    return out;
  }

  bool Logged(LogLevel level, std::string_view text) const {
    for (const LogRecord& r : logger_.sink->Records()) {
      if (r.level == level && r.message.find(text) != std::string::npos) return true;
    }
    return false;
  }

  // Waits (up to 60 s) until the supervisor has polled the Mattermost import job `n` times.
  bool WaitForImportJobPolls(int64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (sim_->Calls(SimStep::kGetImportJob) < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  FakeAwatServer awat_;
  std::unique_ptr<provisioner::AwatClient> client_;
  std::unique_ptr<ImportSupervisor> supervisor_;
  model::Installation target_;
  model::ClusterInstallation target_ci_;
};

TEST_P(ImportSupervisorTest, HappyPathGoesThroughEveryStateAndBackToStable) {
  const std::string import_id = awat_.AddReadyImport(target_.id, 10, "team-a", "slack");
  const FakeAwatServer::Import ready = *awat_.Get(import_id);
  // The Mattermost job runs for 1 s of simulated time: the supervisor polls it meanwhile.
  sim_->SetDuration(SimStep::kStartImportJob, 1'000);
  std::thread advance([this] {
    // Bounded: should the job never be polled, the test fails below instead of hanging.
    EXPECT_TRUE(WaitForImportJobPolls(2));
    clock_.Advance(1'000);
  });

  Scheduler scheduler(*supervisor_, SchedulerOptions{.poll_ms = 0}, clock_, logger_.log);
  scheduler.RunOnceForTest();
  advance.join();

  // Imported: team created, MaxUsersPerTeam raised by the users, archive copied, one job.
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kImportComplete);
  EXPECT_TRUE(sim_->TeamExists(target_.id, "team-a"));
  EXPECT_EQ(sim_->MaxUsersPerTeam(target_.id), 60);
  EXPECT_EQ(sim_->ImportArchives(target_.id),
            std::vector<std::string>{"sim-multitenant-filestore/" + target_.id + "/import/" +
                                     ready.translation_id + ".zip"});
  EXPECT_EQ(sim_->ImportJobsStarted(target_.id), 1);
  EXPECT_GE(sim_->Calls(SimStep::kGetImportJob), 2);
  EXPECT_FALSE(Leased(store::LockTable::kInstallation, target_.id));
  // AWAT: claimed by our ProvisionerID, lock released, no error reported; asked again for work.
  FakeAwatServer::Import after = *awat_.Get(import_id);
  EXPECT_NE(after.start_at, 0);
  EXPECT_EQ(after.import_by, "");
  EXPECT_TRUE(awat_.completions().empty());
  EXPECT_EQ(awat_.Count("GET", "/import/" + import_id + "/release"), 1);
  EXPECT_EQ(awat_.Count("POST", "/import"), 2);
  const auto requests = awat_.requests();
  auto claim = std::find_if(requests.begin(), requests.end(),
                            [](const auto& r) { return r.method == "POST"; });
  ASSERT_NE(claim, requests.end());
  EXPECT_EQ(nlohmann::json::parse(claim->body), (nlohmann::json{{"ProvisionerID", kInstance}}));
  EXPECT_EQ(claim->Header("Content-Type"), "application/json");
  EXPECT_EQ(notifier_.woken(), (std::vector<std::pair<std::string, std::string>>{
                                   {std::string(ToString(ResourceKind::kImport)), target_.id}}));

  // AWAT has not seen the completion yet: the installation stays import-complete.
  EXPECT_EQ(Pass(target_.id), StepOutcome::kStay);
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kImportComplete);

  awat_.AwatSeesInstallationImportComplete(import_id);
  clock_.Advance(60'000);  // past the stay backoff
  scheduler.RunOnceForTest();
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kStable);
  EXPECT_EQ(sim_->ImportJobsStarted(target_.id), 1);

  const nlohmann::json extra = {{"Environment", "test"},
                                {"ImportID", import_id},
                                {"Name", "importee"},
                                {"TranslationID", ready.translation_id}};
  auto events = Events(target_.id);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].first, "stable -> import-in-progress");
  EXPECT_EQ(events[1].second, extra);
  EXPECT_EQ(events[2].first, "import-in-progress -> import-complete");
  EXPECT_EQ(events[2].second, extra);
  EXPECT_EQ(events[3].first, "import-complete -> stable");
  EXPECT_EQ(events[3].second, extra);
}

TEST_P(ImportSupervisorTest, WorkspaceBackupWithoutUsersSkipsTeamAndUserLimit) {
  const std::string import_id = awat_.AddReadyImport(target_.id, 0, "", "mattermost");
  EXPECT_EQ(TakeWork(), StepOutcome::kRequeue);
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kImportComplete);
  EXPECT_EQ(sim_->Calls(SimStep::kEnsureTeam), 0);
  EXPECT_EQ(sim_->Calls(SimStep::kSetMaxUsersPerTeam), 0);
  EXPECT_EQ(sim_->ImportJobsStarted(target_.id), 1);
  EXPECT_TRUE(awat_.completions().empty());
  EXPECT_EQ(TakeWork(), StepOutcome::kDone);  // AWAT answers 404: no more work
  (void)import_id;
}

TEST_P(ImportSupervisorTest, DeletedOrNotStableInstallationIsReportedToAwat) {
  // installation_ (the fixture's) is hibernating: not stable.
  const std::string hibernating = awat_.AddReadyImport(installation_.id, 5, "t", "slack");
  EXPECT_EQ(TakeWork(), StepOutcome::kRequeue);
  EXPECT_EQ(GetInstallation(installation_.id).state, InstallationState::kHibernating);

  SetState(target_.id, InstallationState::kDeleted);
  const std::string deleted = awat_.AddReadyImport(target_.id, 5, "t", "slack");
  EXPECT_EQ(TakeWork(), StepOutcome::kRequeue);
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kDeleted);

  ASSERT_TRUE(supervisor_->WaitReportsForTest(5'000));
  auto completions = awat_.completions();
  ASSERT_EQ(completions.size(), 2u);
  EXPECT_EQ(completions[0].id, hibernating);
  EXPECT_NE(completions[0].error.find("must be stable"), std::string::npos) << completions[0].error;
  EXPECT_NE(completions[0].complete_at, 0);
  EXPECT_EQ(completions[1].id, deleted);
  EXPECT_EQ(completions[1].error, "installation was deleted");
  EXPECT_EQ(sim_->Calls(SimStep::kStartImportJob), 0);
  EXPECT_EQ(Events(target_.id).back().first, "stable -> deleted");
  EXPECT_EQ(awat_.Count("GET", "/import/" + deleted + "/release"), 1);
}

TEST_P(ImportSupervisorTest, FailedImportStillReachesImportCompleteThenStableAndAwatIsTold) {
  sim_->SetImportJobError(target_.id, "bad line");
  const std::string import_id = awat_.AddReadyImport(target_.id, 3, "team-b", "slack");
  awat_.SetDown(false);
  EXPECT_EQ(TakeWork(), StepOutcome::kRequeue);
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kImportComplete);
  ASSERT_TRUE(supervisor_->WaitReportsForTest(5'000));
  auto completions = awat_.completions();
  ASSERT_EQ(completions.size(), 1u);
  EXPECT_EQ(completions[0].id, import_id);
  EXPECT_NE(completions[0].error.find("import job failed with error bad line on line 1"),
            std::string::npos)
      << completions[0].error;
  EXPECT_TRUE(Logged(LogLevel::kError, "failed to perform the import"));

  awat_.AwatSeesInstallationImportComplete(import_id);
  EXPECT_EQ(Pass(target_.id), StepOutcome::kDone);
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kStable);
}

TEST_P(ImportSupervisorTest, FailureReportIsRetriedWithBackoffUntilAwatTakesIt) {
  sim_->FailAlways(SimStep::kCopyImportArchive);
  awat_.FailCompletions(3);
  const std::string import_id = awat_.AddReadyImport(target_.id, 0, "team-c", "slack");
  EXPECT_EQ(TakeWork(), StepOutcome::kRequeue);
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kImportComplete);
  ASSERT_TRUE(supervisor_->WaitReportsForTest(5'000));
  EXPECT_EQ(awat_.Count("PUT", "/import"), 4);  // 3 refused, then delivered
  auto completions = awat_.completions();
  ASSERT_EQ(completions.size(), 1u);
  EXPECT_EQ(completions[0].id, import_id);
  EXPECT_NE(completions[0].error.find("failed to copy workspace import archive"),
            std::string::npos);
  EXPECT_TRUE(Logged(LogLevel::kWarn, "failed to report the import failure to AWAT; will retry"));
  EXPECT_EQ(sim_->Calls(SimStep::kStartImportJob), 0);
}

TEST_P(ImportSupervisorTest, AwatDownIsLoggedAndRetriedLater) {
  const std::string import_id = awat_.AddReadyImport(target_.id, 1, "team-d", "slack");
  awat_.SetDown(true);
  Scheduler scheduler(*supervisor_, SchedulerOptions{.poll_ms = 0}, clock_, logger_.log);
  scheduler.RunOnceForTest();
  EXPECT_TRUE(Logged(LogLevel::kError, "failed to get a ready import from AWAT"));
  EXPECT_EQ(scheduler.BackoffCountForTest(), 1u);  // the AWAT queue, retried after a backoff
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kStable);

  // Unreachable (connection refused) is the same: logged, no crash.
  auto refused = provisioner::NewHttpAwatClient("http://127.0.0.1:1");
  ASSERT_TRUE(refused);
  auto other = MakeSupervisor(**refused);
  EXPECT_EQ(other->Supervise(WorkItem{std::string(ImportSupervisor::kAwatQueueItem), {}}),
            StepOutcome::kStay);
  other.reset();

  // Polls that keep failing are not one error each: one warning per 20 in a row.
  for (int poll = 0; poll < 39; ++poll) {
    EXPECT_EQ(supervisor_->Supervise(WorkItem{std::string(ImportSupervisor::kAwatQueueItem), {}}),
              StepOutcome::kStay);
  }
  auto count = [&](LogLevel level, std::string_view text) {
    int n = 0;
    for (const LogRecord& r : logger_.sink->Records()) {
      n += r.level == level && r.message.find(text) != std::string::npos;
    }
    return n;
  };
  // One error from each supervisor (this one's first poll, and the refused one's above).
  EXPECT_EQ(count(LogLevel::kError, "failed to get a ready import from AWAT"), 2);
  EXPECT_EQ(count(LogLevel::kWarn, "AWAT still unreachable"), 2);  // the 20th and the 40th

  awat_.SetDown(false);
  clock_.Advance(60'000);  // the backoff is due
  scheduler.RunOnceForTest();
  EXPECT_TRUE(Logged(LogLevel::kInfo, "AWAT answers again"));
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kImportComplete);
  EXPECT_EQ(sim_->ImportJobsStarted(target_.id), 1);
  (void)import_id;
}

TEST_P(ImportSupervisorTest, StepRerunAfterCrashDoesNotImportTwice) {
  const std::string import_id = awat_.AddReadyImport(target_.id, 7, "team-e", "slack");
  // A pass of another instance claimed the import in AWAT, marked the installation and started
  // the Mattermost job, then died with the installation lease held.
  auto crashed_client = provisioner::NewHttpAwatClient(awat_.url());
  ASSERT_TRUE(crashed_client);
  auto work = (*crashed_client)->GetTranslationReadyToImport("crashed-instance");
  ASSERT_TRUE(work && work->has_value());
  auto lease = locks_->AcquireOne(store::LockTable::kInstallation, target_.id, "crashed-instance");
  ASSERT_TRUE(lease);
  ASSERT_TRUE(installations_->UpdateInstallationState(
      target_.id, InstallationState::kImportInProgress, *lease));
  ASSERT_TRUE(sim_->EnsureTeam(cluster_, target_ci_, "team-e"));
  ASSERT_TRUE(sim_->SetMaxUsersPerTeam(cluster_, target_ci_, 57));
  const std::string key = (*work)->resource.substr((*work)->resource.find('/') + 1);
  ASSERT_TRUE(sim_->CopyImportArchive(target_, "awat-bucket", key));
  ASSERT_TRUE(sim_->StartImportJob(cluster_, target_ci_, key));

  // Listed, but the lease is live: skipped.
  auto pending = supervisor_->GetPendingWork();
  ASSERT_TRUE(pending);
  EXPECT_NE(std::find(pending->begin(), pending->end(),
                      WorkItem{target_.id, std::string("import-in-progress")}),
            pending->end());
  EXPECT_EQ(Pass(target_.id), StepOutcome::kSkipped);
  EXPECT_EQ(TakeWork(), StepOutcome::kDone);  // AWAT never hands a started import out again

  clock_.Advance(61'000);  // the lease expires
  EXPECT_EQ(Pass(target_.id), StepOutcome::kRequeue);
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kImportComplete);
  EXPECT_EQ(sim_->ImportJobsStarted(target_.id), 1);
  EXPECT_EQ(sim_->Calls(SimStep::kStartImportJob), 1);
  EXPECT_EQ(sim_->Calls(SimStep::kSetMaxUsersPerTeam), 1);
  EXPECT_EQ(sim_->MaxUsersPerTeam(target_.id), 57);
  EXPECT_EQ(sim_->Calls(SimStep::kFindImportJob), 1);
  EXPECT_EQ(awat_.Get(import_id)->import_by, "");  // the crashed claim released
  EXPECT_TRUE(awat_.completions().empty());

  // A crash before the job started: the re-run does the steps and starts exactly one job.
  const model::Installation second = NewInstallation("second", InstallationState::kStable);
  const model::ClusterInstallation second_ci = NewClusterInstallation(second);
  awat_.AddReadyImport(second.id, 2, "team-f", "slack");
  auto work2 = (*crashed_client)->GetTranslationReadyToImport("crashed-instance");
  ASSERT_TRUE(work2 && work2->has_value());
  auto lease2 = locks_->AcquireOne(store::LockTable::kInstallation, second.id, "crashed-instance");
  ASSERT_TRUE(lease2);
  ASSERT_TRUE(installations_->UpdateInstallationState(
      second.id, InstallationState::kImportInProgress, *lease2));
  clock_.Advance(61'000);
  EXPECT_EQ(Pass(second.id), StepOutcome::kRequeue);
  EXPECT_EQ(GetInstallation(second.id).state, InstallationState::kImportComplete);
  EXPECT_EQ(sim_->ImportJobsStarted(second.id), 1);
  EXPECT_EQ(sim_->MaxUsersPerTeam(second.id), 52);
  EXPECT_TRUE(sim_->TeamExists(second.id, "team-f"));
  (void)second_ci;
}

TEST_P(ImportSupervisorTest, StopInterruptsARunningImportAndTheNextStartResumesIt) {
  const std::string import_id = awat_.AddReadyImport(target_.id, 4, "team-g", "slack");
  sim_->SetDuration(SimStep::kStartImportJob, 1'000);  // the ManualClock is not advanced
  StepOutcome outcome = StepOutcome::kStay;
  std::thread running([&] { outcome = TakeWork(); });
  EXPECT_TRUE(WaitForImportJobPolls(1));
  supervisor_->Stop();
  running.join();
  EXPECT_EQ(outcome, StepOutcome::kDone);
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kImportInProgress);
  EXPECT_FALSE(Leased(store::LockTable::kInstallation, target_.id));
  EXPECT_TRUE(awat_.completions().empty());
  EXPECT_TRUE(Logged(LogLevel::kWarn, "import interrupted by shutdown"));

  // The next server start: the started import is resumed, its job waited for, not restarted.
  supervisor_ = MakeSupervisor(*client_);
  clock_.Advance(1'000);
  EXPECT_EQ(Pass(target_.id), StepOutcome::kRequeue);
  EXPECT_EQ(GetInstallation(target_.id).state, InstallationState::kImportComplete);
  EXPECT_EQ(sim_->ImportJobsStarted(target_.id), 1);
  EXPECT_EQ(sim_->MaxUsersPerTeam(target_.id), 54);
  EXPECT_EQ(awat_.Get(import_id)->import_by, "");
}

TEST(AwatClientTest, RejectsABadAddressNamingTheFlag) {
  auto bad = provisioner::NewHttpAwatClient("localhost:8077");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("--awat"), std::string::npos);
}

TEST(AwatClientTest, DecodesTheWireFormatAndMapsStatusCodes) {
  testing::LoopbackHttpServer server([](const testing::RecordedRequest& r) {
    if (r.Path() == "/installation/import/inst1") {
      return AwatReply(
          200, R"([{"ID":"i1","TranslationID":"t1","Resource":"b/k","CreateAt":1,"StartAt":2,)"
               R"("CompleteAt":3,"LockedBy":"","ImportBy":"p","Error":"","InstallationID":"inst1",)"
               R"("Users":4,"Team":"team","State":"import-complete","Type":"slack"}])");
    }
    if (r.Path() == "/installation/import/none") return AwatReply(404, "");
    if (r.Path() == "/installation/import/bad") return AwatReply(200, "{\"x\"");
    return AwatReply(500, "");
  });
  auto client = provisioner::NewHttpAwatClient(server.url());
  ASSERT_TRUE(client);
  auto list = (*client)->GetImportStatusesByInstallation("inst1");
  ASSERT_TRUE(list) << list.error().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front(),
            (provisioner::AwatImportStatus{"i1", "t1", "b/k", 1, 2, 3, "", "p", "", "inst1", 4,
                                           "team", "import-complete", "slack"}));
  auto none = (*client)->GetImportStatusesByInstallation("none");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE((*client)->GetImportStatusesByInstallation("bad"));
  auto failed = (*client)->CompleteImport({"i1", 5, "boom"});
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("failed with status code 500"), std::string::npos);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[3].method, "PUT");
  EXPECT_EQ(requests[3].Path(), "/import");
  EXPECT_EQ(nlohmann::json::parse(requests[3].body),
            (nlohmann::json{{"ID", "i1"}, {"CompleteAt", 5}, {"Error", "boom"}}));
}

CLOUD_INSTANTIATE_ENGINE_TESTS(ImportSupervisorTest);

}  // namespace
}  // namespace cloud::supervisor
