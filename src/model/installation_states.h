// Installation states and the API transition table, kept as data (spec upstream-api.md §5.4).
#pragma once

#include <span>
#include <string_view>

namespace cloud::model {

// The 32 installation states; wire strings in ToString. Enumerators follow upstream's
// AllInstallationStates order.
enum class InstallationState {
  kStable,
  kCreationRequested,
  kCreationPreProvisioning,
  kCreationInProgress,
  kCreationDNS,  // creation-configuring-dns
  kCreationFailed,
  kCreationNoCompatibleClusters,
  kCreationFinalTasks,
  kHibernationRequested,
  kHibernationInProgress,
  kHibernating,
  kWakeUpRequested,
  kUpdateRequested,
  kUpdateInProgress,
  kUpdateFailed,
  kImportInProgress,
  kImportComplete,
  kDeletionPendingRequested,
  kDeletionPendingInProgress,
  kDeletionPending,
  kDeletionCancellationRequested,
  kDeletionRequested,
  kDeletionInProgress,
  kDeletionFinalCleanup,
  kDeletionFailed,
  kDeleted,
  kDBRestorationInProgress,
  kDBMigrationInProgress,
  kDBMigrationRollbackInProgress,
  kDBRestorationFailed,
  kDBMigrationFailed,
  kDNSMigrationHibernating,  // dns-migration-hibernated
};

// The wire string ("creation-configuring-dns" ...).
std::string_view ToString(InstallationState state);
// Exact (case-sensitive) wire string → state. Returns false for anything else.
bool ParseEnum(std::string_view text, InstallationState& out);

// Every state, in upstream's AllInstallationStates order.
std::span<const InstallationState> AllInstallationStates();
// States the installation supervisor works on (upstream AllInstallationStatesPendingWork).
std::span<const InstallationState> AllInstallationStatesPendingWork();
// States an API route can request (upstream AllInstallationRequestStates).
std::span<const InstallationState> AllInstallationRequestStates();
// The "deletion states" of §5.4 (schedule-deletion check, group status).
std::span<const InstallationState> AllInstallationDeletionStates();
bool IsDeletionState(InstallationState state);
// Supervisor priority (higher first); 0 for states without one.
int InstallationStateWorkPriority(InstallationState state);

// One row of the API transition table: `target` may be requested from any of `allowed_from`.
struct InstallationTransitionRule {
  InstallationState target;
  std::span<const InstallationState> allowed_from;
};
// The table of §5.4, in the spec's row order. Targets not listed are never allowed.
std::span<const InstallationTransitionRule> ValidInstallationTransitions();
// Whether an installation in `current` may be moved to `target` through the API
// (upstream Installation.ValidTransitionState).
bool IsInstallationTransitionAllowed(InstallationState current, InstallationState target);

}  // namespace cloud::model
