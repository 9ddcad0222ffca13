#include "api/event_handlers.h"

#include <vector>

#include "model/event.h"
#include "model/filters.h"

namespace cloud::api {

HttpResponse HandleListStateChangeEvents(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& request) {
  return RunHandler(ctx, "failed to list state change events", [&]() -> HandlerResult {
    CLOUD_TRY(model::StateChangeEventFilter filter,
              model::ParseStateChangeEventFilter(QueryOf(request)));
    CLOUD_TRY(std::vector<model::StateChangeEventData> events,
              deps.events->GetStateChangeEvents(filter));
    return JsonResponse(200, events);
  });
}

void RegisterEventRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  AddRoute(router, env, "GET", "/api/events/state_change", "handleListStateChangeEvents",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleListStateChangeEvents(deps, ctx, request);
           });
}

}  // namespace cloud::api
