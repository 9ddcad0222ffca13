#include "api/subscription_handlers.h"

#include <optional>
#include <string>
#include <vector>

#include "model/filters.h"
#include "model/subscription.h"

namespace cloud::api {

HttpResponse HandleListSubscriptions(const ApiDeps& deps, RequestContext& ctx,
                                     const HttpRequest& request) {
  return RunHandler(ctx, "failed to list subscriptions", [&]() -> HandlerResult {
    CLOUD_TRY(model::SubscriptionsFilter filter, model::ParseSubscriptionsFilter(QueryOf(request)));
    CLOUD_TRY(std::vector<model::Subscription> subscriptions,
              deps.subscriptions->GetSubscriptions(filter));
    return JsonResponse(200, subscriptions);
  });
}

HttpResponse HandleRegisterSubscription(const ApiDeps& deps, RequestContext& ctx,
                                        const HttpRequest& request) {
  return RunHandler(ctx, "failed to create subscription", [&]() -> HandlerResult {
    CLOUD_TRY(model::CreateSubscriptionRequest body,
              DecodeBody<model::CreateSubscriptionRequest>(request));
    CLOUD_TRY(model::Subscription subscription, body.ToSubscription());
    // Beyond upstream: deliveries need an absolute http(s) URL (src/events/README.md).
    Result<model::GoUrl> url = model::ParseGoUrl(body.url, /*request_uri=*/true);
    if (!url || (url->scheme != "http" && url->scheme != "https") || url->host.empty()) {
      return InvalidArgument("subscription URL must be an absolute http or https URL");
    }
    CLOUD_TRY(model::Subscription created, deps.subscriptions->CreateSubscription(subscription));
    return JsonResponse(202, created);
  });
}

HttpResponse HandleGetSubscription(const ApiDeps& deps, RequestContext& ctx,
                                   const HttpRequest& request) {
  return RunHandler(ctx, "failed to get subscription", [&]() -> HandlerResult {
    std::string id(request.PathVar("subscription"));
    CLOUD_TRY(std::optional<model::Subscription> subscription,
              deps.subscriptions->GetSubscription(id));
    if (!subscription) return NotFound("subscription " + id + " not found");
    return JsonResponse(200, *subscription);
  });
}

HttpResponse HandleDeleteSubscription(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& request) {
  return RunHandler(ctx, "failed to delete subscription", [&]() -> HandlerResult {
    std::string id(request.PathVar("subscription"));
    CLOUD_TRY(std::optional<model::Subscription> subscription,
              deps.subscriptions->GetSubscription(id));
    if (!subscription) return NotFound("subscription " + id + " not found");
    if (subscription->IsDeleted()) {
      return InvalidArgument("subscription " + id + " is already deleted");
    }
    CLOUD_TRY_VOID(deps.subscriptions->DeleteSubscription(id));
    return HttpResponse::Status(200);
  });
}

void RegisterSubscriptionRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  AddRoute(router, env, "GET", "/api/subscriptions", "handleListSubscriptions",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleListSubscriptions(deps, ctx, request);
           });
  AddRoute(router, env, "POST", "/api/subscriptions", "handleRegisterSubscription",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleRegisterSubscription(deps, ctx, request);
           });
  AddRoute(router, env, "GET", "/api/subscription/{subscription:id}", "handleGetSubscription",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleGetSubscription(deps, ctx, request);
           });
  AddRoute(router, env, "DELETE", "/api/subscription/{subscription:id}", "handleDeleteSubscription",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleDeleteSubscription(deps, ctx, request);
           });
}

}  // namespace cloud::api
