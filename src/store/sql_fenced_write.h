// Fenced writes shared by the resource stores: a soft delete and a state read that work under
// a lease (lock_store.h). Header-only, internal to src/store.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "model/event.h"
#include "store/event_outbox.h"
#include "store/lock_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// `UPDATE <table> SET DeleteAt = now WHERE ID = id AND DeleteAt = 0`, fenced by `lease`.
// Deleting an already deleted row is a no-op. Errors: kNotFound when the row does not exist;
// kConflict when the lease on it was lost; kFailedPrecondition when `lease` does not cover `id`.
inline Result<void> FencedSoftDelete(SqlExecutor& db, std::string_view table, std::string_view id,
                                     const Lease& lease, int64_t now) {
  if (!lease.Holds(id)) {
    return FailedPrecondition("no lease on " + std::string(LockTableName(lease.table)) + " " +
                              std::string(id));
  }
  const std::string t(table);
  SqlFragment fence = lease.Fence(id, 3);
  SqlParams params = {now, std::string(id)};
  params.insert(params.end(), fence.params.begin(), fence.params.end());
  CLOUD_TRY(int64_t changed,
            db.Exec("UPDATE " + t + " SET DeleteAt = $1 WHERE ID = $2 AND DeleteAt = 0" + fence.sql,
                    params));
  if (changed > 0) return Ok();
  SqlFragment check = lease.Fence(id, 2);
  SqlParams check_params = {std::string(id)};
  check_params.insert(check_params.end(), check.params.begin(), check.params.end());
  CLOUD_TRY(Rows held,
            db.Query("SELECT DeleteAt FROM " + t + " WHERE ID = $1" + check.sql, check_params));
  if (!held.empty()) return Ok();  // already deleted, lease still ours
  CLOUD_TRY(Rows exists, db.Query("SELECT ID FROM " + t + " WHERE ID = $1", {std::string(id)}));
  if (exists.empty()) {
    return NotFound(std::string(LockTableName(lease.table)) + " " + std::string(id) + " not found");
  }
  return Conflict("lease on " + std::string(LockTableName(lease.table)) + " " + std::string(id) +
                  " lost");
}

// Appended to the SET list of a fenced write that also releases the row's lease (the fence is
// checked against the row as it was before the write).
inline constexpr std::string_view kReleaseLeaseSet = ", LockAcquiredBy = NULL, LockAcquiredAt = 0";

// Why a fenced write of row `id` changed nothing: kNotFound naming `what` when the row does not
// exist, else kConflict (the lease on it was lost).
inline Error MissingOrLeaseLost(SqlExecutor& db, std::string_view table, std::string_view what,
                                const Lease& lease, std::string_view id) {
  Result<Rows> exists =
      db.Query("SELECT ID FROM " + std::string(table) + " WHERE ID = $1", {std::string(id)});
  if (exists && exists->empty()) {
    return NotFound(std::string(what) + " " + std::string(id) + " not found");
  }
  return Conflict("lease on " + std::string(LockTableName(lease.table)) + " " + std::string(id) +
                  " lost");
}

// Before a write that appends kReleaseLeaseSet: such a write releases exactly one row's lease.
inline Result<void> RequireOneRowLease(const Lease& lease) {
  if (lease.rows.size() != 1) {
    return FailedPrecondition("a write that releases its lease needs a one-row lease");
  }
  return Ok();
}

// `UPDATE <table> SET <set> WHERE ID = id`, fenced by `lease`: one statement on both engines.
// `set` uses $1..$n for `params`. Errors: kFailedPrecondition when `lease` does not cover `id`;
// kNotFound naming `what` when the row does not exist; kConflict when the lease was lost.
inline Result<void> FencedWrite(SqlExecutor& db, std::string_view table, std::string_view what,
                                std::string_view set, SqlParams params, const Lease& lease,
                                std::string_view id) {
  if (!lease.Holds(id)) {
    return FailedPrecondition("no lease on " + std::string(LockTableName(lease.table)) + " " +
                              std::string(id));
  }
  const std::string id_param = "$" + std::to_string(params.size() + 1);
  params.emplace_back(std::string(id));
  Result<void> written = FencedExec(
      db, "UPDATE " + std::string(table) + " SET " + std::string(set) + " WHERE ID = " + id_param,
      std::move(params), lease, id);
  if (!written && written.error().code == ErrorCode::kConflict) {
    return MissingOrLeaseLost(db, table, what, lease, id);
  }
  return written;
}

// `UPDATE <table> SET <set> WHERE ID = id`, fenced by `lease`, returning the row's
// `old_columns` (e.g. "State, Name") as they were just before the write, in one row.
//   PostgreSQL: one statement; the old values come from the row locked FOR UPDATE in the same
//   statement, so they are the newest committed ones, and the write follows them at once.
//   SQLite: a read, then the write; run it inside a transaction (SQLite runs one writer at a
//   time, so nothing comes between the two).
// `set` uses $1..$n for `params` and may refer to no column (parameters only); `old_columns`
// must not name the lock columns. Errors: kFailedPrecondition when `lease` does not cover `id`;
// kNotFound naming `what` when the row does not exist; kConflict when the lease was lost.
inline Result<Rows> FencedUpdateReturningOld(SqlExecutor& db, std::string_view table,
                                             std::string_view what, std::string_view set,
                                             SqlParams params, std::string_view old_columns,
                                             const Lease& lease, std::string_view id) {
  if (!lease.Holds(id)) {
    return FailedPrecondition("no lease on " + std::string(LockTableName(lease.table)) + " " +
                              std::string(id));
  }
  const std::string t(table);
  const std::string id_param = "$" + std::to_string(params.size() + 1);
  params.emplace_back(std::string(id));
  if (db.dialect() == Dialect::kPostgres) {
    SqlFragment fence = lease.Fence(id, params.size() + 1);
    params.insert(params.end(), fence.params.begin(), fence.params.end());
    CLOUD_TRY(Rows old, db.Query("UPDATE " + t + " SET " + std::string(set) + " FROM (SELECT " +
                                     std::string(old_columns) + " FROM " + t +
                                     " WHERE ID = " + id_param + " FOR UPDATE) AS Old WHERE " + t +
                                     ".ID = " + id_param + fence.sql + " RETURNING Old.*",
                                 params));
    if (old.empty()) return MissingOrLeaseLost(db, table, what, lease, id);
    return old;
  }
  CLOUD_TRY(Rows old,
            db.Query("SELECT " + std::string(old_columns) + " FROM " + t + " WHERE ID = $1",
                     {std::string(id)}));
  if (old.empty()) return NotFound(std::string(what) + " " + std::string(id) + " not found");
  CLOUD_TRY_VOID(FencedExec(db,
                            "UPDATE " + t + " SET " + std::string(set) + " WHERE ID = " + id_param,
                            std::move(params), lease, id));
  return old;
}

// `UPDATE <table> SET DeleteAt = now WHERE ID = id AND DeleteAt = 0` without a lease.
// Errors: kNotFound when the row does not exist (an already deleted row is a no-op).
inline Result<void> SoftDelete(SqlExecutor& db, std::string_view table, std::string_view what,
                               std::string_view id, int64_t now) {
  const std::string t(table);
  CLOUD_TRY(int64_t changed, db.Exec("UPDATE " + t +
                                         " SET DeleteAt = $1 WHERE ID = $2 AND "
                                         "DeleteAt = 0",
                                     {now, std::string(id)}));
  if (changed > 0) return Ok();
  CLOUD_TRY(Rows exists, db.Query("SELECT ID FROM " + t + " WHERE ID = $1", {std::string(id)}));
  if (exists.empty()) return NotFound(std::string(what) + " " + std::string(id) + " not found");
  return Ok();
}

// The State column of row `id`, read inside the transaction that is about to change it.
// Errors: kNotFound naming `what`.
inline Result<std::string> ReadState(SqlExecutor& db, std::string_view table, std::string_view what,
                                     std::string_view id) {
  CLOUD_TRY(Rows rows, db.Query("SELECT State FROM " + std::string(table) + " WHERE ID = $1",
                                {std::string(id)}));
  if (rows.empty()) return NotFound(std::string(what) + " " + std::string(id) + " not found");
  return rows.front().GetString(0);
}

// Under `installation_lease`: sets the installation's State (State only, as upstream's
// supervisor writes) and, when it changed and `emit_event` is set, appends the installation's
// state-change event to the same transaction. Used by the DB restoration / migration triggers.
// Errors: kNotFound; kConflict when the lease was lost.
inline Result<void> FencedInstallationStateChange(SqlExecutor& tx, std::string_view installation_id,
                                                  std::string_view new_state,
                                                  const Lease& installation_lease,
                                                  const Clock& clock, bool emit_event,
                                                  const std::map<std::string, std::string>& extra) {
  CLOUD_TRY(std::string old_state, ReadState(tx, "Installation", "installation", installation_id));
  CLOUD_TRY_VOID(FencedExec(tx, "UPDATE Installation SET State = $1 WHERE ID = $2",
                            {std::string(new_state), std::string(installation_id)},
                            installation_lease, installation_id));
  if (!emit_event || old_state == new_state) return Ok();
  CLOUD_TRY(std::string event_id, AppendStateChangeEvent(tx,
                                                         {model::ResourceType::kInstallation,
                                                          std::string(installation_id), old_state,
                                                          std::string(new_state), extra},
                                                         clock));
  (void)event_id;
  return Ok();
}

// Queues the legacy webhook payload of `change` for every live webhook (event_id "", as
// upstream sends for these), then runs `hook` when set; both inside `tx`.
inline Result<void> RunStateChangeHook(const StateChangeHook& hook, const Clock& clock,
                                       SqlExecutor& tx, const StateChangeRecord& change) {
  CLOUD_TRY_VOID(AppendWebhookDeliveries(tx, change, "", clock));
  if (!hook) return Ok();
  return hook(tx, change);
}

// The row whose State a FencedStateChange writes: its table, its name in errors, and the
// resource type of its state-change record.
struct StateRow {
  std::string_view table;
  std::string_view what;
  model::ResourceType type;
};

// In one transaction: reads row `id`'s State, runs `update` (params as given) fenced by `lease`,
// and, when the state changed to `new_state` and `announce` is set, queues the state change
// (RunStateChangeHook). Used by the backup, DB restoration and DB migration stores.
// Errors: kNotFound naming row.what; kConflict when the lease was lost.
inline Result<void> FencedStateChange(SqlDatabase& db, const StateRow& row, std::string_view id,
                                      std::string_view update, SqlParams params, const Lease& lease,
                                      const std::string& new_state,
                                      const std::map<std::string, std::string>& extra,
                                      const StateChangeHook& hook, const Clock& clock,
                                      bool announce = true) {
  return RunInTransaction(db, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY(std::string old_state, ReadState(tx, row.table, row.what, id));
    CLOUD_TRY_VOID(FencedExec(tx, update, std::move(params), lease, id));
    if (old_state == new_state || !announce) return Ok();
    return RunStateChangeHook(hook, clock, tx,
                              {row.type, std::string(id), old_state, new_state, extra});
  });
}

}  // namespace cloud::store
