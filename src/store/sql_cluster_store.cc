#include "store/sql_cluster_store.h"

#include "common/id.h"
#include "model/installation_states.h"
#include "store/sql_annotation_store.h"
#include "store/sql_resource_helpers.h"

namespace cloud::store {
namespace {

using sql_internal::DecodeColumn;
using sql_internal::InList;
using sql_internal::JsonText;
using sql_internal::Param;

constexpr std::string_view kSelectCluster =
    "SELECT ID, Name, Provider, Provisioner, ProviderMetadataRaw, ProvisionerMetadataRaw, "
    "UtilityMetadataRaw, State, AllowInstallations, CreateAt, DeleteAt, APISecurityLock, "
    "LockAcquiredBy, LockAcquiredAt, PgBouncerConfig, SchedulingLockAcquiredBy, "
    "SchedulingLockAcquiredAt FROM Cluster";

constexpr std::string_view kInsertCluster =
    "INSERT INTO Cluster (ID, Name, Provider, Provisioner, ProviderMetadataRaw, "
    "ProvisionerMetadataRaw, UtilityMetadataRaw, State, AllowInstallations, CreateAt, DeleteAt, "
    "APISecurityLock, LockAcquiredBy, LockAcquiredAt, PgBouncerConfig, SchedulingLockAcquiredBy, "
    "SchedulingLockAcquiredAt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, NULL, 0, "
    "$12, NULL, 0)";

// Upstream's column-restricted UpdateCluster (upstream-core.md §3.6).
constexpr std::string_view kUpdateCluster =
    "UPDATE Cluster SET State = $1, Name = $2, Provider = $3, Provisioner = $4, "
    "ProviderMetadataRaw = $5, ProvisionerMetadataRaw = $6, UtilityMetadataRaw = $7, "
    "PgBouncerConfig = $8, AllowInstallations = $9 WHERE ID = $10";

constexpr std::string_view kUpdateClusterState = "UPDATE Cluster SET State = $1 WHERE ID = $2";

constexpr std::string_view kSelectClusterState = "SELECT State FROM Cluster WHERE ID = $1";

constexpr std::string_view kCountLiveClusterInstallations =
    "SELECT count(*) FROM ClusterInstallation WHERE ClusterID = $1 AND DeleteAt = 0";

constexpr std::string_view kInstallationDeletingOnCluster =
    "SELECT 1 FROM ClusterInstallation JOIN Installation ON Installation.ID = "
    "ClusterInstallation.InstallationID WHERE ClusterInstallation.ClusterID = $1 AND "
    "Installation.State = $2 LIMIT 1";

// Is annotation `name` set on an installation with a live CI on the cluster?
constexpr std::string_view kAnnotationUsedOnCluster =
    "SELECT 1 FROM InstallationAnnotation JOIN Annotation ON Annotation.ID = "
    "InstallationAnnotation.AnnotationID JOIN ClusterInstallation ON "
    "ClusterInstallation.InstallationID = InstallationAnnotation.InstallationID WHERE "
    "Annotation.Name = $1 AND ClusterInstallation.ClusterID = $2 AND ClusterInstallation.DeleteAt "
    "= 0 LIMIT 1";

// The three metadata blobs and the PgBouncer JSON, as upstream stores them: the provider and
// provisioner metadata matching the cluster's provider/provisioner, JSON `null` when unset.
struct ClusterColumns {
  Blob provider_metadata;
  Blob provisioner_metadata;
  Blob utility_metadata;
  std::string pg_bouncer_config;
};

ClusterColumns ToColumns(const model::Cluster& c) {
  ClusterColumns out;
  out.provider_metadata.bytes = c.provider == model::ClusterProvider::kExternal
                                    ? JsonText(c.provider_metadata_external)
                                    : JsonText(c.provider_metadata_aws);
  switch (c.provisioner) {
    case model::ClusterProvisioner::kKops:
      out.provisioner_metadata.bytes = JsonText(c.provisioner_metadata_kops);
      break;
    case model::ClusterProvisioner::kEks:
      out.provisioner_metadata.bytes = JsonText(c.provisioner_metadata_eks);
      break;
    case model::ClusterProvisioner::kExternal:
      out.provisioner_metadata.bytes = JsonText(c.provisioner_metadata_external);
      break;
  }
  out.utility_metadata.bytes = JsonText(c.utility_metadata);
  out.pg_bouncer_config = JsonText(c.pg_bouncer_config);
  return out;
}

// Go's rawCluster.toCluster.
Result<model::Cluster> FromRow(const Row& row) {
  model::Cluster c;
  c.id = row.GetString("ID");
  c.name = row.GetString("Name");
  CLOUD_TRY(c.state, sql_internal::ParseStored<model::ClusterState>(row.GetString("State"),
                                                                    "cluster state"));
  CLOUD_TRY(c.provider, sql_internal::ParseStored<model::ClusterProvider>(row.GetString("Provider"),
                                                                          "cluster provider"));
  CLOUD_TRY(c.provisioner, sql_internal::ParseStored<model::ClusterProvisioner>(
                               row.GetString("Provisioner"), "cluster provisioner"));
  const auto provider_raw = row.GetOptionalBlob("ProviderMetadataRaw");
  if (c.provider == model::ClusterProvider::kExternal) {
    CLOUD_TRY(c.provider_metadata_external,
              DecodeColumn<std::optional<model::ExternalProviderMetadata>>(
                  provider_raw, "cluster provider metadata"));
  } else {
    CLOUD_TRY(c.provider_metadata_aws, DecodeColumn<std::optional<model::AWSMetadata>>(
                                           provider_raw, "cluster provider metadata"));
  }
  const auto provisioner_raw = row.GetOptionalBlob("ProvisionerMetadataRaw");
  switch (c.provisioner) {
    case model::ClusterProvisioner::kKops: {
      CLOUD_TRY(c.provisioner_metadata_kops,
                DecodeColumn<std::optional<model::KopsMetadata>>(provisioner_raw, "kops metadata"));
      if (c.provisioner_metadata_kops) c.networking = c.provisioner_metadata_kops->networking;
      break;
    }
    case model::ClusterProvisioner::kEks: {
      CLOUD_TRY(c.provisioner_metadata_eks,
                DecodeColumn<std::optional<model::EKSMetadata>>(provisioner_raw, "EKS metadata"));
      if (c.provisioner_metadata_eks) c.networking = c.provisioner_metadata_eks->networking;
      break;
    }
    case model::ClusterProvisioner::kExternal: {
      CLOUD_TRY(c.provisioner_metadata_external,
                DecodeColumn<std::optional<model::ExternalClusterMetadata>>(
                    provisioner_raw, "external cluster metadata"));
      break;
    }
  }
  CLOUD_TRY(c.utility_metadata, DecodeColumn<std::optional<model::UtilityMetadata>>(
                                    row.GetOptionalBlob("UtilityMetadataRaw"), "utility metadata"));
  CLOUD_TRY(c.pg_bouncer_config, DecodeColumn<std::optional<model::PgBouncerConfig>>(
                                     row.GetOptionalString("PgBouncerConfig"), "PgBouncer config"));
  c.allow_installations = row.GetBool("AllowInstallations");
  c.create_at = row.GetInt64("CreateAt");
  c.delete_at = row.GetInt64("DeleteAt");
  c.api_security_lock = row.GetBool("APISecurityLock");
  c.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  c.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  c.scheduling_lock_acquired_by = row.GetOptionalString("SchedulingLockAcquiredBy");
  c.scheduling_lock_acquired_at = row.GetInt64("SchedulingLockAcquiredAt");
  return c;
}

std::string PendingWorkCondition(SqlParams& params) {
  return "State IN (" +
         InList(params,
                sql_internal::EnumStrings<model::ClusterState>(model::kClusterStatesPendingWork)) +
         ")";
}

}  // namespace

Result<std::vector<model::Cluster>> SqlClusterStore::SelectClusters(const std::string& where,
                                                                    const SqlParams& params,
                                                                    const std::string& suffix) {
  std::string sql(kSelectCluster);
  if (!where.empty()) sql += " WHERE " + where;
  sql += suffix;
  CLOUD_TRY(Rows rows, db_.Query(sql, params));
  std::vector<model::Cluster> out;
  out.reserve(rows.size());
  for (Row row : rows) {
    CLOUD_TRY(model::Cluster cluster, FromRow(row));
    out.push_back(std::move(cluster));
  }
  return out;
}

Result<std::optional<model::Cluster>> SqlClusterStore::GetCluster(std::string_view id) {
  CLOUD_TRY(auto clusters, SelectClusters("ID = $1", {std::string(id)}, ""));
  if (clusters.empty()) return std::optional<model::Cluster>();
  return std::optional<model::Cluster>(std::move(clusters.front()));
}

Result<std::optional<model::ClusterDTO>> SqlClusterStore::GetClusterDTO(std::string_view id) {
  CLOUD_TRY(std::optional<model::Cluster> cluster, GetCluster(id));
  if (!cluster) return std::optional<model::ClusterDTO>();
  CLOUD_TRY(auto annotations,
            sql_internal::AnnotationsForTx(db_, AnnotatedResource::kCluster, {cluster->id}));
  model::ClusterDTO dto{std::move(*cluster), {}};
  if (auto it = annotations.find(dto.cluster.id); it != annotations.end()) {
    dto.annotations = std::move(it->second);
  }
  return std::optional<model::ClusterDTO>(std::move(dto));
}

Result<std::vector<model::Cluster>> SqlClusterStore::GetClusters(const ClusterListFilter& filter) {
  SqlParams params;
  std::string where;
  if (!filter.paging.include_deleted) where = "DeleteAt = 0";
  if (!filter.annotation_ids.empty()) {
    if (!where.empty()) where += " AND ";
    where += sql_internal::MatchAllAnnotationsCondition(params, AnnotatedResource::kCluster, "ID",
                                                        filter.annotation_ids);
  }
  return SelectClusters(where, params,
                        " ORDER BY CreateAt ASC, ID ASC" + sql_internal::PagingSql(filter.paging));
}

Result<std::vector<model::ClusterDTO>> SqlClusterStore::GetClusterDTOs(
    const ClusterListFilter& filter) {
  CLOUD_TRY(std::vector<model::Cluster> clusters, GetClusters(filter));
  std::vector<std::string> ids;
  for (const model::Cluster& c : clusters) ids.push_back(c.id);
  CLOUD_TRY(auto annotations,
            sql_internal::AnnotationsForTx(db_, AnnotatedResource::kCluster, ids));
  std::vector<model::ClusterDTO> out;
  out.reserve(clusters.size());
  for (model::Cluster& c : clusters) {
    model::ClusterDTO dto{std::move(c), {}};
    if (auto it = annotations.find(dto.cluster.id); it != annotations.end()) {
      dto.annotations = it->second;
    }
    out.push_back(std::move(dto));
  }
  return out;
}

Result<model::ClusterDTO> SqlClusterStore::CreateCluster(
    model::Cluster cluster, const std::vector<std::string>& annotation_names,
    const EventOptions& event) {
  model::ClusterDTO dto;
  if (auto tx_done = RunInTransaction(
          db_,
          [&](SqlExecutor& tx) -> Result<void> {
            model::Cluster c = cluster;
            c.id = NewClusterId();
            c.create_at = clock_.NowMillis();
            c.delete_at = 0;
            c.lock_acquired_by.reset();
            c.lock_acquired_at = 0;
            c.scheduling_lock_acquired_by.reset();
            c.scheduling_lock_acquired_at = 0;
            const ClusterColumns cols = ToColumns(c);
            CLOUD_TRY(int64_t inserted,
                      tx.Exec(kInsertCluster,
                              {c.id, c.name, std::string(model::ToString(c.provider)),
                               std::string(model::ToString(c.provisioner)), cols.provider_metadata,
                               cols.provisioner_metadata, cols.utility_metadata,
                               std::string(model::ToString(c.state)), c.allow_installations,
                               c.create_at, c.api_security_lock, cols.pg_bouncer_config}));
            (void)inserted;
            std::vector<model::Annotation> annotations;
            if (!annotation_names.empty()) {
              CLOUD_TRY(annotations, sql_internal::LinkAnnotationsTx(
                                         tx, AnnotatedResource::kCluster, c.id, annotation_names));
            }
            CLOUD_TRY_VOID(
                sql_internal::AppendEventFor(tx, event, model::ResourceType::kCluster, c.id,
                                             std::string(model::kNotApplicableState),
                                             std::string(model::ToString(c.state)), {}, clock_));
            dto = model::ClusterDTO{std::move(c), std::move(annotations)};
            return Ok();
          });
      !tx_done) {
    return std::move(tx_done).error();
  }
  return dto;
}

Result<void> SqlClusterStore::WriteState(std::string_view id, const std::string& update_sql,
                                         SqlParams params, const std::string& new_state,
                                         const Lease& lease, const EventOptions& event) {
  CLOUD_TRY_VOID(
      sql_internal::CheckLease(lease, {LockTable::kCluster, LockTable::kClusterScheduling}, id));
  return RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY(Rows current, tx.Query(kSelectClusterState, {std::string(id)}));
    if (current.empty()) return NotFound("cluster " + std::string(id) + " not found");
    const std::string old_state = current.front().GetString(0);
    CLOUD_TRY_VOID(FencedExec(tx, update_sql, params, lease, id));
    return sql_internal::AppendEventFor(tx, event, model::ResourceType::kCluster, std::string(id),
                                        old_state, new_state, {}, clock_);
  });
}

Result<void> SqlClusterStore::UpdateCluster(const model::Cluster& c, const Lease& lease,
                                            const EventOptions& event) {
  const ClusterColumns cols = ToColumns(c);
  const std::string state(model::ToString(c.state));
  return WriteState(c.id, std::string(kUpdateCluster),
                    {state, c.name, std::string(model::ToString(c.provider)),
                     std::string(model::ToString(c.provisioner)), cols.provider_metadata,
                     cols.provisioner_metadata, cols.utility_metadata, cols.pg_bouncer_config,
                     c.allow_installations, c.id},
                    state, lease, event);
}

Result<void> SqlClusterStore::UpdateClusterState(std::string_view id, model::ClusterState state,
                                                 const Lease& lease, const EventOptions& event) {
  const std::string text(model::ToString(state));
  return WriteState(id, std::string(kUpdateClusterState), {text, std::string(id)}, text, lease,
                    event);
}

Result<void> SqlClusterStore::SetClusterAPISecurityLock(std::string_view id, bool locked) {
  return sql_internal::SetApiSecurityLock(db_, "Cluster", id, locked);
}

Result<void> SqlClusterStore::DeleteCluster(std::string_view id, const Lease& lease) {
  CLOUD_TRY_VOID(sql_internal::CheckLease(lease, {LockTable::kCluster}, id));
  return sql_internal::SoftDelete(db_, "Cluster", id, clock_.NowMillis(), &lease);
}

Result<std::vector<model::Cluster>> SqlClusterStore::GetUnlockedClustersPendingWork() {
  SqlParams params;
  std::string where = PendingWorkCondition(params);
  SqlFragment available = locks_.AvailableCondition(LockTable::kCluster, params.size() + 1);
  params.insert(params.end(), available.params.begin(), available.params.end());
  where += " AND " + available.sql;
  return SelectClusters(where, params, " ORDER BY CreateAt ASC, ID ASC");
}

Result<Claimed<model::Cluster>> SqlClusterStore::ClaimClustersPendingWork(
    std::string_view locker_id, int64_t limit) {
  ClaimRequest request;
  request.table = LockTable::kCluster;
  request.locker_id = std::string(locker_id);
  request.limit = limit;
  SqlParams params(kClaimFirstParam - 1);  // placeholders numbered from kClaimFirstParam
  request.where = PendingWorkCondition(params);
  request.where_params.assign(params.begin() + (kClaimFirstParam - 1), params.end());
  request.order_by = "CreateAt ASC, ID ASC";
  Claimed<model::Cluster> out;
  CLOUD_TRY(out.lease, locks_.ClaimAvailable(request));
  if (out.lease.rows.empty()) return out;
  SqlParams ids;
  std::vector<std::string> claimed;
  for (const LeasedRow& row : out.lease.rows) claimed.push_back(row.id);
  const std::string where = "ID IN (" + InList(ids, claimed) + ")";
  CLOUD_TRY(out.rows, SelectClusters(where, ids, " ORDER BY CreateAt ASC, ID ASC"));
  return out;
}

Result<int64_t> SqlClusterStore::CountLiveClusterInstallations(std::string_view cluster_id) {
  CLOUD_TRY(Rows rows, db_.Query(kCountLiveClusterInstallations, {std::string(cluster_id)}));
  return rows.front().GetInt64(0);
}

Result<bool> SqlClusterStore::HasInstallationDeletingOnCluster(std::string_view cluster_id) {
  CLOUD_TRY(
      Rows rows,
      db_.Query(kInstallationDeletingOnCluster,
                {std::string(cluster_id),
                 std::string(model::ToString(model::InstallationState::kDeletionInProgress))}));
  return !rows.empty();
}

Result<std::vector<model::Annotation>> SqlClusterStore::CreateClusterAnnotations(
    std::string_view cluster_id, const std::vector<std::string>& names) {
  if (names.empty()) return InvalidArgument("no annotations given");
  std::vector<model::Annotation> out;
  if (auto tx_done = RunInTransaction(db_,
                                      [&](SqlExecutor& tx) -> Result<void> {
                                        CLOUD_TRY(out, sql_internal::LinkAnnotationsTx(
                                                           tx, AnnotatedResource::kCluster,
                                                           cluster_id, names));
                                        return Ok();
                                      });
      !tx_done) {
    return std::move(tx_done).error();
  }
  return out;
}

Result<void> SqlClusterStore::DeleteClusterAnnotation(std::string_view cluster_id,
                                                      std::string_view name) {
  return RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY(Rows used,
              tx.Query(kAnnotationUsedOnCluster, {std::string(name), std::string(cluster_id)}));
    if (!used.empty()) {
      return Forbidden("annotation '" + std::string(name) +
                       "' is used by an installation scheduled on cluster " +
                       std::string(cluster_id));
    }
    CLOUD_TRY(int64_t deleted,
              tx.Exec("DELETE FROM ClusterAnnotation WHERE ClusterID = $1 AND AnnotationID IN "
                      "(SELECT ID FROM Annotation WHERE Name = $2)",
                      {std::string(cluster_id), std::string(name)}));
    (void)deleted;
    return Ok();
  });
}

}  // namespace cloud::store
