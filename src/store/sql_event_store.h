// SqlEventStore: EventStore over a SqlDatabase (SQLite or PostgreSQL).
#pragma once

#include "store/event_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// The database must outlive the store.
class SqlEventStore final : public EventStore {
 public:
  explicit SqlEventStore(SqlDatabase& db) : db_(db) {}

  Result<std::vector<model::StateChangeEventData>> GetStateChangeEvents(
      const model::StateChangeEventFilter& filter) override;
  Result<std::optional<model::StateChangeEventData>> GetStateChangeEvent(
      std::string_view event_id) override;
  Result<std::vector<StateChangeEventDeliveryData>> GetStateChangeEventsToProcess(
      std::string_view subscription_id) override;
  Result<std::vector<model::EventDelivery>> GetDeliveriesForSubscription(
      std::string_view subscription_id) override;
  Result<void> UpdateEventDeliveryStatus(const model::EventDelivery& delivery,
                                         const Lease& subscription_lease) override;

 private:
  SqlDatabase& db_;
};

}  // namespace cloud::store
