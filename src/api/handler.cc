#include "api/handler.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <random>
#include <utility>

#include "common/id.h"

namespace cloud::api {
namespace {

// A request ID of NewId()'s shape (26 characters of its alphabet, 128 random bits) from a
// per-thread generator seeded by the OS: NewId() asks OpenSSL's RAND_bytes per call, which
// cost a few percent of a GET. Request IDs name log lines and API lock holders; they need to
// be unique, not secret.
std::string NewRequestIdForHandler() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device os;
    std::seed_seq seed{os(), os(), os(), os(), os(), os(), os(), os()};
    return std::mt19937_64(seed);
  }();
  std::array<uint64_t, 2> words = {generator(), generator()};
  std::string out;
  out.reserve(kIdLength);
  unsigned __int128 bits = (static_cast<unsigned __int128>(words[0]) << 64) | words[1];
  for (size_t i = 0; i < kIdLength; ++i) {  // 26 x 5 bits: the last 2 bits are padding
    const size_t shift = 128 - 5 * (i + 1);
    const unsigned index = i + 1 < kIdLength ? static_cast<unsigned>((bits >> shift) & 0x1f)
                                             : static_cast<unsigned>((bits << 2) & 0x1f);
    out.push_back(kIdAlphabet[index]);
  }
  return out;
}

// The audit actor (AuditEntry::actor): the caller, or "anonymous" when auth is off. A request
// the authenticator rejected says so: "rejected" (401: no valid credentials; the offered token is
// never recorded) or "rejected:<caller>" (403: a known caller outside its allowed endpoints).
std::string AuditActorFor(const std::string& caller_id, bool rejected) {
  if (rejected) return caller_id.empty() ? "rejected" : "rejected:" + caller_id;
  return caller_id.empty() ? "anonymous" : caller_id;
}

bool IsMutating(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "DELETE" || method == "PATCH";
}

// The name of the last {variable} of a route pattern ("" when it has none).
std::string LastPathVariable(std::string_view pattern) {
  const size_t open = pattern.rfind('{');
  if (open == std::string_view::npos) return "";
  const size_t end = pattern.find_first_of(":}", open);
  if (end == std::string_view::npos) return "";
  return std::string(pattern.substr(open + 1, end - open - 1));
}

// The resource a mutating request acted on: the last path variable, or the "ID" of a
// successful JSON object response (creations).
std::string AuditResourceId(const std::string& last_var, const HttpRequest& request,
                            const HttpResponse& response) {
  if (!last_var.empty()) {
    std::string_view id = request.PathVar(last_var);
    if (!id.empty()) return std::string(id);
  }
  if (response.status < 200 || response.status >= 300 || response.body.empty() ||
      response.body.front() != '{') {
    return "";
  }
  Result<model::Json> body = model::ParseJson(response.body);
  if (!body || !body->is_object()) return "";
  auto it = body->find("ID");
  return it != body->end() && it->is_string() ? it->get<std::string>() : "";
}

std::shared_ptr<HttpMetrics::Route> RouteMetrics(const HandlerEnv& env, const std::string& name,
                                                 const std::string& method,
                                                 const std::string& pattern) {
  if (env.metrics == nullptr) return nullptr;
  return std::make_shared<HttpMetrics::Route>(*env.metrics, name, pattern, method);
}

Router::RouteHandler WrapHandlerWithMetrics(const HandlerEnv& env, std::string name,
                                            std::string method, std::string pattern,
                                            std::shared_ptr<HttpMetrics::Route> metrics,
                                            Handler handler) {
  std::string last_var = LastPathVariable(pattern);
  return [env, name = std::move(name), method = std::move(method), pattern = std::move(pattern),
          last_var = std::move(last_var), metrics = std::move(metrics),
          handler = std::move(handler)](const HttpRequest& request) -> HttpResponse {
    const auto start = std::chrono::steady_clock::now();
    RequestContext ctx;
    ctx.request_id = NewRequestIdForHandler();
    ctx.log = env.log.With({{logkey::kRequest, ctx.request_id},
                            {logkey::kHandler, name},
                            {logkey::kMethod, request.method},
                            {logkey::kPath, request.path}});

    HttpResponse response;
    std::optional<HttpResponse> rejected;
    if (env.authenticate) rejected = env.authenticate(request, ctx.caller_id);
    const bool auth_rejected = rejected.has_value();
    if (rejected) {
      response = std::move(*rejected);
    } else {
      if (!ctx.caller_id.empty()) ctx.log = ctx.log.With("caller", ctx.caller_id);
      try {
        response = handler(ctx, request);
      } catch (const std::exception& e) {
        ctx.log.Error("unhandled exception in handler", Internal(e.what()));
        response = ErrorResponse(500, "internal error");
      } catch (...) {
        ctx.log.Error("unhandled non-standard exception in handler");
        response = ErrorResponse(500, "internal error");
      }
    }

    if (env.audit && IsMutating(request.method)) {
      env.audit(AuditEntry{AuditActorFor(ctx.caller_id, auth_rejected), request.method, pattern,
                           AuditResourceId(last_var, request, response), response.status});
    }

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (metrics) metrics->Observe(response.status, seconds);
    if (ctx.log.Enabled(LogLevel::kDebug)) {
      ctx.log.With(logkey::kStatus, std::to_string(response.status)).Debug("handled request");
    }
    return response;
  };
}

// The inline counterpart of WrapHandlerWithMetrics, for reads with authentication off: no
// authenticator and no audit entry to run. A request ID is made only for the debug log line.
// A handler that throws declines, and the worker path answers (and logs) the request.
Router::InlineRouteHandler WrapInlineHandler(const HandlerEnv& env, std::string name,
                                             std::shared_ptr<HttpMetrics::Route> metrics,
                                             InlineHandler handler) {
  return [log = env.log, name = std::move(name), metrics = std::move(metrics),
          handler = std::move(handler)](const HttpRequest& request) -> std::optional<HttpResponse> {
    const auto start = std::chrono::steady_clock::now();
    std::optional<HttpResponse> response;
    try {
      response = handler(request);
    } catch (...) {
      return std::nullopt;
    }
    if (!response) return std::nullopt;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (metrics) metrics->Observe(response->status, seconds);
    if (log.Enabled(LogLevel::kDebug)) {
      log.With({{logkey::kRequest, NewRequestIdForHandler()},
                {logkey::kHandler, name},
                {logkey::kMethod, request.method},
                {logkey::kPath, request.path},
                {logkey::kStatus, std::to_string(response->status)}})
          .Debug("handled request inline");
    }
    return response;
  };
}

}  // namespace

Router::RouteHandler WrapHandler(const HandlerEnv& env, std::string name, std::string method,
                                 std::string pattern, Handler handler) {
  auto metrics = RouteMetrics(env, name, method, pattern);
  return WrapHandlerWithMetrics(env, std::move(name), std::move(method), std::move(pattern),
                                std::move(metrics), std::move(handler));
}

void AddRoute(Router& router, const HandlerEnv& env, std::string_view method,
              std::string_view pattern, std::string_view name, Handler handler) {
  router.Handle(method, pattern,
                WrapHandler(env, std::string(name), std::string(method), std::string(pattern),
                            std::move(handler)));
}

void AddRoute(Router& router, const HandlerEnv& env, std::string_view method,
              std::string_view pattern, std::string_view name, Handler handler,
              InlineHandler inline_handler) {
  if (method != "GET" || env.authenticate || !inline_handler) {
    AddRoute(router, env, method, pattern, name, std::move(handler));
    return;
  }
  auto metrics = RouteMetrics(env, std::string(name), std::string(method), std::string(pattern));
  router.Handle(method, pattern,
                WrapHandlerWithMetrics(env, std::string(name), std::string(method),
                                       std::string(pattern), metrics, std::move(handler)),
                WrapInlineHandler(env, std::string(name), metrics, std::move(inline_handler)));
}

HttpResponse JsonTextResponse(int status, std::string json) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(json);
  response.body.push_back('\n');
  return response;
}

HttpResponse RespondError(const RequestContext& ctx, std::string_view what, const Error& error) {
  HttpResponse response = ErrorResponse(error);
  if (response.status >= 500) {
    ctx.log.Error(what, error);
  } else if (response.status == 404) {
    ctx.log.Debug(std::string(what) + ": " + error.message);
  } else {
    ctx.log.Warn(what, error);
  }
  return response;
}

void AddHealthRoute(Router& router, const HandlerEnv& env, HealthCheck check) {
  AddRoute(router, env, "GET", "/healthz", "handleHealthz",
           [check = std::move(check)](RequestContext& ctx, const HttpRequest&) {
             model::Json body = model::Json::object();
             if (check) {
               if (Result<void> r = check(); !r) {
                 ctx.log.Warn("health check failed", r.error());
                 body["status"] = "unavailable";
                 body["error"] = r.error().message;
                 return JsonTextResponse(503, model::DumpGoJson(body));
               }
             }
             body["status"] = "ok";
             return JsonTextResponse(200, model::DumpGoJson(body));
           });
}

}  // namespace cloud::api
