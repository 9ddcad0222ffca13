// Subscription delivery routes (beyond upstream; src/events/README.md):
//   GET  /api/subscription/{subscription}/deliveries           paging; newest event first
//   POST /api/subscription/{subscription}/redeliver/{event}    202 with the delivery row
// Registered by the server next to RegisterApiRoutes (their store is passed explicitly).
#pragma once

#include "api/handler.h"
#include "api/router.h"
#include "store/sql_delivery_admin.h"

namespace cloud::api {

// `on_redeliver` runs after a successful redeliver (the server wakes the delivery workers).
void RegisterDeliveryRoutes(Router& router, const HandlerEnv& env, store::SqlDeliveryAdmin& admin,
                            std::function<void()> on_redeliver);

}  // namespace cloud::api
