// Cluster states and the tables built on them: all states, states with pending supervisor
// work, API request states, work priority and the API transition table (spec upstream-api.md
// §5.3, upstream-core.md §1.2 and §1.13). The tables are data; tests compare them to the spec.
#pragma once

#include <array>
#include <span>
#include <string_view>

namespace cloud::model {

// A cluster's lifecycle state. The wire string of each enumerator is in ToString().
enum class ClusterState {
  kStable,                       // stable
  kCreationRequested,            // creation-requested
  kCreationInProgress,           // creation-in-progress
  kWaitingForNodes,              // waiting-for-nodes
  kProvisionInProgress,          // provision-in-progress
  kCreationFailed,               // creation-failed
  kProvisioningRequested,        // provisioning-requested
  kRefreshMetadata,              // refresh-metadata
  kProvisioningFailed,           // provisioning-failed
  kUpgradeRequested,             // upgrade-requested
  kUpgradeFailed,                // upgrade-failed
  kResizeRequested,              // resize-requested
  kResizeFailed,                 // resize-failed
  kNodegroupsCreationRequested,  // nodegroups-creation-requested
  kNodegroupsCreationFailed,     // nodegroups-creation-failed
  kNodegroupsDeletionRequested,  // nodegroups-deletion-requested
  kNodegroupsDeletionFailed,     // nodegroups-deletion-failed
  kDeletionRequested,            // deletion-requested
  kDeletionFailed,               // deletion-failed
  kDeleted,                      // deleted
};

// The wire string ("creation-requested").
std::string_view ToString(ClusterState state);
// Parses an exact wire string (case-sensitive). Returns false for anything else.
bool ParseEnum(std::string_view text, ClusterState& out);

// All 20 states, in the order of the spec's list (upstream-api.md §5.3). Unlike upstream's
// AllClusterStates this includes the two nodegroups-deletion-* states.
inline constexpr std::array<ClusterState, 20> kAllClusterStates = {
    ClusterState::kStable,
    ClusterState::kCreationRequested,
    ClusterState::kCreationInProgress,
    ClusterState::kWaitingForNodes,
    ClusterState::kProvisionInProgress,
    ClusterState::kCreationFailed,
    ClusterState::kProvisioningRequested,
    ClusterState::kRefreshMetadata,
    ClusterState::kProvisioningFailed,
    ClusterState::kUpgradeRequested,
    ClusterState::kUpgradeFailed,
    ClusterState::kResizeRequested,
    ClusterState::kResizeFailed,
    ClusterState::kNodegroupsCreationRequested,
    ClusterState::kNodegroupsCreationFailed,
    ClusterState::kNodegroupsDeletionRequested,
    ClusterState::kNodegroupsDeletionFailed,
    ClusterState::kDeletionRequested,
    ClusterState::kDeletionFailed,
    ClusterState::kDeleted,
};

// States the cluster supervisor acts on (upstream AllClusterStatesPendingWork).
inline constexpr std::array<ClusterState, 11> kClusterStatesPendingWork = {
    ClusterState::kCreationRequested,
    ClusterState::kCreationInProgress,
    ClusterState::kWaitingForNodes,
    ClusterState::kProvisionInProgress,
    ClusterState::kProvisioningRequested,
    ClusterState::kRefreshMetadata,
    ClusterState::kUpgradeRequested,
    ClusterState::kResizeRequested,
    ClusterState::kNodegroupsCreationRequested,
    ClusterState::kNodegroupsDeletionRequested,
    ClusterState::kDeletionRequested,
};

// States the API puts clusters in whose completion is timed (upstream AllClusterRequestStates;
// upstream leaves nodegroups-deletion-requested out, and so do we).
inline constexpr std::array<ClusterState, 6> kClusterRequestStates = {
    ClusterState::kCreationRequested,
    ClusterState::kProvisioningRequested,
    ClusterState::kUpgradeRequested,
    ClusterState::kResizeRequested,
    ClusterState::kNodegroupsCreationRequested,
    ClusterState::kDeletionRequested,
};

// States in which installations may be scheduled onto a cluster
// (upstream ClusterStatesInstallationScheduable, upstream-core.md §6.2).
inline constexpr std::array<ClusterState, 14> kClusterStatesInstallationSchedulable = {
    ClusterState::kStable,
    ClusterState::kProvisionInProgress,
    ClusterState::kProvisioningRequested,
    ClusterState::kRefreshMetadata,
    ClusterState::kProvisioningFailed,
    ClusterState::kUpgradeRequested,
    ClusterState::kUpgradeFailed,
    ClusterState::kResizeRequested,
    ClusterState::kResizeFailed,
    ClusterState::kWaitingForNodes,
    ClusterState::kNodegroupsCreationRequested,
    ClusterState::kNodegroupsCreationFailed,
    ClusterState::kNodegroupsDeletionRequested,
    ClusterState::kNodegroupsDeletionFailed,
};

// kAllClusterStates as a span.
std::span<const ClusterState> AllClusterStates();

// Supervisor work priority (higher first; states without an entry are 0):
// creation-requested 4, creation-in-progress 3, waiting-for-nodes 2, provision-in-progress 1.
int ClusterStateWorkPriority(ClusterState state);

bool IsClusterStatePendingWork(ClusterState state);
bool IsClusterStateInstallationSchedulable(ClusterState state);

// The API transition table (upstream validClusterTransitions): the current states from which
// the API may move a cluster into `target`. Empty when `target` is not an API target.
std::span<const ClusterState> ClusterStateAllowedFrom(ClusterState target);

// True if the API may move a cluster from `current` to `target` (Go ValidTransitionState).
bool IsClusterTransitionAllowed(ClusterState current, ClusterState target);

}  // namespace cloud::model
