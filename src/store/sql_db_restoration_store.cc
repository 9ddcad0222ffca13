#include "store/sql_db_restoration_store.h"

#include <utility>

#include "common/id.h"
#include "model/installation_states.h"
#include "store/sql_fenced_write.h"
#include "store/sql_where_builder.h"

namespace cloud::store {
namespace {

using model::InstallationDBRestorationOperation;
using Extra = std::map<std::string, std::string>;

constexpr std::string_view kTable = "InstallationDBRestorationOperation";
constexpr std::string_view kWhat = "installation DB restoration operation";
constexpr StateRow kStateRow{kTable, kWhat, model::ResourceType::kInstallationDBRestoration};
constexpr std::string_view kSelectRestorations =
    "SELECT ID, InstallationID, BackupID, RequestAt, State, TargetInstallationState, "
    "ClusterInstallationID, CompleteAt, DeleteAt, LockAcquiredBy, LockAcquiredAt "
    "FROM InstallationDBRestorationOperation";

std::vector<std::string> StateStrings(const auto& states) {
  std::vector<std::string> out;
  for (auto s : states) out.emplace_back(model::ToString(s));
  return out;
}

Result<InstallationDBRestorationOperation> FromRow(const Row& row) {
  InstallationDBRestorationOperation o;
  o.id = row.GetString("ID");
  o.installation_id = row.GetString("InstallationID");
  o.backup_id = row.GetString("BackupID");
  o.request_at = row.GetInt64("RequestAt");
  const std::string state = row.GetString("State");
  if (!model::ParseEnum(state, o.state)) {
    return Internal(std::string(kWhat) + " " + o.id + " has unknown state \"" + state + "\"");
  }
  o.target_installation_state = row.GetString("TargetInstallationState");
  o.cluster_installation_id = row.GetString("ClusterInstallationID");
  o.complete_at = row.GetInt64("CompleteAt");
  o.delete_at = row.GetInt64("DeleteAt");
  o.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  o.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  return o;
}

constexpr std::string_view kInsertRestoration =
    "INSERT INTO InstallationDBRestorationOperation (ID, InstallationID, BackupID, RequestAt, "
    "State, TargetInstallationState, ClusterInstallationID, CompleteAt, DeleteAt, "
    "LockAcquiredBy, LockAcquiredAt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, NULL, 0)";

constexpr std::string_view kUpdateRestorationState =
    "UPDATE InstallationDBRestorationOperation SET State = $1 WHERE ID = $2";

constexpr std::string_view kUpdateRestoration =
    "UPDATE InstallationDBRestorationOperation SET State = $1, TargetInstallationState = $2, "
    "ClusterInstallationID = $3, CompleteAt = $4 WHERE ID = $5";

}  // namespace

SqlDBRestorationStore::SqlDBRestorationStore(SqlDatabase& db, LockStore& locks, const Clock& clock,
                                             StateChangeHook hook)
    : db_(db), locks_(locks), clock_(clock), hook_(std::move(hook)) {}

Result<void> SqlDBRestorationStore::Insert(SqlExecutor& tx,
                                           const InstallationDBRestorationOperation& o,
                                           const Extra& extra) {
  const std::string state(model::ToString(o.state));
  CLOUD_TRY_VOID(tx.Exec(kInsertRestoration,
                         {o.id, o.installation_id, o.backup_id, o.request_at, state,
                          o.target_installation_state, o.cluster_installation_id, o.complete_at}));
  return RunStateChangeHook(hook_, clock_, tx,
                            {model::ResourceType::kInstallationDBRestoration, o.id,
                             std::string(model::kNotApplicableState), state, extra});
}

namespace {
void PrepareForInsert(InstallationDBRestorationOperation& o, const Clock& clock) {
  o.id = NewId();
  o.request_at = clock.NowMillis();
  o.delete_at = 0;
  o.lock_acquired_by.reset();
  o.lock_acquired_at = 0;
}
}  // namespace

Result<InstallationDBRestorationOperation>
SqlDBRestorationStore::CreateInstallationDBRestorationOperation(
    InstallationDBRestorationOperation operation, const Extra& extra) {
  PrepareForInsert(operation, clock_);
  Result<void> written = RunInTransaction(
      db_, [&](SqlExecutor& tx) -> Result<void> { return Insert(tx, operation, extra); });
  if (!written) return std::move(written).error();
  return operation;
}

Result<InstallationDBRestorationOperation> SqlDBRestorationStore::TriggerInstallationDBRestoration(
    InstallationDBRestorationOperation operation, const Lease& installation_lease,
    const Extra& operation_extra, const Extra& installation_extra) {
  PrepareForInsert(operation, clock_);
  const std::string target(model::ToString(model::InstallationState::kDBRestorationInProgress));
  Result<void> written = RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY_VOID(Insert(tx, operation, operation_extra));
    return FencedInstallationStateChange(tx, operation.installation_id, target, installation_lease,
                                         clock_, /*emit_event=*/true, installation_extra);
  });
  if (!written) return std::move(written).error();
  return operation;
}

Result<std::vector<InstallationDBRestorationOperation>> SqlDBRestorationStore::Select(
    const std::string& where_and_order, const SqlParams& params) {
  CLOUD_TRY(Rows rows, db_.Query(std::string(kSelectRestorations) + where_and_order, params));
  std::vector<InstallationDBRestorationOperation> out;
  out.reserve(rows.size());
  for (Row row : rows) {
    CLOUD_TRY(InstallationDBRestorationOperation o, FromRow(row));
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::optional<InstallationDBRestorationOperation>>
SqlDBRestorationStore::GetInstallationDBRestorationOperation(std::string_view id) {
  CLOUD_TRY(auto rows, Select(" WHERE ID = $1", {std::string(id)}));
  if (rows.empty()) return std::optional<InstallationDBRestorationOperation>();
  return std::optional<InstallationDBRestorationOperation>(std::move(rows.front()));
}

Result<std::vector<InstallationDBRestorationOperation>>
SqlDBRestorationStore::GetInstallationDBRestorationOperations(
    const model::InstallationDBRestorationFilter& filter) {
  SqlWhereBuilder w;
  w.NotDeletedUnless(filter.paging);
  w.WhereIn("ID", filter.ids);
  if (!filter.installation_id.empty()) w.WhereEq("InstallationID", filter.installation_id);
  if (!filter.cluster_installation_id.empty()) {
    w.WhereEq("ClusterInstallationID", filter.cluster_installation_id);
  }
  if (!filter.state.empty()) w.WhereEq("State", filter.state);
  w.WhereIn("State", StateStrings(filter.states));
  const std::string where = w.WhereClause() + " ORDER BY RequestAt DESC, ID";
  const std::string limit = w.Limit(filter.paging);
  return Select(where + limit, w.params());
}

Result<std::vector<InstallationDBRestorationOperation>>
SqlDBRestorationStore::GetUnlockedInstallationDBRestorationOperationsPendingWork() {
  SqlWhereBuilder w;
  w.WhereIn("State", StateStrings(model::kRestorationStatesPendingWork));
  w.Where(locks_.AvailableCondition(LockTable::kInstallationDBRestorationOperation, w.NextParam()));
  return Select(w.WhereClause() + " ORDER BY RequestAt ASC, ID", w.params());
}

Result<DBRestorationClaim>
SqlDBRestorationStore::ClaimInstallationDBRestorationOperationsPendingWork(
    std::string_view locker_id, int64_t limit) {
  ClaimRequest request;
  request.table = LockTable::kInstallationDBRestorationOperation;
  request.locker_id = std::string(locker_id);
  request.limit = limit;
  const std::vector<std::string> states = StateStrings(model::kRestorationStatesPendingWork);
  request.where = "State IN (" + Placeholders(kClaimFirstParam, states.size()) + ")";
  request.where_params.assign(states.begin(), states.end());
  request.order_by = "RequestAt ASC, ID";
  CLOUD_TRY(Lease lease, locks_.ClaimAvailable(request));
  DBRestorationClaim claim{std::move(lease), {}};
  if (claim.lease.rows.empty()) return claim;
  std::vector<std::string> ids;
  for (const LeasedRow& row : claim.lease.rows) ids.push_back(row.id);
  SqlWhereBuilder w;
  w.WhereIn("ID", ids);
  CLOUD_TRY(claim.operations, Select(w.WhereClause() + " ORDER BY RequestAt ASC, ID", w.params()));
  return claim;
}

Result<void> SqlDBRestorationStore::UpdateInstallationDBRestorationOperationState(
    std::string_view id, model::RestorationState state, const Lease& lease, const Extra& extra) {
  const std::string new_state(model::ToString(state));
  return FencedStateChange(db_, kStateRow, id, kUpdateRestorationState,
                           {new_state, std::string(id)}, lease, new_state, extra, hook_, clock_);
}

Result<void> SqlDBRestorationStore::UpdateInstallationDBRestorationOperation(
    const InstallationDBRestorationOperation& o, const Lease& lease, const Extra& extra) {
  const std::string new_state(model::ToString(o.state));
  return FencedStateChange(
      db_, kStateRow, o.id, kUpdateRestoration,
      {new_state, o.target_installation_state, o.cluster_installation_id, o.complete_at, o.id},
      lease, new_state, extra, hook_, clock_);
}

Result<void> SqlDBRestorationStore::DeleteInstallationDBRestorationOperation(std::string_view id,
                                                                             const Lease& lease) {
  return FencedSoftDelete(db_, kTable, id, lease, clock_.NowMillis());
}

}  // namespace cloud::store
