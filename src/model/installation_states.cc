#include "model/installation_states.h"

#include <algorithm>

namespace cloud::model {
namespace {

using S = InstallationState;

constexpr S kAllStates[] = {
    S::kStable,
    S::kCreationRequested,
    S::kCreationPreProvisioning,
    S::kCreationInProgress,
    S::kCreationDNS,
    S::kCreationFailed,
    S::kCreationNoCompatibleClusters,
    S::kCreationFinalTasks,
    S::kHibernationRequested,
    S::kHibernationInProgress,
    S::kHibernating,
    S::kWakeUpRequested,
    S::kUpdateRequested,
    S::kUpdateInProgress,
    S::kUpdateFailed,
    S::kImportInProgress,
    S::kImportComplete,
    S::kDeletionPendingRequested,
    S::kDeletionPendingInProgress,
    S::kDeletionPending,
    S::kDeletionCancellationRequested,
    S::kDeletionRequested,
    S::kDeletionInProgress,
    S::kDeletionFinalCleanup,
    S::kDeletionFailed,
    S::kDeleted,
    S::kDBRestorationInProgress,
    S::kDBMigrationInProgress,
    S::kDBMigrationRollbackInProgress,
    S::kDBRestorationFailed,
    S::kDBMigrationFailed,
    S::kDNSMigrationHibernating,
};

constexpr S kPendingWork[] = {
    S::kCreationRequested,
    S::kCreationPreProvisioning,
    S::kCreationInProgress,
    S::kCreationNoCompatibleClusters,
    S::kCreationFinalTasks,
    S::kCreationDNS,
    S::kHibernationRequested,
    S::kHibernationInProgress,
    S::kWakeUpRequested,
    S::kUpdateRequested,
    S::kUpdateInProgress,
    S::kDNSMigrationHibernating,
    S::kDeletionPendingRequested,
    S::kDeletionPendingInProgress,
    S::kDeletionCancellationRequested,
    S::kDeletionRequested,
    S::kDeletionInProgress,
    S::kDeletionFinalCleanup,
};

constexpr S kRequestStates[] = {
    S::kCreationRequested,
    S::kHibernationRequested,
    S::kWakeUpRequested,
    S::kUpdateRequested,
    S::kDNSMigrationHibernating,
    S::kDeletionPendingRequested,
    S::kDeletionCancellationRequested,
    S::kDeletionRequested,
};

constexpr S kDeletionStates[] = {
    S::kDeletionPendingRequested,
    S::kDeletionPendingInProgress,
    S::kDeletionPending,
    S::kDeletionCancellationRequested,
    S::kDeletionRequested,
    S::kDeletionInProgress,
    S::kDeletionFinalCleanup,
    S::kDeletionFailed,
    S::kDeleted,
};

// API transition table (§5.4): target ← allowed current states.
constexpr S kFromForCreationRequested[] = {S::kCreationRequested, S::kCreationFailed};
constexpr S kFromForHibernationRequested[] = {S::kStable};
constexpr S kFromForWakeUpRequested[] = {S::kHibernating};
constexpr S kFromForUpdateRequested[] = {S::kStable, S::kUpdateRequested, S::kUpdateFailed};
constexpr S kFromForDeletionPendingRequested[] = {
    S::kStable,      S::kUpdateRequested,          S::kUpdateInProgress,          S::kUpdateFailed,
    S::kHibernating, S::kDeletionPendingRequested, S::kDeletionPendingInProgress,
};
constexpr S kFromForDeletionPending[] = {S::kDeletionPending};
constexpr S kFromForDeletionCancellationRequested[] = {S::kDeletionPending};
constexpr S kFromForDeletionRequested[] = {
    S::kCreationRequested,
    S::kCreationPreProvisioning,
    S::kCreationInProgress,
    S::kCreationDNS,
    S::kCreationNoCompatibleClusters,
    S::kCreationFinalTasks,
    S::kCreationFailed,
    S::kDeletionRequested,
    S::kDeletionInProgress,
    S::kDeletionFinalCleanup,
    S::kDeletionFailed,
};
constexpr S kFromForDBRestorationInProgress[] = {S::kHibernating};
constexpr S kFromForDBMigrationInProgress[] = {S::kHibernating};
constexpr S kFromForDNSMigrationHibernating[] = {S::kHibernating};

constexpr InstallationTransitionRule kTransitions[] = {
    {S::kCreationRequested, kFromForCreationRequested},
    {S::kHibernationRequested, kFromForHibernationRequested},
    {S::kWakeUpRequested, kFromForWakeUpRequested},
    {S::kUpdateRequested, kFromForUpdateRequested},
    {S::kDeletionPendingRequested, kFromForDeletionPendingRequested},
    {S::kDeletionPending, kFromForDeletionPending},
    {S::kDeletionCancellationRequested, kFromForDeletionCancellationRequested},
    {S::kDeletionRequested, kFromForDeletionRequested},
    {S::kDBRestorationInProgress, kFromForDBRestorationInProgress},
    {S::kDBMigrationInProgress, kFromForDBMigrationInProgress},
    {S::kDNSMigrationHibernating, kFromForDNSMigrationHibernating},
};

bool Contains(std::span<const S> states, S state) {
  return std::find(states.begin(), states.end(), state) != states.end();
}

}  // namespace

std::string_view ToString(InstallationState state) {
  switch (state) {
    case S::kStable:
      return "stable";
    case S::kCreationRequested:
      return "creation-requested";
    case S::kCreationPreProvisioning:
      return "creation-pre-provisioning";
    case S::kCreationInProgress:
      return "creation-in-progress";
    case S::kCreationDNS:
      return "creation-configuring-dns";
    case S::kCreationFailed:
      return "creation-failed";
    case S::kCreationNoCompatibleClusters:
      return "creation-no-compatible-clusters";
    case S::kCreationFinalTasks:
      return "creation-final-tasks";
    case S::kHibernationRequested:
      return "hibernation-requested";
    case S::kHibernationInProgress:
      return "hibernation-in-progress";
    case S::kHibernating:
      return "hibernating";
    case S::kWakeUpRequested:
      return "wake-up-requested";
    case S::kUpdateRequested:
      return "update-requested";
    case S::kUpdateInProgress:
      return "update-in-progress";
    case S::kUpdateFailed:
      return "update-failed";
    case S::kImportInProgress:
      return "import-in-progress";
    case S::kImportComplete:
      return "import-complete";
    case S::kDeletionPendingRequested:
      return "deletion-pending-requested";
    case S::kDeletionPendingInProgress:
      return "deletion-pending-in-progress";
    case S::kDeletionPending:
      return "deletion-pending";
    case S::kDeletionCancellationRequested:
      return "deletion-cancellation-requested";
    case S::kDeletionRequested:
      return "deletion-requested";
    case S::kDeletionInProgress:
      return "deletion-in-progress";
    case S::kDeletionFinalCleanup:
      return "deletion-final-cleanup";
    case S::kDeletionFailed:
      return "deletion-failed";
    case S::kDeleted:
      return "deleted";
    case S::kDBRestorationInProgress:
      return "db-restoration-in-progress";
    case S::kDBMigrationInProgress:
      return "db-migration-in-progress";
    case S::kDBMigrationRollbackInProgress:
      return "db-migration-rollback-in-progress";
    case S::kDBRestorationFailed:
      return "db-restoration-failed";
    case S::kDBMigrationFailed:
      return "db-migration-failed";
    case S::kDNSMigrationHibernating:
      return "dns-migration-hibernated";
  }
  return "";  // not reached: every enumerator is handled above (-Wswitch)
}

bool ParseEnum(std::string_view text, InstallationState& out) {
  for (S state : kAllStates) {
    if (ToString(state) == text) {
      out = state;
      return true;
    }
  }
  return false;
}

std::span<const InstallationState> AllInstallationStates() { return kAllStates; }
std::span<const InstallationState> AllInstallationStatesPendingWork() { return kPendingWork; }
std::span<const InstallationState> AllInstallationRequestStates() { return kRequestStates; }
std::span<const InstallationState> AllInstallationDeletionStates() { return kDeletionStates; }

bool IsDeletionState(InstallationState state) { return Contains(kDeletionStates, state); }

int InstallationStateWorkPriority(InstallationState state) {
  switch (state) {
    case S::kCreationRequested:
      return 5;
    case S::kCreationNoCompatibleClusters:
      return 4;
    case S::kCreationPreProvisioning:
      return 3;
    case S::kCreationInProgress:
      return 2;
    case S::kCreationDNS:
      return 1;
    default:
      return 0;
  }
}

std::span<const InstallationTransitionRule> ValidInstallationTransitions() { return kTransitions; }

bool IsInstallationTransitionAllowed(InstallationState current, InstallationState target) {
  for (const InstallationTransitionRule& rule : kTransitions) {
    if (rule.target == target) return Contains(rule.allowed_from, current);
  }
  return false;
}

}  // namespace cloud::model
