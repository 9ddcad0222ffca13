#include "store/lock_store.h"

#include <algorithm>

namespace cloud::store {
namespace {

std::string Str(std::string_view s) { return std::string(s); }

// "(ID = $a AND <token> = $b) OR ..." for the rows of a lease, parameters appended to `params`.
std::string RowTokenConditions(const Lease& lease, const LockColumns& c, SqlParams& params) {
  std::string sql;
  for (const LeasedRow& row : lease.rows) {
    if (!sql.empty()) sql += " OR ";
    params.emplace_back(row.id);
    sql += "(ID = $" + std::to_string(params.size());
    params.emplace_back(row.token);
    sql += " AND " + Str(c.token) + " = $" + std::to_string(params.size()) + ")";
  }
  return sql;
}

Lease LeaseFromRows(LockTable table, std::string_view locker_id, int64_t now, const Rows& rows) {
  Lease lease;
  lease.table = table;
  lease.locker_id = std::string(locker_id);
  lease.renewed_at = now;
  for (Row row : rows) lease.rows.push_back({row.GetString(0), row.GetInt64(1)});
  std::sort(lease.rows.begin(), lease.rows.end(),
            [](const LeasedRow& a, const LeasedRow& b) { return a.id < b.id; });
  return lease;
}

std::vector<std::string> Distinct(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

class SqlLockStore final : public LockStore {
 public:
  SqlLockStore(SqlDatabase& db, const Clock& clock, LeaseOptions options)
      : db_(db), clock_(clock), options_(options) {}

  Result<Lease> Acquire(LockTable table, const std::vector<std::string>& ids_in,
                        std::string_view locker_id) override {
    const std::vector<std::string> ids = Distinct(ids_in);
    if (ids.empty()) return InvalidArgument("no rows to lock");
    if (locker_id.empty()) return InvalidArgument("empty locker ID");
    const int64_t now = clock_.NowMillis();
    const std::string sql = AcquireSql(table, ids.size());
    SqlParams params = {std::string(locker_id), now, now - options_.lease_duration_ms};
    for (const std::string& id : ids) params.emplace_back(id);

    if (ids.size() == 1) {  // one statement is atomic on its own
      CLOUD_TRY(Rows rows, db_.Query(sql, params));
      if (rows.size() == 1) return LeaseFromRows(table, locker_id, now, rows);
      return LockFailure(db_, table, ids, 0);
    }
    CLOUD_TRY(std::unique_ptr<SqlTransaction> tx, db_.Begin());
    CLOUD_TRY(Rows rows, tx->Query(sql, params));
    if (rows.size() != ids.size()) {
      Error error = LockFailure(*tx, table, ids, rows.size());
      CLOUD_TRY_VOID(tx->Rollback());
      return error;
    }
    CLOUD_TRY_VOID(tx->Commit());
    return LeaseFromRows(table, locker_id, now, rows);
  }

  Result<Lease> ClaimAvailable(const ClaimRequest& request) override {
    if (request.locker_id.empty()) return InvalidArgument("empty locker ID");
    if (request.limit <= 0) return Lease{request.table, request.locker_id, {}, 0};
    const LockColumns c = LockColumnsOf(request.table);
    const int64_t now = clock_.NowMillis();
    const std::string available = "(" + Str(c.at) + " = 0 OR " + Str(c.at) + " < $3)" +
                                  (request.where.empty() ? "" : " AND (" + request.where + ")");
    const std::string order = request.order_by.empty() ? "ID" : request.order_by;
    std::string sql;
    if (db_.dialect() == Dialect::kPostgres) {
      // The CTE locks the chosen rows and re-checks them on their newest version; rows other
      // transactions are claiming are skipped rather than waited for.
      sql = "WITH claimed AS (SELECT ID FROM " + Str(c.table) + " WHERE " + available +
            " ORDER BY " + order + " LIMIT $4 FOR UPDATE SKIP LOCKED) UPDATE " + Str(c.table) +
            " SET " + Str(c.by) + " = $1, " + Str(c.at) + " = $2, " + Str(c.token) + " = " +
            Str(c.token) + " + 1 FROM claimed WHERE " + Str(c.table) +
            ".ID = claimed.ID RETURNING " + Str(c.table) + ".ID, " + Str(c.table) + "." +
            Str(c.token);
    } else {
      // SQLite runs one writer at a time: the statement is atomic.
      sql = "UPDATE " + Str(c.table) + " SET " + Str(c.by) + " = $1, " + Str(c.at) + " = $2, " +
            Str(c.token) + " = " + Str(c.token) + " + 1 WHERE ID IN (SELECT ID FROM " +
            Str(c.table) + " WHERE " + available + " ORDER BY " + order +
            " LIMIT $4) RETURNING ID, " + Str(c.token);
    }
    SqlParams params = {request.locker_id, now, now - options_.lease_duration_ms, request.limit};
    params.insert(params.end(), request.where_params.begin(), request.where_params.end());
    CLOUD_TRY(Rows rows, db_.Query(sql, params));
    return LeaseFromRows(request.table, request.locker_id, now, rows);
  }

  Result<void> Renew(Lease& lease) override {
    if (lease.rows.empty()) return Ok();
    const LockColumns c = LockColumnsOf(lease.table);
    const int64_t now = clock_.NowMillis();
    SqlParams params = {now, lease.locker_id};
    const std::string rows = RowTokenConditions(lease, c, params);
    const std::string sql =
        OrderedUpdate(c, " SET " + Str(c.at) + " = $1", Str(c.by) + " = $2 AND (" + rows + ")",
                      lease.rows.size());
    CLOUD_TRY(int64_t renewed, db_.Exec(sql, params));
    if (renewed > 0) lease.renewed_at = now;
    if (renewed < static_cast<int64_t>(lease.rows.size())) {
      return Conflict(LeaseLost(lease, renewed));
    }
    return Ok();
  }

  Result<void> Release(const Lease& lease) override {
    if (lease.rows.empty()) return Ok();
    const LockColumns c = LockColumnsOf(lease.table);
    SqlParams params = {lease.locker_id};
    const std::string rows = RowTokenConditions(lease, c, params);
    const std::string sql =
        OrderedUpdate(c, " SET " + Str(c.by) + " = NULL, " + Str(c.at) + " = 0",
                      Str(c.by) + " = $1 AND (" + rows + ")", lease.rows.size());
    CLOUD_TRY(int64_t released, db_.Exec(sql, params));
    if (released < static_cast<int64_t>(lease.rows.size())) {
      return Conflict(LeaseLost(lease, released));
    }
    return Ok();
  }

  Result<int64_t> ReleaseByLocker(LockTable table, const std::vector<std::string>& ids,
                                  std::string_view locker_id) override {
    if (ids.empty()) return int64_t{0};
    const LockColumns c = LockColumnsOf(table);
    SqlParams params = {std::string(locker_id)};
    for (const std::string& id : ids) params.emplace_back(id);
    return db_.Exec(
        OrderedUpdate(c, " SET " + Str(c.by) + " = NULL, " + Str(c.at) + " = 0",
                      "ID IN (" + Placeholders(2, ids.size()) + ") AND " + Str(c.by) + " = $1",
                      ids.size()),
        params);
  }

  Result<int64_t> ForceRelease(LockTable table, const std::vector<std::string>& ids) override {
    if (ids.empty()) return int64_t{0};
    const LockColumns c = LockColumnsOf(table);
    SqlParams params(ids.begin(), ids.end());
    return db_.Exec(
        OrderedUpdate(c, " SET " + Str(c.by) + " = NULL, " + Str(c.at) + " = 0",
                      "ID IN (" + Placeholders(1, ids.size()) + ") AND " + Str(c.at) + " <> 0",
                      ids.size()),
        params);
  }

  SqlFragment AvailableCondition(LockTable table, size_t first) const override {
    const LockColumns c = LockColumnsOf(table);
    return {"(" + Str(c.at) + " = 0 OR " + Str(c.at) + " < $" + std::to_string(first) + ")",
            {clock_.NowMillis() - options_.lease_duration_ms}};
  }

  int64_t lease_duration_ms() const override { return options_.lease_duration_ms; }

 private:
  // "UPDATE <table><set> WHERE <where>". PostgreSQL takes the row locks of a multi-row UPDATE in
  // scan order, so two statements over overlapping rows in different orders can deadlock (seen
  // between Release and a concurrent multi-row Acquire); there the rows are locked in ID order
  // first, as Acquire does. `where` uses the table's columns unqualified. An update of at most
  // one row (`max_rows`, by ID) takes one row lock: no order to keep, so no CTE.
  std::string OrderedUpdate(const LockColumns& c, const std::string& set, const std::string& where,
                            size_t max_rows) const {
    if (db_.dialect() != Dialect::kPostgres || max_rows <= 1) {
      return "UPDATE " + Str(c.table) + set + " WHERE " + where;
    }
    return "WITH target AS (SELECT ID AS target_id FROM " + Str(c.table) + " WHERE " + where +
           " ORDER BY ID FOR UPDATE) UPDATE " + Str(c.table) + set +
           " FROM target WHERE ID = target_id AND " + where;
  }

  // $1 locker, $2 now, $3 expiry threshold, $4... the IDs. Returns (ID, token) of locked rows.
  std::string AcquireSql(LockTable table, size_t count) const {
    const LockColumns c = LockColumnsOf(table);
    const std::string ids = Placeholders(4, count);
    const std::string set = " SET " + Str(c.by) + " = $1, " + Str(c.at) + " = $2, " + Str(c.token) +
                            " = " + Str(c.token) + " + 1";
    const std::string available = "(" + Str(c.at) + " = 0 OR " + Str(c.at) + " < $3)";
    if (db_.dialect() == Dialect::kPostgres && count > 1) {
      // Row locks are taken in ID order so that concurrent multi-row acquisitions cannot
      // deadlock; the UPDATE re-checks availability on the newest row versions.
      return "WITH target AS (SELECT ID FROM " + Str(c.table) + " WHERE ID IN (" + ids +
             ") ORDER BY ID FOR UPDATE) UPDATE " + Str(c.table) + set + " FROM target WHERE " +
             Str(c.table) + ".ID = target.ID AND " + available + " RETURNING " + Str(c.table) +
             ".ID, " + Str(c.table) + "." + Str(c.token);
    }
    return "UPDATE " + Str(c.table) + set + " WHERE ID IN (" + ids + ") AND " + available +
           " RETURNING ID, " + Str(c.token);
  }

  // Why a lock failed: a missing row (kNotFound) or a live lease (kConflict).
  static Error LockFailure(SqlExecutor& db, LockTable table, const std::vector<std::string>& ids,
                           size_t locked) {
    const LockColumns c = LockColumnsOf(table);
    const std::string name(LockTableName(table));
    SqlParams params(ids.begin(), ids.end());
    auto found = db.Query(
        "SELECT ID FROM " + Str(c.table) + " WHERE ID IN (" + Placeholders(1, ids.size()) + ")",
        params);
    if (found && found->size() < ids.size()) {
      for (const std::string& id : ids) {
        bool present = false;
        for (Row row : *found) present = present || row.GetString(0) == id;
        if (!present) return NotFound(name + " " + id + " not found");
      }
    }
    if (ids.size() == 1) return Conflict(name + " " + ids[0] + " is locked by another process");
    return Conflict("could not lock all " + std::to_string(ids.size()) + " rows of " + name + " (" +
                    std::to_string(locked) + " were free): locked by another process");
  }

  static std::string LeaseLost(const Lease& lease, int64_t kept) {
    return "lease on " + std::string(LockTableName(lease.table)) + " " +
           (lease.rows.size() == 1 ? lease.rows[0].id
                                   : std::to_string(lease.rows.size() - kept) + " of " +
                                         std::to_string(lease.rows.size()) + " rows") +
           " lost";
  }

  SqlDatabase& db_;
  const Clock& clock_;
  const LeaseOptions options_;
};

}  // namespace

LockColumns LockColumnsOf(LockTable table) {
  constexpr std::string_view kBy = "LockAcquiredBy", kAt = "LockAcquiredAt",
                             kToken = "LockFencingToken";
  switch (table) {
    case LockTable::kCluster:
      return {"Cluster", kBy, kAt, kToken};
    case LockTable::kClusterScheduling:
      return {"Cluster", "SchedulingLockAcquiredBy", "SchedulingLockAcquiredAt",
              "SchedulingLockFencingToken"};
    case LockTable::kInstallation:
      return {"Installation", kBy, kAt, kToken};
    case LockTable::kClusterInstallation:
      return {"ClusterInstallation", kBy, kAt, kToken};
    case LockTable::kGroup:
      return {"\"Group\"", kBy, kAt, kToken};
    case LockTable::kInstallationBackup:
      return {"InstallationBackup", kBy, kAt, kToken};
    case LockTable::kInstallationDBRestorationOperation:
      return {"InstallationDBRestorationOperation", kBy, kAt, kToken};
    case LockTable::kInstallationDBMigrationOperation:
      return {"InstallationDBMigrationOperation", kBy, kAt, kToken};
    case LockTable::kMultitenantDatabase:
      return {"MultitenantDatabase", kBy, kAt, kToken};
    case LockTable::kLogicalDatabase:
      return {"LogicalDatabase", kBy, kAt, kToken};
    case LockTable::kDatabaseSchema:
      return {"DatabaseSchema", kBy, kAt, kToken};
    case LockTable::kSubscription:
      return {"Subscription", kBy, kAt, kToken};
    case LockTable::kWebhook:
      return {"Webhooks", kBy, kAt, kToken};
  }
  return {"Cluster", kBy, kAt, kToken};
}

std::string_view LockTableName(LockTable table) {
  switch (table) {
    case LockTable::kCluster:
      return "cluster";
    case LockTable::kClusterScheduling:
      return "cluster scheduling";
    case LockTable::kInstallation:
      return "installation";
    case LockTable::kClusterInstallation:
      return "cluster installation";
    case LockTable::kGroup:
      return "group";
    case LockTable::kInstallationBackup:
      return "installation backup";
    case LockTable::kInstallationDBRestorationOperation:
      return "installation DB restoration operation";
    case LockTable::kInstallationDBMigrationOperation:
      return "installation DB migration operation";
    case LockTable::kMultitenantDatabase:
      return "multitenant database";
    case LockTable::kLogicalDatabase:
      return "logical database";
    case LockTable::kDatabaseSchema:
      return "database schema";
    case LockTable::kSubscription:
      return "subscription";
    case LockTable::kWebhook:
      return "webhook";
  }
  return "row";
}

std::optional<int64_t> Lease::TokenOf(std::string_view id) const {
  auto it =
      std::lower_bound(rows.begin(), rows.end(), id,
                       [](const LeasedRow& row, std::string_view key) { return row.id < key; });
  if (it == rows.end() || it->id != id) return std::nullopt;
  return it->token;
}

Lease Lease::Only(std::string_view id) const {
  Lease out{table, locker_id, {}, renewed_at};
  if (auto token = TokenOf(id)) out.rows.push_back({std::string(id), *token});
  return out;
}

SqlFragment Lease::Fence(std::string_view id, size_t first) const {
  const LockColumns c = LockColumnsOf(table);
  return {" AND " + Str(c.by) + " = $" + std::to_string(first) + " AND " + Str(c.token) + " = $" +
              std::to_string(first + 1),
          {locker_id, TokenOf(id).value_or(-1)}};
}

Result<void> FencedExec(SqlExecutor& db, std::string_view sql, SqlParams params, const Lease& lease,
                        std::string_view id) {
  if (!lease.Holds(id)) {
    return FailedPrecondition("no lease on " + std::string(LockTableName(lease.table)) + " " +
                              std::string(id));
  }
  SqlFragment fence = lease.Fence(id, params.size() + 1);
  params.insert(params.end(), fence.params.begin(), fence.params.end());
  CLOUD_TRY(int64_t changed, db.Exec(std::string(sql) + fence.sql, params));
  if (changed == 0) {
    return Conflict("lease on " + std::string(LockTableName(lease.table)) + " " + std::string(id) +
                    " lost");
  }
  return Ok();
}

std::unique_ptr<LockStore> MakeSqlLockStore(SqlDatabase& db, const Clock& clock,
                                            LeaseOptions options) {
  return std::make_unique<SqlLockStore>(db, clock, options);
}

}  // namespace cloud::store
