// SqlDeliveryAdmin: store::DeliveryAdmin (list a subscription's deliveries, queue an event
// again for one subscription) over the SQL store.
#pragma once

#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/event_delivery_record.h"
#include "store/delivery_admin.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// DeliveryAdmin over the SQL store. Thread-safe.
class SqlDeliveryAdmin final : public DeliveryAdmin {
 public:
  SqlDeliveryAdmin(SqlDatabase& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<std::vector<model::EventDeliveryRecord>> ListDeliveries(std::string_view subscription_id,
                                                                 int64_t offset,
                                                                 int64_t limit) override;
  Result<model::EventDeliveryRecord> Redeliver(std::string_view subscription_id,
                                               std::string_view event_id) override;

 private:
  SqlDatabase& db_;
  const Clock& clock_;
};

}  // namespace cloud::store
