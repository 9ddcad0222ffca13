// Cluster installation routes (spec upstream-api.md §3.6) over the real HTTP server and a
// SQLite store. Routes needing a live cluster answer 400 on the simulated backend (no hook).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_util.h"

namespace cloud::apitest {
namespace {

class ClusterInstallationRoutes : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;  // no server (e.g. PostgreSQL not configured)
    cluster_ = CreateCluster();
    installation_ = CreateInstallation("ciapp");
    ci_ = AddClusterInstallation(cluster_, installation_).id;
  }
  std::string cluster_;
  std::string installation_;
  std::string ci_;
};

TEST_P(ClusterInstallationRoutes, GetAndList) {
  WireResponse r = Get("/api/cluster_installation/" + ci_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["ClusterID"], cluster_);
  EXPECT_EQ(Get("/api/cluster_installation/" + NewId()).status, 404);
  EXPECT_EQ(Get("/api/cluster_installations").Json().size(), 1u);
  EXPECT_EQ(Get("/api/cluster_installations?cluster=" + cluster_).Json().size(), 1u);
  EXPECT_EQ(Get("/api/cluster_installations?installation=" + NewId()).body, "[]\n");
  EXPECT_EQ(Get("/api/cluster_installations?per_page=z").status, 400);
}

TEST_P(ClusterInstallationRoutes, ExecPrechecks) {
  const std::string base = "/api/cluster_installation/" + ci_;
  EXPECT_EQ(Post(base + "/exec/bash", R"(["ls"])").status, 400);
  EXPECT_EQ(Post(base + "/exec/mmctl", "{").status, 400);
  EXPECT_EQ(Post("/api/cluster_installation/" + NewId() + "/exec/mmctl", "[]").status, 404);
  WireResponse sim = Post(base + "/exec/mmctl", R"(["version"])");
  EXPECT_EQ(sim.status, 400);
  EXPECT_NE(sim.body.find("exec is not supported by the simulated backend"), std::string::npos);
  EXPECT_EQ(Post(base + "/mattermost_cli", R"(["version"])").status, 400);
  EXPECT_EQ(Get(base + "/config").status, 400);
  EXPECT_EQ(Put(base + "/config", "[1]").status, 400);
  EXPECT_EQ(Get(base + "/status").status, 400);
  EXPECT_EQ(Get("/api/cluster_installation/" + NewId() + "/status").status, 404);

  ASSERT_EQ(Post("/api/security/cluster_installation/" + ci_ + "/api/lock").status, 200);
  EXPECT_EQ(Post(base + "/exec/mmctl", R"(["version"])").status, 403);
  EXPECT_EQ(Put(base + "/config", R"({"a":"b"})").status, 403);
  EXPECT_EQ(Get(base + "/pprof").status, 403);
}

TEST_P(ClusterInstallationRoutes, ExecUsesHookWhenPresent) {
  deps_.external.exec_in_cluster_installation =
      [](const model::Cluster&, const model::ClusterInstallation&,
         const std::vector<std::string>& command) -> Result<std::string> {
    if (command.size() > 1 && command[1] == "fail") return FailedPrecondition("it failed");
    std::string out;
    for (const std::string& part : command) out += part + " ";
    return out;
  };
  const std::string base = "/api/cluster_installation/" + ci_;
  WireResponse ok = Post(base + "/exec/mmctl", R"(["version"])");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "./bin/mmctl version ");
  WireResponse failed = Post(base + "/exec/mmctl", R"(["fail"])");
  EXPECT_EQ(failed.status, 409);
  EXPECT_EQ(failed.body, "it failed");
  EXPECT_EQ(Post(base + "/mattermost_cli", R"(["fail"])").status, 500);
  EXPECT_EQ(Put(base + "/config", R"({"ServiceSettings":{"SiteURL":"x"}})").status, 200);
  deps_.external.exec_in_cluster_installation = nullptr;
}

TEST_P(ClusterInstallationRoutes, Migration) {
  const std::string target = CreateCluster();
  const std::string body =
      R"({"SourceClusterID":")" + cluster_ + R"(","TargetClusterID":")" + target + R"("})";
  EXPECT_EQ(Post("/api/cluster_installations/migrate", "{}").status, 400);
  EXPECT_EQ(
      Post("/api/cluster_installations/migrate",
           R"({"SourceClusterID":")" + NewId() + R"(","TargetClusterID":")" + target + R"("})")
          .status,
      404);
  WireResponse r = Post("/api/cluster_installations/migrate", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["Operation"], "MigratingClusterInstallation");
  EXPECT_EQ(r.Json()["TotalClusterInstallations"], 1);
  EXPECT_EQ(Get("/api/cluster_installations?cluster=" + target).Json().size(), 1u);

  WireResponse dns = Post("/api/cluster_installations/migrate/dns", body);
  ASSERT_EQ(dns.status, 200) << dns.body;
  EXPECT_EQ(dns.Json()["Operation"], "DNSSwitch");

  WireResponse roles = Post("/api/cluster_installations/migrate/switch_cluster_roles", body);
  ASSERT_EQ(roles.status, 200);
  EXPECT_EQ(roles.Json()["Operation"], "SwitchClusterRoles");

  WireResponse del = Delete("/api/cluster_installations/migrate/delete_inactive/" + cluster_);
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(del.Json()["Operation"], "DeletingInActiveClusterInstallations");
  EXPECT_EQ(del.Json()["TargetClusterID"], "");

  WireResponse one =
      Delete("/api/cluster_installations/migrate/delete_inactive/cluster_installation/" + ci_);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.Json()["State"], "deletion-requested");
  EXPECT_EQ(
      Delete("/api/cluster_installations/migrate/delete_inactive/cluster_installation/unknown")
          .status,
      404);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(ClusterInstallationRoutes);

}  // namespace
}  // namespace cloud::apitest
