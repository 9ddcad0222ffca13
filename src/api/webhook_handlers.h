// Handlers of /api/webhooks and /api/webhook/{webhook}: legacy outgoing webhooks
// (spec upstream-api.md §3.8; upstream internal/api/webhook.go).
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/router.h"

namespace cloud::api {

// GET /api/webhooks: paging + owner.
HttpResponse HandleGetWebhooks(const ApiDeps& deps, RequestContext& ctx,
                               const HttpRequest& request);
// POST /api/webhooks (CreateWebhookRequest): decode / validation 400; a live webhook with the
// same URL → 409 (upstream 500); 202 Webhook.
HttpResponse HandleCreateWebhook(const ApiDeps& deps, RequestContext& ctx,
                                 const HttpRequest& request);
// GET /api/webhook/{webhook}: 404 / 200.
HttpResponse HandleGetWebhook(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& request);
// DELETE /api/webhook/{webhook}: 404; already deleted → 400; soft delete, 200 empty.
HttpResponse HandleDeleteWebhook(const ApiDeps& deps, RequestContext& ctx,
                                 const HttpRequest& request);

// Go initWebhook.
void RegisterWebhookRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
