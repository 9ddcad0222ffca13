// Leases with fencing over upstream's lock columns (ARCHITECTURE.md decision 3).
//
// A lease is upstream's lock (`LockAcquiredBy`, `LockAcquiredAt` = acquisition or last renewal,
// in Unix ms) plus a per-row `LockFencingToken` that grows by one at every acquisition. A lease
// is free when LockAcquiredAt = 0, and may be taken over once it has not been renewed for longer
// than the lease duration (default 60 s, measured with the injected Clock) — never before.
// Every write made under a lease is conditional on (LockAcquiredBy, LockFencingToken) still being
// ours (Lease::Fence / FencedExec), so a holder that lost its lease cannot overwrite newer state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// The lockable rows: one per table with lock columns, plus the cluster scheduling lock
// (SchedulingLockAcquiredBy/At/SchedulingLockFencingToken on Cluster).
enum class LockTable {
  kCluster,
  kClusterScheduling,
  kInstallation,
  kClusterInstallation,
  kGroup,
  kInstallationBackup,
  kInstallationDBRestorationOperation,
  kInstallationDBMigrationOperation,
  kMultitenantDatabase,
  kLogicalDatabase,
  kDatabaseSchema,
  kSubscription,
  kWebhook,  // legacy webhooks (lock columns added by 0.55.0-cloud.5): the delivery claim
};

// SQL names of a lock's table and columns, e.g. {"\"Group\"", "LockAcquiredBy",
// "LockAcquiredAt", "LockFencingToken"}.
struct LockColumns {
  std::string_view table;
  std::string_view by;
  std::string_view at;
  std::string_view token;
};
LockColumns LockColumnsOf(LockTable table);
// A human name for messages ("cluster", "installation backup", ...).
std::string_view LockTableName(LockTable table);

struct LeasedRow {
  std::string id;
  int64_t token = 0;
  friend bool operator==(const LeasedRow&, const LeasedRow&) = default;
};

// A held lease on one or more rows of one table.
struct Lease {
  LockTable table = LockTable::kCluster;
  std::string locker_id;
  std::vector<LeasedRow> rows;  // sorted by id
  int64_t renewed_at = 0;       // the LockAcquiredAt we wrote last

  bool Holds(std::string_view id) const { return TokenOf(id).has_value(); }
  std::optional<int64_t> TokenOf(std::string_view id) const;
  // The lease on just `id` (for per-row work after a batch claim); empty rows when not held.
  Lease Only(std::string_view id) const;

  // A condition to append to the WHERE clause of a write on row `id`:
  //   " AND LockAcquiredBy = $<first> AND LockFencingToken = $<first+1>"
  // with its two parameters. `first` is the next free parameter number of the statement.
  SqlFragment Fence(std::string_view id, size_t first) const;
};

// Runs `sql` — an UPDATE (or DELETE) of the single row `id` whose text ends in its WHERE
// clause — with the lease's fence appended and the fence parameters numbered after `params`.
// kConflict "lease on <table> <id> lost" when no row matched (the lease was taken over or
// released, or the row does not exist); kFailedPrecondition when `lease` does not cover `id`.
Result<void> FencedExec(SqlExecutor& db, std::string_view sql, SqlParams params, const Lease& lease,
                        std::string_view id);

struct LeaseOptions {
  // A lease not renewed for longer than this may be taken over.
  int64_t lease_duration_ms = 60'000;
};

// What to claim with LockStore::ClaimAvailable.
struct ClaimRequest {
  LockTable table = LockTable::kCluster;
  std::string locker_id;
  int64_t limit = 1;
  // Optional extra condition on the table's rows, e.g. "State IN ($5, $6) AND DeleteAt = 0";
  // its parameters are numbered from kClaimFirstParam.
  std::string where;
  SqlParams where_params;
  // ORDER BY expression choosing which available rows come first.
  std::string order_by = "ID";
};
inline constexpr size_t kClaimFirstParam = 5;

class LockStore {
 public:
  virtual ~LockStore() = default;

  // Leases all of `ids` for `locker_id`, or none: kConflict when any row is held by a live
  // lease (not re-entrant: also when held by `locker_id` itself), kNotFound when any row does
  // not exist. Expired leases are taken over. Never waits for a held lease.
  virtual Result<Lease> Acquire(LockTable table, const std::vector<std::string>& ids,
                                std::string_view locker_id) = 0;
  Result<Lease> AcquireOne(LockTable table, std::string_view id, std::string_view locker_id) {
    return Acquire(table, std::vector<std::string>{std::string(id)}, locker_id);
  }

  // Leases up to `limit` available rows (free or expired) that match the request; PostgreSQL
  // skips rows other transactions are locking (FOR UPDATE SKIP LOCKED). May return no rows.
  virtual Result<Lease> ClaimAvailable(const ClaimRequest& request) = 0;

  // Moves LockAcquiredAt to now on every row still held; kConflict "lease lost" if any was lost.
  virtual Result<void> Renew(Lease& lease) = 0;

  // Frees the rows still held; kConflict "lease lost" if some were not (others are untouched).
  virtual Result<void> Release(const Lease& lease) = 0;

  // Upstream's Unlock(locker): frees the rows of `ids` held by `locker_id`, whatever the token;
  // returns how many were freed.
  virtual Result<int64_t> ReleaseByLocker(LockTable table, const std::vector<std::string>& ids,
                                          std::string_view locker_id) = 0;
  // Upstream's force unlock (multitenant databases): frees the rows whoever holds them.
  virtual Result<int64_t> ForceRelease(LockTable table, const std::vector<std::string>& ids) = 0;

  // A condition selecting rows of `table` that can be leased now:
  //   "(LockAcquiredAt = 0 OR LockAcquiredAt < $<first>)" with its one parameter.
  // Pending-work queries use it to skip rows under a live lease.
  virtual SqlFragment AvailableCondition(LockTable table, size_t first) const = 0;

  virtual int64_t lease_duration_ms() const = 0;
};

// The LockStore over a SqlDatabase (either engine).
std::unique_ptr<LockStore> MakeSqlLockStore(SqlDatabase& db, const Clock& clock,
                                            LeaseOptions options = {});

}  // namespace cloud::store
