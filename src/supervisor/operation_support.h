// Helpers shared by the backup, DB restoration and DB migration supervisors: a scoped extra
// lease (upstream's `TryLock` + deferred `Unlock` on the installation or a cluster
// installation), upstream's claimClusterInstallation and getClusterForClusterInstallation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/logging.h"
#include "common/result.h"
#include "model/cluster.h"
#include "model/cluster_installation.h"
#include "store/cluster_installation_store.h"
#include "store/cluster_store.h"
#include "store/lock_store.h"

namespace cloud::supervisor {

// A lease released when the guard is destroyed (move-only). Release failures are logged.
class HeldLease {
 public:
  HeldLease(store::LockStore& locks, store::Lease lease, Logger log)
      : locks_(&locks), lease_(std::move(lease)), log_(std::move(log)) {}
  HeldLease(HeldLease&& other) noexcept
      : locks_(other.locks_), lease_(std::move(other.lease_)), log_(std::move(other.log_)) {
    other.lease_.reset();
  }
  HeldLease& operator=(HeldLease&&) = delete;
  HeldLease(const HeldLease&) = delete;
  HeldLease& operator=(const HeldLease&) = delete;
  ~HeldLease();

  const store::Lease& lease() const { return *lease_; }

 private:
  store::LockStore* locks_;
  std::optional<store::Lease> lease_;
  Logger log_;
};

// Leases one row for `locker_id`. Errors: kConflict (held elsewhere), kNotFound, store errors.
Result<HeldLease> LeaseRow(store::LockStore& locks, store::LockTable table, std::string_view id,
                           std::string_view locker_id, const Logger& log);

// A cluster installation claimed for an operation, with its lease.
struct ClaimedClusterInstallation {
  model::ClusterInstallation ci;
  HeldLease lease;
};

// Upstream claimClusterInstallation: the first of the installation's live cluster installations
// (CreateAt ASC) that can be leased. Errors: kNotFound when it has none, kConflict when every
// one is leased elsewhere, store errors.
Result<ClaimedClusterInstallation> ClaimClusterInstallation(
    store::ClusterInstallationStore& cluster_installations, store::LockStore& locks,
    std::string_view installation_id, std::string_view locker_id, const Logger& log);

// Upstream getClusterForClusterInstallation. Errors: kNotFound when the cluster installation ID
// is empty or the cluster installation or its cluster is missing; store errors.
Result<model::Cluster> ClusterOfClusterInstallation(
    store::ClusterInstallationStore& cluster_installations, store::ClusterStore& clusters,
    std::string_view cluster_installation_id);

}  // namespace cloud::supervisor
