// Cluster routes (spec upstream-api.md §3.1) over the real HTTP server and a SQLite store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_util.h"

namespace cloud::apitest {
namespace {

using model::ClusterState;
using supervisor::ResourceKind;

class ClusterRoutes : public ApiTest {};

TEST_P(ClusterRoutes, CreateWithEmptyBodyMakesDefaultKopsClusterAndPokes) {
  WireResponse r = Post("/api/clusters", "");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  ASSERT_FALSE(r.body.empty());
  EXPECT_EQ(r.body.back(), '\n');
  nlohmann::ordered_json j = r.Json();
  EXPECT_EQ(j["State"], "creation-requested");
  EXPECT_EQ(j["Provider"], "aws");
  EXPECT_EQ(j["Provisioner"], "kops");
  EXPECT_EQ(j["Name"], "");
  EXPECT_EQ(j["Networking"], "");
  EXPECT_EQ(j["LockAcquiredBy"], nullptr);
  EXPECT_FALSE(j.contains("Annotations"));
  EXPECT_EQ(j["ID"].get<std::string>().size(), 26u);
  EXPECT_EQ(notifier_.Count(ResourceKind::kCluster), 1u);

  WireResponse got = Get("/api/cluster/" + j["ID"].get<std::string>());
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.Json()["State"], "creation-requested");
}

TEST_P(ClusterRoutes, CreateWithAnnotationsReturnsThem) {
  WireResponse r = Post("/api/clusters", R"({"annotations":["multi-tenant","abc"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  nlohmann::ordered_json j = r.Json();
  ASSERT_TRUE(j["Annotations"].is_array());
  EXPECT_EQ(j["Annotations"].size(), 2u);
}

TEST_P(ClusterRoutes, CreateRejectsBadInput) {
  struct Case {
    std::string name;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"bad json", "{"},
      {"type mismatch", R"({"master-count":"x"})"},
      {"bad provider", R"({"provider":"gcp"})"},
      {"bad annotation", R"({"annotations":["Bad Name"]})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WireResponse r = Post("/api/clusters", c.body);
    EXPECT_EQ(r.status, 400) << r.body;
  }
  EXPECT_EQ(notifier_.Count(ResourceKind::kCluster), 0u);
}

TEST_P(ClusterRoutes, ImportRequiresSecretName) {
  EXPECT_EQ(Post("/api/clusters/import", "{}").status, 400);
  WireResponse r = Post("/api/clusters/import", R"({"external-cluster-secret-name":"kubeconfig"})");
  ASSERT_EQ(r.status, 202) << r.body;
  nlohmann::ordered_json j = r.Json();
  EXPECT_EQ(j["Provider"], "external");
  EXPECT_EQ(j["Provisioner"], "external");
  EXPECT_EQ(j["UtilityMetadata"], nullptr);
  EXPECT_EQ(j["PgBouncerConfig"], nullptr);
}

TEST_P(ClusterRoutes, GetUnknownAndMalformedIds) {
  EXPECT_EQ(Get("/api/cluster/" + NewId()).status, 404);
  WireResponse malformed = Get("/api/cluster/short");
  EXPECT_EQ(malformed.status, 404);
  EXPECT_EQ(malformed.body, "404 page not found\n");
  EXPECT_EQ(Get("/api/cluster/" + NewId() + "/utilities").status, 404);
}

TEST_P(ClusterRoutes, ListPagingAndEmpty) {
  WireResponse empty = Get("/api/clusters");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "[]\n");
  std::string a = CreateCluster();
  std::string b = CreateCluster();
  WireResponse all = Get("/api/clusters");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.Json().size(), 2u);
  WireResponse page = Get("/api/clusters?page=1&per_page=1");
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(page.Json().size(), 1u);
  EXPECT_EQ(Get("/api/clusters?per_page=x").status, 400);
  EXPECT_EQ(Get("/api/clusters?include_deleted=maybe").status, 400);
}

TEST_P(ClusterRoutes, RetryCreationTransitions) {
  std::string id = CreateCluster();
  SetClusterState(id, ClusterState::kCreationFailed);
  notifier_.Clear();
  WireResponse r = Post("/api/cluster/" + id);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Json()["State"], "creation-requested");
  EXPECT_EQ(notifier_.Count(ResourceKind::kCluster), 1u);

  SetClusterState(id, ClusterState::kStable);
  EXPECT_EQ(Post("/api/cluster/" + id).status, 400);
  EXPECT_EQ(Post("/api/cluster/" + NewId()).status, 404);
}

TEST_P(ClusterRoutes, LockOrderIs404Then409Then403Then400) {
  std::string id = CreateCluster();
  SetClusterState(id, ClusterState::kStable);  // retry-create not allowed → 400
  EXPECT_EQ(Post("/api/cluster/" + id).status, 400);
  ASSERT_EQ(Post("/api/security/cluster/" + id + "/api/lock").status, 200);
  EXPECT_EQ(Post("/api/cluster/" + id).status, 403);
  store::Lease held = HoldLock(store::LockTable::kCluster, id);
  EXPECT_EQ(Post("/api/cluster/" + id).status, 409);
  ASSERT_TRUE(locks_->Release(held).has_value());
  EXPECT_EQ(Post("/api/cluster/" + id).status, 403);
  // GETs are never blocked by the security lock.
  EXPECT_EQ(Get("/api/cluster/" + id).status, 200);
}

TEST_P(ClusterRoutes, UpdateConfiguration) {
  std::string id = CreateCluster();
  WireResponse r = Put("/api/cluster/" + id, R"({"AllowInstallations":true})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Json()["AllowInstallations"], true);
  EXPECT_EQ(r.Json()["State"], "creation-requested");
  EXPECT_EQ(Get("/api/cluster/" + id).Json()["AllowInstallations"], true);
  EXPECT_EQ(Put("/api/cluster/" + id, R"({"AllowInstallations":"x"})").status, 400);
  EXPECT_EQ(Put("/api/cluster/" + NewId(), "{}").status, 404);
}

TEST_P(ClusterRoutes, ProvisionUpgradeResize) {
  std::string id = CreateCluster();
  EXPECT_EQ(Post("/api/cluster/" + id + "/provision", "{}").status, 400);  // not stable
  SetClusterState(id, ClusterState::kStable);
  EXPECT_EQ(Post("/api/cluster/" + id + "/provision", "{bad").status, 400);
  WireResponse p = Post("/api/cluster/" + id + "/provision", "{}");
  ASSERT_EQ(p.status, 202) << p.body;
  EXPECT_EQ(p.Json()["State"], "provisioning-requested");

  SetClusterState(id, ClusterState::kStable);
  EXPECT_EQ(Put("/api/cluster/" + id + "/kubernetes", R"({"version":"bogus"})").status, 400);
  WireResponse u = Put("/api/cluster/" + id + "/kubernetes", R"({"version":"1.30.1"})");
  ASSERT_EQ(u.status, 202) << u.body;
  EXPECT_EQ(u.Json()["State"], "upgrade-requested");
  EXPECT_EQ(Get("/api/cluster/" + id).Json()["State"], "upgrade-requested");

  SetClusterState(id, ClusterState::kStable);
  EXPECT_EQ(Put("/api/cluster/" + id + "/size", R"({"node-min-count":0})").status, 400);
  WireResponse s = Put("/api/cluster/" + id + "/size", R"({"node-instance-type":"m5.xlarge"})");
  ASSERT_EQ(s.status, 202) << s.body;
  EXPECT_EQ(s.Json()["State"], "resize-requested");
}

TEST_P(ClusterRoutes, NodegroupsAreRejectedOnKops) {
  std::string id = CreateCluster();
  SetClusterState(id, ClusterState::kStable);
  EXPECT_EQ(Post("/api/cluster/" + id + "/nodegroups", R"({"nodegroups":{"ng1":{}}})").status, 400);
  EXPECT_EQ(Delete("/api/cluster/" + id + "/nodegroup/ng1").status, 400);
}

TEST_P(ClusterRoutes, NodegroupsOnEks) {
  std::string id =
      CreateCluster(R"({"provisioner":"eks","cluster-role-arn":"arn:aws:iam::123456789012:role/c",)"
                    R"("node-role-arn":"arn:aws:iam::123456789012:role/n","ami":"ami-123"})");
  ASSERT_FALSE(id.empty());
  SetClusterState(id, ClusterState::kStable);
  WireResponse r = Post("/api/cluster/" + id + "/nodegroups", R"({"nodegroups":{"extra":{}}})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Json()["State"], "nodegroups-creation-requested");
  SetClusterState(id, ClusterState::kStable);
  EXPECT_EQ(Delete("/api/cluster/" + id + "/nodegroup/missing").status, 400);
}

TEST_P(ClusterRoutes, UtilitiesReturnsMetadata) {
  std::string id = CreateCluster();
  WireResponse r = Get("/api/cluster/" + id + "/utilities");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.Json().is_object());
}

TEST_P(ClusterRoutes, Annotations) {
  std::string id = CreateCluster(R"({"annotations":["first"]})");
  WireResponse r = Post("/api/cluster/" + id + "/annotations", R"({"annotations":["second"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.Json()["Annotations"].size(), 2u);
  EXPECT_EQ(r.Json()["Annotations"][1]["Name"], "second");
  EXPECT_EQ(Post("/api/cluster/" + id + "/annotations", R"({"annotations":["second"]})").status,
            409);
  EXPECT_EQ(Post("/api/cluster/" + id + "/annotations", R"({"annotations":["B"]})").status, 400);
  EXPECT_EQ(Post("/api/cluster/" + id + "/annotations", "{}").status, 400);

  WireResponse d = Delete("/api/cluster/" + id + "/annotation/second");
  EXPECT_EQ(d.status, 204);
  EXPECT_EQ(d.body, "");
  EXPECT_EQ(Delete("/api/cluster/" + id + "/annotation/unknown").status, 204);
  EXPECT_EQ(Get("/api/cluster/" + id).Json()["Annotations"].size(), 1u);

  ASSERT_EQ(Post("/api/security/cluster/" + id + "/api/lock").status, 200);
  EXPECT_EQ(Post("/api/cluster/" + id + "/annotations", R"({"annotations":["third"]})").status,
            403);
  EXPECT_EQ(Delete("/api/cluster/" + id + "/annotation/first").status, 403);
}

TEST_P(ClusterRoutes, DeleteCluster) {
  std::string id = CreateCluster();
  SetClusterState(id, ClusterState::kStable);
  std::string inst = CreateInstallation("delme");
  AddClusterInstallation(id, inst);
  EXPECT_EQ(Delete("/api/cluster/" + id).status, 403);  // has a cluster installation

  std::string other = CreateCluster();
  SetClusterState(other, ClusterState::kStable);
  store::Lease held = HoldLock(store::LockTable::kClusterScheduling, other);
  EXPECT_EQ(Delete("/api/cluster/" + other).status, 409);
  ASSERT_TRUE(locks_->Release(held).has_value());
  notifier_.Clear();
  WireResponse r = Delete("/api/cluster/" + other);
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(Get("/api/cluster/" + other).Json()["State"], "deletion-requested");
  EXPECT_EQ(notifier_.Count(ResourceKind::kCluster), 1u);
  EXPECT_EQ(Delete("/api/cluster/" + NewId()).status, 404);

  SetClusterState(other, ClusterState::kResizeRequested);
  EXPECT_EQ(Delete("/api/cluster/" + other).status, 400);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(ClusterRoutes);

}  // namespace
}  // namespace cloud::apitest
