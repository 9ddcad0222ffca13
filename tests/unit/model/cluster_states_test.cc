#include "model/cluster_states.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace cloud::model {
namespace {

// The 20 state strings in the spec's order (upstream-api.md §5.3).
const std::vector<std::string> kSpecStates = {
    "stable",
    "creation-requested",
    "creation-in-progress",
    "waiting-for-nodes",
    "provision-in-progress",
    "creation-failed",
    "provisioning-requested",
    "refresh-metadata",
    "provisioning-failed",
    "upgrade-requested",
    "upgrade-failed",
    "resize-requested",
    "resize-failed",
    "nodegroups-creation-requested",
    "nodegroups-creation-failed",
    "nodegroups-deletion-requested",
    "nodegroups-deletion-failed",
    "deletion-requested",
    "deletion-failed",
    "deleted",
};

// The API transition table of the spec: target <- allowed current states.
const std::map<std::string, std::set<std::string>> kSpecTransitions = {
    {"creation-requested", {"creation-requested", "creation-failed"}},
    {"provisioning-requested", {"stable", "provisioning-failed", "provisioning-requested"}},
    {"upgrade-requested", {"stable", "upgrade-requested", "upgrade-failed"}},
    {"resize-requested", {"stable", "resize-requested", "resize-failed"}},
    {"nodegroups-creation-requested",
     {"stable", "nodegroups-creation-requested", "nodegroups-creation-failed"}},
    {"nodegroups-deletion-requested",
     {"stable", "nodegroups-deletion-requested", "nodegroups-deletion-failed"}},
    {"deletion-requested",
     {"stable", "creation-requested", "creation-failed", "provisioning-failed", "upgrade-requested",
      "upgrade-failed", "deletion-requested", "deletion-failed"}},
};

std::vector<std::string> Strings(std::span<const ClusterState> states) {
  std::vector<std::string> out;
  for (ClusterState s : states) out.emplace_back(ToString(s));
  return out;
}

TEST(ClusterStates, AllTwentyStatesHaveTheSpecStringsInOrder) {
  ASSERT_EQ(AllClusterStates().size(), 20u);
  EXPECT_EQ(Strings(AllClusterStates()), kSpecStates);
}

TEST(ClusterStates, StringsRoundTripAndAreUnique) {
  std::set<std::string> seen;
  for (ClusterState state : AllClusterStates()) {
    const std::string text(ToString(state));
    SCOPED_TRACE(text);
    EXPECT_FALSE(text.empty());
    EXPECT_TRUE(seen.insert(text).second);
    ClusterState parsed = ClusterState::kDeleted;
    ASSERT_TRUE(ParseEnum(text, parsed));
    EXPECT_EQ(parsed, state);
  }
}

TEST(ClusterStates, UnknownStringsDoNotParse) {
  for (const char* text : {"", "Stable", "STABLE", "stable ", "unknown", "creation_requested",
                           "n/a", "deletion-in-progress"}) {
    SCOPED_TRACE(text);
    ClusterState out = ClusterState::kStable;
    EXPECT_FALSE(ParseEnum(text, out));
    EXPECT_EQ(out, ClusterState::kStable);
  }
}

TEST(ClusterStates, TransitionMatrixEqualsSpecTable) {
  int allowed = 0;
  for (ClusterState target : AllClusterStates()) {
    const std::string target_text(ToString(target));
    auto row = kSpecTransitions.find(target_text);
    for (ClusterState current : AllClusterStates()) {
      const std::string current_text(ToString(current));
      SCOPED_TRACE(current_text + " -> " + target_text);
      const bool want = row != kSpecTransitions.end() && row->second.contains(current_text);
      EXPECT_EQ(IsClusterTransitionAllowed(current, target), want);
      allowed += want ? 1 : 0;
    }
  }
  EXPECT_EQ(allowed, 2 + 3 + 3 + 3 + 3 + 3 + 8);
}

TEST(ClusterStates, AllowedFromListsMatchSpecRows) {
  for (ClusterState target : AllClusterStates()) {
    const std::string target_text(ToString(target));
    SCOPED_TRACE(target_text);
    const std::vector<std::string> got = Strings(ClusterStateAllowedFrom(target));
    auto row = kSpecTransitions.find(target_text);
    if (row == kSpecTransitions.end()) {
      EXPECT_TRUE(got.empty());
    } else {
      EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), row->second);
      EXPECT_EQ(got.size(), row->second.size());
    }
  }
}

TEST(ClusterStates, PendingWorkRequestAndSchedulableLists) {
  EXPECT_EQ(Strings(kClusterStatesPendingWork),
            (std::vector<std::string>{
                "creation-requested", "creation-in-progress", "waiting-for-nodes",
                "provision-in-progress", "provisioning-requested", "refresh-metadata",
                "upgrade-requested", "resize-requested", "nodegroups-creation-requested",
                "nodegroups-deletion-requested", "deletion-requested"}));
  EXPECT_EQ(Strings(kClusterRequestStates),
            (std::vector<std::string>{"creation-requested", "provisioning-requested",
                                      "upgrade-requested", "resize-requested",
                                      "nodegroups-creation-requested", "deletion-requested"}));
  EXPECT_EQ(Strings(kClusterStatesInstallationSchedulable),
            (std::vector<std::string>{
                "stable", "provision-in-progress", "provisioning-requested", "refresh-metadata",
                "provisioning-failed", "upgrade-requested", "upgrade-failed", "resize-requested",
                "resize-failed", "waiting-for-nodes", "nodegroups-creation-requested",
                "nodegroups-creation-failed", "nodegroups-deletion-requested",
                "nodegroups-deletion-failed"}));
  for (ClusterState state : AllClusterStates()) {
    SCOPED_TRACE(std::string(ToString(state)));
    const std::vector<std::string> pending = Strings(kClusterStatesPendingWork);
    EXPECT_EQ(IsClusterStatePendingWork(state),
              std::ranges::find(pending, std::string(ToString(state))) != pending.end());
  }
  EXPECT_TRUE(IsClusterStateInstallationSchedulable(ClusterState::kStable));
  EXPECT_FALSE(IsClusterStateInstallationSchedulable(ClusterState::kCreationRequested));
}

TEST(ClusterStates, WorkPriority) {
  const std::map<std::string, int> want = {{"creation-requested", 4},
                                           {"creation-in-progress", 3},
                                           {"waiting-for-nodes", 2},
                                           {"provision-in-progress", 1}};
  for (ClusterState state : AllClusterStates()) {
    const std::string text(ToString(state));
    SCOPED_TRACE(text);
    auto it = want.find(text);
    EXPECT_EQ(ClusterStateWorkPriority(state), it == want.end() ? 0 : it->second);
  }
}

}  // namespace
}  // namespace cloud::model
