// Router semantics of gorilla/mux as upstream uses it (upstream-api.md §1.1).
#include "api/router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace cloud::api {
namespace {

constexpr char kId[] = "abcdefghijkmnopqrstuwxyz12";   // 26 chars, ID-shaped
constexpr char kId2[] = "ZZZZZZZZZZZZZZZZZZZZZZZZZ9";  // upper case: still ID-shaped

// A router with a slice of upstream's route table; each handler answers its own name.
Router MakeRouter() {
  Router router;
  auto named = [](std::string name) {
    return [name](const HttpRequest& req) {
      HttpResponse r = HttpResponse::Text(200, name);
      for (const auto& [k, v] : req.path_vars) r.headers.emplace_back("var-" + k, v);
      return r;
    };
  };
  router.Handle("GET", "/api/clusters", named("getClusters"));
  router.Handle("POST", "/api/clusters", named("createCluster"));
  router.Handle("POST", "/api/clusters/import", named("importCluster"));
  router.Handle("GET", "/api/cluster/{cluster:[A-Za-z0-9]{26}}", named("getCluster"));
  router.Handle("DELETE", "/api/cluster/{cluster:id}", named("deleteCluster"));
  router.Handle("DELETE", "/api/cluster/{cluster:id}/annotation/{annotation-name}",
                named("deleteClusterAnnotation"));
  router.Handle("GET", "/api/installations/count", named("getInstallationsCount"));
  router.Handle("GET", "/api/installation/{installation:id}", named("getInstallation"));
  router.Handle("PUT", "/api/installation/{installation:id}/group/{group}", named("joinGroup"));
  router.Handle("DELETE", "/api/cluster_installations/migrate/delete_inactive/{clusterID}",
                named("deleteInactiveByCluster"));
  router.Handle("DELETE",
                "/api/cluster_installations/migrate/delete_inactive/cluster_installation/"
                "{ClusterInstallationID}",
                named("deleteInactiveCI"));
  // Registration order decides between a free and a literal segment (mux: first match wins).
  router.Handle("GET", "/api/things/{name}", named("thingByName"));
  router.Handle("GET", "/api/things/special", named("specialThing"));
  router.Handle("POST", "/api/things/special", named("postSpecialThing"));
  router.Handle("GET", "/trailing/", named("trailing"));
  return router;
}

struct Case {
  std::string name;
  std::string method;
  std::string path;
  std::string query;
  int status;
  std::string body;                                       // for 200
  std::vector<std::pair<std::string, std::string>> vars;  // for 200
  std::string location;                                   // for 301
};

TEST(Router, MatchesLikeGorillaMux) {
  const std::string id = kId;
  const std::vector<Case> cases = {
      {"literal GET", "GET", "/api/clusters", "", 200, "getClusters", {}, ""},
      {"literal POST", "POST", "/api/clusters", "", 200, "createCluster", {}, ""},
      {"longer literal", "POST", "/api/clusters/import", "", 200, "importCluster", {}, ""},
      {"id variable (upstream regex spelling)",
       "GET",
       "/api/cluster/" + id,
       "",
       200,
       "getCluster",
       {{"cluster", id}},
       ""},
      {"id variable upper case still matches the shape",
       "GET",
       std::string("/api/cluster/") + kId2,
       "",
       200,
       "getCluster",
       {{"cluster", kId2}},
       ""},
      {"id variable (short spelling)",
       "DELETE",
       "/api/cluster/" + id,
       "",
       200,
       "deleteCluster",
       {{"cluster", id}},
       ""},
      {"id and free variables",
       "DELETE",
       "/api/cluster/" + id + "/annotation/my-annotation",
       "",
       200,
       "deleteClusterAnnotation",
       {{"cluster", id}, {"annotation-name", "my-annotation"}},
       ""},
      {"free variable takes any segment",
       "PUT",
       "/api/installation/" + id + "/group/x.y_z",
       "",
       200,
       "joinGroup",
       {{"installation", id}, {"group", "x.y_z"}},
       ""},
      {"literal beats variable at another position",
       "GET",
       "/api/installations/count",
       "",
       200,
       "getInstallationsCount",
       {},
       ""},
      {"free clusterID",
       "DELETE",
       "/api/cluster_installations/migrate/delete_inactive/abc",
       "",
       200,
       "deleteInactiveByCluster",
       {{"clusterID", "abc"}},
       ""},
      {"deeper route",
       "DELETE",
       "/api/cluster_installations/migrate/delete_inactive/cluster_installation/ci1",
       "",
       200,
       "deleteInactiveCI",
       {{"ClusterInstallationID", "ci1"}},
       ""},
      {"first registered wins over a later literal",
       "GET",
       "/api/things/special",
       "",
       200,
       "thingByName",
       {{"name", "special"}},
       ""},
      {"method decides among matching patterns",
       "POST",
       "/api/things/special",
       "",
       200,
       "postSpecialThing",
       {},
       ""},
      {"trailing slash pattern", "GET", "/trailing/", "", 200, "trailing", {}, ""},

      {"unknown path", "GET", "/api/nothing", "", 404, "", {}, ""},
      {"root", "GET", "/", "", 404, "", {}, ""},
      {"id too short", "GET", "/api/cluster/abc", "", 404, "", {}, ""},
      {"id too long", "GET", "/api/cluster/" + id + "x", "", 404, "", {}, ""},
      {"id with a dash", "GET", "/api/cluster/abcdefghijkmnopqrstuwxyz1-", "", 404, "", {}, ""},
      {"no strict slash: trailing slash is 404", "GET", "/api/clusters/", "", 404, "", {}, ""},
      {"trailing slash after id is 404", "GET", "/api/cluster/" + id + "/", "", 404, "", {}, ""},
      {"missing trailing slash is 404", "GET", "/trailing", "", 404, "", {}, ""},
      {"empty free variable is 404",
       "PUT",
       "/api/installation/" + id + "/group/",
       "",
       404,
       "",
       {},
       ""},
      {"case-sensitive literals", "GET", "/API/clusters", "", 404, "", {}, ""},

      {"path matches, method does not", "DELETE", "/api/clusters", "", 405, "", {}, ""},
      {"405 on id route", "PUT", "/api/cluster/" + id, "", 405, "", {}, ""},
      {"HEAD is not GET", "HEAD", "/api/clusters", "", 405, "", {}, ""},

      {"double slash", "GET", "/api//clusters", "", 301, "", {}, "/api/clusters"},
      {"dot segment", "GET", "/api/./clusters", "", 301, "", {}, "/api/clusters"},
      {"dot-dot segment", "GET", "/api/x/../clusters", "", 301, "", {}, "/api/clusters"},
      {"dot-dot above root", "GET", "/../api/clusters", "", 301, "", {}, "/api/clusters"},
      {"keeps the trailing slash", "GET", "/api//clusters/", "", 301, "", {}, "/api/clusters/"},
      {"keeps the query",
       "GET",
       "//api/clusters",
       "page=1&per_page=2",
       301,
       "",
       {},
       "/api/clusters?page=1&per_page=2"},
      {"escapes the location", "GET", "/api//a b", "", 301, "", {}, "/api/a%20b"},
      {"redirect happens before method checks",
       "PATCH",
       "/api//clusters",
       "",
       301,
       "",
       {},
       "/api/clusters"},
  };
  const Router router = MakeRouter();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpRequest request;
    request.method = c.method;
    request.path = c.path;
    request.raw_query = c.query;
    HttpResponse response = router.Dispatch(request);
    ASSERT_EQ(response.status, c.status);
    switch (c.status) {
      case 200: {
        EXPECT_EQ(response.body, c.body);
        std::vector<std::pair<std::string, std::string>> vars;
        for (const auto& [k, v] : response.headers) {
          if (k.rfind("var-", 0) == 0) vars.emplace_back(k.substr(4), v);
        }
        auto sorted = c.vars;
        std::sort(sorted.begin(), sorted.end());
        std::sort(vars.begin(), vars.end());
        EXPECT_EQ(vars, sorted);
        break;
      }
      case 404:
        EXPECT_EQ(response.body, "404 page not found\n");
        EXPECT_EQ(response.content_type, "text/plain; charset=utf-8");
        break;
      case 405:
        EXPECT_EQ(response.body, "");
        EXPECT_EQ(response.content_type, "");
        break;
      case 301:
        EXPECT_EQ(response.body, "");
        ASSERT_TRUE(FindHeader(response.headers, "location").has_value());
        EXPECT_EQ(*FindHeader(response.headers, "Location"), c.location);
        break;
    }
  }
}

TEST(Router, FillsRequestPathVars) {
  Router router;
  router.Handle("GET", "/api/cluster/{cluster:id}", [](const HttpRequest& req) {
    return HttpResponse::Text(
        200, std::string(req.PathVar("cluster")) + "|" + std::string(req.PathVar("absent")));
  });
  HttpRequest request;
  request.method = "GET";
  request.path = std::string("/api/cluster/") + kId;
  EXPECT_EQ(router.Dispatch(request).body, std::string(kId) + "|");
  EXPECT_EQ(request.PathVar("cluster"), kId);
}

TEST(Router, ParsesPatterns) {
  using K = PatternSegment::Kind;
  struct PatternCase {
    std::string pattern;
    bool ok;
    std::vector<PatternSegment> segments;
  };
  const std::vector<PatternCase> cases = {
      {"/api/clusters", true, {{K::kLiteral, "api"}, {K::kLiteral, "clusters"}}},
      {"/", true, {{K::kLiteral, ""}}},
      {"/a/", true, {{K::kLiteral, "a"}, {K::kLiteral, ""}}},
      {"/api/cluster/{cluster:[A-Za-z0-9]{26}}",
       true,
       {{K::kLiteral, "api"}, {K::kLiteral, "cluster"}, {K::kId, "cluster"}}},
      {"/x/{id:id}/{name}", true, {{K::kLiteral, "x"}, {K::kId, "id"}, {K::kAny, "name"}}},
      {"api/clusters", false, {}},
      {"", false, {}},
      {"/x/{name:[a-z]+}", false, {}},
      {"/x/pre{name}", false, {}},
      {"/x/{name", false, {}},
      {"/x/{}", false, {}},
      {"/x/{a}/{a}", false, {}},
  };
  for (const PatternCase& c : cases) {
    SCOPED_TRACE(c.pattern);
    Result<std::vector<PatternSegment>> parsed = ParseRoutePattern(c.pattern);
    ASSERT_EQ(parsed.has_value(), c.ok);
    if (c.ok) {
      EXPECT_EQ(*parsed, c.segments);
    } else {
      EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(Router, CleanPathFollowsGo) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "/"},           {"/", "/"},           {"//", "/"},       {"/a/b", "/a/b"},
      {"/a//b", "/a/b"},   {"/a/./b/", "/a/b/"}, {"/a/../b", "/b"}, {"/a/b/..", "/a"},
      {"/a/b/../", "/a/"}, {"/..", "/"},         {"a/b", "/a/b"},   {"/a/.../b", "/a/.../b"},
  };
  for (const auto& [in, want] : cases) {
    SCOPED_TRACE(in);
    EXPECT_EQ(CleanPath(in), want);
  }
}

TEST(Router, RegistrationAbortsOnBadPattern) {
  EXPECT_DEATH(
      {
        Router router;
        router.Handle("GET", "/x/{name:[a-z]+}", [](const HttpRequest&) { return HttpResponse{}; });
      },
      "unsupported route variable pattern");
}

TEST(HttpTypes, DecodesPathsAndQueries) {
  EXPECT_EQ(*PercentDecode("/a%20b+c", false), "/a b+c");
  EXPECT_EQ(*PercentDecode("a%2Fb+c", true), "a/b c");
  EXPECT_FALSE(PercentDecode("%zz", false).has_value());
  EXPECT_FALSE(PercentDecode("%2", false).has_value());

  auto query = ParseQueryString("page=1&per_page=-1&owner=&x=a%20b&x=c+d&bad=%zz&semi=1;2&&flag");
  std::vector<std::pair<std::string, std::string>> got(query.begin(), query.end());
  std::vector<std::pair<std::string, std::string>> want = {
      {"flag", ""}, {"owner", ""}, {"page", "1"}, {"per_page", "-1"}, {"x", "a b"}, {"x", "c d"}};
  EXPECT_EQ(got, want);

  HttpRequest request;
  request.query = query;
  request.headers = {{"Content-Type", "application/json"}};
  EXPECT_EQ(request.QueryValue("x"), "a b");
  EXPECT_EQ(request.QueryValue("missing"), "");
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_FALSE(request.Header("accept").has_value());
}

}  // namespace
}  // namespace cloud::api
