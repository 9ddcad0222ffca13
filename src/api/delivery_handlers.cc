#include "api/delivery_handlers.h"

#include <string>
#include <utility>
#include <vector>

#include "api/api_deps.h"
#include "model/paging.h"

namespace cloud::api {

HttpResponse HandleListSubscriptionDeliveries(store::SqlDeliveryAdmin& admin, RequestContext& ctx,
                                              const HttpRequest& request) {
  return RunHandler(ctx, "failed to list subscription deliveries", [&]() -> HandlerResult {
    CLOUD_TRY(model::Paging paging, model::ParsePaging(QueryOf(request)));
    const std::string id(request.PathVar("subscription"));
    CLOUD_TRY(
        std::vector<model::EventDeliveryRecord> rows,
        admin.ListDeliveries(id, paging.Offset(), paging.IsAllPages() ? -1 : paging.per_page));
    return JsonResponse(200, rows);
  });
}

HttpResponse HandleRedeliverSubscriptionEvent(store::SqlDeliveryAdmin& admin,
                                              const std::function<void()>& on_redeliver,
                                              RequestContext& ctx, const HttpRequest& request) {
  return RunHandler(ctx, "failed to redeliver event", [&]() -> HandlerResult {
    const std::string id(request.PathVar("subscription"));
    const std::string event(request.PathVar("event"));
    CLOUD_TRY(model::EventDeliveryRecord row, admin.Redeliver(id, event));
    ctx.log.With("subscription", id).With("event", event).Info("event queued for redelivery");
    if (on_redeliver) on_redeliver();
    return JsonResponse(202, row);
  });
}

void RegisterDeliveryRoutes(Router& router, const HandlerEnv& env, store::SqlDeliveryAdmin& admin,
                            std::function<void()> on_redeliver) {
  AddRoute(router, env, "GET", "/api/subscription/{subscription:id}/deliveries",
           "handleListSubscriptionDeliveries",
           [&admin](RequestContext& ctx, const HttpRequest& request) {
             return HandleListSubscriptionDeliveries(admin, ctx, request);
           });
  AddRoute(router, env, "POST", "/api/subscription/{subscription:id}/redeliver/{event:id}",
           "handleRedeliverSubscriptionEvent",
           [&admin, on_redeliver = std::move(on_redeliver)](RequestContext& ctx,
                                                            const HttpRequest& request) {
             return HandleRedeliverSubscriptionEvent(admin, on_redeliver, ctx, request);
           });
}

}  // namespace cloud::api
