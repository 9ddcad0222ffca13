// The client against a loopback HTTP server: URLs, query strings, headers, bodies, JSON
// decoding, 404-is-nil, status errors, unreachable servers, connection reuse.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "client/client.h"
#include "e2e/client/loopback_http_server.h"

namespace cloud::client {
namespace {

using cloud::testing::CannedResponse;
using cloud::testing::LoopbackHttpServer;
using cloud::testing::RecordedRequest;

// A port on which nothing listens: bound, then closed.
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(ClientHttp, GetInstallationsCountSendsQueryAndDecodesCount) {
  LoopbackHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, "{\"Count\":42}\n", {{"Content-Type", "application/json"}}};
  });
  Client client(server.url());
  Result<int64_t> with_deleted = client.GetInstallationsCount(true);
  ASSERT_TRUE(with_deleted) << with_deleted.error().ToString();
  EXPECT_EQ(*with_deleted, 42);
  Result<int64_t> without = client.GetInstallationsCount(false);
  ASSERT_TRUE(without);

  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/api/installations/count?include_deleted=true");
  EXPECT_EQ(requests[1].target, "/api/installations/count");
  EXPECT_EQ(requests[0].body, "");
}

TEST(ClientHttp, SendsClientHeadersOnEveryRequest) {
  LoopbackHttpServer server([](const RecordedRequest&) { return CannedResponse{200, "{}", {}}; });
  Client client(server.url(), {{"Authorization", "Bearer tok"}, {"X-Extra", "one"}});
  ASSERT_TRUE(client.GetRaw("/api/clusters"));
  ASSERT_TRUE(client.LockAPIForCluster("c1"));
  for (const RecordedRequest& r : server.requests()) {
    SCOPED_TRACE(r.target);
    EXPECT_EQ(r.Header("Authorization"), "Bearer tok");
    EXPECT_EQ(r.Header("X-Extra"), "one");
  }
}

TEST(ClientHttp, PostWithNullBodySetsJsonContentType) {
  LoopbackHttpServer server([](const RecordedRequest&) { return CannedResponse{202, "", {}}; });
  Client client(server.url());
  ASSERT_TRUE(client.RetryCreateCluster("abc"));
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/api/cluster/abc");
  EXPECT_EQ(requests[0].body, "null");
  EXPECT_EQ(requests[0].Header("Content-Type"), "application/json");
  EXPECT_FALSE(requests[0].HasHeader("Expect"));
}

TEST(ClientHttp, MethodsUseUpstreamRoutesAndStatuses) {
  struct Case {
    std::string name;
    std::function<Result<void>(Client&)> call;
    int status;
    std::string method;
    std::string target;
  };
  const std::vector<Case> cases = {
      {"DeleteCluster", [](Client& c) { return c.DeleteCluster("c1"); }, 202, "DELETE",
       "/api/cluster/c1"},
      {"DeleteClusterAnnotation",
       [](Client& c) { return c.DeleteClusterAnnotation("c1", "my-ann"); }, 204, "DELETE",
       "/api/cluster/c1/annotation/my-ann"},
      {"CancelInstallationDeletion", [](Client& c) { return c.CancelInstallationDeletion("i1"); },
       202, "POST", "/api/installation/i1/deletion/cancel"},
      {"DeleteInstallationBackup", [](Client& c) { return c.DeleteInstallationBackup("b1"); }, 202,
       "DELETE", "/api/installations/backup/b1"},
      {"JoinGroup", [](Client& c) { return c.JoinGroup("g1", "i1"); }, 200, "PUT",
       "/api/installation/i1/group/g1"},
      {"DeleteMultitenantDatabase",
       [](Client& c) { return c.DeleteMultitenantDatabase("m1", true); }, 204, "DELETE",
       "/api/databases/multitenant_database/m1?force=true"},
      {"DeleteMultitenantDatabaseNoForce",
       [](Client& c) { return c.DeleteMultitenantDatabase("m1", false); }, 204, "DELETE",
       "/api/databases/multitenant_database/m1?force=false"},
      {"UnlockAPIForBackup", [](Client& c) { return c.UnlockAPIForBackup("b1"); }, 200, "POST",
       "/api/security/installation/backup/b1/api/unlock"},
      {"LockDeletionLockForInstallation",
       [](Client& c) { return c.LockDeletionLockForInstallation("i1"); }, 200, "POST",
       "/api/security/installation/i1/deletion/lock"},
      {"LockAPIForClusterInstallation",
       [](Client& c) { return c.LockAPIForClusterInstallation("ci"); }, 200, "POST",
       "/api/security/cluster_installation/ci/api/lock"},
      {"DeleteSubscription", [](Client& c) { return c.DeleteSubscription("s1"); }, 200, "DELETE",
       "/api/subscription/s1"},
      {"PathSegmentsAreEscaped", [](Client& c) { return c.DeleteGroupAnnotation("g1", "a b/c"); },
       204, "DELETE", "/api/group/g1/annotation/a%20b%2Fc"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    LoopbackHttpServer server([&](const RecordedRequest&) {
      return CannedResponse{c.status, "", {}};
    });
    Client client(server.url());
    Result<void> result = c.call(client);
    EXPECT_TRUE(result) << result.error().ToString();
    std::vector<RecordedRequest> requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].method, c.method);
    EXPECT_EQ(requests[0].target, c.target);
  }
}

TEST(ClientHttp, GetOptionalMapsNotFoundToNullopt) {
  LoopbackHttpServer server([](const RecordedRequest& r) {
    if (r.Path() == "/api/cluster_installation/missing/config") return CannedResponse{404, "", {}};
    return CannedResponse{200, "{\"ServiceSettings\":{\"SiteURL\":\"https://x\"}}", {}};
  });
  Client client(server.url());
  Result<std::optional<model::Json>> missing = client.GetClusterInstallationConfig("missing");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  Result<std::optional<model::Json>> found = client.GetClusterInstallationConfig("ci1");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((**found)["ServiceSettings"]["SiteURL"], "https://x");
}

TEST(ClientHttp, UnexpectedStatusesBecomeErrorsWithTheStatusCode) {
  struct Case {
    std::string name;
    int status;
    std::string body;
    ErrorCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"not found is an error for GetRaw", 404, "", ErrorCode::kNotFound,
       "failed with status code 404"},
      {"bad request with text", 400, "invalid cluster size\n", ErrorCode::kInvalidArgument,
       "failed with status code 400: invalid cluster size"},
      {"conflict with json", 409, "{\"Error\":\"cluster is locked\"}", ErrorCode::kConflict,
       "failed with status code 409: cluster is locked"},
      {"forbidden", 403, "", ErrorCode::kForbidden, "failed with status code 403"},
      {"internal", 500, "", ErrorCode::kInternal, "failed with status code 500"},
      {"unavailable", 503, "", ErrorCode::kUnavailable, "failed with status code 503"},
      {"unexpected success code", 202, "{}", ErrorCode::kInternal, "failed with status code 202"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    LoopbackHttpServer server([&](const RecordedRequest&) {
      return CannedResponse{c.status, c.body, {}};
    });
    Client client(server.url());
    Result<model::Json> result = client.GetRaw("/api/cluster/x");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, c.code);
    EXPECT_EQ(result.error().message, c.message);
    EXPECT_EQ(HttpStatusOf(result.error()), c.status);
  }
}

TEST(ClientHttp, MalformedJsonIsADecodeError) {
  LoopbackHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, "{\"Count\":\"many\"}", {}};
  });
  Client client(server.url());
  Result<int64_t> result = client.GetInstallationsCount(false);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("failed to decode response"), std::string::npos);
}

TEST(ClientHttp, ExecReturnsOutputAlsoOnFailure) {
  LoopbackHttpServer server([](const RecordedRequest& r) {
    if (r.Path().ends_with("/exec/mmctl")) return CannedResponse{400, "bad command output", {}};
    return CannedResponse{200, "fine", {}};
  });
  Client client(server.url());
  Result<ExecOutput> failed = client.ExecClusterInstallationCLI("ci1", "mmctl", {"user", "list"});
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->output, "bad command output");
  ASSERT_TRUE(failed->error.has_value());
  EXPECT_EQ(failed->error->message, "failed with status code 400");
  Result<ExecOutput> ok = client.RunMattermostCLICommandOnClusterInstallation("ci1", {"version"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->output, "fine");
  EXPECT_FALSE(ok->error.has_value());
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, "[\"user\",\"list\"]");
  EXPECT_EQ(requests[1].target, "/api/cluster_installation/ci1/exec/mattermost");
}

TEST(ClientHttp, ReusesOneConnectionForSequentialRequests) {
  LoopbackHttpServer server([](const RecordedRequest&) { return CannedResponse{200, "{}", {}}; });
  Client client(server.url());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.GetRaw("/api/clusters"));
  ASSERT_TRUE(client.LockAPIForGroup("g"));
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(ClientHttp, UnreachableServerIsUnavailableNamingTheUrl) {
  const std::string url = "http://127.0.0.1:" + std::to_string(UnusedPort());
  Client client(url);
  Result<model::Json> result = client.GetRaw("/api/clusters");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(
      result.error().message.starts_with("failed to reach server at " + url + "/api/clusters: "))
      << result.error().message;
  EXPECT_FALSE(HttpStatusOf(result.error()).has_value());
}

TEST(ClientHttp, TrailingSlashOfTheAddressIsDropped) {
  LoopbackHttpServer server([](const RecordedRequest&) { return CannedResponse{200, "[]", {}}; });
  Client client(server.url() + "/");
  ASSERT_TRUE(client.GetRaw("/api/groups"));
  EXPECT_EQ(server.requests().at(0).target, "/api/groups");
}

}  // namespace
}  // namespace cloud::client
