// Handlers of /api/subscriptions and /api/subscription/{subscription}: event subscriptions
// (spec upstream-api.md §3.11; upstream internal/api/events_subscription.go).
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/router.h"

namespace cloud::api {

// GET /api/subscriptions: paging + owner, event_type; newest first.
HttpResponse HandleListSubscriptions(const ApiDeps& deps, RequestContext& ctx,
                                     const HttpRequest& request);
// POST /api/subscriptions (CreateSubscriptionRequest): decode / validation 400; 202
// Subscription (LastDeliveryStatus "", LastDeliveryAttemptAt 0).
HttpResponse HandleRegisterSubscription(const ApiDeps& deps, RequestContext& ctx,
                                        const HttpRequest& request);
// GET /api/subscription/{subscription}: 404 / 200.
HttpResponse HandleGetSubscription(const ApiDeps& deps, RequestContext& ctx,
                                   const HttpRequest& request);
// DELETE /api/subscription/{subscription}: 404; already deleted → 400; soft delete, 200 empty.
HttpResponse HandleDeleteSubscription(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& request);

// Go initSubscription.
void RegisterSubscriptionRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
