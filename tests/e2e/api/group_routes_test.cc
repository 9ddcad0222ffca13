// Group routes (spec upstream-api.md §3.7) over the real HTTP server and a SQLite store.
#include <gtest/gtest.h>

#include <string>

#include "api_test_util.h"

namespace cloud::apitest {
namespace {

using supervisor::ResourceKind;

class GroupRoutes : public ApiTest {};

TEST_P(GroupRoutes, CreateGetList) {
  WireResponse r = Post("/api/groups", R"({"Name":"g1","Version":"7.1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::ordered_json j = r.Json();
  EXPECT_EQ(j["Sequence"], 0);
  EXPECT_EQ(j["annotations"], nullptr);
  EXPECT_FALSE(j.contains("installation_count"));
  EXPECT_EQ(notifier_.Count(ResourceKind::kGroup), 1u);
  std::string id = j["ID"];
  EXPECT_EQ(Get("/api/group/" + id).Json()["Name"], "g1");
  EXPECT_EQ(Get("/api/group/" + NewId()).status, 404);

  EXPECT_EQ(Post("/api/groups", R"({"Name":""})").status, 400);
  EXPECT_EQ(Post("/api/groups", R"({"Name":"x","MaxRolling":-1})").status, 400);
  EXPECT_EQ(Post("/api/groups", R"({"Name":"x","Annotations":["Bad"]})").status, 400);
  EXPECT_EQ(Post("/api/groups", R"({"Name":"g1"})").status, 409);

  CreateGroup("g2");
  EXPECT_EQ(Get("/api/groups").Json().size(), 2u);
  EXPECT_EQ(Get("/api/groups?per_page=1").Json().size(), 1u);
  EXPECT_EQ(Get("/api/groups?show_installation_count=x").status, 400);
  WireResponse counted = Get("/api/groups?show_installation_count=true");
  ASSERT_EQ(counted.status, 200);
  EXPECT_EQ(counted.Json()[0]["installation_count"], 0);
}

TEST_P(GroupRoutes, StatusRoutes) {
  EXPECT_EQ(Get("/api/groups/status").status, 404);  // no groups at all (upstream quirk)
  std::string id = CreateGroup("s1");
  WireResponse all = Get("/api/groups/status");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.Json()[0]["ID"], id);
  WireResponse one = Get("/api/group/" + id + "/status");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.Json()["InstallationsTotal"], 0);
  EXPECT_EQ(Get("/api/group/" + NewId() + "/status").status, 404);
}

TEST_P(GroupRoutes, UpdateBumpsSequenceOnlyForConfig) {
  std::string id = CreateGroup("u1");
  WireResponse n = Put("/api/group/" + id, R"({"Name":"u2"})");
  ASSERT_EQ(n.status, 200) << n.body;
  EXPECT_EQ(n.Json()["Name"], "u2");
  EXPECT_EQ(n.Json()["Sequence"], 0);
  WireResponse v = Put("/api/group/" + id, R"({"Version":"8.0"})");
  ASSERT_EQ(v.status, 200);
  EXPECT_EQ(v.Json()["Sequence"], 1);
  EXPECT_EQ(Put("/api/group/" + id, "").status, 200);
  EXPECT_EQ(Put("/api/group/" + id, R"({"Name":""})").status, 400);
  EXPECT_EQ(Put("/api/group/" + NewId(), "{}").status, 404);
  store::Lease held = HoldLock(store::LockTable::kGroup, id);
  EXPECT_EQ(Put("/api/group/" + id, "{}").status, 409);
  ASSERT_TRUE(locks_->Release(held).has_value());
  ASSERT_EQ(Post("/api/security/group/" + id + "/api/lock").status, 200);
  EXPECT_EQ(Put("/api/group/" + id, "{}").status, 403);
  EXPECT_EQ(Delete("/api/group/" + id).status, 403);
}

TEST_P(GroupRoutes, DeleteRefusedWhileInstallationsRemain) {
  std::string id = CreateGroup("d1");
  std::string inst = CreateInstallation("ingroup", R"("GroupID":")" + id + R"(")");
  EXPECT_EQ(Delete("/api/group/" + id).status, 403);
  std::string empty = CreateGroup("d2");
  WireResponse r = Delete("/api/group/" + empty);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_NE(Get("/api/group/" + empty).Json()["DeleteAt"], 0);
  EXPECT_EQ(Delete("/api/group/" + empty).status, 200);  // already deleted: no-op
  EXPECT_EQ(Delete("/api/group/" + NewId()).status, 404);
}

TEST_P(GroupRoutes, Annotations) {
  std::string id = CreateGroup("a1", R"("Annotations":["one"])");
  WireResponse r = Post("/api/group/" + id + "/annotations", R"({"annotations":["two"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["annotations"].size(), 2u);
  EXPECT_EQ(Post("/api/group/" + id + "/annotations", R"({"annotations":["two"]})").status, 409);
  EXPECT_EQ(Post("/api/group/" + id + "/annotations", R"({"annotations":"x"})").status, 400);
  EXPECT_EQ(Delete("/api/group/" + id + "/annotation/two").status, 204);
  EXPECT_EQ(Get("/api/group/" + id).Json()["annotations"].size(), 1u);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(GroupRoutes);

}  // namespace
}  // namespace cloud::apitest
