// The audit log (ours): one AuditLog row per mutating request, written by the handler wrapper,
// none for GETs; GET /api/audit reads them back. Real HTTP, SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/audit.h"
#include "api/auth.h"
#include "api_test_util.h"
#include "store/sql_api_key_store.h"

namespace cloud::apitest {
namespace {

class AuditRoutes : public ApiTest {
 protected:
  void ConfigureDeps(api::ApiDeps& deps) override {
    (void)deps;
    audit_ = std::make_unique<store::SqlAuditStore>(test_db_->db(), clock_);
    env_.audit = api::MakeStoreAuditSink(*audit_, logger_.log);
    api::RegisterAuditRoutes(router_, env_, *audit_);
  }

  std::vector<store::AuditRecord> Records() {
    Result<std::vector<store::AuditRecord>> records = audit_->ListAuditRecords(1000);
    EXPECT_TRUE(records.has_value()) << (records ? "" : records.error().message);
    return records ? *records : std::vector<store::AuditRecord>{};
  }

  std::unique_ptr<store::SqlAuditStore> audit_;
};

TEST_P(AuditRoutes, MutatingRequestsAreRecordedGetsAreNot) {
  const std::string cluster = CreateCluster();
  ASSERT_FALSE(cluster.empty());
  EXPECT_EQ(Get("/api/clusters").status, 200);
  EXPECT_EQ(Get("/api/cluster/" + cluster).status, 200);
  EXPECT_EQ(Get("/api/cluster/" + NewId()).status, 404);
  clock_.Advance(5);
  EXPECT_EQ(Post("/api/cluster/" + cluster + "/annotations", "{").status, 400);
  clock_.Advance(5);
  SetClusterState(cluster, model::ClusterState::kStable);  // as a supervisor would
  EXPECT_EQ(Delete("/api/cluster/" + cluster).status, 202);

  std::vector<store::AuditRecord> records = Records();  // newest first
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].method, "POST");
  EXPECT_EQ(records[2].path, "/api/clusters");
  EXPECT_EQ(records[2].resource_id, cluster);  // from the created body
  EXPECT_EQ(records[2].status, 202);
  EXPECT_EQ(records[2].actor, "anonymous");
  EXPECT_EQ(records[1].method, "POST");
  EXPECT_EQ(records[1].resource_id, cluster);  // the path variable
  EXPECT_EQ(records[1].status, 400);
  EXPECT_EQ(records[0].method, "DELETE");
  EXPECT_EQ(records[0].path, "/api/cluster/{cluster:id}");
  EXPECT_EQ(records[0].resource_id, cluster);
  EXPECT_EQ(records[0].status, 202);

  // Router answers (404/405) are no handler calls and are not recorded.
  EXPECT_EQ(Post("/api/nothing").status, 404);
  EXPECT_EQ(Records().size(), 3u);

  WireResponse listed = Get("/api/audit?limit=2");
  ASSERT_EQ(listed.status, 200) << listed.body;
  nlohmann::ordered_json rows = listed.Json();
  ASSERT_TRUE(rows.is_array());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["Method"], "DELETE");
  EXPECT_EQ(rows[0]["ResourceID"], cluster);
  EXPECT_EQ(rows[1]["Status"], 400);
  EXPECT_EQ(Get("/api/audit?limit=0").status, 400);
  EXPECT_EQ(Get("/api/audit?limit=x").status, 400);
  EXPECT_EQ(Records().size(), 3u);  // reading the audit log is not audited
}

// With auth on, the actor is the API key's name, and rejected writes are recorded too.
class AuditWithApiKeys : public AuditRoutes {
 protected:
  void ConfigureDeps(api::ApiDeps& deps) override {
    api_keys_ = std::make_unique<store::SqlApiKeyStore>(test_db_->db(), clock_);
    api::AuthOptions options;
    options.require_api_key = true;
    Result<api::Authenticator> auth = api::MakeAuthenticator(options, api_keys_.get(), logger_.log);
    ASSERT_TRUE(auth.has_value());
    env_.authenticate = *auth;
    AuditRoutes::ConfigureDeps(deps);
  }
  std::unique_ptr<store::SqlApiKeyStore> api_keys_;
};

TEST_P(AuditWithApiKeys, ActorIsTheApiKeyName) {
  const std::string key = api::GenerateApiKey();
  ASSERT_TRUE(api_keys_->CreateApiKey("deployer", api::HashApiKey(key)).has_value());
  WireResponse created =
      client_->Request("POST", "/api/groups", R"({"Name":"g1"})", {"Authorization: Bearer " + key});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(Post("/api/groups", R"({"Name":"g2"})").status, 401);

  std::vector<store::AuditRecord> records = Records();
  ASSERT_EQ(records.size(), 2u);
  bool saw_key = false, saw_rejected = false;
  for (const store::AuditRecord& r : records) {
    if (r.status == 200) {
      saw_key = true;
      EXPECT_EQ(r.actor, "apikey:deployer");
      EXPECT_EQ(r.resource_id, created.Field("ID"));
    } else {
      saw_rejected = true;
      EXPECT_EQ(r.status, 401);
      EXPECT_EQ(r.actor, "rejected");  // not "anonymous" (auth off), and no credentials
    }
  }
  EXPECT_TRUE(saw_key);
  EXPECT_TRUE(saw_rejected);

  // A wrong key is rejected and recorded as such, without the key it offered.
  const std::string wrong = api::GenerateApiKey();
  EXPECT_EQ(client_
                ->Request("DELETE", "/api/group/" + created.Field("ID"), "",
                          {"Authorization: Bearer " + wrong})
                .status,
            401);
  records = Records();
  ASSERT_EQ(records.size(), 3u);
  int rejected_rows = 0;
  for (const store::AuditRecord& r : records) {
    EXPECT_EQ(r.actor.find(wrong), std::string::npos);
    EXPECT_EQ(r.resource_id.find(wrong), std::string::npos);
    if (r.method == "DELETE") {
      EXPECT_EQ(r.status, 401);
      EXPECT_EQ(r.actor, "rejected");
      EXPECT_EQ(r.resource_id, created.Field("ID"));
    }
    if (r.actor == "rejected") ++rejected_rows;
  }
  EXPECT_EQ(rejected_rows, 2);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(AuditRoutes);
CLOUD_INSTANTIATE_ENGINE_TESTS(AuditWithApiKeys);

}  // namespace
}  // namespace cloud::apitest
