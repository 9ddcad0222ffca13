// Helpers shared by the operation supervisors (backup, DB restoration, DB migration).
#include "supervisor/operation_support.h"

#include <vector>

namespace cloud::supervisor {

HeldLease::~HeldLease() {
  if (!lease_) return;
  if (Result<void> released = locks_->Release(*lease_); !released) {
    log_.Warn("failed to release lease", released.error());
  }
}

Result<HeldLease> LeaseRow(store::LockStore& locks, store::LockTable table, std::string_view id,
                           std::string_view locker_id, const Logger& log) {
  CLOUD_TRY(store::Lease lease, locks.AcquireOne(table, id, locker_id));
  return HeldLease(locks, std::move(lease), log);
}

Result<ClaimedClusterInstallation> ClaimClusterInstallation(
    store::ClusterInstallationStore& cluster_installations, store::LockStore& locks,
    std::string_view installation_id, std::string_view locker_id, const Logger& log) {
  model::ClusterInstallationFilter filter;
  filter.paging = model::AllPagesNotDeleted();
  filter.installation_id = std::string(installation_id);
  CLOUD_TRY(std::vector<model::ClusterInstallation> cis,
            cluster_installations.GetClusterInstallations(filter));
  if (cis.empty()) {
    return NotFound("no cluster installations found for installation " +
                    std::string(installation_id));
  }
  for (model::ClusterInstallation& ci : cis) {
    Result<HeldLease> lease =
        LeaseRow(locks, store::LockTable::kClusterInstallation, ci.id, locker_id, log);
    if (lease) return ClaimedClusterInstallation{std::move(ci), std::move(*lease)};
    if (lease.error().code != ErrorCode::kConflict && lease.error().code != ErrorCode::kNotFound) {
      return lease.error();
    }
  }
  return Conflict("failed to claim a cluster installation of installation " +
                  std::string(installation_id) + ": all are locked");
}

Result<model::Cluster> ClusterOfClusterInstallation(
    store::ClusterInstallationStore& cluster_installations, store::ClusterStore& clusters,
    std::string_view cluster_installation_id) {
  if (cluster_installation_id.empty()) return NotFound("no cluster installation assigned");
  CLOUD_TRY(std::optional<model::ClusterInstallation> ci,
            cluster_installations.GetClusterInstallation(cluster_installation_id));
  if (!ci) {
    return NotFound("cluster installation " + std::string(cluster_installation_id) + " not found");
  }
  CLOUD_TRY(std::optional<model::Cluster> cluster, clusters.GetCluster(ci->cluster_id));
  if (!cluster) return NotFound("cluster " + ci->cluster_id + " not found");
  return std::move(*cluster);
}

}  // namespace cloud::supervisor
