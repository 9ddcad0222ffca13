// Operator views and actions on subscription deliveries (beyond upstream; src/events/README.md):
// list a subscription's deliveries, and queue an event again for one subscription.
#pragma once

#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/event_delivery_record.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// Thread-safe.
class SqlDeliveryAdmin {
 public:
  SqlDeliveryAdmin(SqlDatabase& db, const Clock& clock) : db_(db), clock_(clock) {}

  // The subscription's deliveries, newest event first; `limit` rows from `offset`
  // (limit < 0: all). Errors: kNotFound for an unknown subscription.
  Result<std::vector<model::EventDeliveryRecord>> ListDeliveries(std::string_view subscription_id,
                                                                 int64_t offset, int64_t limit);

  // Makes the event's delivery to the subscription due now again (not-attempted, attempts
  // kept, error cleared), creating the row when the subscription had none for that event
  // (subscribed later). Returns the row. Errors: kNotFound for an unknown subscription or
  // event; kFailedPrecondition for a deleted (or 410-disabled) subscription.
  Result<model::EventDeliveryRecord> Redeliver(std::string_view subscription_id,
                                               std::string_view event_id);

 private:
  SqlDatabase& db_;
  const Clock& clock_;
};

}  // namespace cloud::store
