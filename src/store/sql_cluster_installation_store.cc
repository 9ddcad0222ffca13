#include "store/sql_cluster_installation_store.h"

#include "common/id.h"
#include "model/installation_states.h"
#include "store/sql_fenced_write.h"
#include "store/sql_resource_helpers.h"

namespace cloud::store {
namespace {

using sql_internal::InList;
using sql_internal::Param;
using CIState = model::ClusterInstallationState;

constexpr std::string_view kSelectCI =
    "SELECT ID, ClusterID, InstallationID, Namespace, State, CreateAt, DeleteAt, APISecurityLock, "
    "LockAcquiredBy, LockAcquiredAt, IsActive FROM ClusterInstallation";
constexpr std::string_view kInsertCI =
    "INSERT INTO ClusterInstallation (ID, ClusterID, InstallationID, Namespace, State, CreateAt, "
    "DeleteAt, APISecurityLock, LockAcquiredBy, LockAcquiredAt, IsActive) VALUES ($1, $2, $3, $4, "
    "$5, $6, 0, $7, NULL, 0, $8)";
constexpr std::string_view kUpdateCISet =
    "ClusterID = $1, InstallationID = $2, Namespace = $3, State = $4";
// A no-op write that proves (and, on PostgreSQL, row-locks) the scheduling lease until commit.
constexpr std::string_view kTouchSchedulingLease =
    "UPDATE Cluster SET SchedulingLockFencingToken = SchedulingLockFencingToken WHERE ID = $1";
constexpr std::string_view kSetActive = "UPDATE ClusterInstallation SET IsActive = $1 WHERE ID IN ";
constexpr std::string_view kSetInstallationsState =
    "UPDATE Installation SET State = $1 WHERE ID IN ";

std::string StateText(CIState state) { return std::string(model::ToString(state)); }

Result<model::ClusterInstallation> FromRow(const Row& row) {
  model::ClusterInstallation ci;
  ci.id = row.GetString("ID");
  ci.cluster_id = row.GetString("ClusterID");
  ci.installation_id = row.GetString("InstallationID");
  ci.namespace_ = row.GetString("Namespace");
  CLOUD_TRY(ci.state, sql_internal::ParseStored<CIState>(row.GetString("State"),
                                                         "cluster installation state"));
  ci.create_at = row.GetInt64("CreateAt");
  ci.delete_at = row.GetInt64("DeleteAt");
  ci.api_security_lock = row.GetBool("APISecurityLock");
  ci.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  ci.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  ci.is_active = row.GetBool("IsActive");
  return ci;
}

std::string PendingWorkCondition(SqlParams& params) {
  return "State IN (" +
         InList(params, sql_internal::EnumStrings<CIState>(
                            model::AllClusterInstallationStatesPendingWork())) +
         ")";
}

Result<model::ClusterInstallation> InsertTx(SqlExecutor& tx, model::ClusterInstallation ci,
                                            int64_t now) {
  ci.id = NewId();
  ci.create_at = now;
  ci.delete_at = 0;
  ci.lock_acquired_by.reset();
  ci.lock_acquired_at = 0;
  CLOUD_TRY(int64_t inserted, tx.Exec(kInsertCI, {ci.id, ci.cluster_id, ci.installation_id,
                                                  ci.namespace_, StateText(ci.state), ci.create_at,
                                                  ci.api_security_lock, ci.is_active}));
  (void)inserted;
  return ci;
}

}  // namespace

Result<std::vector<model::ClusterInstallation>> SqlClusterInstallationStore::Select(
    SqlExecutor& db, const std::string& where, const SqlParams& params, const std::string& suffix) {
  std::string sql(kSelectCI);
  if (!where.empty()) sql += " WHERE " + where;
  sql += suffix;
  CLOUD_TRY(Rows rows, db.Query(sql, params));
  std::vector<model::ClusterInstallation> out;
  out.reserve(rows.size());
  for (Row row : rows) {
    CLOUD_TRY(model::ClusterInstallation ci, FromRow(row));
    out.push_back(std::move(ci));
  }
  return out;
}

Result<std::optional<model::ClusterInstallation>>
SqlClusterInstallationStore::GetClusterInstallation(std::string_view id) {
  CLOUD_TRY(auto rows, Select(db_, "ID = $1", {std::string(id)}, ""));
  if (rows.empty()) return std::optional<model::ClusterInstallation>();
  return std::optional<model::ClusterInstallation>(std::move(rows.front()));
}

Result<std::vector<model::ClusterInstallation>>
SqlClusterInstallationStore::GetClusterInstallations(
    const model::ClusterInstallationFilter& filter) {
  SqlParams params;
  std::vector<std::string> conditions;
  if (!filter.paging.include_deleted) conditions.push_back("DeleteAt = 0");
  if (!filter.ids.empty()) conditions.push_back("ID IN (" + InList(params, filter.ids) + ")");
  if (!filter.cluster_id.empty()) {
    conditions.push_back("ClusterID = " + Param(params, filter.cluster_id));
  }
  if (!filter.installation_id.empty()) {
    conditions.push_back("InstallationID = " + Param(params, filter.installation_id));
  }
  if (filter.is_active) conditions.push_back("IsActive = " + Param(params, *filter.is_active));
  std::string where;
  for (const std::string& c : conditions) where += (where.empty() ? "" : " AND ") + c;
  return Select(db_, where, params,
                " ORDER BY CreateAt ASC, ID ASC" + sql_internal::PagingSql(filter.paging));
}

Result<model::ClusterInstallation> SqlClusterInstallationStore::CreateClusterInstallation(
    model::ClusterInstallation ci, const Lease* scheduling_lease, const EventOptions& event) {
  if (scheduling_lease != nullptr) {
    CLOUD_TRY_VOID(sql_internal::CheckLease(*scheduling_lease, {LockTable::kClusterScheduling},
                                            ci.cluster_id));
  }
  model::ClusterInstallation out;
  auto done = RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    if (scheduling_lease != nullptr) {
      CLOUD_TRY_VOID(
          FencedExec(tx, kTouchSchedulingLease, {ci.cluster_id}, *scheduling_lease, ci.cluster_id));
    }
    CLOUD_TRY(out, InsertTx(tx, ci, clock_.NowMillis()));
    return sql_internal::AppendEventFor(tx, event, model::ResourceType::kClusterInstallation,
                                        out.id, std::string(model::kNotApplicableState),
                                        StateText(out.state), {{"ClusterID", out.cluster_id}},
                                        clock_);
  });
  if (!done) return std::move(done).error();
  return out;
}

Result<void> SqlClusterInstallationStore::WriteState(std::string_view id, std::string_view set,
                                                     SqlParams params, const std::string& new_state,
                                                     std::optional<std::string> new_cluster_id,
                                                     const Lease& lease,
                                                     const EventOptions& event) {
  CLOUD_TRY_VOID(sql_internal::CheckLease(lease, {LockTable::kClusterInstallation}, id));
  if (event.mode == EventOptions::Mode::kNone) {
    // No event: the fenced write alone (one statement is atomic on its own).
    return FencedWrite(db_, "ClusterInstallation", "cluster installation", set, std::move(params),
                       lease, id);
  }
  return RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY(Rows old, FencedUpdateReturningOld(tx, "ClusterInstallation", "cluster installation",
                                                 set, params, "State, ClusterID", lease, id));
    const Row before = old.front();
    // The event names the cluster the cluster installation is on after the write.
    return sql_internal::AppendEventFor(
        tx, event, model::ResourceType::kClusterInstallation, std::string(id), before.GetString(0),
        new_state, {{"ClusterID", new_cluster_id.value_or(before.GetString(1))}}, clock_);
  });
}

Result<void> SqlClusterInstallationStore::UpdateClusterInstallation(
    const model::ClusterInstallation& ci, const Lease& lease, const EventOptions& event) {
  return WriteState(ci.id, kUpdateCISet,
                    {ci.cluster_id, ci.installation_id, ci.namespace_, StateText(ci.state)},
                    StateText(ci.state), ci.cluster_id, lease, event);
}

Result<void> SqlClusterInstallationStore::UpdateClusterInstallationAndRelease(
    const model::ClusterInstallation& ci, const Lease& lease, const EventOptions& event) {
  CLOUD_TRY_VOID(RequireOneRowLease(lease));
  return WriteState(ci.id, std::string(kUpdateCISet).append(kReleaseLeaseSet),
                    {ci.cluster_id, ci.installation_id, ci.namespace_, StateText(ci.state)},
                    StateText(ci.state), ci.cluster_id, lease, event);
}

Result<void> SqlClusterInstallationStore::UpdateClusterInstallationState(
    std::string_view id, CIState state, const Lease& lease, const EventOptions& event) {
  return WriteState(id, "State = $1", {StateText(state)}, StateText(state), std::nullopt, lease,
                    event);
}

Result<void> SqlClusterInstallationStore::SetClusterInstallationAPISecurityLock(std::string_view id,
                                                                                bool locked) {
  return sql_internal::SetApiSecurityLock(db_, "ClusterInstallation", id, locked);
}

Result<void> SqlClusterInstallationStore::DeleteClusterInstallation(std::string_view id,
                                                                    const Lease& lease) {
  CLOUD_TRY_VOID(sql_internal::CheckLease(lease, {LockTable::kClusterInstallation}, id));
  return sql_internal::SoftDelete(db_, "ClusterInstallation", id, clock_.NowMillis(), &lease);
}

Result<std::vector<model::ClusterInstallation>>
SqlClusterInstallationStore::GetUnlockedClusterInstallationsPendingWork() {
  SqlParams params;
  std::string where = PendingWorkCondition(params);
  SqlFragment available =
      locks_.AvailableCondition(LockTable::kClusterInstallation, params.size() + 1);
  params.insert(params.end(), available.params.begin(), available.params.end());
  return Select(db_, where + " AND " + available.sql, params, " ORDER BY CreateAt ASC, ID ASC");
}

Result<Claimed<model::ClusterInstallation>>
SqlClusterInstallationStore::ClaimClusterInstallationsPendingWork(std::string_view locker_id,
                                                                  int64_t limit) {
  ClaimRequest request;
  request.table = LockTable::kClusterInstallation;
  request.locker_id = std::string(locker_id);
  request.limit = limit;
  SqlParams params(kClaimFirstParam - 1);
  request.where = PendingWorkCondition(params);
  request.where_params.assign(params.begin() + (kClaimFirstParam - 1), params.end());
  request.order_by = "CreateAt ASC, ID ASC";
  Claimed<model::ClusterInstallation> out;
  CLOUD_TRY(out.lease, locks_.ClaimAvailable(request));
  if (out.lease.rows.empty()) return out;
  std::vector<std::string> ids;
  for (const LeasedRow& row : out.lease.rows) ids.push_back(row.id);
  SqlParams id_params;
  CLOUD_TRY(out.rows, Select(db_, "ID IN (" + InList(id_params, ids) + ")", id_params,
                             " ORDER BY CreateAt ASC, ID ASC"));
  return out;
}

Result<Claimed<model::ClusterInstallation>>
SqlClusterInstallationStore::LockClusterInstallationsOfInstallation(
    std::string_view installation_id, std::string_view locker_id, bool include_deleted) {
  Claimed<model::ClusterInstallation> out;
  out.lease.table = LockTable::kClusterInstallation;
  out.lease.locker_id = std::string(locker_id);
  const std::string where =
      std::string("InstallationID = $1") + (include_deleted ? "" : " AND DeleteAt = 0");
  CLOUD_TRY(auto cis, Select(db_, where, {std::string(installation_id)}, ""));
  if (cis.empty()) return out;
  std::vector<std::string> ids;
  for (const auto& ci : cis) ids.push_back(ci.id);
  CLOUD_TRY(out.lease, locks_.Acquire(LockTable::kClusterInstallation, ids, locker_id));
  SqlParams id_params;
  CLOUD_TRY(out.rows, Select(db_, "ID IN (" + InList(id_params, ids) + ")", id_params,
                             " ORDER BY CreateAt ASC, ID ASC"));
  return out;
}

Result<int64_t> SqlClusterInstallationStore::MigrateClusterInstallations(
    std::string_view source_cluster_id, std::string_view target_cluster_id,
    std::string_view installation_id) {
  int64_t migrated = 0;
  auto done = RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    migrated = 0;
    SqlParams params = {std::string(source_cluster_id), std::string(target_cluster_id)};
    std::string where =
        "ClusterID = $1 AND IsActive = true AND DeleteAt = 0 AND InstallationID NOT IN (SELECT "
        "InstallationID FROM ClusterInstallation WHERE ClusterID = $2 AND IsActive = false AND "
        "DeleteAt = 0)";
    if (!installation_id.empty()) {
      where += " AND InstallationID = " + Param(params, std::string(installation_id));
    }
    CLOUD_TRY(auto sources, Select(tx, where, params, " ORDER BY CreateAt ASC, ID ASC"));
    const int64_t now = clock_.NowMillis();
    for (model::ClusterInstallation copy : sources) {
      copy.cluster_id = std::string(target_cluster_id);
      copy.state = CIState::kCreationRequested;
      copy.is_active = false;
      CLOUD_TRY(model::ClusterInstallation inserted, InsertTx(tx, std::move(copy), now));
      (void)inserted;
      ++migrated;
    }
    return Ok();
  });
  if (!done) return std::move(done).error();
  return migrated;
}

Result<void> SqlClusterInstallationStore::SwitchDNS(
    const std::vector<std::string>& old_ci_ids, const std::vector<std::string>& new_ci_ids,
    const std::vector<std::string>& installation_ids,
    const std::vector<std::string>& hibernating_installation_ids) {
  return RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    const auto set_active = [&](const std::vector<std::string>& ids, bool active) -> Result<void> {
      if (ids.empty()) return Ok();
      SqlParams params = {active};
      CLOUD_TRY(int64_t n,
                tx.Exec(std::string(kSetActive) + "(" + InList(params, ids) + ")", params));
      (void)n;
      return Ok();
    };
    const auto set_state = [&](const std::vector<std::string>& ids,
                               model::InstallationState state) -> Result<void> {
      if (ids.empty()) return Ok();
      SqlParams params = {std::string(model::ToString(state))};
      CLOUD_TRY(
          int64_t n,
          tx.Exec(std::string(kSetInstallationsState) + "(" + InList(params, ids) + ")", params));
      (void)n;
      return Ok();
    };
    CLOUD_TRY_VOID(set_active(old_ci_ids, false));
    CLOUD_TRY_VOID(set_active(new_ci_ids, true));
    CLOUD_TRY_VOID(set_state(installation_ids, model::InstallationState::kCreationDNS));
    return set_state(hibernating_installation_ids,
                     model::InstallationState::kDNSMigrationHibernating);
  });
}

Result<int64_t> SqlClusterInstallationStore::DeleteInactiveClusterInstallationsOfCluster(
    std::string_view cluster_id) {
  return db_.Exec(
      "UPDATE ClusterInstallation SET State = $1 WHERE ClusterID = $2 AND IsActive = false AND "
      "DeleteAt = 0",
      {StateText(CIState::kDeletionRequested), std::string(cluster_id)});
}

Result<model::ClusterInstallation> SqlClusterInstallationStore::RequestClusterInstallationDeletion(
    std::string_view id) {
  CLOUD_TRY(int64_t changed, db_.Exec("UPDATE ClusterInstallation SET State = $1 WHERE ID = $2",
                                      {StateText(CIState::kDeletionRequested), std::string(id)}));
  if (changed == 0) return NotFound("cluster installation " + std::string(id) + " not found");
  CLOUD_TRY(auto ci, GetClusterInstallation(id));
  if (!ci) return NotFound("cluster installation " + std::string(id) + " not found");
  return std::move(*ci);
}

}  // namespace cloud::store
