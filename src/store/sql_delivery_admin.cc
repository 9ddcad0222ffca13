#include "store/sql_delivery_admin.h"

#include <algorithm>
#include <memory>
#include <string>

#include "common/id.h"
#include "model/event.h"
#include "store/event_outbox.h"

namespace cloud::store {
namespace {

constexpr std::string_view kSelect =
    "SELECT d.ID, d.EventID, d.SubscriptionID, s.ResourceID, d.Status, d.Attempts, "
    "d.LastAttempt, d.NextAttemptAt, d.LastError, e.Timestamp FROM EventDelivery d "
    "JOIN Event e ON e.ID = d.EventID JOIN StateChangeEvent s ON s.EventID = d.EventID ";

model::EventDeliveryRecord FromRow(const Row& row) {
  return {row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3), row.GetString(4),
          row.GetInt64(5),  row.GetInt64(6),  row.GetInt64(7),  row.GetString(8), row.GetInt64(9)};
}

Result<int64_t> SubscriptionDeleteAt(SqlExecutor& db, std::string_view id) {
  CLOUD_TRY(Rows rows,
            db.Query("SELECT DeleteAt FROM Subscription WHERE ID = $1", {std::string(id)}));
  if (rows.empty()) return NotFound("subscription " + std::string(id) + " not found");
  return rows.front().GetInt64(0);
}

}  // namespace

Result<std::vector<model::EventDeliveryRecord>> SqlDeliveryAdmin::ListDeliveries(
    std::string_view subscription_id, int64_t offset, int64_t limit) {
  CLOUD_TRY(int64_t delete_at, SubscriptionDeleteAt(db_, subscription_id));
  (void)delete_at;
  std::string sql = std::string(kSelect) +
                    "WHERE d.SubscriptionID = $1 ORDER BY e.Timestamp DESC, d.Sequence DESC, d.ID";
  if (limit >= 0) {
    sql += " LIMIT " + std::to_string(limit) + " OFFSET " +
           std::to_string(std::max<int64_t>(0, offset));
  }
  CLOUD_TRY(Rows rows, db_.Query(sql, {std::string(subscription_id)}));
  std::vector<model::EventDeliveryRecord> out;
  for (const Row& row : rows) out.push_back(FromRow(row));
  return out;
}

Result<model::EventDeliveryRecord> SqlDeliveryAdmin::Redeliver(std::string_view subscription_id,
                                                               std::string_view event_id) {
  const std::string sub(subscription_id), event(event_id);
  CLOUD_TRY(std::unique_ptr<SqlTransaction> tx, db_.Begin());
  CLOUD_TRY(int64_t delete_at, SubscriptionDeleteAt(*tx, sub));
  if (delete_at != 0) {
    return FailedPrecondition("subscription " + sub + " is deleted or disabled");
  }
  CLOUD_TRY(Rows found,
            tx->Query("SELECT ResourceID FROM StateChangeEvent WHERE EventID = $1", {event}));
  if (found.empty()) return NotFound("event " + event + " not found");
  const std::string not_attempted(model::ToString(model::EventDeliveryStatus::kNotAttempted));
  CLOUD_TRY(int64_t updated,
            tx->Exec("UPDATE EventDelivery SET Status = $1, NextAttemptAt = 0, LastError = '' "
                     "WHERE SubscriptionID = $2 AND EventID = $3",
                     {not_attempted, sub, event}));
  if (updated == 0) {
    CLOUD_TRY(int64_t inserted,
              tx->Exec("INSERT INTO EventDelivery (ID, EventID, SubscriptionID, Status, "
                       "LastAttempt, Attempts, Sequence, ResourceID) VALUES ($1, $2, $3, $4, 0, "
                       "0, $5, $6)",
                       {NewId(), event, sub, not_attempted, NextDeliverySequence(clock_),
                        found.front().GetString(0)}));
    (void)inserted;
  }
  CLOUD_TRY(Rows rows,
            tx->Query(std::string(kSelect) + "WHERE d.SubscriptionID = $1 AND d.EventID = $2",
                      {sub, event}));
  CLOUD_TRY_VOID(tx->Commit());
  if (rows.empty()) return Internal("redelivered row vanished");
  return FromRow(rows.front());
}

}  // namespace cloud::store
