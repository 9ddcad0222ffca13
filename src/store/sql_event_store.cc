#include "store/sql_event_store.h"

#include <utility>

#include "model/json_codec.h"
#include "store/sql_where_builder.h"

namespace cloud::store {
namespace {

constexpr std::string_view kSelectStateChangeEvents =
    "SELECT sc.ID AS ScID, sc.ResourceID, sc.ResourceType, sc.OldState, sc.NewState, "
    "sc.EventID, e.Timestamp, e.EventType, e.ExtraData FROM StateChangeEvent sc "
    "JOIN Event e ON sc.EventID = e.ID";
constexpr std::string_view kSelectEventsToProcess =
    "SELECT d.ID AS DeliveryID, d.Status, d.LastAttempt, d.Attempts, d.SubscriptionID, "
    "sc.ID AS ScID, sc.ResourceID, sc.ResourceType, sc.OldState, sc.NewState, sc.EventID, "
    "e.Timestamp, e.EventType, e.ExtraData FROM EventDelivery d "
    "LEFT JOIN Event e ON e.ID = d.EventID LEFT JOIN StateChangeEvent sc ON sc.EventID = d.EventID "
    "WHERE d.SubscriptionID = $1 AND d.Status IN ($2, $3) ORDER BY e.Timestamp ASC, d.EventID";
constexpr std::string_view kSelectDeliveries =
    "SELECT d.ID, d.EventID, d.SubscriptionID, d.Status, d.LastAttempt, d.Attempts "
    "FROM EventDelivery d LEFT JOIN Event e ON e.ID = d.EventID WHERE d.SubscriptionID = $1 "
    "ORDER BY e.Timestamp ASC, d.EventID";
constexpr std::string_view kUpdateDelivery =
    "UPDATE EventDelivery SET Status = $1, Attempts = $2, LastAttempt = $3 WHERE ID = $4 AND "
    "SubscriptionID IN (SELECT ID FROM Subscription WHERE ID = $5";

Result<model::StateChangeEventData> EventFromRow(const Row& row) {
  model::StateChangeEventData d;
  d.event.id = row.GetString("EventID");
  const std::string type = row.GetString("EventType");
  if (!model::ParseEnum(type, d.event.event_type)) {
    return Internal("event " + d.event.id + " has unknown type \"" + type + "\"");
  }
  d.event.timestamp = row.GetInt64("Timestamp");
  CLOUD_TRY(d.event.extra_data, model::DecodeJson<model::EventExtraData>(row.GetBlob("ExtraData")));
  d.state_change.id = row.GetString("ScID");
  d.state_change.event_id = d.event.id;
  d.state_change.old_state = row.GetString("OldState");
  d.state_change.new_state = row.GetString("NewState");
  d.state_change.resource_id = row.GetString("ResourceID");
  const std::string resource_type = row.GetString("ResourceType");
  if (!model::ParseEnum(resource_type, d.state_change.resource_type)) {
    return Internal("event " + d.event.id + " has unknown resource type \"" + resource_type + "\"");
  }
  return d;
}

Result<model::EventDeliveryStatus> ParseStatus(const std::string& id, const std::string& text) {
  model::EventDeliveryStatus status{};
  if (!model::ParseEnum(text, status)) {
    return Internal("event delivery " + id + " has unknown status \"" + text + "\"");
  }
  return status;
}

}  // namespace

Result<std::vector<model::StateChangeEventData>> SqlEventStore::GetStateChangeEvents(
    const model::StateChangeEventFilter& filter) {
  SqlWhereBuilder w;
  if (!filter.resource_type.empty()) w.WhereEq("sc.ResourceType", filter.resource_type);
  if (!filter.resource_id.empty()) w.WhereEq("sc.ResourceID", filter.resource_id);
  w.WhereIn("sc.OldState", filter.old_states);
  w.WhereIn("sc.NewState", filter.new_states);
  const std::string where = w.WhereClause() + " ORDER BY e.Timestamp DESC, e.ID DESC";
  const std::string limit = w.Limit(filter.paging);
  CLOUD_TRY(Rows rows,
            db_.Query(std::string(kSelectStateChangeEvents) + where + limit, w.params()));
  std::vector<model::StateChangeEventData> out;
  out.reserve(rows.size());
  for (Row row : rows) {
    CLOUD_TRY(model::StateChangeEventData d, EventFromRow(row));
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::optional<model::StateChangeEventData>> SqlEventStore::GetStateChangeEvent(
    std::string_view event_id) {
  CLOUD_TRY(Rows rows, db_.Query(std::string(kSelectStateChangeEvents) + " WHERE e.ID = $1",
                                 {std::string(event_id)}));
  if (rows.empty()) return std::optional<model::StateChangeEventData>();
  CLOUD_TRY(model::StateChangeEventData d, EventFromRow(rows.front()));
  return std::optional<model::StateChangeEventData>(std::move(d));
}

Result<std::vector<StateChangeEventDeliveryData>> SqlEventStore::GetStateChangeEventsToProcess(
    std::string_view subscription_id) {
  CLOUD_TRY(Rows rows,
            db_.Query(kSelectEventsToProcess,
                      {std::string(subscription_id),
                       std::string(model::ToString(model::EventDeliveryStatus::kNotAttempted)),
                       std::string(model::ToString(model::EventDeliveryStatus::kRetrying))}));
  std::vector<StateChangeEventDeliveryData> out;
  out.reserve(rows.size());
  for (Row row : rows) {
    StateChangeEventDeliveryData data;
    data.delivery.id = row.GetString("DeliveryID");
    if (row.IsNull("ScID") || row.IsNull("Timestamp")) {
      return Internal(
          "number of found events does not match number of deliveries: the event "
          "of delivery " +
          data.delivery.id + " is missing");
    }
    CLOUD_TRY(data.delivery.status, ParseStatus(data.delivery.id, row.GetString("Status")));
    data.delivery.last_attempt = row.GetInt64("LastAttempt");
    data.delivery.attempts = static_cast<int>(row.GetInt64("Attempts"));
    data.delivery.subscription_id = row.GetString("SubscriptionID");
    data.delivery.event_id = row.GetString("EventID");
    CLOUD_TRY(data.event_data, EventFromRow(row));
    out.push_back(std::move(data));
  }
  return out;
}

Result<std::vector<model::EventDelivery>> SqlEventStore::GetDeliveriesForSubscription(
    std::string_view subscription_id) {
  CLOUD_TRY(Rows rows, db_.Query(kSelectDeliveries, {std::string(subscription_id)}));
  std::vector<model::EventDelivery> out;
  for (Row row : rows) {
    model::EventDelivery d;
    d.id = row.GetString("ID");
    d.event_id = row.GetString("EventID");
    d.subscription_id = row.GetString("SubscriptionID");
    CLOUD_TRY(d.status, ParseStatus(d.id, row.GetString("Status")));
    d.last_attempt = row.GetInt64("LastAttempt");
    d.attempts = static_cast<int>(row.GetInt64("Attempts"));
    out.push_back(std::move(d));
  }
  return out;
}

Result<void> SqlEventStore::UpdateEventDeliveryStatus(const model::EventDelivery& delivery,
                                                      const Lease& subscription_lease) {
  if (subscription_lease.table != LockTable::kSubscription ||
      !subscription_lease.Holds(delivery.subscription_id)) {
    return FailedPrecondition("no lease on subscription " + delivery.subscription_id);
  }
  SqlFragment fence = subscription_lease.Fence(delivery.subscription_id, 6);
  SqlParams params = {std::string(model::ToString(delivery.status)), int64_t{delivery.attempts},
                      delivery.last_attempt, delivery.id, delivery.subscription_id};
  params.insert(params.end(), fence.params.begin(), fence.params.end());
  CLOUD_TRY(int64_t changed, db_.Exec(std::string(kUpdateDelivery) + fence.sql + ")", params));
  if (changed == 0) {
    return Conflict("lease on subscription " + delivery.subscription_id + " lost (or delivery " +
                    delivery.id + " is not one of its deliveries)");
  }
  return Ok();
}

}  // namespace cloud::store
