// The handler contract of the API layer (STYLE.md §4.6): handlers are free functions
//   HttpResponse Handle<Verb><Noun>(RequestContext& ctx, const HttpRequest& request)
// registered with AddRoute(), which wraps them (WrapHandler) with a request id, a logger
// carrying request/handler/method/path fields, metrics, the authentication hook, and a
// last-resort catch. Also the JSON helpers every handler uses.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/error_mapping.h"
#include "api/http_types.h"
#include "api/metrics.h"
#include "api/router.h"
#include "common/logging.h"
#include "model/json_codec.h"

namespace cloud::api {

// Per-request state handed to a handler. Lives for one request, on the worker thread that
// runs it. Handler dependencies (store roles, supervisor notifier ...) are captured by the
// lambda registered with AddRoute, not stored here.
struct RequestContext {
  std::string request_id;  // a fresh 26-char ID per request (upstream: model.NewID())
  Logger log;              // fields: request, handler, method, path
  std::string caller_id;   // the authenticated caller (JWT oid/appid); "" when auth is off
};

using Handler = std::function<HttpResponse(RequestContext& ctx, const HttpRequest& request)>;

// Authentication hook run for matched routes only (mux middleware semantics, spec §1.6).
// Returns nullopt to let the request through (setting `caller_id`), or the response to send
// instead (401/403/500 with upstream's text bodies).
using Authenticator =
    std::function<std::optional<HttpResponse>(const HttpRequest& request, std::string& caller_id)>;

// One mutating request (POST/PUT/DELETE) as the audit log records it (ours, not upstream).
struct AuditEntry {
  std::string actor;        // caller ID ("apikey:<name>" for API keys) or "anonymous"
  std::string method;       // POST / PUT / DELETE
  std::string route;        // the route pattern, e.g. /api/cluster/{cluster:id}
  std::string resource_id;  // the route's last path variable, else the "ID" of a 2xx JSON body
  int status = 0;
};
// Records one entry; must not throw (log its own failures). Runs on the worker thread after
// the handler, before the response is sent.
using AuditSink = std::function<void(const AuditEntry& entry)>;

// What WrapHandler needs; built once in app/ and shared by all routes.
struct HandlerEnv {
  Logger log;                      // base logger for request logs
  HttpMetrics* metrics = nullptr;  // null: no metrics
  Authenticator authenticate;      // empty: auth off
  AuditSink audit{};               // empty: no audit log
};

// Wraps `handler`: assigns a request id, builds the logger, runs the authenticator, calls
// the handler, turns an escaping exception into 500 (logged), writes an audit entry for
// POST/PUT/DELETE (also when authentication rejected it), records metrics labelled by
// `name` (upstream's Go handler name, e.g. "handleGetCluster") and `pattern`, and logs one
// debug line per request.
Router::RouteHandler WrapHandler(const HandlerEnv& env, std::string name, std::string method,
                                 std::string pattern, Handler handler);

// Answers a request from memory without blocking (no store, no network, no waiting on a lock
// held across I/O), or declines with nullopt so that the route's Handler runs on the worker
// pool as usual. Runs on the HTTP server's I/O thread (Router::DispatchInline), so what it
// answers skips the hand-off to a worker and back.
using InlineHandler = std::function<std::optional<HttpResponse>(const HttpRequest& request)>;

// Registers `handler` on `router` for `method` and `pattern`, wrapped with WrapHandler.
//   AddRoute(router, env, "GET", "/api/cluster/{cluster:id}", "handleGetCluster",
//            [&deps](RequestContext& ctx, const HttpRequest& req) {
//              return HandleGetCluster(deps, ctx, req);
//            });
void AddRoute(Router& router, const HandlerEnv& env, std::string_view method,
              std::string_view pattern, std::string_view name, Handler handler);

// AddRoute, plus `inline_handler` for the I/O thread. It is used only for GET routes and only
// when authentication is off (checking an API key reads the store); otherwise the route has
// `handler` alone. What it answers is counted in the route's metrics and logged as `handler`'s
// answers are.
void AddRoute(Router& router, const HandlerEnv& env, std::string_view method,
              std::string_view pattern, std::string_view name, Handler handler,
              InlineHandler inline_handler);

// A JSON response with an already-encoded body: `json` + "\n", Content-Type application/json
// (Go's json.Encoder output).
HttpResponse JsonTextResponse(int status, std::string json);

// A JSON response for a wire value (model::EncodeJson + "\n").
template <class T>
HttpResponse JsonResponse(int status, const T& value) {
  return JsonTextResponse(status, model::EncodeJson(value));
}

// Decodes a request body into wire type T with Go's encoding/json rules (empty body or
// `null` = zero value; unknown keys ignored). Errors: kInvalidArgument ("failed to decode
// request: ..."), which ErrorResponse maps to 400.
template <class T>
Result<T> DecodeRequestBody(const HttpRequest& request) {
  Result<T> decoded = model::DecodeJson<T>(request.body);
  if (!decoded) return decoded.error().WithContext("failed to decode request");
  return decoded;
}

// Logs `error` on ctx.log (5xx as errors, 404 as debug, other 4xx as warnings) and returns
// ErrorResponse(error). `what` is the lower-case log message ("failed to get cluster").
HttpResponse RespondError(const RequestContext& ctx, std::string_view what, const Error& error);

// GET /healthz: calls `check` and answers 200 {"status":"ok"} or 503
// {"status":"unavailable","error":"..."}. An empty check always answers ok.
using HealthCheck = std::function<Result<void>()>;
void AddHealthRoute(Router& router, const HandlerEnv& env, HealthCheck check);

}  // namespace cloud::api
