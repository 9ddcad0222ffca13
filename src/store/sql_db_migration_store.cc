#include "store/sql_db_migration_store.h"

#include <utility>

#include "common/id.h"
#include "model/installation_states.h"
#include "model/json_codec.h"
#include "store/sql_fenced_write.h"
#include "store/sql_where_builder.h"

namespace cloud::store {
namespace {

using model::InstallationDBMigrationOperation;
using model::MultiTenantDBMigrationData;
using Extra = std::map<std::string, std::string>;

constexpr std::string_view kTable = "InstallationDBMigrationOperation";
constexpr std::string_view kWhat = "installation DB migration operation";
constexpr StateRow kStateRow{kTable, kWhat, model::ResourceType::kInstallationDBMigration};
constexpr std::string_view kSelectMigrations =
    "SELECT ID, InstallationID, RequestAt, State, SourceDatabase, DestinationDatabase, "
    "SourceMultiTenantRaw, DestinationMultiTenantRaw, BackupID, "
    "InstallationDBRestorationOperationID, CompleteAt, DeleteAt, LockAcquiredBy, LockAcquiredAt "
    "FROM InstallationDBMigrationOperation";

std::vector<std::string> StateStrings(const auto& states) {
  std::vector<std::string> out;
  for (auto s : states) out.emplace_back(model::ToString(s));
  return out;
}

// Go: a raw column is decoded only when non-empty; NULL / empty leaves the field nil.
Result<std::optional<MultiTenantDBMigrationData>> DecodeMultiTenant(const Row& row,
                                                                    std::string_view column) {
  const std::string raw = row.GetBlob(column);
  if (raw.empty() || raw == "null") return std::optional<MultiTenantDBMigrationData>();
  CLOUD_TRY(MultiTenantDBMigrationData d, model::DecodeJson<MultiTenantDBMigrationData>(raw));
  return std::optional<MultiTenantDBMigrationData>(std::move(d));
}

// Written only when set (NULL otherwise), as upstream.
SqlValue EncodeMultiTenant(const std::optional<MultiTenantDBMigrationData>& data) {
  if (!data) return SqlValue();
  return Blob{model::EncodeJson(*data)};
}

Result<InstallationDBMigrationOperation> FromRow(const Row& row) {
  InstallationDBMigrationOperation o;
  o.id = row.GetString("ID");
  o.installation_id = row.GetString("InstallationID");
  o.request_at = row.GetInt64("RequestAt");
  const std::string state = row.GetString("State");
  if (!model::ParseEnum(state, o.state)) {
    return Internal(std::string(kWhat) + " " + o.id + " has unknown state \"" + state + "\"");
  }
  o.source_database = row.GetString("SourceDatabase");
  o.destination_database = row.GetString("DestinationDatabase");
  CLOUD_TRY(o.source_multi_tenant, DecodeMultiTenant(row, "SourceMultiTenantRaw"));
  CLOUD_TRY(o.destination_multi_tenant, DecodeMultiTenant(row, "DestinationMultiTenantRaw"));
  o.backup_id = row.GetString("BackupID");
  o.installation_db_restoration_operation_id =
      row.GetString("InstallationDBRestorationOperationID");
  o.complete_at = row.GetInt64("CompleteAt");
  o.delete_at = row.GetInt64("DeleteAt");
  o.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  o.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  return o;
}

constexpr std::string_view kInsertMigration =
    "INSERT INTO InstallationDBMigrationOperation (ID, InstallationID, RequestAt, State, "
    "SourceDatabase, DestinationDatabase, SourceMultiTenantRaw, DestinationMultiTenantRaw, "
    "BackupID, InstallationDBRestorationOperationID, CompleteAt, DeleteAt, LockAcquiredBy, "
    "LockAcquiredAt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, NULL, 0)";

constexpr std::string_view kUpdateMigrationState =
    "UPDATE InstallationDBMigrationOperation SET State = $1 WHERE ID = $2";

constexpr std::string_view kUpdateMigration =
    "UPDATE InstallationDBMigrationOperation SET State = $1, BackupID = $2, "
    "InstallationDBRestorationOperationID = $3, CompleteAt = $4 WHERE ID = $5";

void PrepareForInsert(InstallationDBMigrationOperation& o, const Clock& clock) {
  o.id = NewId();
  o.request_at = clock.NowMillis();
  o.delete_at = 0;
  o.lock_acquired_by.reset();
  o.lock_acquired_at = 0;
}

}  // namespace

SqlDBMigrationStore::SqlDBMigrationStore(SqlDatabase& db, LockStore& locks, const Clock& clock,
                                         StateChangeHook hook)
    : db_(db), locks_(locks), clock_(clock), hook_(std::move(hook)) {}

Result<void> SqlDBMigrationStore::Insert(SqlExecutor& tx, const InstallationDBMigrationOperation& o,
                                         const Extra& extra) {
  const std::string state(model::ToString(o.state));
  CLOUD_TRY_VOID(tx.Exec(
      kInsertMigration,
      {o.id, o.installation_id, o.request_at, state, o.source_database, o.destination_database,
       EncodeMultiTenant(o.source_multi_tenant), EncodeMultiTenant(o.destination_multi_tenant),
       o.backup_id, o.installation_db_restoration_operation_id, o.complete_at}));
  return RunStateChangeHook(hook_, clock_, tx,
                            {model::ResourceType::kInstallationDBMigration, o.id,
                             std::string(model::kNotApplicableState), state, extra});
}

Result<InstallationDBMigrationOperation>
SqlDBMigrationStore::CreateInstallationDBMigrationOperation(
    InstallationDBMigrationOperation operation, const Extra& extra) {
  PrepareForInsert(operation, clock_);
  Result<void> written = RunInTransaction(
      db_, [&](SqlExecutor& tx) -> Result<void> { return Insert(tx, operation, extra); });
  if (!written) return std::move(written).error();
  return operation;
}

Result<InstallationDBMigrationOperation> SqlDBMigrationStore::TriggerInstallationDBMigration(
    InstallationDBMigrationOperation operation, const Lease& installation_lease,
    const Extra& operation_extra, const Extra& installation_extra) {
  PrepareForInsert(operation, clock_);
  operation.state = model::MigrationState::kRequested;
  operation.installation_db_restoration_operation_id.clear();
  const std::string target(model::ToString(model::InstallationState::kDBMigrationInProgress));
  Result<void> written = RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY_VOID(Insert(tx, operation, operation_extra));
    return FencedInstallationStateChange(tx, operation.installation_id, target, installation_lease,
                                         clock_, /*emit_event=*/true, installation_extra);
  });
  if (!written) return std::move(written).error();
  return operation;
}

Result<void> SqlDBMigrationStore::TriggerInstallationDBMigrationRollback(
    std::string_view operation_id, const Lease& operation_lease, std::string_view installation_id,
    const Lease& installation_lease) {
  const std::string op_state(model::ToString(model::MigrationState::kRollbackRequested));
  const std::string installation_state(
      model::ToString(model::InstallationState::kDBMigrationRollbackInProgress));
  return RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY(std::string old_state, ReadState(tx, kTable, kWhat, operation_id));
    (void)old_state;
    CLOUD_TRY_VOID(FencedExec(tx, kUpdateMigrationState, {op_state, std::string(operation_id)},
                              operation_lease, operation_id));
    return FencedInstallationStateChange(tx, installation_id, installation_state,
                                         installation_lease, clock_, /*emit_event=*/false, {});
  });
}

Result<std::vector<InstallationDBMigrationOperation>> SqlDBMigrationStore::Select(
    const std::string& where_and_order, const SqlParams& params) {
  CLOUD_TRY(Rows rows, db_.Query(std::string(kSelectMigrations) + where_and_order, params));
  std::vector<InstallationDBMigrationOperation> out;
  out.reserve(rows.size());
  for (Row row : rows) {
    CLOUD_TRY(InstallationDBMigrationOperation o, FromRow(row));
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::optional<InstallationDBMigrationOperation>>
SqlDBMigrationStore::GetInstallationDBMigrationOperation(std::string_view id) {
  CLOUD_TRY(auto rows, Select(" WHERE ID = $1", {std::string(id)}));
  if (rows.empty()) return std::optional<InstallationDBMigrationOperation>();
  return std::optional<InstallationDBMigrationOperation>(std::move(rows.front()));
}

Result<std::vector<InstallationDBMigrationOperation>>
SqlDBMigrationStore::GetInstallationDBMigrationOperations(
    const model::InstallationDBMigrationFilter& filter) {
  SqlWhereBuilder w;
  w.NotDeletedUnless(filter.paging);
  w.WhereIn("ID", filter.ids);
  if (!filter.installation_id.empty()) w.WhereEq("InstallationID", filter.installation_id);
  if (!filter.state.empty()) w.WhereEq("State", filter.state);
  w.WhereIn("State", StateStrings(filter.states));
  const std::string where = w.WhereClause() + " ORDER BY RequestAt DESC, ID";
  const std::string limit = w.Limit(filter.paging);
  return Select(where + limit, w.params());
}

Result<std::vector<InstallationDBMigrationOperation>>
SqlDBMigrationStore::GetUnlockedInstallationDBMigrationOperationsPendingWork() {
  SqlWhereBuilder w;
  w.WhereIn("State", StateStrings(model::kMigrationStatesPendingWork));
  w.Where(locks_.AvailableCondition(LockTable::kInstallationDBMigrationOperation, w.NextParam()));
  return Select(w.WhereClause() + " ORDER BY RequestAt ASC, ID", w.params());
}

Result<DBMigrationClaim> SqlDBMigrationStore::ClaimInstallationDBMigrationOperationsPendingWork(
    std::string_view locker_id, int64_t limit) {
  ClaimRequest request;
  request.table = LockTable::kInstallationDBMigrationOperation;
  request.locker_id = std::string(locker_id);
  request.limit = limit;
  const std::vector<std::string> states = StateStrings(model::kMigrationStatesPendingWork);
  request.where = "State IN (" + Placeholders(kClaimFirstParam, states.size()) + ")";
  request.where_params.assign(states.begin(), states.end());
  request.order_by = "RequestAt ASC, ID";
  CLOUD_TRY(Lease lease, locks_.ClaimAvailable(request));
  DBMigrationClaim claim{std::move(lease), {}};
  if (claim.lease.rows.empty()) return claim;
  std::vector<std::string> ids;
  for (const LeasedRow& row : claim.lease.rows) ids.push_back(row.id);
  SqlWhereBuilder w;
  w.WhereIn("ID", ids);
  CLOUD_TRY(claim.operations, Select(w.WhereClause() + " ORDER BY RequestAt ASC, ID", w.params()));
  return claim;
}

Result<void> SqlDBMigrationStore::UpdateInstallationDBMigrationOperationState(
    std::string_view id, model::MigrationState state, const Lease& lease, const Extra& extra,
    bool announce) {
  const std::string new_state(model::ToString(state));
  return FencedStateChange(db_, kStateRow, id, kUpdateMigrationState, {new_state, std::string(id)},
                           lease, new_state, extra, hook_, clock_, announce);
}

Result<void> SqlDBMigrationStore::UpdateInstallationDBMigrationOperation(
    const InstallationDBMigrationOperation& o, const Lease& lease, const Extra& extra) {
  const std::string new_state(model::ToString(o.state));
  return FencedStateChange(
      db_, kStateRow, o.id, kUpdateMigration,
      {new_state, o.backup_id, o.installation_db_restoration_operation_id, o.complete_at, o.id},
      lease, new_state, extra, hook_, clock_);
}

Result<void> SqlDBMigrationStore::DeleteInstallationDBMigrationOperation(std::string_view id,
                                                                         const Lease& lease) {
  return FencedSoftDelete(db_, kTable, id, lease, clock_.NowMillis());
}

}  // namespace cloud::store
