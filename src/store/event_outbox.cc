#include "store/event_outbox.h"

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "common/id.h"
#include "model/json_codec.h"
#include "model/webhook.h"

namespace cloud::store {
namespace {

constexpr std::string_view kInsertEvent =
    "INSERT INTO Event (ID, Timestamp, EventType, ExtraData) VALUES ($1, $2, $3, $4)";
constexpr std::string_view kInsertStateChangeEvent =
    "INSERT INTO StateChangeEvent (ID, EventID, ResourceID, ResourceType, OldState, NewState) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
// Who gets a state change: the live subscriptions of its event type (Kind 0) and the live legacy
// webhooks (Kind 1), each by CreateAt then ID, in one round trip. `event_type` is the event
// type's parameter.
std::string SelectRecipients(std::string_view event_type) {
  return "SELECT 0 AS Kind, ID, CreateAt FROM Subscription WHERE EventType = " +
         std::string(event_type) +
         " AND DeleteAt = 0 UNION ALL SELECT 1, ID, CreateAt FROM Webhooks WHERE DeleteAt = 0 "
         "ORDER BY 1, 3, 2";
}
// SQLite: the recipients alone; $1 is the event type.
const std::string& SelectRecipientsSql() {
  static const std::string sql = SelectRecipients("$1");
  return sql;
}
// PostgreSQL: the Event and StateChangeEvent inserts and the recipients read as ONE statement
// (data-modifying CTEs run exactly once, whether or not the outer query reads them). The
// parameters are those of kInsertEvent ($1-$4) then StateChangeEvent's ID, ResourceID,
// ResourceType, OldState, NewState ($5-$9); $3, the event type, also selects subscriptions.
const std::string& InsertEventSelectRecipientsPostgresSql() {
  static const std::string sql =
      "WITH NewEvent AS (INSERT INTO Event (ID, Timestamp, EventType, ExtraData) VALUES ($1, $2, "
      "$3, $4)), NewChange AS (INSERT INTO StateChangeEvent (ID, EventID, ResourceID, "
      "ResourceType, OldState, NewState) VALUES ($5, $1, $6, $7, $8, $9)) " +
      SelectRecipients("$3");
  return sql;
}
constexpr int64_t kRecipientSubscription = 0;
constexpr std::string_view kInsertDeliveriesPrefix =
    "INSERT INTO EventDelivery (ID, EventID, SubscriptionID, Status, LastAttempt, Attempts, "
    "Sequence, ResourceID) VALUES ";
constexpr std::string_view kSelectWebhooks =
    "SELECT ID FROM Webhooks WHERE DeleteAt = 0 ORDER BY CreateAt, ID";
constexpr std::string_view kInsertWebhookDelivery =
    "INSERT INTO WebhookDelivery (ID, WebhookID, EventID, ResourceID, Payload, CreateAt, "
    "Sequence, Status, Attempts, LastAttempt, NextAttemptAt, LastError) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, 0, '')";
// Upstream inserts deliveries in multi-row INSERTs of this many rows.
constexpr size_t kDeliveryBatchSize = 50;

}  // namespace

namespace {

// One WebhookDelivery row per webhook of `webhook_ids` (see AppendWebhookDeliveries).
Result<void> InsertWebhookDeliveries(SqlExecutor& tx, const StateChangeRecord& change,
                                     std::string_view event_id, const Clock& clock,
                                     const std::vector<std::string>& webhook_ids) {
  if (webhook_ids.empty()) return Ok();
  model::WebhookPayload payload;
  payload.event_id = std::string(event_id);
  payload.timestamp = clock.NowNanos();
  payload.id = change.resource_id;
  payload.type = change.resource_type;
  payload.new_state = change.new_state;
  payload.old_state = change.old_state;
  payload.extra_data = change.extra_data;
  const std::string body = model::EncodeJson(payload);
  const std::string not_attempted(model::ToString(model::EventDeliveryStatus::kNotAttempted));
  const int64_t now = clock.NowMillis();
  for (const std::string& webhook_id : webhook_ids) {
    CLOUD_TRY_VOID(tx.Exec(kInsertWebhookDelivery,
                           {NewId(), webhook_id, std::string(event_id), change.resource_id,
                            Blob{body}, now, NextDeliverySequence(clock), not_attempted}));
  }
  return Ok();
}

}  // namespace

Result<std::string> AppendStateChangeEvent(SqlExecutor& tx, const StateChangeRecord& change,
                                           const Clock& clock) {
  const std::string event_id = NewId();
  model::EventExtraData extra;
  extra.fields = change.extra_data;
  const std::string event_type(model::ToString(model::EventType::kResourceStateChange));
  const SqlValue extra_json = Blob{model::EncodeJson(extra)};
  const std::string resource_type(model::ToString(change.resource_type));
  Rows recipients;
  if (tx.dialect() == Dialect::kPostgres) {
    CLOUD_TRY(recipients,
              tx.Query(InsertEventSelectRecipientsPostgresSql(),
                       {event_id, clock.NowMillis(), event_type, extra_json, NewId(),
                        change.resource_id, resource_type, change.old_state, change.new_state}));
  } else {
    CLOUD_TRY_VOID(tx.Exec(kInsertEvent, {event_id, clock.NowMillis(), event_type, extra_json}));
    CLOUD_TRY_VOID(
        tx.Exec(kInsertStateChangeEvent, {NewId(), event_id, change.resource_id, resource_type,
                                          change.old_state, change.new_state}));
    CLOUD_TRY(recipients, tx.Query(SelectRecipientsSql(), {event_type}));
  }
  std::vector<std::string> subscribers;
  std::vector<std::string> webhooks;
  for (Row row : recipients) {
    (row.GetInt64(0) == kRecipientSubscription ? subscribers : webhooks)
        .push_back(row.GetString(1));
  }
  const std::string not_attempted(model::ToString(model::EventDeliveryStatus::kNotAttempted));
  for (size_t start = 0; start < subscribers.size(); start += kDeliveryBatchSize) {
    const size_t end = std::min(subscribers.size(), start + kDeliveryBatchSize);
    std::string sql(kInsertDeliveriesPrefix);
    SqlParams params;
    for (size_t i = start; i < end; ++i) {
      if (i != start) sql += ", ";
      const size_t first = params.size() + 1;
      sql += "($" + std::to_string(first) + ", $" + std::to_string(first + 1) + ", $" +
             std::to_string(first + 2) + ", $" + std::to_string(first + 3) + ", 0, 0, $" +
             std::to_string(first + 4) + ", $" + std::to_string(first + 5) + ")";
      params.emplace_back(NewId());
      params.emplace_back(event_id);
      params.emplace_back(subscribers[i]);
      params.emplace_back(not_attempted);
      params.emplace_back(NextDeliverySequence(clock));
      params.emplace_back(change.resource_id);
    }
    CLOUD_TRY_VOID(tx.Exec(sql, params));
  }
  CLOUD_TRY_VOID(InsertWebhookDeliveries(tx, change, event_id, clock, webhooks));
  return event_id;
}

Result<void> AppendWebhookDeliveries(SqlExecutor& tx, const StateChangeRecord& change,
                                     std::string_view event_id, const Clock& clock) {
  CLOUD_TRY(Rows rows, tx.Query(kSelectWebhooks));
  std::vector<std::string> webhooks;
  webhooks.reserve(rows.size());
  for (Row row : rows) webhooks.push_back(row.GetString(0));
  return InsertWebhookDeliveries(tx, change, event_id, clock, webhooks);
}

Result<int64_t> FailPendingDeliveries(SqlExecutor& tx, DeliveryChannel channel,
                                      std::string_view target_id, std::string_view error) {
  const bool subscription = channel == DeliveryChannel::kSubscription;
  return tx.Exec(std::string("UPDATE ") + (subscription ? "EventDelivery" : "WebhookDelivery") +
                     " SET Status = $1, LastError = $2, NextAttemptAt = 0 WHERE " +
                     (subscription ? "SubscriptionID" : "WebhookID") +
                     " = $3 AND Status IN ($4, $5)",
                 {std::string(model::ToString(model::EventDeliveryStatus::kFailed)),
                  std::string(error), std::string(target_id),
                  std::string(model::ToString(model::EventDeliveryStatus::kNotAttempted)),
                  std::string(model::ToString(model::EventDeliveryStatus::kRetrying))});
}

int64_t NextDeliverySequence(const Clock& clock) {
  static std::atomic<int64_t> last{0};
  const int64_t now = clock.NowNanos();
  int64_t prev = last.load();
  int64_t next = 0;
  do {
    next = std::max(prev + 1, now);
  } while (!last.compare_exchange_weak(prev, next));
  return next;
}

}  // namespace cloud::store
