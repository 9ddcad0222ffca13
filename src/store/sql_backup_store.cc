#include "store/sql_backup_store.h"

#include <utility>

#include "common/id.h"
#include "model/db_migration.h"
#include "model/db_restoration.h"
#include "model/json_codec.h"
#include "store/sql_fenced_write.h"
#include "store/sql_where_builder.h"

namespace cloud::store {
namespace {

constexpr std::string_view kBackupColumns =
    "ID, InstallationID, ClusterInstallationID, DataResidenceRaw, BackedUpDatabaseType, State, "
    "RequestAt, StartAt, DeleteAt, APISecurityLock, LockAcquiredBy, LockAcquiredAt";

template <class States>
std::vector<std::string> StateStrings(const States& states) {
  std::vector<std::string> out;
  for (auto s : states) out.emplace_back(model::ToString(s));
  return out;
}

// Go rawInstallationBackup.toInstallationBackup: empty / null DataResidenceRaw -> no residence.
Result<model::InstallationBackup> FromRow(const Row& row) {
  model::InstallationBackup b;
  b.id = row.GetString("ID");
  b.installation_id = row.GetString("InstallationID");
  b.cluster_installation_id = row.GetString("ClusterInstallationID");
  const std::string residence = row.GetBlob("DataResidenceRaw");
  if (!residence.empty() && residence != "null") {
    CLOUD_TRY(model::S3DataResidence d, model::DecodeJson<model::S3DataResidence>(residence));
    b.data_residence = std::move(d);
  }
  b.backed_up_database_type = row.GetString("BackedUpDatabaseType");
  const std::string state = row.GetString("State");
  if (!model::ParseEnum(state, b.state)) {
    return Internal("installation backup " + b.id + " has unknown state \"" + state + "\"");
  }
  b.request_at = row.GetInt64("RequestAt");
  b.start_at = row.GetInt64("StartAt");
  b.delete_at = row.GetInt64("DeleteAt");
  b.api_security_lock = row.GetBool("APISecurityLock");
  b.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  b.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  return b;
}

Result<std::vector<model::InstallationBackup>> FromRows(const Rows& rows) {
  std::vector<model::InstallationBackup> out;
  out.reserve(rows.size());
  for (Row row : rows) {
    CLOUD_TRY(model::InstallationBackup b, FromRow(row));
    out.push_back(std::move(b));
  }
  return out;
}

SqlValue ResidenceValue(const std::optional<model::S3DataResidence>& residence) {
  if (!residence) return SqlValue();
  return Blob{model::EncodeJson(*residence)};
}

}  // namespace

SqlBackupStore::SqlBackupStore(SqlDatabase& db, LockStore& locks, const Clock& clock,
                               StateChangeHook hook)
    : db_(db), locks_(locks), clock_(clock), hook_(std::move(hook)) {}

constexpr std::string_view kInsertBackup =
    "INSERT INTO InstallationBackup (ID, InstallationID, ClusterInstallationID, "
    "DataResidenceRaw, BackedUpDatabaseType, State, RequestAt, StartAt, DeleteAt, "
    "APISecurityLock, LockAcquiredBy, LockAcquiredAt) "
    "VALUES ($1, $2, $3, NULL, $4, $5, $6, 0, 0, $7, NULL, 0)";

Result<model::InstallationBackup> SqlBackupStore::CreateInstallationBackup(
    model::InstallationBackup backup, const std::map<std::string, std::string>& extra) {
  backup.id = NewId();
  backup.request_at = clock_.NowMillis();
  backup.start_at = 0;
  backup.delete_at = 0;
  backup.data_residence.reset();
  backup.lock_acquired_by.reset();
  backup.lock_acquired_at = 0;
  Result<void> written = RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY_VOID(tx.Exec(
        kInsertBackup, {backup.id, backup.installation_id, backup.cluster_installation_id,
                        backup.backed_up_database_type, std::string(model::ToString(backup.state)),
                        backup.request_at, backup.api_security_lock}));
    return RunStateChangeHook(hook_, clock_, tx,
                              {model::ResourceType::kInstallationBackup, backup.id,
                               std::string(model::kNotApplicableState),
                               std::string(model::ToString(backup.state)), extra});
  });
  if (!written) return std::move(written).error();
  return backup;
}

Result<std::optional<model::InstallationBackup>> SqlBackupStore::GetInstallationBackup(
    std::string_view id) {
  CLOUD_TRY(Rows rows, db_.Query("SELECT " + std::string(kBackupColumns) +
                                     " FROM InstallationBackup WHERE ID = $1",
                                 {std::string(id)}));
  if (rows.empty()) return std::optional<model::InstallationBackup>();
  CLOUD_TRY(model::InstallationBackup b, FromRow(rows.front()));
  return std::optional<model::InstallationBackup>(std::move(b));
}

Result<std::vector<model::InstallationBackup>> SqlBackupStore::GetInstallationBackups(
    const model::InstallationBackupFilter& filter) {
  SqlWhereBuilder w;
  w.NotDeletedUnless(filter.paging);
  w.WhereIn("ID", filter.ids);
  if (!filter.installation_id.empty()) w.WhereEq("InstallationID", filter.installation_id);
  if (!filter.cluster_installation_id.empty()) {
    w.WhereEq("ClusterInstallationID", filter.cluster_installation_id);
  }
  if (!filter.state.empty()) w.WhereEq("State", filter.state);
  w.WhereIn("State", StateStrings(filter.states));
  const std::string sql = "SELECT " + std::string(kBackupColumns) + " FROM InstallationBackup" +
                          w.WhereClause() + " ORDER BY RequestAt DESC, ID" + w.Limit(filter.paging);
  CLOUD_TRY(Rows rows, db_.Query(sql, w.params()));
  return FromRows(rows);
}

Result<std::vector<model::InstallationBackup>>
SqlBackupStore::GetUnlockedInstallationBackupsPendingWork() {
  SqlWhereBuilder w;
  w.WhereIn("State", StateStrings(model::kBackupStatesPendingWork));
  w.Where(locks_.AvailableCondition(LockTable::kInstallationBackup, w.NextParam()));
  CLOUD_TRY(Rows rows,
            db_.Query("SELECT " + std::string(kBackupColumns) + " FROM InstallationBackup" +
                          w.WhereClause() + " ORDER BY RequestAt ASC, ID",
                      w.params()));
  return FromRows(rows);
}

Result<InstallationBackupClaim> SqlBackupStore::ClaimInstallationBackupsPendingWork(
    std::string_view locker_id, int64_t limit) {
  ClaimRequest request;
  request.table = LockTable::kInstallationBackup;
  request.locker_id = std::string(locker_id);
  request.limit = limit;
  const std::vector<std::string> states = StateStrings(model::kBackupStatesPendingWork);
  request.where = "State IN (" + Placeholders(kClaimFirstParam, states.size()) + ")";
  request.where_params.assign(states.begin(), states.end());
  request.order_by = "RequestAt ASC, ID";
  CLOUD_TRY(Lease lease, locks_.ClaimAvailable(request));
  InstallationBackupClaim claim{std::move(lease), {}};
  if (claim.lease.rows.empty()) return claim;
  std::vector<std::string> ids;
  for (const LeasedRow& row : claim.lease.rows) ids.push_back(row.id);
  SqlWhereBuilder w;
  w.WhereIn("ID", ids);
  CLOUD_TRY(Rows rows,
            db_.Query("SELECT " + std::string(kBackupColumns) + " FROM InstallationBackup" +
                          w.WhereClause() + " ORDER BY RequestAt ASC, ID",
                      w.params()));
  CLOUD_TRY(claim.backups, FromRows(rows));
  return claim;
}

Result<bool> SqlBackupStore::IsInstallationBackupRunning(std::string_view installation_id) {
  SqlWhereBuilder w;
  w.WhereEq("InstallationID", installation_id);
  w.WhereIn("State", StateStrings(model::kBackupStatesRunning));
  w.Where("DeleteAt = 0");
  CLOUD_TRY(Rows rows,
            db_.Query("SELECT COUNT(*) FROM InstallationBackup" + w.WhereClause(), w.params()));
  return rows.front().GetInt64(0) > 0;
}

Result<bool> SqlBackupStore::IsInstallationBackupBeingUsed(std::string_view backup_id) {
  {
    SqlWhereBuilder w;
    w.WhereEq("b.ID", backup_id);
    w.Where("b.DeleteAt = 0");
    w.WhereIn("r.State", StateStrings(model::kRestorationStatesPendingWork));
    w.Where("r.DeleteAt = 0");
    CLOUD_TRY(Rows rows, db_.Query("SELECT COUNT(*) FROM InstallationBackup b JOIN "
                                   "InstallationDBRestorationOperation r ON r.BackupID = b.ID" +
                                       w.WhereClause(),
                                   w.params()));
    if (rows.front().GetInt64(0) > 0) return true;
  }
  SqlWhereBuilder w;
  w.WhereEq("b.ID", backup_id);
  w.Where("b.DeleteAt = 0");
  w.WhereIn("m.State", StateStrings(model::kMigrationStatesPendingWork));
  w.Where("m.DeleteAt = 0");
  CLOUD_TRY(Rows rows, db_.Query("SELECT COUNT(*) FROM InstallationBackup b JOIN "
                                 "InstallationDBMigrationOperation m ON m.BackupID = b.ID" +
                                     w.WhereClause(),
                                 w.params()));
  return rows.front().GetInt64(0) > 0;
}

constexpr std::string_view kUpdateBackupState =
    "UPDATE InstallationBackup SET State = $1 WHERE ID = $2";

Result<void> SqlBackupStore::UpdateInstallationBackupState(
    std::string_view id, model::BackupState state, const Lease& lease,
    const std::map<std::string, std::string>& extra) {
  const std::string new_state(model::ToString(state));
  return FencedStateChange(
      db_, {"InstallationBackup", "installation backup", model::ResourceType::kInstallationBackup},
      id, kUpdateBackupState, {new_state, std::string(id)}, lease, new_state, extra, hook_, clock_);
}

constexpr std::string_view kUpdateBackup =
    "UPDATE InstallationBackup SET ClusterInstallationID = $1, DataResidenceRaw = $2, "
    "StartAt = $3 WHERE ID = $4";

Result<void> SqlBackupStore::UpdateInstallationBackup(const model::InstallationBackup& backup,
                                                      const Lease& lease) {
  return FencedExec(db_, kUpdateBackup,
                    {backup.cluster_installation_id, ResidenceValue(backup.data_residence),
                     backup.start_at, backup.id},
                    lease, backup.id);
}

Result<void> SqlBackupStore::SetInstallationBackupAPISecurityLock(std::string_view id,
                                                                  bool locked) {
  CLOUD_TRY(int64_t changed,
            db_.Exec("UPDATE InstallationBackup SET APISecurityLock = $1 WHERE ID = $2",
                     {locked, std::string(id)}));
  if (changed == 0) return NotFound("installation backup " + std::string(id) + " not found");
  return Ok();
}

Result<void> SqlBackupStore::DeleteInstallationBackup(std::string_view id, const Lease& lease) {
  return FencedSoftDelete(db_, "InstallationBackup", id, lease, clock_.NowMillis());
}

}  // namespace cloud::store
