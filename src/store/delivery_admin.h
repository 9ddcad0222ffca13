// DeliveryAdmin: operator views and actions on subscription deliveries (beyond upstream;
// src/events/README.md), the role the API's delivery routes use. SqlDeliveryAdmin implements it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/event_delivery_record.h"

namespace cloud::store {

// Implementations are thread-safe.
class DeliveryAdmin {
 public:
  virtual ~DeliveryAdmin() = default;

  // The subscription's deliveries, newest event first; `limit` rows from `offset`
  // (limit < 0: all). Errors: kNotFound for an unknown subscription.
  virtual Result<std::vector<model::EventDeliveryRecord>> ListDeliveries(
      std::string_view subscription_id, int64_t offset, int64_t limit) = 0;

  // Makes the event's delivery to the subscription due now again (not-attempted, attempts
  // kept, error cleared), creating the row when the subscription had none for that event
  // (subscribed later). Returns the row. Errors: kNotFound for an unknown subscription or
  // event; kFailedPrecondition for a deleted (or 410-disabled) subscription.
  virtual Result<model::EventDeliveryRecord> Redeliver(std::string_view subscription_id,
                                                       std::string_view event_id) = 0;
};

}  // namespace cloud::store
