// InstallationStore: persistence of installations (the Installation table) with the pieces of
// their DTO (annotations, DNS records, cluster IDs), the supervisors' pending-work queries
// (installation §1.3, deletion §1.6, group §1.5) and the counters of the API (§3.2 (18)/(19)).
// Group configuration is merged at read time when asked (upstream-core.md §5).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/filters.h"
#include "model/installation.h"
#include "store/lock_store.h"
#include "store/resource_store_types.h"

namespace cloud::store {

// How reads treat the installation's group: merge its config (Version, Image, env,
// Scheduling; upstream GetInstallation(id, includeGroupConfig, includeGroupConfigOverrides)) and
// record GroupOverrides. A merged installation cannot be saved with UpdateInstallation.
struct GroupMerge {
  bool include_group_config = false;
  bool include_group_config_overrides = false;
  static GroupMerge None() { return {}; }
  static GroupMerge Config() { return {true, false}; }
  static GroupMerge ConfigAndOverrides() { return {true, true}; }
};

class InstallationStore {
 public:
  virtual ~InstallationStore() = default;

  // The installation, deleted or not; nullopt when absent. Errors: kInternal (corrupt row).
  virtual Result<std::optional<model::Installation>> GetInstallation(std::string_view id,
                                                                     GroupMerge merge) = 0;
  // The DTO: annotations (by name), non-deleted DNS records (CreateAt ASC; null when none) and
  // the cluster IDs of the non-deleted cluster installations (CreateAt ASC).
  virtual Result<std::optional<model::InstallationDTO>> GetInstallationDTO(std::string_view id,
                                                                           GroupMerge merge) = 0;

  // A page of installations, CreateAt ASC, with the filter's owner, group, state, name, DNS
  // (exact, or LIKE when it contains '%', over non-deleted records), deletion_locked and IDs;
  // merged as filter.include_group_config(_overrides) say.
  virtual Result<std::vector<model::Installation>> GetInstallations(
      const model::InstallationFilter& filter) = 0;
  virtual Result<std::vector<model::InstallationDTO>> GetInstallationDTOs(
      const model::InstallationFilter& filter) = 0;

  // GET /api/installations/count.
  virtual Result<int64_t> GetInstallationsCount(bool include_deleted) = 0;
  // GET /api/installations/status (non-deleted installations).
  virtual Result<model::InstallationsStatus> GetInstallationsStatus() = 0;

  // Inserts the installation (new ID, CreateAt = now, locks cleared), its DNS records (the first
  // name primary) and annotations, and the "n/a" -> state event, in one transaction. A
  // group-merged value is refused (kFailedPrecondition).
  // Errors: kAlreadyExists when the name or a domain is used by a live installation/record.
  virtual Result<model::InstallationDTO> CreateInstallation(
      model::Installation installation, const std::vector<std::string>& annotations,
      const std::vector<std::string>& dns_names, const EventOptions& event) = 0;

  // Upstream's column-restricted UpdateInstallation (never APISecurityLock, DeletionLocked, the
  // DB config blobs, locks or timestamps), fenced by an installation lease, with its event.
  // Errors: kFailedPrecondition for a group-merged value or a lease not covering it;
  // kNotFound; kConflict (lease lost: nothing written, no event); kAlreadyExists (name taken).
  virtual Result<void> UpdateInstallation(const model::Installation& installation,
                                          const Lease& lease, const EventOptions& event = {}) = 0;
  // State only, fenced, with its event (extra data gets "Name").
  virtual Result<void> UpdateInstallationState(std::string_view id, model::InstallationState state,
                                               const Lease& lease,
                                               const EventOptions& event = {}) = 0;
  // UpdateInstallationState that also releases `lease` (a one-row installation lease) in the
  // same fenced write: what a supervisor pass saves last (one write instead of two). On an error
  // nothing is written and the lease is still held (unless it was lost).
  virtual Result<void> UpdateInstallationStateAndRelease(std::string_view id,
                                                         model::InstallationState state,
                                                         const Lease& lease,
                                                         const EventOptions& event = {}) = 0;

  // Unfenced flag setters (the security routes take no row lock). Errors: kNotFound.
  virtual Result<void> SetInstallationAPISecurityLock(std::string_view id, bool locked) = 0;
  virtual Result<void> SetInstallationDeletionLocked(std::string_view id, bool locked) = 0;

  // Fenced single-column writes (installation supervisor). Errors as UpdateInstallationState.
  virtual Result<void> UpdateInstallationGroupSequence(std::string_view id,
                                                       std::optional<int64_t> sequence,
                                                       const Lease& lease) = 0;
  virtual Result<void> UpdateInstallationCRVersion(std::string_view id, std::string_view cr_version,
                                                   const Lease& lease) = 0;

  // Soft delete, fenced. Deleting a deleted installation is a no-op. Errors: kNotFound,
  // kConflict.
  virtual Result<void> DeleteInstallation(std::string_view id, const Lease& lease) = 0;

  // Installation supervisor: rows in AllInstallationStatesPendingWork not under a live lease,
  // CreateAt ASC, merged with their group (config, no overrides).
  virtual Result<std::vector<model::Installation>> GetUnlockedInstallationsPendingWork() = 0;
  virtual Result<Claimed<model::Installation>> ClaimInstallationsPendingWork(
      std::string_view locker_id, int64_t limit) = 0;

  // Installation-deletion supervisor (§1.6): stable/hibernating, not deletion-locked, with a
  // ScheduledDeletionTime, unleased; then deletion-pending, unleased. Both CreateAt ASC.
  virtual Result<std::vector<model::Installation>>
  GetUnlockedInstallationsScheduledForDeletion() = 0;
  virtual Result<std::vector<model::Installation>> GetUnlockedInstallationsPendingDeletion() = 0;
};

}  // namespace cloud::store
