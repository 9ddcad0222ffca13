#include "model/cluster_states.h"

#include <algorithm>

namespace cloud::model {

std::string_view ToString(ClusterState state) {
  switch (state) {
    case ClusterState::kStable:
      return "stable";
    case ClusterState::kCreationRequested:
      return "creation-requested";
    case ClusterState::kCreationInProgress:
      return "creation-in-progress";
    case ClusterState::kWaitingForNodes:
      return "waiting-for-nodes";
    case ClusterState::kProvisionInProgress:
      return "provision-in-progress";
    case ClusterState::kCreationFailed:
      return "creation-failed";
    case ClusterState::kProvisioningRequested:
      return "provisioning-requested";
    case ClusterState::kRefreshMetadata:
      return "refresh-metadata";
    case ClusterState::kProvisioningFailed:
      return "provisioning-failed";
    case ClusterState::kUpgradeRequested:
      return "upgrade-requested";
    case ClusterState::kUpgradeFailed:
      return "upgrade-failed";
    case ClusterState::kResizeRequested:
      return "resize-requested";
    case ClusterState::kResizeFailed:
      return "resize-failed";
    case ClusterState::kNodegroupsCreationRequested:
      return "nodegroups-creation-requested";
    case ClusterState::kNodegroupsCreationFailed:
      return "nodegroups-creation-failed";
    case ClusterState::kNodegroupsDeletionRequested:
      return "nodegroups-deletion-requested";
    case ClusterState::kNodegroupsDeletionFailed:
      return "nodegroups-deletion-failed";
    case ClusterState::kDeletionRequested:
      return "deletion-requested";
    case ClusterState::kDeletionFailed:
      return "deletion-failed";
    case ClusterState::kDeleted:
      return "deleted";
  }
  return "";
}

bool ParseEnum(std::string_view text, ClusterState& out) {
  for (ClusterState state : kAllClusterStates) {
    if (ToString(state) == text) {
      out = state;
      return true;
    }
  }
  return false;
}

std::span<const ClusterState> AllClusterStates() { return kAllClusterStates; }

int ClusterStateWorkPriority(ClusterState state) {
  switch (state) {
    case ClusterState::kCreationRequested:
      return 4;
    case ClusterState::kCreationInProgress:
      return 3;
    case ClusterState::kWaitingForNodes:
      return 2;
    case ClusterState::kProvisionInProgress:
      return 1;
    default:
      return 0;
  }
}

bool IsClusterStatePendingWork(ClusterState state) {
  return std::ranges::find(kClusterStatesPendingWork, state) != kClusterStatesPendingWork.end();
}

bool IsClusterStateInstallationSchedulable(ClusterState state) {
  return std::ranges::find(kClusterStatesInstallationSchedulable, state) !=
         kClusterStatesInstallationSchedulable.end();
}

namespace {

using S = ClusterState;

constexpr ClusterState kToCreationRequested[] = {S::kCreationRequested, S::kCreationFailed};
constexpr ClusterState kToProvisioningRequested[] = {S::kStable, S::kProvisioningFailed,
                                                     S::kProvisioningRequested};
constexpr ClusterState kToUpgradeRequested[] = {S::kStable, S::kUpgradeRequested,
                                                S::kUpgradeFailed};
constexpr ClusterState kToResizeRequested[] = {S::kStable, S::kResizeRequested, S::kResizeFailed};
constexpr ClusterState kToNodegroupsCreationRequested[] = {
    S::kStable, S::kNodegroupsCreationRequested, S::kNodegroupsCreationFailed};
constexpr ClusterState kToNodegroupsDeletionRequested[] = {
    S::kStable, S::kNodegroupsDeletionRequested, S::kNodegroupsDeletionFailed};
constexpr ClusterState kToDeletionRequested[] = {
    S::kStable,           S::kCreationRequested, S::kCreationFailed,    S::kProvisioningFailed,
    S::kUpgradeRequested, S::kUpgradeFailed,     S::kDeletionRequested, S::kDeletionFailed};

}  // namespace

std::span<const ClusterState> ClusterStateAllowedFrom(ClusterState target) {
  switch (target) {
    case S::kCreationRequested:
      return kToCreationRequested;
    case S::kProvisioningRequested:
      return kToProvisioningRequested;
    case S::kUpgradeRequested:
      return kToUpgradeRequested;
    case S::kResizeRequested:
      return kToResizeRequested;
    case S::kNodegroupsCreationRequested:
      return kToNodegroupsCreationRequested;
    case S::kNodegroupsDeletionRequested:
      return kToNodegroupsDeletionRequested;
    case S::kDeletionRequested:
      return kToDeletionRequested;
    default:
      return {};
  }
}

bool IsClusterTransitionAllowed(ClusterState current, ClusterState target) {
  return std::ranges::find(ClusterStateAllowedFrom(target), current) !=
         ClusterStateAllowedFrom(target).end();
}

}  // namespace cloud::model
