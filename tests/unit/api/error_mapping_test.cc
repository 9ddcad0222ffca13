// Error → HTTP status mapping (the only place that knows HTTP codes) and the handler helpers.
#include "api/error_mapping.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/handler.h"

namespace cloud::api {
namespace {

TEST(ErrorMapping, MapsEveryCode) {
  struct Case {
    ErrorCode code;
    int status;
  };
  const std::vector<Case> cases = {
      {ErrorCode::kInvalidArgument, 400}, {ErrorCode::kFailedPrecondition, 400},
      {ErrorCode::kNotFound, 404},        {ErrorCode::kAlreadyExists, 409},
      {ErrorCode::kConflict, 409},        {ErrorCode::kForbidden, 403},
      {ErrorCode::kUnauthenticated, 401}, {ErrorCode::kUnavailable, 503},
      {ErrorCode::kInternal, 500},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(ErrorCodeName(c.code)));
    EXPECT_EQ(HttpStatusFor(c.code), c.status);
    HttpResponse response = ErrorResponse(Error{c.code, "boom"});
    EXPECT_EQ(response.status, c.status);
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(response.body, "{\"error\":\"boom\"}\n");
  }
}

TEST(ErrorMapping, EscapesMessagesLikeGo) {
  EXPECT_EQ(ErrorResponse(400, "bad <tag> & \"quote\"").body,
            "{\"error\":\"bad \\u003ctag\\u003e \\u0026 \\\"quote\\\"\"}\n");
}

struct Sample {
  std::string name;
  int64_t size = 0;
  std::vector<std::string> tags;
};

template <class V>
void JsonFields(V& v, Sample& s) {
  v("Name", s.name);
  v("Size", s.size, model::kOmitEmpty);
  v("Tags", s.tags);
}

TEST(HandlerHelpers, WritesJsonGoStyle) {
  HttpResponse response = JsonResponse(202, Sample{"a<b", 0, {"x"}});
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, "{\"Name\":\"a\\u003cb\",\"Tags\":[\"x\"]}\n");
}

TEST(HandlerHelpers, DecodesRequestBodies) {
  struct Case {
    std::string name;
    std::string body;
    bool ok;
    std::string want_name;
    int64_t want_size;
  };
  const std::vector<Case> cases = {
      {"empty body is the zero value", "", true, "", 0},
      {"null body is the zero value", "null", true, "", 0},
      {"keys match case-insensitively", R"({"name":"x","SIZE":3})", true, "x", 3},
      {"unknown keys are ignored", R"({"Name":"x","Other":1})", true, "x", 0},
      {"trailing bytes are ignored", R"({"Name":"x"} garbage)", true, "x", 0},
      {"type mismatch", R"({"Size":"3"})", false, "", 0},
      {"malformed JSON", R"({"Name":)", false, "", 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpRequest request;
    request.body = c.body;
    Result<Sample> decoded = DecodeRequestBody<Sample>(request);
    ASSERT_EQ(decoded.has_value(), c.ok);
    if (c.ok) {
      EXPECT_EQ(decoded->name, c.want_name);
      EXPECT_EQ(decoded->size, c.want_size);
    } else {
      EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
      EXPECT_EQ(ErrorResponse(decoded.error()).status, 400);
      EXPECT_EQ(decoded.error().message.rfind("failed to decode request", 0), 0u);
    }
  }
}

TEST(WrapHandler, AddsContextCatchesExceptionsAndRecordsMetrics) {
  auto sink = std::make_shared<CapturingLogSink>();
  MetricsRegistry registry;
  HttpMetrics metrics(registry);
  HandlerEnv env{Logger(sink), &metrics, {}};
  Router router;
  std::string seen_request_id;
  AddRoute(router, env, "GET", "/api/cluster/{cluster:id}", "handleGetCluster",
           [&](RequestContext& ctx, const HttpRequest& req) {
             seen_request_id = ctx.request_id;
             if (req.QueryValue("fail") == "throw") throw std::runtime_error("kaput");
             return RespondError(ctx, "failed to get cluster", NotFound("no such cluster"));
           });

  HttpRequest request;
  request.method = "GET";
  request.path = "/api/cluster/abcdefghijkmnopqrstuwxyz12";
  EXPECT_EQ(router.Dispatch(request).status, 404);
  EXPECT_EQ(seen_request_id.size(), 26u);

  request.query = {{"fail", "throw"}};
  HttpResponse thrown = router.Dispatch(request);
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(thrown.body, "{\"error\":\"internal error\"}\n");

  bool logged_exception = false;
  for (const LogRecord& record : sink->Records()) {
    if (record.message != "unhandled exception in handler") continue;
    logged_exception = true;
    auto field = [&](std::string_view key) {
      for (const auto& [k, v] : record.fields) {
        if (k == key) return v;
      }
      return std::string("<missing>");
    };
    EXPECT_EQ(field("handler"), "handleGetCluster");
    EXPECT_EQ(field("method"), "GET");
    EXPECT_EQ(field("path"), "/api/cluster/abcdefghijkmnopqrstuwxyz12");
    EXPECT_EQ(field("request").size(), 26u);
    EXPECT_EQ(field("error"), "kaput");
  }
  EXPECT_TRUE(logged_exception);

  auto& duration = registry.AddHistogram("provisioner_api_requests_duration", "",
                                         {"handler", "route", "method", "status_code"},
                                         ExponentialBuckets(0.001, 2, 15));
  EXPECT_EQ(duration.Count({"handleGetCluster", "/api/cluster/{cluster:id}", "GET", "404"}), 1u);
  EXPECT_EQ(duration.Count({"handleGetCluster", "/api/cluster/{cluster:id}", "GET", "500"}), 1u);
  EXPECT_EQ(registry.AddCounter("provisioner_api_requests_total", "").Value(), 2);
}

TEST(WrapHandler, AuthenticatorRejectsOrSetsCaller) {
  HandlerEnv env;
  env.authenticate = [](const HttpRequest& req,
                        std::string& caller) -> std::optional<HttpResponse> {
    if (!req.Header("Authorization")) {
      return HttpResponse::Text(401, "Authorization header missing\n");
    }
    caller = "user1";
    return std::nullopt;
  };
  Router router;
  AddRoute(router, env, "GET", "/api/clusters", "handleGetClusters",
           [](RequestContext& ctx, const HttpRequest&) {
             return HttpResponse::Text(200, ctx.caller_id);
           });
  HttpRequest request;
  request.method = "GET";
  request.path = "/api/clusters";
  HttpResponse rejected = router.Dispatch(request);
  EXPECT_EQ(rejected.status, 401);
  EXPECT_EQ(rejected.body, "Authorization header missing\n");
  request.headers = {{"authorization", "Bearer x"}};
  HttpResponse accepted = router.Dispatch(request);
  EXPECT_EQ(accepted.status, 200);
  EXPECT_EQ(accepted.body, "user1");
}

// An inline handler answers through Router::DispatchInline (path variables filled, metrics
// counted under the route like the worker's answers); a decline, a throw, a route without one
// and an unmatched path all give nullopt, and Dispatch still runs the worker handler.
TEST(InlineRoute, AnswersOrDeclinesAndCountsInTheRoutesMetrics) {
  MetricsRegistry registry;
  HttpMetrics metrics(registry);
  HandlerEnv env{Logger(), &metrics, {}};
  Router router;
  AddRoute(
      router, env, "GET", "/api/cluster/{cluster:id}", "handleGetCluster",
      [](RequestContext&, const HttpRequest&) { return HttpResponse::Text(200, "worker"); },
      [](const HttpRequest& req) -> std::optional<HttpResponse> {
        if (req.QueryValue("inline") == "no") return std::nullopt;
        if (req.QueryValue("inline") == "throw") throw std::runtime_error("kaput");
        return HttpResponse::Text(200, "inline " + std::string(req.PathVar("cluster")));
      });
  AddRoute(router, env, "GET", "/api/clusters", "handleGetClusters",
           [](RequestContext&, const HttpRequest&) { return HttpResponse::Text(200, "list"); });

  HttpRequest request;
  request.method = "GET";
  request.path = "/api/cluster/abcdefghijkmnopqrstuwxyz12";
  std::optional<HttpResponse> answered = router.DispatchInline(request);
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->body, "inline abcdefghijkmnopqrstuwxyz12");

  request.query = {{"inline", "no"}};
  EXPECT_FALSE(router.DispatchInline(request).has_value());
  EXPECT_EQ(router.Dispatch(request).body, "worker");
  request.query = {{"inline", "throw"}};
  EXPECT_FALSE(router.DispatchInline(request).has_value());

  HttpRequest other;
  other.method = "GET";
  other.path = "/api/clusters";
  EXPECT_FALSE(router.DispatchInline(other).has_value());
  other.path = "/api/nothing";
  EXPECT_FALSE(router.DispatchInline(other).has_value());
  other.method = "POST";
  other.path = "/api/cluster/abcdefghijkmnopqrstuwxyz12";
  EXPECT_FALSE(router.DispatchInline(other).has_value());

  // One inline answer and one worker answer, on the same route's series.
  auto& duration = registry.AddHistogram("provisioner_api_requests_duration", "",
                                         {"handler", "route", "method", "status_code"},
                                         ExponentialBuckets(0.001, 2, 15));
  EXPECT_EQ(duration.Count({"handleGetCluster", "/api/cluster/{cluster:id}", "GET", "200"}), 2u);
}

// An inline handler is not used where it could skip a check that reads the store or a write's
// audit entry: with an authenticator configured, and on routes other than GET.
TEST(InlineRoute, NotUsedWithAuthenticationOrForWrites) {
  auto inline_answer = [](const HttpRequest&) -> std::optional<HttpResponse> {
    return HttpResponse::Text(200, "inline");
  };
  auto worker = [](RequestContext&, const HttpRequest&) { return HttpResponse::Text(200, "w"); };
  HandlerEnv with_auth;
  with_auth.authenticate = [](const HttpRequest&, std::string&) -> std::optional<HttpResponse> {
    return HttpResponse::Text(401, "no\n");
  };
  Router authenticated;
  AddRoute(authenticated, with_auth, "GET", "/api/clusters", "handleGetClusters", worker,
           inline_answer);
  ASSERT_EQ(authenticated.routes().size(), 1u);
  EXPECT_FALSE(authenticated.routes()[0].inline_handler);

  Router writes;
  AddRoute(writes, HandlerEnv{}, "POST", "/api/clusters", "handleCreateCluster", worker,
           inline_answer);
  AddRoute(writes, HandlerEnv{}, "GET", "/api/clusters", "handleGetClusters", worker,
           inline_answer);
  ASSERT_EQ(writes.routes().size(), 2u);
  EXPECT_FALSE(writes.routes()[0].inline_handler);
  EXPECT_TRUE(writes.routes()[1].inline_handler);
}

TEST(HealthRoute, ReportsTheCheck) {
  HandlerEnv env;
  Router router;
  bool healthy = true;
  AddHealthRoute(router, env, [&]() -> Result<void> {
    if (healthy) return Ok();
    return Unavailable("database unreachable");
  });
  HttpRequest request;
  request.method = "GET";
  request.path = "/healthz";
  HttpResponse ok = router.Dispatch(request);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "{\"status\":\"ok\"}\n");
  healthy = false;
  HttpResponse bad = router.Dispatch(request);
  EXPECT_EQ(bad.status, 503);
  EXPECT_EQ(bad.body, "{\"status\":\"unavailable\",\"error\":\"database unreachable\"}\n");
}

}  // namespace
}  // namespace cloud::api
