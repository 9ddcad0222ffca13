// Handler of GET /api/events/state_change (spec upstream-api.md §3.11; upstream
// internal/api/events.go).
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/router.h"

namespace cloud::api {

// GET /api/events/state_change: paging (include_deleted parsed, irrelevant) + resource_type,
// resource_id (exact); newest first.
HttpResponse HandleListStateChangeEvents(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& request);

// Go initEvent.
void RegisterEventRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
