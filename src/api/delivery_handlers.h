// Subscription delivery routes (beyond upstream; src/events/README.md), registered by
// RegisterApiRoutes after the event routes (so auth, audit and metrics apply as to every route):
//   GET  /api/subscription/{subscription}/deliveries           paging; newest event first
//   POST /api/subscription/{subscription}/redeliver/{event}    202 with the delivery row
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/router.h"

namespace cloud::api {

// Uses deps.deliveries (a route answers 500 "not configured" when it is null) and calls
// deps.wake_event_delivery after a successful redeliver.
void RegisterDeliveryRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
