// Security routes (spec upstream-api.md §3.10): API locks and the installation deletion lock.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_util.h"

namespace cloud::apitest {
namespace {

class SecurityRoutes : public ApiTest {};

TEST_P(SecurityRoutes, LockAndUnlockEveryResource) {
  std::string cluster = CreateCluster();
  std::string inst = CreateInstallation("secure");
  std::string group = CreateGroup("secgroup");
  std::string ci = AddClusterInstallation(cluster, inst).id;
  struct Case {
    std::string name;
    std::string prefix;
    std::string get;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"cluster", "/api/security/cluster/" + cluster + "/api", "/api/cluster/" + cluster,
       "APISecurityLock"},
      {"installation", "/api/security/installation/" + inst + "/api", "/api/installation/" + inst,
       "APISecurityLock"},
      {"deletion", "/api/security/installation/" + inst + "/deletion", "/api/installation/" + inst,
       "DeletionLocked"},
      {"cluster installation", "/api/security/cluster_installation/" + ci + "/api",
       "/api/cluster_installation/" + ci, "APISecurityLock"},
      {"group", "/api/security/group/" + group + "/api", "/api/group/" + group, "APISecurityLock"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WireResponse lock = Post(c.prefix + "/lock");
    EXPECT_EQ(lock.status, 200);
    EXPECT_EQ(lock.body, "");
    EXPECT_EQ(Get(c.get).Json()[c.field], true);
    EXPECT_EQ(Post(c.prefix + "/lock").status, 200);  // idempotent
    EXPECT_EQ(Post(c.prefix + "/unlock").status, 200);
    EXPECT_EQ(Get(c.get).Json()[c.field], false);
  }
}

TEST_P(SecurityRoutes, UnknownIdsAre404) {
  for (std::string kind :
       {"cluster", "installation", "cluster_installation", "group", "installation/backup"}) {
    SCOPED_TRACE(kind);
    EXPECT_EQ(Post("/api/security/" + kind + "/" + NewId() + "/api/lock").status, 404);
    EXPECT_EQ(Post("/api/security/" + kind + "/" + NewId() + "/api/unlock").status, 404);
  }
  EXPECT_EQ(Post("/api/security/installation/" + NewId() + "/deletion/lock").status, 404);
  EXPECT_EQ(Get("/api/security/cluster/" + NewId() + "/api/lock").status, 405);
}

TEST_P(SecurityRoutes, WorksWhileRowIsLocked) {
  std::string cluster = CreateCluster();
  store::Lease held = HoldLock(store::LockTable::kCluster, cluster);
  EXPECT_EQ(Post("/api/security/cluster/" + cluster + "/api/lock").status, 200);
  ASSERT_TRUE(locks_->Release(held).has_value());
}

CLOUD_INSTANTIATE_ENGINE_TESTS(SecurityRoutes);

}  // namespace
}  // namespace cloud::apitest
