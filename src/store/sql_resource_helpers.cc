#include "store/sql_resource_helpers.h"

#include <algorithm>

namespace cloud::store::sql_internal {

std::string PagingSql(const model::Paging& paging) {
  if (paging.IsAllPages()) return "";
  return " LIMIT " + std::to_string(std::max<int64_t>(paging.per_page, 0)) + " OFFSET " +
         std::to_string(std::max<int64_t>(paging.Offset(), 0));
}

std::string Param(SqlParams& params, SqlValue value) {
  params.push_back(std::move(value));
  return "$" + std::to_string(params.size());
}

std::string InList(SqlParams& params, const std::vector<std::string>& values) {
  if (values.empty()) return "NULL";
  std::string out;
  for (const std::string& value : values) {
    if (!out.empty()) out += ", ";
    out += Param(params, value);
  }
  return out;
}

Result<void> AppendEventFor(SqlExecutor& tx, const EventOptions& options, model::ResourceType type,
                            const std::string& id, const std::string& old_state,
                            const std::string& new_state,
                            const std::map<std::string, std::string>& base_extra,
                            const Clock& clock) {
  switch (options.mode) {
    case EventOptions::Mode::kNone:
      return Ok();
    case EventOptions::Mode::kIfStateChanged:
      if (old_state == new_state) return Ok();
      break;
    case EventOptions::Mode::kAlways:
      break;
  }
  StateChangeRecord record;
  record.resource_type = type;
  record.resource_id = id;
  record.old_state = old_state;
  record.new_state = new_state;
  record.extra_data = options.extra_data;
  for (const auto& [key, value] : base_extra) record.extra_data.emplace(key, value);
  CLOUD_TRY(std::string event_id, AppendStateChangeEvent(tx, record, clock));
  (void)event_id;
  return Ok();
}

Result<void> CheckLease(const Lease& lease, std::initializer_list<LockTable> tables,
                        std::string_view id) {
  if (std::find(tables.begin(), tables.end(), lease.table) == tables.end()) {
    return FailedPrecondition("a lease on " + std::string(LockTableName(lease.table)) +
                              " cannot fence this write");
  }
  if (!lease.Holds(id)) {
    return FailedPrecondition("no lease on " + std::string(LockTableName(lease.table)) + " " +
                              std::string(id));
  }
  return Ok();
}

Result<void> SoftDelete(SqlExecutor& db, std::string_view table, std::string_view id, int64_t now,
                        const Lease* lease) {
  CLOUD_TRY(Rows found, db.Query("SELECT DeleteAt FROM " + std::string(table) + " WHERE ID = $1",
                                 {std::string(id)}));
  if (found.empty()) return NotFound(std::string(id) + " not found");
  if (found.front().GetInt64(0) != 0) return Ok();  // already deleted
  const std::string sql =
      "UPDATE " + std::string(table) + " SET DeleteAt = $1 WHERE ID = $2 AND DeleteAt = 0";
  if (lease != nullptr) return FencedExec(db, sql, {now, std::string(id)}, *lease, id);
  CLOUD_TRY(int64_t changed, db.Exec(sql, {now, std::string(id)}));
  (void)changed;
  return Ok();
}

Result<void> SetApiSecurityLock(SqlExecutor& db, std::string_view table, std::string_view id,
                                bool locked) {
  CLOUD_TRY(int64_t changed,
            db.Exec("UPDATE " + std::string(table) + " SET APISecurityLock = $1 WHERE ID = $2",
                    {locked, std::string(id)}));
  if (changed == 0) return NotFound(std::string(id) + " not found");
  return Ok();
}

}  // namespace cloud::store::sql_internal
