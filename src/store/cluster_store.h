// ClusterStore: persistence of clusters (the Cluster table) for the API, the cluster supervisor
// and the installation supervisor's placement (spec upstream-core.md §1.2, §3.3-§3.6, §6.2).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/cluster.h"
#include "model/paging.h"
#include "store/lock_store.h"
#include "store/resource_store_types.h"

namespace cloud::store {

// Which clusters GetClusters returns: a page (CreateAt ASC; deleted ones only with
// include_deleted) of the clusters carrying ALL of `annotation_ids` (none = no filter).
struct ClusterListFilter {
  model::Paging paging;
  std::vector<std::string> annotation_ids;
};

class ClusterStore {
 public:
  virtual ~ClusterStore() = default;

  // The cluster, deleted or not; nullopt when there is no such row.
  // Errors: kInternal for a row whose stored JSON or state is corrupt.
  virtual Result<std::optional<model::Cluster>> GetCluster(std::string_view id) = 0;
  // The cluster with its annotations (sorted by name).
  virtual Result<std::optional<model::ClusterDTO>> GetClusterDTO(std::string_view id) = 0;

  // A page of clusters, CreateAt ASC.
  virtual Result<std::vector<model::Cluster>> GetClusters(const ClusterListFilter& filter) = 0;
  // The same page with each cluster's annotations (all of them: unlike upstream, paging does
  // not cut the annotation lists).
  virtual Result<std::vector<model::ClusterDTO>> GetClusterDTOs(
      const ClusterListFilter& filter) = 0;

  // Inserts `cluster` with a new cluster ID and CreateAt = now (DeleteAt, locks cleared), gets
  // or creates and links the annotations, and records the "n/a" -> state event, all in one
  // transaction. Returns the stored DTO. Errors: kAlreadyExists on a duplicate annotation name
  // in the list never happens (duplicates collapse); SQL errors otherwise.
  virtual Result<model::ClusterDTO> CreateCluster(model::Cluster cluster,
                                                  const std::vector<std::string>& annotations,
                                                  const EventOptions& event) = 0;

  // Upstream's column-restricted UpdateCluster: writes State, Name, Provider, the three
  // metadata blobs, PgBouncerConfig and AllowInstallations — never APISecurityLock, locks or
  // timestamps — fenced by `lease` (a cluster lease, or the scheduling lease the installation
  // supervisor holds when it auto-resizes), and records a state-change event per `event`, in
  // one transaction. Errors: kNotFound (no row), kConflict (lease lost: nothing written, no
  // event), kFailedPrecondition (the lease does not cover the cluster).
  virtual Result<void> UpdateCluster(const model::Cluster& cluster, const Lease& lease,
                                     const EventOptions& event = {}) = 0;

  // Writes State only, fenced, with its event (same errors as UpdateCluster).
  virtual Result<void> UpdateClusterState(std::string_view id, model::ClusterState state,
                                          const Lease& lease, const EventOptions& event = {}) = 0;

  // Sets APISecurityLock (no row lock needed, idempotent). Errors: kNotFound.
  virtual Result<void> SetClusterAPISecurityLock(std::string_view id, bool locked) = 0;

  // Soft delete (DeleteAt = now where DeleteAt = 0), fenced by a cluster lease. Deleting a
  // deleted cluster is a no-op. Errors: kNotFound, kConflict (lease lost).
  virtual Result<void> DeleteCluster(std::string_view id, const Lease& lease) = 0;

  // The clusters in a pending-work state (model::kClusterStatesPendingWork) that no live lease
  // holds, CreateAt ASC (upstream GetUnlockedClustersPendingWork).
  virtual Result<std::vector<model::Cluster>> GetUnlockedClustersPendingWork() = 0;
  // Leases up to `limit` of those rows for `locker_id` (several servers share the work) and
  // returns them re-read, CreateAt ASC.
  virtual Result<Claimed<model::Cluster>> ClaimClustersPendingWork(std::string_view locker_id,
                                                                   int64_t limit) = 0;

  // Placement reads (installation supervisor, API cluster delete):
  // The number of non-deleted cluster installations on the cluster (inactive ones included),
  // as the affinity check counts them.
  virtual Result<int64_t> CountLiveClusterInstallations(std::string_view cluster_id) = 0;
  // True if an installation in `deletion-in-progress` has a cluster installation (deleted or
  // not) on the cluster (API cluster delete, §3.1 (15) step 4).
  virtual Result<bool> HasInstallationDeletingOnCluster(std::string_view cluster_id) = 0;

  // Annotations. CreateClusterAnnotations gets-or-creates and links (kInvalidArgument for an
  // empty list, kAlreadyExists when one is already linked) and returns the new ones.
  virtual Result<std::vector<model::Annotation>> CreateClusterAnnotations(
      std::string_view cluster_id, const std::vector<std::string>& names) = 0;
  // Removes the link; kForbidden when the annotation is set on an installation that has a
  // non-deleted cluster installation on this cluster; unknown/unlinked names are a no-op.
  virtual Result<void> DeleteClusterAnnotation(std::string_view cluster_id,
                                               std::string_view name) = 0;
};

}  // namespace cloud::store
