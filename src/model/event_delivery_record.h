// One subscription delivery as GET /api/subscription/{id}/deliveries lists it (beyond upstream;
// src/events/README.md): status, attempts, schedule and last error of an EventDelivery row.
#pragma once

#include <cstdint>
#include <string>

#include "model/json_codec.h"

namespace cloud::model {

struct EventDeliveryRecord {
  std::string id;
  std::string event_id;
  std::string subscription_id;
  std::string resource_id;
  std::string status;  // not-attempted, delivered, retrying, failed
  int64_t attempts = 0;
  int64_t last_attempt = 0;     // Unix ms, 0 = never
  int64_t next_attempt_at = 0;  // Unix ms, while retrying
  std::string last_error;       // "" after a 2xx
  int64_t event_timestamp = 0;  // Unix ms
  friend bool operator==(const EventDeliveryRecord&, const EventDeliveryRecord&) = default;
};

template <class V>
void JsonFields(V& v, EventDeliveryRecord& d) {
  v("ID", d.id);
  v("EventID", d.event_id);
  v("SubscriptionID", d.subscription_id);
  v("ResourceID", d.resource_id);
  v("Status", d.status);
  v("Attempts", d.attempts);
  v("LastAttempt", d.last_attempt);
  v("NextAttemptAt", d.next_attempt_at);
  v("LastError", d.last_error);
  v("EventTimestamp", d.event_timestamp);
}

}  // namespace cloud::model
