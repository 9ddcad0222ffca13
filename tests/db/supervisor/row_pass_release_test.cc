// RunRowPass with hooks.persist_releases (issue 6) on SQLite and PostgreSQL, over the real lock
// and installation stores: a successful save releases the lease in its own fenced write (the
// pass sends no separate release), a pass that saves nothing still releases, and a save that
// lost its lease writes nothing and leaves the new holder's lease alone.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "model/installation_enums.h"
#include "store/sql_installation_store.h"
#include "supervisor/row_pass.h"
#include "testlib/counting_database.h"
#include "testlib/test_database.h"
#include "testlib/test_installation.h"

namespace cloud::supervisor {
namespace {

using model::Installation;
using model::InstallationState;

class RowPassReleaseTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    counting_ = std::make_unique<testlib::CountingDatabase>(db());
    locks_ = store::MakeSqlLockStore(*counting_, clock_);
    installations_ = std::make_unique<store::SqlInstallationStore>(*counting_, *locks_, clock_);
    Installation i = testlib::TestInstallation("rowpass", InstallationState::kCreationRequested);
    auto dto = installations_->CreateInstallation(i, {}, {"rowpass.example.com"},
                                                  store::EventOptions::IfChanged());
    ASSERT_TRUE(dto) << dto.error().ToString();
    id_ = dto->installation.id;

    hooks_.table = store::LockTable::kInstallation;
    hooks_.log_key = logkey::kInstallation;
    hooks_.reload = [this](std::string_view id) {
      return installations_->GetInstallation(id, store::GroupMerge::None());
    };
    hooks_.state_of = [](const Installation& row) { return row.state; };
    hooks_.state_name = [](InstallationState s) { return model::ToString(s); };
    hooks_.has_pending_work = [](InstallationState s) { return s != InstallationState::kStable; };
    hooks_.persist = [this](Installation& row, InstallationState new_state,
                            const store::Lease& lease, const Logger&) {
      return installations_->UpdateInstallationStateAndRelease(row.id, new_state, lease);
    };
    hooks_.persist_releases = true;
  }

  StepOutcome Pass() {
    const RowPassContext ctx{*locks_, nullptr, "row-pass-test", logger_.log};
    return RunRowPass(ctx, WorkItem{id_, std::nullopt}, hooks_);
  }

  Installation Get() {
    auto got = installations_->GetInstallation(id_, store::GroupMerge::None());
    EXPECT_TRUE(got && got->has_value());
    return got && got->has_value() ? **got : Installation{};
  }

  std::unique_ptr<testlib::CountingDatabase> counting_;
  std::unique_ptr<store::LockStore> locks_;
  std::unique_ptr<store::SqlInstallationStore> installations_;
  RowPassHooks<Installation, InstallationState> hooks_;
  std::string id_;
};

TEST_P(RowPassReleaseTest, ASaveReleasesTheLeaseInItsOwnWrite) {
  hooks_.transition = [](Installation&, const store::Lease&, const Logger&) {
    return InstallationState::kCreationInProgress;
  };
  counting_->Reset();
  EXPECT_EQ(Pass(), StepOutcome::kRequeue);
  // Claim, re-read, then the save (BEGIN, write, event, COMMIT on PostgreSQL; SQLite reads the
  // old state first and writes the event in three statements); no release after it.
  EXPECT_EQ(counting_->round_trips(), engine() == testlib::Engine::kPostgres ? 2 + 4 : 2 + 7);
  const Installation after = Get();
  EXPECT_EQ(after.state, InstallationState::kCreationInProgress);
  EXPECT_FALSE(after.lock_acquired_by.has_value());
  EXPECT_EQ(after.lock_acquired_at, 0);
  // Free for the next claim at once.
  auto next = locks_->AcquireOne(store::LockTable::kInstallation, id_, "someone-else");
  EXPECT_TRUE(next) << next.error().ToString();
}

TEST_P(RowPassReleaseTest, APassThatSavesNothingStillReleases) {
  hooks_.transition = [](Installation& row, const store::Lease&, const Logger&) {
    return row.state;  // waiting: no change
  };
  EXPECT_EQ(Pass(), StepOutcome::kStay);
  const Installation after = Get();
  EXPECT_EQ(after.state, InstallationState::kCreationRequested);
  EXPECT_FALSE(after.lock_acquired_by.has_value());
}

TEST_P(RowPassReleaseTest, ASaveThatLostItsLeaseWritesNothingAndKeepsTheNewHolders) {
  hooks_.transition = [this](Installation&, const store::Lease&, const Logger&) {
    // The step outlived its lease and another process took the row over.
    clock_.Advance(locks_->lease_duration_ms() + 1);
    EXPECT_TRUE(locks_->AcquireOne(store::LockTable::kInstallation, id_, "new-holder"));
    return InstallationState::kCreationInProgress;
  };
  EXPECT_EQ(Pass(), StepOutcome::kSkipped);
  const Installation after = Get();
  EXPECT_EQ(after.state, InstallationState::kCreationRequested);
  EXPECT_EQ(after.lock_acquired_by, "new-holder");
  auto events = db().Query("SELECT count(*) FROM StateChangeEvent WHERE ResourceID = $1", {id_});
  ASSERT_TRUE(events);
  EXPECT_EQ(events->front().GetInt64(0), 1);  // the creation only
}

CLOUD_INSTANTIATE_ENGINE_TESTS(RowPassReleaseTest);

}  // namespace
}  // namespace cloud::supervisor
