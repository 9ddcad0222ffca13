// Query/path escaping, status errors, and Client request building over a fake transport.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "client/client.h"

namespace cloud::client {
namespace {

TEST(QueryEscape, MatchesGoUrlQueryEscape) {
  struct Case {
    std::string in;
    std::string query;
    std::string path;
  };
  const std::vector<Case> cases = {
      {"abc-_.~XYZ09", "abc-_.~XYZ09", "abc-_.~XYZ09"},
      {"a b", "a+b", "a%20b"},
      {"a/b?c&d=e", "a%2Fb%3Fc%26d%3De", "a%2Fb%3Fc&d=e"},
      {"10.0.0.0/8", "10.0.0.0%2F8", "10.0.0.0%2F8"},
      {"é", "%C3%A9", "%C3%A9"},
      {"+,;:@$", "%2B%2C%3B%3A%40%24", "+,;:@$"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(QueryEscape(c.in), c.query);
    EXPECT_EQ(PathEscape(c.in), c.path);
  }
}

TEST(Query, EncodesSortedByKeyKeepingValueOrder) {
  Query q;
  q.Add("state", "stable").Add("owner", "me you").Add("state", "creation-requested");
  q.AddPaging(2, 50, true);
  EXPECT_EQ(q.Encode(),
            "include_deleted=true&owner=me+you&page=2&per_page=50&state=stable&"
            "state=creation-requested");
  Query paging;
  paging.AddPaging(0, -1, false);
  EXPECT_EQ(paging.Encode(), "page=0&per_page=-1");
  EXPECT_EQ(Query().Encode(), "");
}

TEST(StatusError, CarriesStatusCodeAndServerMessage) {
  struct Case {
    int status;
    std::string body;
    ErrorCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {400, "", ErrorCode::kInvalidArgument, "failed with status code 400"},
      {401, "Unauthorized\n", ErrorCode::kUnauthenticated,
       "failed with status code 401: Unauthorized"},
      {404, "404 page not found\n", ErrorCode::kNotFound,
       "failed with status code 404: 404 page not found"},
      {409, "{\"message\":\"locked\"}", ErrorCode::kConflict,
       "failed with status code 409: locked"},
      {500, "{\"other\":1}", ErrorCode::kInternal, "failed with status code 500"},
      {500, std::string("\x01\x02zip", 5), ErrorCode::kInternal, "failed with status code 500"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    Error e = StatusError(HttpResponse{c.status, c.body, {}});
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.message, c.message);
    EXPECT_EQ(HttpStatusOf(e), c.status);
  }
  EXPECT_FALSE(HttpStatusOf(Unavailable("failed to reach server")).has_value());
}

// Records requests and answers with a fixed response.
class FakeTransport final : public HttpTransport {
 public:
  FakeTransport(std::vector<HttpRequest>* seen, HttpResponse response)
      : seen_(seen), response_(std::move(response)) {}
  Result<HttpResponse> Do(const HttpRequest& request) override {
    seen_->push_back(request);
    return response_;
  }

 private:
  std::vector<HttpRequest>* seen_;
  HttpResponse response_;
};

TEST(Client, BuildsUrlsAndAddsContentTypeOnlyWithABody) {
  std::vector<HttpRequest> seen;
  Client client("http://api.example:8075//", {{"X-A", "1"}},
                std::make_unique<FakeTransport>(&seen, HttpResponse{200, "{}", {}}));
  EXPECT_EQ(client.address(), "http://api.example:8075");
  Query q;
  q.Add("dns_name", "a.example.com");
  EXPECT_EQ(client.Url("/api/installations", q),
            "http://api.example:8075/api/installations?dns_name=a.example.com");

  ASSERT_TRUE(client.GetRaw("/api/clusters"));
  ASSERT_TRUE(client.SetClusterInstallationConfig(
      "ci", model::Json::parse(R"({"ServiceSettings":{"SiteURL":"<x>"}})")));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, HttpMethod::kGet);
  EXPECT_FALSE(seen[0].body.has_value());
  EXPECT_EQ(seen[0].headers, (HttpHeaders{{"X-A", "1"}}));
  EXPECT_EQ(seen[1].method, HttpMethod::kPut);
  EXPECT_EQ(seen[1].url, "http://api.example:8075/api/cluster_installation/ci/config");
  EXPECT_EQ(*seen[1].body, R"({"ServiceSettings":{"SiteURL":"\u003cx\u003e"}})");
  EXPECT_EQ(seen[1].headers, (HttpHeaders{{"X-A", "1"}, {"Content-Type", "application/json"}}));
}

}  // namespace
}  // namespace cloud::client
