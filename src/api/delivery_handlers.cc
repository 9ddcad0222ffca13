#include "api/delivery_handlers.h"

#include <string>
#include <utility>
#include <vector>

#include "api/api_deps.h"
#include "model/paging.h"

namespace cloud::api {

namespace {

Result<store::DeliveryAdmin*> DeliveryAdminOf(const ApiDeps& deps) {
  if (deps.deliveries == nullptr) return Internal("event delivery is not configured");
  return deps.deliveries;
}

}  // namespace

HttpResponse HandleListSubscriptionDeliveries(const ApiDeps& deps, RequestContext& ctx,
                                              const HttpRequest& request) {
  return RunHandler(ctx, "failed to list subscription deliveries", [&]() -> HandlerResult {
    CLOUD_TRY(store::DeliveryAdmin * admin, DeliveryAdminOf(deps));
    CLOUD_TRY(model::Paging paging, model::ParsePaging(QueryOf(request)));
    const std::string id(request.PathVar("subscription"));
    CLOUD_TRY(
        std::vector<model::EventDeliveryRecord> rows,
        admin->ListDeliveries(id, paging.Offset(), paging.IsAllPages() ? -1 : paging.per_page));
    return JsonResponse(200, rows);
  });
}

HttpResponse HandleRedeliverSubscriptionEvent(const ApiDeps& deps, RequestContext& ctx,
                                              const HttpRequest& request) {
  return RunHandler(ctx, "failed to redeliver event", [&]() -> HandlerResult {
    CLOUD_TRY(store::DeliveryAdmin * admin, DeliveryAdminOf(deps));
    const std::string id(request.PathVar("subscription"));
    const std::string event(request.PathVar("event"));
    CLOUD_TRY(model::EventDeliveryRecord row, admin->Redeliver(id, event));
    ctx.log.With("subscription", id).With("event", event).Info("event queued for redelivery");
    if (deps.wake_event_delivery) deps.wake_event_delivery();
    return JsonResponse(202, row);
  });
}

void RegisterDeliveryRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  AddRoute(router, env, "GET", "/api/subscription/{subscription:id}/deliveries",
           "handleListSubscriptionDeliveries",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleListSubscriptionDeliveries(deps, ctx, request);
           });
  AddRoute(router, env, "POST", "/api/subscription/{subscription:id}/redeliver/{event:id}",
           "handleRedeliverSubscriptionEvent",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleRedeliverSubscriptionEvent(deps, ctx, request);
           });
}

}  // namespace cloud::api
