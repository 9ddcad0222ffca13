#include "api/webhook_handlers.h"

#include <optional>
#include <string>
#include <vector>

#include "model/filters.h"
#include "model/webhook.h"

namespace cloud::api {

HttpResponse HandleGetWebhooks(const ApiDeps& deps, RequestContext& ctx,
                               const HttpRequest& request) {
  return RunHandler(ctx, "failed to list webhooks", [&]() -> HandlerResult {
    CLOUD_TRY(model::WebhookFilter filter, model::ParseWebhookFilter(QueryOf(request)));
    CLOUD_TRY(std::vector<model::Webhook> webhooks, deps.webhooks->GetWebhooks(filter));
    return JsonResponse(200, webhooks);
  });
}

HttpResponse HandleCreateWebhook(const ApiDeps& deps, RequestContext& ctx,
                                 const HttpRequest& request) {
  return RunHandler(ctx, "failed to create webhook", [&]() -> HandlerResult {
    CLOUD_TRY(model::CreateWebhookRequest body, DecodeBody<model::CreateWebhookRequest>(request));
    CLOUD_TRY_VOID(body.Validate());
    model::Webhook webhook;
    webhook.owner_id = body.owner_id;
    webhook.url = body.url;
    webhook.headers = body.headers;
    webhook.secret = body.secret;
    CLOUD_TRY(model::Webhook created, deps.webhooks->CreateWebhook(webhook));
    return JsonResponse(202, created);
  });
}

HttpResponse HandleGetWebhook(const ApiDeps& deps, RequestContext& ctx,
                              const HttpRequest& request) {
  return RunHandler(ctx, "failed to get webhook", [&]() -> HandlerResult {
    std::string id(request.PathVar("webhook"));
    CLOUD_TRY(std::optional<model::Webhook> webhook, deps.webhooks->GetWebhook(id));
    if (!webhook) return NotFound("webhook " + id + " not found");
    return JsonResponse(200, *webhook);
  });
}

HttpResponse HandleDeleteWebhook(const ApiDeps& deps, RequestContext& ctx,
                                 const HttpRequest& request) {
  return RunHandler(ctx, "failed to delete webhook", [&]() -> HandlerResult {
    std::string id(request.PathVar("webhook"));
    CLOUD_TRY(std::optional<model::Webhook> webhook, deps.webhooks->GetWebhook(id));
    if (!webhook) return NotFound("webhook " + id + " not found");
    if (webhook->IsDeleted()) return InvalidArgument("webhook " + id + " is already deleted");
    CLOUD_TRY_VOID(deps.webhooks->DeleteWebhook(id));
    return HttpResponse::Status(200);
  });
}

void RegisterWebhookRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  AddRoute(router, env, "GET", "/api/webhooks", "handleGetWebhooks",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleGetWebhooks(deps, ctx, request);
           });
  AddRoute(router, env, "POST", "/api/webhooks", "handleCreateWebhook",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleCreateWebhook(deps, ctx, request);
           });
  AddRoute(router, env, "GET", "/api/webhook/{webhook:id}", "handleGetWebhook",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleGetWebhook(deps, ctx, request);
           });
  AddRoute(router, env, "DELETE", "/api/webhook/{webhook:id}", "handleDeleteWebhook",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleDeleteWebhook(deps, ctx, request);
           });
}

}  // namespace cloud::api
