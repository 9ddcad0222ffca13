// SqlClusterInstallationStore: ClusterInstallationStore over a SqlDatabase.
#pragma once

#include <optional>

#include "common/clock.h"
#include "store/cluster_installation_store.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// Lifecycle: created in app/ (or a test); stateless apart from its references, thread-safe.
class SqlClusterInstallationStore final : public ClusterInstallationStore {
 public:
  SqlClusterInstallationStore(SqlDatabase& db, LockStore& locks, const Clock& clock)
      : db_(db), locks_(locks), clock_(clock) {}

  Result<std::optional<model::ClusterInstallation>> GetClusterInstallation(
      std::string_view id) override;
  Result<std::vector<model::ClusterInstallation>> GetClusterInstallations(
      const model::ClusterInstallationFilter& filter) override;
  Result<model::ClusterInstallation> CreateClusterInstallation(model::ClusterInstallation ci,
                                                               const Lease* scheduling_lease,
                                                               const EventOptions& event) override;
  Result<void> UpdateClusterInstallation(const model::ClusterInstallation& ci, const Lease& lease,
                                         const EventOptions& event = {}) override;
  Result<void> UpdateClusterInstallationAndRelease(const model::ClusterInstallation& ci,
                                                   const Lease& lease,
                                                   const EventOptions& event = {}) override;
  Result<void> UpdateClusterInstallationState(std::string_view id,
                                              model::ClusterInstallationState state,
                                              const Lease& lease,
                                              const EventOptions& event = {}) override;
  Result<void> SetClusterInstallationAPISecurityLock(std::string_view id, bool locked) override;
  Result<void> DeleteClusterInstallation(std::string_view id, const Lease& lease) override;
  Result<std::vector<model::ClusterInstallation>> GetUnlockedClusterInstallationsPendingWork()
      override;
  Result<Claimed<model::ClusterInstallation>> ClaimClusterInstallationsPendingWork(
      std::string_view locker_id, int64_t limit) override;
  Result<Claimed<model::ClusterInstallation>> LockClusterInstallationsOfInstallation(
      std::string_view installation_id, std::string_view locker_id, bool include_deleted) override;
  Result<int64_t> MigrateClusterInstallations(std::string_view source_cluster_id,
                                              std::string_view target_cluster_id,
                                              std::string_view installation_id) override;
  Result<void> SwitchDNS(const std::vector<std::string>& old_ci_ids,
                         const std::vector<std::string>& new_ci_ids,
                         const std::vector<std::string>& installation_ids,
                         const std::vector<std::string>& hibernating_installation_ids) override;
  Result<int64_t> DeleteInactiveClusterInstallationsOfCluster(std::string_view cluster_id) override;
  Result<model::ClusterInstallation> RequestClusterInstallationDeletion(
      std::string_view id) override;

 private:
  Result<std::vector<model::ClusterInstallation>> Select(SqlExecutor& db, const std::string& where,
                                                         const SqlParams& params,
                                                         const std::string& suffix);
  // `UPDATE ClusterInstallation SET <set> WHERE ID = id` fenced by `lease` (`params` are $1..$n
  // of `set`) and its state-change event in the same transaction; `new_cluster_id` is the
  // ClusterID the write sets, if it sets one.
  Result<void> WriteState(std::string_view id, std::string_view set, SqlParams params,
                          const std::string& new_state, std::optional<std::string> new_cluster_id,
                          const Lease& lease, const EventOptions& event);

  SqlDatabase& db_;
  LockStore& locks_;
  const Clock& clock_;
};

}  // namespace cloud::store
