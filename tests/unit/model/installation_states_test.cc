#include "model/installation_states.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cloud::model {
namespace {

// The 32 wire strings of spec §5.4, in its order.
const std::vector<std::string> kSpecStates = {
    "stable",
    "creation-requested",
    "creation-pre-provisioning",
    "creation-in-progress",
    "creation-configuring-dns",
    "creation-failed",
    "creation-no-compatible-clusters",
    "creation-final-tasks",
    "hibernation-requested",
    "hibernation-in-progress",
    "hibernating",
    "wake-up-requested",
    "update-requested",
    "update-in-progress",
    "update-failed",
    "import-in-progress",
    "import-complete",
    "deletion-pending-requested",
    "deletion-pending-in-progress",
    "deletion-pending",
    "deletion-cancellation-requested",
    "deletion-requested",
    "deletion-in-progress",
    "deletion-final-cleanup",
    "deletion-failed",
    "deleted",
    "db-restoration-in-progress",
    "db-migration-in-progress",
    "db-migration-rollback-in-progress",
    "db-restoration-failed",
    "db-migration-failed",
    "dns-migration-hibernated",
};

// The API transition table of spec §5.4 (target ← allowed current states), as strings.
const std::map<std::string, std::set<std::string>> kSpecTransitions = {
    {"creation-requested", {"creation-requested", "creation-failed"}},
    {"hibernation-requested", {"stable"}},
    {"wake-up-requested", {"hibernating"}},
    {"update-requested", {"stable", "update-requested", "update-failed"}},
    {"deletion-pending-requested",
     {"stable", "update-requested", "update-in-progress", "update-failed", "hibernating",
      "deletion-pending-requested", "deletion-pending-in-progress"}},
    {"deletion-pending", {"deletion-pending"}},
    {"deletion-cancellation-requested", {"deletion-pending"}},
    {"deletion-requested",
     {"creation-requested", "creation-pre-provisioning", "creation-in-progress",
      "creation-configuring-dns", "creation-no-compatible-clusters", "creation-final-tasks",
      "creation-failed", "deletion-requested", "deletion-in-progress", "deletion-final-cleanup",
      "deletion-failed"}},
    {"db-restoration-in-progress", {"hibernating"}},
    {"db-migration-in-progress", {"hibernating"}},
    {"dns-migration-hibernated", {"hibernating"}},
};

InstallationState Parse(const std::string& text) {
  InstallationState state{};
  EXPECT_TRUE(ParseEnum(text, state)) << text;
  return state;
}

TEST(InstallationStates, EveryStateHasItsSpecStringInOrder) {
  ASSERT_EQ(AllInstallationStates().size(), 32u);
  ASSERT_EQ(kSpecStates.size(), 32u);
  for (size_t i = 0; i < kSpecStates.size(); ++i) {
    SCOPED_TRACE(kSpecStates[i]);
    EXPECT_EQ(ToString(AllInstallationStates()[i]), kSpecStates[i]);
    EXPECT_EQ(Parse(kSpecStates[i]), AllInstallationStates()[i]);
  }
  std::set<InstallationState> unique(AllInstallationStates().begin(),
                                     AllInstallationStates().end());
  EXPECT_EQ(unique.size(), 32u);
}

TEST(InstallationStates, ParseIsExact) {
  InstallationState state = InstallationState::kStable;
  for (const char* text :
       {"", "Stable", "STABLE", " stable", "stable ", "creation_requested", "deleting", "n/a"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(ParseEnum(text, state));
  }
  EXPECT_EQ(state, InstallationState::kStable);  // untouched on failure
}

TEST(InstallationStates, TransitionMatrixEqualsSpecTable) {
  int allowed_count = 0;
  for (const std::string& target : kSpecStates) {
    for (const std::string& current : kSpecStates) {
      SCOPED_TRACE(current + " -> " + target);
      auto row = kSpecTransitions.find(target);
      const bool want = row != kSpecTransitions.end() && row->second.count(current) > 0;
      EXPECT_EQ(IsInstallationTransitionAllowed(Parse(current), Parse(target)), want);
      allowed_count += want ? 1 : 0;
    }
  }
  EXPECT_EQ(allowed_count, 2 + 1 + 1 + 3 + 7 + 1 + 1 + 11 + 1 + 1 + 1);
}

TEST(InstallationStates, TransitionTableDataMatchesSpecRows) {
  std::map<std::string, std::set<std::string>> table;
  for (const InstallationTransitionRule& rule : ValidInstallationTransitions()) {
    std::set<std::string>& from = table[std::string(ToString(rule.target))];
    for (InstallationState state : rule.allowed_from) from.insert(std::string(ToString(state)));
  }
  EXPECT_EQ(table, kSpecTransitions);
}

TEST(InstallationStates, DeleteRouteConsequences) {
  // §5.4: a fresh installation is deleted directly, a stable one goes through pending
  // deletion, and hibernation/wake-up requests block deletion altogether.
  using S = InstallationState;
  EXPECT_TRUE(IsInstallationTransitionAllowed(S::kCreationRequested, S::kDeletionRequested));
  EXPECT_FALSE(IsInstallationTransitionAllowed(S::kStable, S::kDeletionRequested));
  EXPECT_TRUE(IsInstallationTransitionAllowed(S::kStable, S::kDeletionPendingRequested));
  for (S blocked : {S::kHibernationRequested, S::kWakeUpRequested}) {
    SCOPED_TRACE(ToString(blocked));
    EXPECT_FALSE(IsInstallationTransitionAllowed(blocked, S::kDeletionRequested));
    EXPECT_FALSE(IsInstallationTransitionAllowed(blocked, S::kDeletionPendingRequested));
  }
}

TEST(InstallationStates, DeletionStates) {
  const std::set<std::string> want = {"deletion-pending-requested",
                                      "deletion-pending-in-progress",
                                      "deletion-pending",
                                      "deletion-cancellation-requested",
                                      "deletion-requested",
                                      "deletion-in-progress",
                                      "deletion-final-cleanup",
                                      "deletion-failed",
                                      "deleted"};
  std::set<std::string> listed;
  for (InstallationState s : AllInstallationDeletionStates()) {
    listed.insert(std::string(ToString(s)));
  }
  EXPECT_EQ(listed, want);
  for (const std::string& text : kSpecStates) {
    SCOPED_TRACE(text);
    EXPECT_EQ(IsDeletionState(Parse(text)), want.count(text) > 0);
  }
}

TEST(InstallationStates, RequestAndPendingWorkLists) {
  std::set<std::string> requests;
  for (InstallationState s : AllInstallationRequestStates()) {
    requests.insert(std::string(ToString(s)));
  }
  EXPECT_EQ(requests,
            (std::set<std::string>{"creation-requested", "hibernation-requested",
                                   "wake-up-requested", "update-requested",
                                   "dns-migration-hibernated", "deletion-pending-requested",
                                   "deletion-cancellation-requested", "deletion-requested"}));
  // Every request state is a transition target.
  for (InstallationState s : AllInstallationRequestStates()) {
    EXPECT_TRUE(kSpecTransitions.count(std::string(ToString(s)))) << ToString(s);
  }
  EXPECT_EQ(AllInstallationStatesPendingWork().size(), 18u);
  for (InstallationState s : AllInstallationStatesPendingWork()) {
    EXPECT_NE(s, InstallationState::kStable);
    EXPECT_NE(s, InstallationState::kHibernating);
    EXPECT_NE(s, InstallationState::kDeletionPending);
    EXPECT_NE(s, InstallationState::kDeleted);
  }
}

TEST(InstallationStates, WorkPriority) {
  using S = InstallationState;
  EXPECT_EQ(InstallationStateWorkPriority(S::kCreationRequested), 5);
  EXPECT_EQ(InstallationStateWorkPriority(S::kCreationNoCompatibleClusters), 4);
  EXPECT_EQ(InstallationStateWorkPriority(S::kCreationPreProvisioning), 3);
  EXPECT_EQ(InstallationStateWorkPriority(S::kCreationInProgress), 2);
  EXPECT_EQ(InstallationStateWorkPriority(S::kCreationDNS), 1);
  EXPECT_EQ(InstallationStateWorkPriority(S::kUpdateRequested), 0);
  EXPECT_EQ(InstallationStateWorkPriority(S::kStable), 0);
}

}  // namespace
}  // namespace cloud::model
