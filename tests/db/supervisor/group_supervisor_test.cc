// GroupSupervisor against the real stores (SQLite and PostgreSQL): rolling a group's config out
// to its stable members at most MaxRolling at a time (upstream-core.md §1.5, §5), pausing,
// members leased elsewhere, and the wake-ups of moved installations.
#include "supervisor/group_supervisor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "operation_test_fixture.h"

namespace cloud::supervisor {
namespace {

using model::InstallationState;

class GroupSupervisorTest : public OperationSupervisorTest {
 protected:
  void SetUp() override {
    OperationSupervisorTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    supervisor_ = std::make_unique<GroupSupervisor>(
        *groups_, *installations_, *locks_, nullptr,
        GroupSupervisorOptions{kInstance, "test", &notifier_, /*seed=*/7}, logger_.log);
  }
  void TearDown() override {
    supervisor_.reset();
    OperationSupervisorTest::TearDown();
  }

  model::Group NewGroup(int64_t max_rolling) {
    model::Group g;
    g.name = "group-" + std::to_string(clock_.NowMillis());
    g.max_rolling = max_rolling;
    auto created = groups_->CreateGroup(g, {});
    EXPECT_TRUE(created) << created.error().ToString();
    clock_.Advance(10);
    return created ? created->group : model::Group{};
  }

  std::vector<std::string> Members(const model::Group& g, int n, InstallationState state) {
    std::vector<std::string> ids;
    for (int k = 0; k < n; ++k) {
      ids.push_back(NewInstallation(g.name + "-m" + std::to_string(ids.size()) + "-" +
                                        std::to_string(clock_.NowMillis()),
                                    state, g.id)
                        .id);
    }
    return ids;
  }

  // What the installation supervisor does once an update finished: stable at the sequence.
  void FinishUpdate(const std::string& id, int64_t sequence) {
    auto lease = locks_->AcquireOne(store::LockTable::kInstallation, id, "test");
    ASSERT_TRUE(lease);
    ASSERT_TRUE(installations_->UpdateInstallationGroupSequence(id, sequence, *lease));
    ASSERT_TRUE(installations_->UpdateInstallationState(id, InstallationState::kStable, *lease));
    ASSERT_TRUE(locks_->Release(*lease));
  }

  std::vector<std::string> InState(const std::vector<std::string>& ids, InstallationState s) {
    std::vector<std::string> out;
    for (const std::string& id : ids) {
      if (GetInstallation(id).state == s) out.push_back(id);
    }
    return out;
  }

  StepOutcome Pass(const std::string& id) {
    clock_.Advance(1);
    return supervisor_->Supervise(WorkItem{id, std::nullopt});
  }

  std::unique_ptr<GroupSupervisor> supervisor_;
};

TEST_P(GroupSupervisorTest, RollsAtMostMaxRollingMembersAtATime) {
  model::Group g = NewGroup(2);
  std::vector<std::string> members = Members(g, 5, InstallationState::kStable);
  std::vector<std::string> asleep = Members(g, 1, InstallationState::kHibernating);

  auto work = supervisor_->GetPendingWork();
  ASSERT_TRUE(work);
  EXPECT_EQ(*work, (std::vector<WorkItem>{{g.id, std::nullopt}}));

  std::vector<std::string> rolled;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const StepOutcome outcome = Pass(g.id);
    std::vector<std::string> rolling = InState(members, InstallationState::kUpdateRequested);
    const size_t expected = round < 2 ? 2u : 1u;
    EXPECT_EQ(rolling.size(), expected);
    EXPECT_EQ(outcome, round < 2 ? StepOutcome::kStay : StepOutcome::kDone);
    for (const std::string& id : rolling) {
      EXPECT_EQ(std::count(rolled.begin(), rolled.end(), id), 0) << "rolled twice: " << id;
      rolled.push_back(id);
    }
    // While they are rolling, nothing more moves.
    if (round < 2) {
      EXPECT_EQ(Pass(g.id), StepOutcome::kStay);
      EXPECT_EQ(InState(members, InstallationState::kUpdateRequested).size(), expected);
    }
    for (const std::string& id : rolling) FinishUpdate(id, g.sequence);
  }
  EXPECT_EQ(rolled.size(), members.size());
  EXPECT_EQ(GetInstallation(asleep[0]).state, InstallationState::kHibernating);  // not rolled
  work = supervisor_->GetPendingWork();
  ASSERT_TRUE(work);
  EXPECT_TRUE(work->empty());
  EXPECT_EQ(Pass(g.id), StepOutcome::kDone);
  // Every moved installation was woken by ID.
  std::vector<std::string> woken;
  for (const auto& [kind, id] : notifier_.woken()) {
    EXPECT_EQ(kind, "installation");
    woken.push_back(id);
  }
  std::sort(woken.begin(), woken.end());
  std::sort(rolled.begin(), rolled.end());
  EXPECT_EQ(woken, rolled);
  EXPECT_FALSE(Leased(store::LockTable::kGroup, g.id));
}

TEST_P(GroupSupervisorTest, MaxRollingZeroPausesTheGroup) {
  model::Group g = NewGroup(0);
  std::vector<std::string> members = Members(g, 2, InstallationState::kStable);
  EXPECT_EQ(Pass(g.id), StepOutcome::kDone);
  EXPECT_EQ(InState(members, InstallationState::kStable).size(), 2u);
  EXPECT_TRUE(notifier_.woken().empty());
}

TEST_P(GroupSupervisorTest, MembersAlreadyUpdatingCountAgainstTheLimit) {
  model::Group g = NewGroup(2);
  std::vector<std::string> members = Members(g, 3, InstallationState::kStable);
  Members(g, 1, InstallationState::kUpdateInProgress);
  EXPECT_EQ(Pass(g.id), StepOutcome::kStay);
  EXPECT_EQ(InState(members, InstallationState::kUpdateRequested).size(), 1u);
}

TEST_P(GroupSupervisorTest, AMemberLeasedElsewhereEndsThePass) {
  model::Group g = NewGroup(1);
  std::vector<std::string> members = Members(g, 1, InstallationState::kStable);
  auto held = locks_->AcquireOne(store::LockTable::kInstallation, members[0], "other");
  ASSERT_TRUE(held);
  EXPECT_EQ(Pass(g.id), StepOutcome::kStay);
  EXPECT_EQ(GetInstallation(members[0]).state, InstallationState::kStable);
  ASSERT_TRUE(locks_->Release(*held));
  EXPECT_EQ(Pass(g.id), StepOutcome::kDone);
  EXPECT_EQ(GetInstallation(members[0]).state, InstallationState::kUpdateRequested);

  // A group leased elsewhere is skipped.
  auto group_lease = locks_->AcquireOne(store::LockTable::kGroup, g.id, "other");
  ASSERT_TRUE(group_lease);
  EXPECT_EQ(Pass(g.id), StepOutcome::kSkipped);
  ASSERT_TRUE(locks_->Release(*group_lease));
}

CLOUD_INSTANTIATE_ENGINE_TESTS(GroupSupervisorTest);

}  // namespace
}  // namespace cloud::supervisor
