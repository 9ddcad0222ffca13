#include "model/cluster_installation.h"

namespace cloud::model {
namespace {

using S = ClusterInstallationState;
using Op = ClusterInstallationOperation;

constexpr S kAllStates[] = {
    S::kCreationRequested,
    S::kCreationFailed,
    S::kDeletionRequested,
    S::kDeletionFailed,
    S::kDeleted,
    S::kReconciling,
    S::kReady,
    S::kStable,
};

constexpr S kPendingWork[] = {
    S::kCreationRequested,
    S::kReconciling,
    S::kReady,
    S::kDeletionRequested,
};

constexpr Op kAllOperations[] = {Op::kMigration, Op::kDNSSwitch, Op::kSwitchClusterRoles,
                                 Op::kDeletingInActiveCIs};

}  // namespace

std::string_view ToString(ClusterInstallationState state) {
  switch (state) {
    case S::kCreationRequested:
      return "creation-requested";
    case S::kCreationFailed:
      return "creation-failed";
    case S::kDeletionRequested:
      return "deletion-requested";
    case S::kDeletionFailed:
      return "deletion-failed";
    case S::kDeleted:
      return "deleted";
    case S::kReconciling:
      return "reconciling";
    case S::kReady:
      return "ready";
    case S::kStable:
      return "stable";
  }
  return "";  // not reached: every enumerator is handled above (-Wswitch)
}

bool ParseEnum(std::string_view text, ClusterInstallationState& out) {
  for (S state : kAllStates) {
    if (ToString(state) == text) {
      out = state;
      return true;
    }
  }
  return false;
}

std::span<const ClusterInstallationState> AllClusterInstallationStates() { return kAllStates; }

std::span<const ClusterInstallationState> AllClusterInstallationStatesPendingWork() {
  return kPendingWork;
}

int ClusterInstallationStateWorkPriority(ClusterInstallationState state) {
  switch (state) {
    case S::kCreationRequested:
      return 3;
    case S::kReconciling:
      return 2;
    case S::kReady:
      return 1;
    default:
      return 0;
  }
}

Result<void> MigrateClusterInstallationRequest::Validate() const {
  if (source_cluster_id.empty()) {
    return InvalidArgument("missing mandatory source cluster in a migration request");
  }
  if (target_cluster_id.empty()) {
    return InvalidArgument("missing mandatory target cluster in a migration request");
  }
  return Ok();
}

std::string_view ToString(ClusterInstallationOperation operation) {
  switch (operation) {
    case Op::kMigration:
      return "MigratingClusterInstallation";
    case Op::kDNSSwitch:
      return "DNSSwitch";
    case Op::kSwitchClusterRoles:
      return "SwitchClusterRoles";
    case Op::kDeletingInActiveCIs:
      return "DeletingInActiveClusterInstallations";
  }
  return "";  // not reached
}

bool ParseEnum(std::string_view text, ClusterInstallationOperation& out) {
  for (Op operation : kAllOperations) {
    if (ToString(operation) == text) {
      out = operation;
      return true;
    }
  }
  return false;
}

bool IsSupportedExecCommand(std::string_view command) {
  return command == kExecCommandMmctl || command == kExecCommandMattermost;
}

}  // namespace cloud::model
