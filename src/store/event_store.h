// EventStore: stored state-change events and their per-subscription deliveries
// (Event, StateChangeEvent, EventDelivery tables; upstream-core.md §4.1, §4.3). Events are
// written by AppendStateChangeEvent (event_outbox.h) inside the resource stores' transactions.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/event.h"
#include "model/filters.h"
#include "store/lock_store.h"

namespace cloud::store {

// One pending delivery with its event (Go StateChangeEventDeliveryData).
struct StateChangeEventDeliveryData {
  model::EventDelivery delivery;
  model::StateChangeEventData event_data;
  friend bool operator==(const StateChangeEventDeliveryData&,
                         const StateChangeEventDeliveryData&) = default;
};

// Used by the events API and the event deliverer. Thread-safe.
class EventStore {
 public:
  virtual ~EventStore() = default;

  // Filter: ResourceType, ResourceID, OldStates (IN), NewStates (IN), paging (include_deleted
  // is ignored: events are never deleted); Event.Timestamp DESC.
  virtual Result<std::vector<model::StateChangeEventData>> GetStateChangeEvents(
      const model::StateChangeEventFilter& filter) = 0;

  // The state-change event with Event ID `event_id`; nullopt when there is none.
  virtual Result<std::optional<model::StateChangeEventData>> GetStateChangeEvent(
      std::string_view event_id) = 0;

  // The subscription's deliveries that are not-attempted or retrying, with their events, in
  // event order (Timestamp ASC). Errors: kInternal when a delivery's event is missing.
  virtual Result<std::vector<StateChangeEventDeliveryData>> GetStateChangeEventsToProcess(
      std::string_view subscription_id) = 0;

  // Every delivery of the subscription (tests, diagnostics), in event order.
  virtual Result<std::vector<model::EventDelivery>> GetDeliveriesForSubscription(
      std::string_view subscription_id) = 0;

  // Writes Status, Attempts and LastAttempt of `delivery`, fenced by the lease on its
  // subscription (the deliverer's claim). Errors: kConflict when the lease was lost or the
  // delivery does not belong to the leased subscription.
  virtual Result<void> UpdateEventDeliveryStatus(const model::EventDelivery& delivery,
                                                 const Lease& subscription_lease) = 0;
};

}  // namespace cloud::store
