// ClusterInstallationStore: placements of installations on clusters (the ClusterInstallation
// table): reads, creation under the cluster scheduling lease, fenced state writes with events,
// the CI supervisor's pending work (upstream-core.md §1.4), locking all CIs of an installation,
// and the cluster-to-cluster migration writes (§6.4).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/cluster_installation.h"
#include "model/filters.h"
#include "store/lock_store.h"
#include "store/resource_store_types.h"

namespace cloud::store {

class ClusterInstallationStore {
 public:
  virtual ~ClusterInstallationStore() = default;

  // The CI, deleted or not; nullopt when absent.
  virtual Result<std::optional<model::ClusterInstallation>> GetClusterInstallation(
      std::string_view id) = 0;
  // A page, CreateAt ASC, filtered by IDs, cluster, installation and IsActive.
  virtual Result<std::vector<model::ClusterInstallation>> GetClusterInstallations(
      const model::ClusterInstallationFilter& filter) = 0;

  // Inserts `ci` (new ID, CreateAt = now) and its "n/a" -> state event (extra data gets
  // "ClusterID"), in one transaction. When `scheduling_lease` is given (the installation
  // supervisor's placement, §6.2) the insert only happens while that cluster scheduling lease
  // on ci.cluster_id is still held: kConflict otherwise, nothing written.
  virtual Result<model::ClusterInstallation> CreateClusterInstallation(
      model::ClusterInstallation ci, const Lease* scheduling_lease, const EventOptions& event) = 0;

  // Upstream UpdateClusterInstallation: ClusterID, InstallationID, Namespace, State; fenced by a
  // CI lease; event per `event`. Errors: kNotFound, kConflict (lease lost), kFailedPrecondition.
  virtual Result<void> UpdateClusterInstallation(const model::ClusterInstallation& ci,
                                                 const Lease& lease,
                                                 const EventOptions& event = {}) = 0;
  // UpdateClusterInstallation that also releases `lease` (a one-row CI lease) in the same fenced
  // write: what a supervisor pass saves last. On an error nothing is written and the lease is
  // still held (unless it was lost).
  virtual Result<void> UpdateClusterInstallationAndRelease(const model::ClusterInstallation& ci,
                                                           const Lease& lease,
                                                           const EventOptions& event = {}) = 0;
  // State only, fenced, with its event.
  virtual Result<void> UpdateClusterInstallationState(std::string_view id,
                                                      model::ClusterInstallationState state,
                                                      const Lease& lease,
                                                      const EventOptions& event = {}) = 0;

  // Errors: kNotFound.
  virtual Result<void> SetClusterInstallationAPISecurityLock(std::string_view id, bool locked) = 0;

  // Soft delete, fenced by a CI lease. Errors: kNotFound, kConflict.
  virtual Result<void> DeleteClusterInstallation(std::string_view id, const Lease& lease) = 0;

  // CI supervisor: CIs in creation-requested, reconciling, ready, deletion-requested with no
  // live lease, CreateAt ASC; and the claiming variant.
  virtual Result<std::vector<model::ClusterInstallation>>
  GetUnlockedClusterInstallationsPendingWork() = 0;
  virtual Result<Claimed<model::ClusterInstallation>> ClaimClusterInstallationsPendingWork(
      std::string_view locker_id, int64_t limit) = 0;

  // Leases ALL the CIs of an installation (non-deleted ones, or all with include_deleted) for
  // `locker_id` and returns them re-read, CreateAt ASC. An installation without CIs gives an
  // empty lease. Errors: kConflict when any is held by a live lease (none is taken then).
  virtual Result<Claimed<model::ClusterInstallation>> LockClusterInstallationsOfInstallation(
      std::string_view installation_id, std::string_view locker_id, bool include_deleted) = 0;

  // Migration (§6.4). Inserts, for each active live CI on `source_cluster_id` (only those of
  // `installation_id` when non-empty) whose installation has no inactive live CI on the target
  // yet, a copy on `target_cluster_id` in creation-requested with IsActive = false; no events.
  // Returns the number of copies.
  virtual Result<int64_t> MigrateClusterInstallations(std::string_view source_cluster_id,
                                                      std::string_view target_cluster_id,
                                                      std::string_view installation_id) = 0;
  // SwitchDNS in one transaction: `old_ci_ids` become inactive, `new_ci_ids` active; the
  // installations become creation-configuring-dns, or dns-migration-hibernated for those in
  // `hibernating_installation_ids`; no events (upstream).
  virtual Result<void> SwitchDNS(const std::vector<std::string>& old_ci_ids,
                                 const std::vector<std::string>& new_ci_ids,
                                 const std::vector<std::string>& installation_ids,
                                 const std::vector<std::string>& hibernating_installation_ids) = 0;
  // Sets every inactive live CI of the cluster to deletion-requested (no events); returns how
  // many.
  virtual Result<int64_t> DeleteInactiveClusterInstallationsOfCluster(
      std::string_view cluster_id) = 0;
  // Sets one CI to deletion-requested whatever IsActive (no event). Errors: kNotFound.
  virtual Result<model::ClusterInstallation> RequestClusterInstallationDeletion(
      std::string_view id) = 0;
};

}  // namespace cloud::store
