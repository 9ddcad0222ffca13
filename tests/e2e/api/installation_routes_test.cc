// Installation routes (spec upstream-api.md §3.2) over the real HTTP server and a SQLite store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_util.h"

namespace cloud::apitest {
namespace {

using model::InstallationState;
using supervisor::ResourceKind;

class InstallationRoutes : public ApiTest {};

TEST_P(InstallationRoutes, CreateDefaultsAndGet) {
  WireResponse r = Post("/api/installations", R"({"OwnerID":"me","DNS":"Alpha.example.com"})");
  ASSERT_EQ(r.status, 202) << r.body;
  nlohmann::ordered_json j = r.Json();
  EXPECT_EQ(j["Name"], "alpha");
  EXPECT_EQ(j["State"], "creation-requested");
  EXPECT_EQ(j["GroupID"], "");
  EXPECT_EQ(j["DNS"], "alpha.example.com");
  EXPECT_EQ(j["DeletionLocked"], false);
  EXPECT_EQ(j["CRVersion"], "installation.mattermost.com/v1beta1");
  EXPECT_EQ(notifier_.Count(ResourceKind::kInstallation), 1u);
  std::string id = j["ID"];
  WireResponse got = Get("/api/installation/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Json()["Name"], "alpha");
  EXPECT_EQ(Get("/api/installation/" + NewId()).status, 404);
  EXPECT_EQ(Get("/api/installation/" + id + "?include_group_config=x").status, 400);
}

TEST_P(InstallationRoutes, CreateRejections) {
  struct Case {
    std::string name;
    std::string body;
    int status;
  };
  const std::vector<Case> cases = {
      {"bad json", "{", 400},
      {"no owner", R"({"DNS":"x1.example.com"})", 400},
      {"bad annotation", R"({"OwnerID":"o","DNS":"x2.example.com","Annotations":["A"]})", 400},
      {"unknown group", R"({"OwnerID":"o","DNS":"x3.example.com","GroupID":")" + NewId() + R"("})",
       404},
      {"unknown selection annotation",
       R"({"OwnerID":"o","DNS":"x4.example.com","GroupSelectionAnnotations":["nope"]})", 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Post("/api/installations", c.body).status, c.status);
  }
  CreateInstallation("dup");
  EXPECT_EQ(Post("/api/installations", R"({"OwnerID":"o","DNS":"dup.example.com"})").status, 409);
}

TEST_P(InstallationRoutes, DefaultDatabaseRejectedWithoutOperatorFlags) {
  deps_.config.deploy_minio_operator = false;
  EXPECT_EQ(Post("/api/installations", R"({"OwnerID":"o","DNS":"nominio.example.com"})").status,
            400);
}

TEST_P(InstallationRoutes, CreateInGroupBySelectionAnnotations) {
  std::string group = CreateGroup("g1", R"("Annotations":["team-a"])");
  WireResponse r = Post("/api/installations", R"({"OwnerID":"o","DNS":"ing.example.com",)"
                                              R"("GroupSelectionAnnotations":["team-a"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Json()["GroupID"], group);
}

TEST_P(InstallationRoutes, ListFiltersCountStatus) {
  EXPECT_EQ(Get("/api/installations").body, "[]\n");
  std::string a = CreateInstallation("one");
  std::string b = CreateInstallation("two");
  EXPECT_EQ(Get("/api/installations").Json().size(), 2u);
  EXPECT_EQ(Get("/api/installations?name=two").Json().size(), 1u);
  EXPECT_EQ(Get("/api/installations?dns_name=one.example.com").Json().size(), 1u);
  EXPECT_EQ(Get("/api/installations?dns_name=%25.example.com").Json().size(), 2u);
  EXPECT_EQ(Get("/api/installations?owner=nobody").Json().size(), 0u);
  EXPECT_EQ(Get("/api/installations?per_page=1&page=1").Json().size(), 1u);
  EXPECT_EQ(Get("/api/installations?deletion_locked=x").status, 400);
  EXPECT_EQ(Get("/api/installations?page=x").status, 400);

  WireResponse count = Get("/api/installations/count");
  ASSERT_EQ(count.status, 200);
  EXPECT_EQ(count.body, "{\"Count\":2}\n");
  EXPECT_EQ(Get("/api/installations/count?include_deleted=junk").status, 200);

  SetInstallationState(a, InstallationState::kStable);
  WireResponse status = Get("/api/installations/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.Json()["InstallationsTotal"], 2);
  EXPECT_EQ(status.Json()["InstallationsStable"], 1);
}

TEST_P(InstallationRoutes, RetryUpdateHibernateWakeup) {
  std::string id = CreateInstallation("life");
  EXPECT_EQ(Put("/api/installation/" + id + "/mattermost", R"({"Version":"9.0"})").status, 400);
  SetInstallationState(id, InstallationState::kCreationFailed);
  EXPECT_EQ(Post("/api/installation/" + id).Json()["State"], "creation-requested");

  SetInstallationState(id, InstallationState::kStable);
  EXPECT_EQ(Put("/api/installation/" + id + "/mattermost", R"({"Version":""})").status, 400);
  WireResponse u = Put("/api/installation/" + id + "/mattermost", R"({"Version":"9.1"})");
  ASSERT_EQ(u.status, 202) << u.body;
  EXPECT_EQ(u.Json()["State"], "update-requested");
  EXPECT_EQ(u.Json()["Version"], "9.1");

  EXPECT_EQ(Post("/api/installation/" + id + "/hibernate").status, 400);
  SetInstallationState(id, InstallationState::kStable);
  WireResponse h = Post("/api/installation/" + id + "/hibernate");
  ASSERT_EQ(h.status, 202);
  EXPECT_EQ(h.Json()["State"], "hibernation-requested");

  EXPECT_EQ(Post("/api/installation/" + id + "/wakeup", "{}").status, 400);
  SetInstallationState(id, InstallationState::kHibernating);
  WireResponse w = Post("/api/installation/" + id + "/wakeup", R"({"Image":"custom/image"})");
  ASSERT_EQ(w.status, 202) << w.body;
  EXPECT_EQ(w.Json()["State"], "wake-up-requested");
  EXPECT_EQ(w.Json()["Image"], "custom/image");
}

TEST_P(InstallationRoutes, SecurityLockAndRowLock) {
  std::string id = CreateInstallation("locked");
  SetInstallationState(id, InstallationState::kStable);
  ASSERT_EQ(Post("/api/security/installation/" + id + "/api/lock").status, 200);
  EXPECT_EQ(Post("/api/installation/" + id + "/hibernate").status, 403);
  EXPECT_EQ(Put("/api/installation/" + id + "/mattermost", R"({"Version":"9.1"})").status, 403);
  store::Lease held = HoldLock(store::LockTable::kInstallation, id);
  EXPECT_EQ(Post("/api/installation/" + id + "/hibernate").status, 409);
  ASSERT_TRUE(locks_->Release(held).has_value());
  ASSERT_EQ(Post("/api/security/installation/" + id + "/api/unlock").status, 200);
  EXPECT_EQ(Post("/api/installation/" + id + "/hibernate").status, 202);
}

TEST_P(InstallationRoutes, DeleteGoesPendingOrDirect) {
  std::string creating = CreateInstallation("creating");
  WireResponse r = Delete("/api/installation/" + creating);
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(Get("/api/installation/" + creating).Json()["State"], "deletion-requested");

  std::string stable = CreateInstallation("stable");
  SetInstallationState(stable, InstallationState::kStable);
  ASSERT_EQ(Post("/api/security/installation/" + stable + "/deletion/lock").status, 200);
  EXPECT_EQ(Delete("/api/installation/" + stable).status, 403);
  ASSERT_EQ(Post("/api/security/installation/" + stable + "/deletion/unlock").status, 200);
  ASSERT_EQ(Delete("/api/installation/" + stable).status, 202);
  nlohmann::ordered_json j = Get("/api/installation/" + stable).Json();
  EXPECT_EQ(j["State"], "deletion-pending-requested");
  EXPECT_EQ(j["DeletionPendingExpiry"], clock_.NowMillis() + 180000);
  EXPECT_EQ(Delete("/api/installation/" + NewId()).status, 404);
}

TEST_P(InstallationRoutes, DeletionExpiryCancelAndSchedule) {
  std::string id = CreateInstallation("pend");
  int64_t later = clock_.NowMillis() + 60000;
  std::string body = "{\"DeletionPendingExpiry\":" + std::to_string(later) + "}";
  EXPECT_EQ(Put("/api/installation/" + id + "/deletion", body).status, 400);  // not pending
  SetInstallationState(id, InstallationState::kDeletionPending);
  EXPECT_EQ(Put("/api/installation/" + id + "/deletion", R"({"DeletionPendingExpiry":1})").status,
            400);
  WireResponse p = Put("/api/installation/" + id + "/deletion", body);
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.Json()["DeletionPendingExpiry"], later);

  EXPECT_EQ(Put("/api/installation/" + id + "/deletion/schedule", "").status, 400);
  EXPECT_EQ(Put("/api/installation/" + id + "/deletion/schedule", body).status, 400);  // deleting

  WireResponse c = Post("/api/installation/" + id + "/deletion/cancel");
  EXPECT_EQ(c.status, 202);
  EXPECT_EQ(c.body, "");
  EXPECT_EQ(Get("/api/installation/" + id).Json()["State"], "deletion-cancellation-requested");
  EXPECT_EQ(Post("/api/installation/" + id + "/deletion/cancel").status, 400);

  SetInstallationState(id, InstallationState::kStable);
  std::string sched = "{\"ScheduledDeletionTime\":" + std::to_string(later) + "}";
  WireResponse s = Put("/api/installation/" + id + "/deletion/schedule", sched);
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.Json()["ScheduledDeletionTime"], later);
  EXPECT_EQ(Put("/api/installation/" + id + "/deletion/schedule", R"({"ScheduledDeletionTime":-1})")
                .status,
            400);
}

TEST_P(InstallationRoutes, GroupJoinAssignLeave) {
  std::string id = CreateInstallation("member");
  SetInstallationState(id, InstallationState::kStable);
  std::string group = CreateGroup("grp", R"("Version":"7.0","Annotations":["pick-me"])");
  EXPECT_EQ(Put("/api/installation/" + id + "/group/" + NewId()).status, 404);
  WireResponse join = Put("/api/installation/" + id + "/group/" + group);
  EXPECT_EQ(join.status, 200);
  EXPECT_EQ(join.body, "");
  nlohmann::ordered_json merged = Get("/api/installation/" + id).Json();
  EXPECT_EQ(merged["GroupID"], group);
  EXPECT_EQ(merged["Version"], "7.0");

  EXPECT_EQ(Delete("/api/installation/" + id + "/group?retain_config=junk").status, 400);
  EXPECT_EQ(Delete("/api/installation/" + id + "/group").status, 200);
  nlohmann::ordered_json left = Get("/api/installation/" + id).Json();
  EXPECT_EQ(left["GroupID"], nullptr);
  EXPECT_EQ(left["Version"], "7.0");  // retained
  EXPECT_EQ(left["State"], "update-requested");

  EXPECT_EQ(Post("/api/installation/" + id + "/group/assign", R"({})").status, 400);
  EXPECT_EQ(Post("/api/installation/" + id + "/group/assign",
                 R"({"GroupSelectionAnnotations":["pick-me"]})")
                .status,
            200);
  EXPECT_EQ(Get("/api/installation/" + id).Json()["GroupID"], group);
}

// GET /api/installation/{id} reuses its body while the database is unchanged (SQLite), and
// every commit is seen at once: a write through the API, a change to the group whose config
// the body merges, and a write from a second database handle (another process). The
// include_group_config variants are kept apart. PostgreSQL reads afresh every time.
TEST_P(InstallationRoutes, GetReusesItsBodyUntilAnythingIsCommitted) {
  std::string group = CreateGroup("cached", R"("Version":"7.0")");
  std::string id = CreateInstallation("cached", R"("GroupID":")" + group + R"(")");
  const std::string path = "/api/installation/" + id;
  WireResponse first = Get(path);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Json()["Version"], "7.0");
  WireResponse second = Get(path);
  EXPECT_EQ(second.body, first.body);
  WireResponse own = Get(path + "?include_group_config=false");
  EXPECT_NE(own.Json()["Version"], "7.0") << "served the group-merged body for another query";
  api::ResponseCache::Stats stats = installation_bodies_->stats();
  if (GetParam() == Engine::kSqlite) {
    EXPECT_GE(stats.hits, 1u);
  } else {
    EXPECT_EQ(stats.hits, 0u);
    EXPECT_GE(stats.uncached, 3u);
  }

  ASSERT_EQ(Put("/api/group/" + group, R"({"Version":"7.1"})").status, 200);
  EXPECT_EQ(Get(path).Json()["Version"], "7.1");

  ASSERT_EQ(Post(path + "/annotations", R"({"annotations":["fresh"]})").status, 200);
  EXPECT_EQ(Get(path).Json()["Annotations"].size(), 1u);

  Result<std::unique_ptr<store::SqlDatabase>> other = test_db_->OpenAnother();
  ASSERT_TRUE(other) << other.error().message;
  ASSERT_TRUE((*other)->Exec("UPDATE Installation SET State = 'stable' WHERE ID = $1", {id}));
  EXPECT_EQ(Get(path).Json()["State"], "stable");
  EXPECT_EQ(Get(path + "?include_group_config=false").Json()["State"], "stable");
}

TEST_P(InstallationRoutes, Annotations) {
  std::string id = CreateInstallation("annot", R"("Annotations":["aaa"])");
  WireResponse r = Post("/api/installation/" + id + "/annotations", R"({"annotations":["bbb"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["Annotations"].size(), 2u);
  EXPECT_EQ(Post("/api/installation/" + id + "/annotations", R"({"annotations":["bbb"]})").status,
            409);
  EXPECT_EQ(Delete("/api/installation/" + id + "/annotation/bbb").status, 204);

  // A hosting cluster lacking the annotation refuses it (403).
  std::string cluster = CreateCluster();
  AddClusterInstallation(cluster, id);
  EXPECT_EQ(Post("/api/installation/" + id + "/annotations", R"({"annotations":["ccc"]})").status,
            403);
}

TEST_P(InstallationRoutes, DNSRecords) {
  std::string id = CreateInstallation("dnsy");
  SetInstallationState(id, InstallationState::kStable);
  EXPECT_EQ(Post("/api/installation/" + id + "/dns", R"({"DNS":"bad_name"})").status, 400);
  WireResponse add = Post("/api/installation/" + id + "/dns", R"({"DNS":"other.example.com"})");
  ASSERT_EQ(add.status, 202) << add.body;
  nlohmann::ordered_json records = add.Json()["DNSRecords"];
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1]["IsPrimary"], false);
  std::string second = records[1]["ID"];
  std::string first = records[0]["ID"];

  SetInstallationState(id, InstallationState::kStable);
  EXPECT_EQ(Post("/api/installation/" + id + "/dns/" + first + "/set-primary").status, 400);
  EXPECT_EQ(Post("/api/installation/" + id + "/dns/nosuchrecord/set-primary").status, 404);
  WireResponse sp = Post("/api/installation/" + id + "/dns/" + second + "/set-primary");
  ASSERT_EQ(sp.status, 202) << sp.body;
  EXPECT_EQ(sp.Json()["Name"], "other");
  EXPECT_EQ(sp.Json()["DNS"], "other.example.com");

  SetInstallationState(id, InstallationState::kStable);
  EXPECT_EQ(Delete("/api/installation/" + id + "/dns/" + second).status, 400);  // primary
  WireResponse del = Delete("/api/installation/" + id + "/dns/" + first);
  ASSERT_EQ(del.status, 202) << del.body;
  EXPECT_EQ(del.Json()["DNSRecords"].size(), 1u);
}

TEST_P(InstallationRoutes, Volumes) {
  std::string id = CreateInstallation("vols");
  SetInstallationState(id, InstallationState::kStable);
  const std::string body =
      R"({"Name":"myvol","Data":{"k":"dmFsdWU="},"Volume":{"Type":"secret","MountPath":"/x"}})";
  EXPECT_EQ(Post("/api/installation/" + id + "/volumes", R"({"Name":"myvol"})").status, 400);
  WireResponse c = Post("/api/installation/" + id + "/volumes", body);
  ASSERT_EQ(c.status, 202) << c.body;
  EXPECT_TRUE(c.Json()["Volumes"].contains("myvol"));
  SetInstallationState(id, InstallationState::kStable);
  EXPECT_EQ(Post("/api/installation/" + id + "/volumes", body).status, 400);  // exists
  WireResponse u = Put("/api/installation/" + id + "/volume/myvol", R"({"MountPath":"/y"})");
  ASSERT_EQ(u.status, 202) << u.body;
  SetInstallationState(id, InstallationState::kStable);
  EXPECT_EQ(Put("/api/installation/" + id + "/volume/none", R"({"MountPath":"/z"})").status, 400);
  WireResponse d = Delete("/api/installation/" + id + "/volume/myvol");
  ASSERT_EQ(d.status, 202) << d.body;
  EXPECT_EQ(d.Json()["Volumes"], nullptr);
  SetInstallationState(id, InstallationState::kStable);
  EXPECT_EQ(Delete("/api/installation/" + id + "/volume/myvol").status, 400);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(InstallationRoutes);

}  // namespace
}  // namespace cloud::apitest
