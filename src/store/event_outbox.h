// The transactional outbox (ARCHITECTURE.md decision 5): a state change and its event rows are
// written in the same transaction. Stores call AppendStateChangeEvent with the transaction that
// writes the new state; delivery workers (src/events) read the rows afterwards.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "model/event.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// One resource moving from old_state to new_state ("n/a" as old state for creations).
struct StateChangeRecord {
  model::ResourceType resource_type = model::ResourceType::kCluster;
  std::string resource_id;
  std::string old_state;
  std::string new_state;
  std::map<std::string, std::string> extra_data;  // e.g. {"Environment": "dev", "actor_id": ...}
};

// Called inside the transaction of a state change that upstream announces by legacy webhook
// only, with no Event row (backups, DB restorations, DB migrations: upstream-core.md §4.4), so
// that delivery can be recorded in the same transaction. An empty hook does nothing.
using StateChangeHook = std::function<Result<void>(SqlExecutor& tx, const StateChangeRecord&)>;

// Inside `tx`: inserts the Event row (type resourceStateChange, timestamp now, ExtraData stored
// as {"fields":{...}}), its StateChangeEvent row, and one EventDelivery row (status
// not-attempted, 0 attempts) for every live (DeleteAt = 0) subscription whose EventType is
// resourceStateChange, in multi-row INSERTs of 50 as upstream. Nothing is committed here: a
// rollback of `tx` removes every row it wrote.
// Also queues the legacy webhook payload (AppendWebhookDeliveries) with the new event's ID.
// Every EventDelivery row gets Sequence = NextDeliverySequence(clock) (tie-break of events in
// the same millisecond), the resource's ID (per-resource ordering) and NextAttemptAt 0.
// Returns the new event's ID. Errors: whatever the executor reports.
Result<std::string> AppendStateChangeEvent(SqlExecutor& tx, const StateChangeRecord& change,
                                           const Clock& clock);

// Inside `tx`: one WebhookDelivery row (status not-attempted, due now) per live webhook, whose
// Payload is upstream's WebhookPayload JSON for `change` (event_id as given, "" for backups,
// restorations and migrations; timestamp = clock.NowNanos(); extra_data omitted when empty).
// No webhooks, no rows. Errors: whatever the executor reports.
Result<void> AppendWebhookDeliveries(SqlExecutor& tx, const StateChangeRecord& change,
                                     std::string_view event_id, const Clock& clock);

// The two outbox channels: EventDelivery rows of subscriptions, WebhookDelivery rows of legacy
// webhooks.
enum class DeliveryChannel { kSubscription, kWebhook };

// LastError of the rows failed because their subscription or webhook was deleted.
inline constexpr std::string_view kTargetDeletedError = "target deleted";

// Inside `tx`: marks every pending (not-attempted / retrying) delivery row of one subscription
// or webhook `failed` with `error` as LastError, so that they stop waiting and retention can
// remove them. Returns how many rows. Errors: whatever the executor reports.
Result<int64_t> FailPendingDeliveries(SqlExecutor& tx, DeliveryChannel channel,
                                      std::string_view target_id, std::string_view error);

// A process-wide strictly increasing number, at least clock.NowNanos(): orders deliveries
// written in the same millisecond. Thread-safe.
int64_t NextDeliverySequence(const Clock& clock);

}  // namespace cloud::store
