// SqlClusterStore: ClusterStore over a SqlDatabase (SQLite or PostgreSQL, same SQL).
#pragma once

#include "common/clock.h"
#include "store/cluster_store.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// Lifecycle: created in app/ (or a test) and kept as long as the database; stateless apart
// from its references, so it is safe to use from several threads.
class SqlClusterStore final : public ClusterStore {
 public:
  SqlClusterStore(SqlDatabase& db, LockStore& locks, const Clock& clock)
      : db_(db), locks_(locks), clock_(clock) {}

  Result<std::optional<model::Cluster>> GetCluster(std::string_view id) override;
  Result<std::optional<model::ClusterDTO>> GetClusterDTO(std::string_view id) override;
  Result<std::vector<model::Cluster>> GetClusters(const ClusterListFilter& filter) override;
  Result<std::vector<model::ClusterDTO>> GetClusterDTOs(const ClusterListFilter& filter) override;
  Result<model::ClusterDTO> CreateCluster(model::Cluster cluster,
                                          const std::vector<std::string>& annotations,
                                          const EventOptions& event) override;
  Result<void> UpdateCluster(const model::Cluster& cluster, const Lease& lease,
                             const EventOptions& event = {}) override;
  Result<void> UpdateClusterState(std::string_view id, model::ClusterState state,
                                  const Lease& lease, const EventOptions& event = {}) override;
  Result<void> SetClusterAPISecurityLock(std::string_view id, bool locked) override;
  Result<void> DeleteCluster(std::string_view id, const Lease& lease) override;
  Result<std::vector<model::Cluster>> GetUnlockedClustersPendingWork() override;
  Result<Claimed<model::Cluster>> ClaimClustersPendingWork(std::string_view locker_id,
                                                           int64_t limit) override;
  Result<int64_t> CountLiveClusterInstallations(std::string_view cluster_id) override;
  Result<bool> HasInstallationDeletingOnCluster(std::string_view cluster_id) override;
  Result<std::vector<model::Annotation>> CreateClusterAnnotations(
      std::string_view cluster_id, const std::vector<std::string>& names) override;
  Result<void> DeleteClusterAnnotation(std::string_view cluster_id, std::string_view name) override;

 private:
  Result<void> WriteState(std::string_view id, const std::string& update_sql, SqlParams params,
                          const std::string& new_state, const Lease& lease,
                          const EventOptions& event);
  Result<std::vector<model::Cluster>> SelectClusters(const std::string& where,
                                                     const SqlParams& params,
                                                     const std::string& suffix);

  SqlDatabase& db_;
  LockStore& locks_;
  const Clock& clock_;
};

}  // namespace cloud::store
