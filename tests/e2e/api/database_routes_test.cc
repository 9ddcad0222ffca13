// Routes of spec upstream-api.md §3.9 (multitenant databases, logical databases, database
// schemas) over real HTTP against a real SQLite store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_util.h"
#include "model/multitenant_database.h"

namespace cloud::apitest {
namespace {

using model::DatabaseEngineType;

class DatabaseRoutes : public OperationsApiTest {
 protected:
  void ConfigureOperationDeps(api::ApiDeps& deps) override {
    deps.database_services.rds_cluster_exists = [this](std::string_view rds) -> Result<bool> {
      checked_.emplace_back(rds);
      if (aws_down_) return Unavailable("aws is down");
      return rds_exists_;
    };
    deps.database_services.delete_logical_database =
        [this](const model::MultitenantDatabase&,
               const model::LogicalDatabase& logical) -> Result<void> {
      dropped_.push_back(logical.id);
      return {};
    };
  }

  model::MultitenantDatabase MakeDatabase(const std::string& vpc, DatabaseEngineType type,
                                          int64_t max_per_logical = 0) {
    model::MultitenantDatabase db;
    db.rds_cluster_id = "rds-" + NewId();
    db.vpc_id = vpc;
    db.database_type = type;
    db.max_installations_per_logical_database = max_per_logical;
    Result<model::MultitenantDatabase> created = databases_->CreateMultitenantDatabase(db);
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    return created ? *created : db;
  }
  model::LogicalDatabase MakeLogical(const std::string& parent) {
    model::LogicalDatabase logical;
    logical.multitenant_database_id = parent;
    Result<model::LogicalDatabase> created = databases_->CreateLogicalDatabase(logical);
    EXPECT_TRUE(created.has_value());
    return created ? *created : logical;
  }
  model::DatabaseSchema MakeSchema(const std::string& logical, const std::string& installation) {
    model::DatabaseSchema schema;
    schema.logical_database_id = logical;
    schema.installation_id = installation;
    Result<model::DatabaseSchema> created = databases_->CreateDatabaseSchema(schema);
    EXPECT_TRUE(created.has_value());
    return created ? *created : schema;
  }

  std::vector<std::string> Ids(const std::string& target, const char* key = "ID") {
    WireResponse r = Get(target);
    EXPECT_EQ(r.status, 200) << target;
    std::vector<std::string> out;
    for (const auto& item : r.Json()) out.push_back(item[key]);
    return out;
  }

  std::vector<std::string> checked_;
  std::vector<std::string> dropped_;
  bool rds_exists_ = false;
  bool aws_down_ = false;
};

TEST_P(DatabaseRoutes, ListAndGetMultitenantDatabases) {
  EXPECT_EQ(Get("/api/databases/multitenant_databases").body, "[]\n");
  model::MultitenantDatabase a = MakeDatabase("vpc1", DatabaseEngineType::kPostgres);
  clock_.Advance(1);
  model::MultitenantDatabase b = MakeDatabase("vpc2", DatabaseEngineType::kPostgresProxy, 10);
  clock_.Advance(1);
  model::MultitenantDatabase c = MakeDatabase("vpc1", DatabaseEngineType::kMySQL);

  const std::string list = "/api/databases/multitenant_databases";
  EXPECT_EQ(Ids(list), (std::vector<std::string>{a.id, b.id, c.id}));
  EXPECT_EQ(Ids(list + "?vpc_id=vpc1"), (std::vector<std::string>{a.id, c.id}));
  EXPECT_EQ(Ids(list + "?database_type=postgres-proxy"), (std::vector<std::string>{b.id}));
  EXPECT_EQ(Ids(list + "?vpc_id=vpc1&database_type=mysql"), (std::vector<std::string>{c.id}));
  EXPECT_EQ(Ids(list + "?per_page=2&page=1"), (std::vector<std::string>{c.id}));
  EXPECT_EQ(Get(list + "?per_page=two").status, 400);

  WireResponse r = Get("/api/databases/multitenant_database/" + b.id);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"ID":")" + b.id + R"(","RdsClusterID":")" + b.rds_cluster_id +
                        R"(","VpcID":"vpc2","DatabaseType":"postgres-proxy","State":"stable",)"
                        R"("WriterEndpoint":"","ReaderEndpoint":"","Installations":null,)"
                        R"("MigratedInstallations":null,"MaxInstallationsPerLogicalDatabase":10,)"
                        R"("CreateAt":)" +
                        std::to_string(b.create_at) +
                        R"(,"DeleteAt":0,"LockAcquiredBy":null,"LockAcquiredAt":0})"
                        "\n");
  EXPECT_EQ(Get("/api/databases/multitenant_database/" + NewId()).status, 404);
}

TEST_P(DatabaseRoutes, UpdateMultitenantDatabase) {
  model::MultitenantDatabase proxy = MakeDatabase("vpc1", DatabaseEngineType::kPostgresProxy, 10);
  model::MultitenantDatabase plain = MakeDatabase("vpc1", DatabaseEngineType::kPostgres);
  model::MultitenantDatabase held_db = MakeDatabase("vpc1", DatabaseEngineType::kPostgresProxy, 3);
  store::Lease held = HoldLock(store::LockTable::kMultitenantDatabase, held_db.id);
  const std::string base = "/api/databases/multitenant_database/";

  struct Case {
    std::string name;
    std::string id;
    std::string body;
    int status;
  };
  std::vector<Case> cases = {
      {"value below 1 is checked before the lookup", NewId(),
       R"({"MaxInstallationsPerLogicalDatabase":0})", 400},
      {"malformed", proxy.id, "{", 400},
      {"unknown", NewId(), R"({"MaxInstallationsPerLogicalDatabase":5})", 404},
      {"locked", held_db.id, R"({"MaxInstallationsPerLogicalDatabase":5})", 409},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Put(base + c.id, c.body).status, c.status);
  }

  WireResponse r = Put(base + proxy.id, R"({"MaxInstallationsPerLogicalDatabase":25})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["MaxInstallationsPerLogicalDatabase"], 25);
  EXPECT_EQ(Get(base + proxy.id).Json()["MaxInstallationsPerLogicalDatabase"], 25);

  // Only postgres-proxy databases take the value; others answer 200 unchanged.
  WireResponse unchanged = Put(base + plain.id, R"({"MaxInstallationsPerLogicalDatabase":25})");
  EXPECT_EQ(unchanged.status, 200);
  EXPECT_FALSE(unchanged.Json().contains("MaxInstallationsPerLogicalDatabase"));
  EXPECT_FALSE(Get(base + plain.id).Json().contains("MaxInstallationsPerLogicalDatabase"));
  ASSERT_TRUE(locks_->Release(held));
}

TEST_P(DatabaseRoutes, DeleteMultitenantDatabase) {
  model::MultitenantDatabase db = MakeDatabase("vpc1", DatabaseEngineType::kPostgres);
  const std::string target = "/api/databases/multitenant_database/" + db.id;

  EXPECT_EQ(Delete("/api/databases/multitenant_database/" + NewId()).status, 404);

  rds_exists_ = true;
  EXPECT_EQ(Delete(target).status, 400);
  EXPECT_EQ(Delete(target + "?force=maybe").status, 400);  // unparsable force = false
  EXPECT_EQ(checked_, (std::vector<std::string>{db.rds_cluster_id, db.rds_cluster_id}));

  aws_down_ = true;
  EXPECT_GE(Delete(target).status, 500);
  aws_down_ = false;
  EXPECT_EQ(Get(target).Json()["DeleteAt"], 0);

  WireResponse forced = Delete(target + "?force=true");
  EXPECT_EQ(forced.status, 204);
  EXPECT_EQ(forced.body, "");
  EXPECT_EQ(checked_.size(), 3u);  // force skips the AWS check
  EXPECT_GT(Get(target).Json()["DeleteAt"].get<int64_t>(), 0);
  EXPECT_EQ(Delete(target).status, 204);  // already deleted
  EXPECT_EQ(Ids("/api/databases/multitenant_databases"), (std::vector<std::string>{}));
  EXPECT_EQ(Ids("/api/databases/multitenant_databases?include_deleted=true"),
            (std::vector<std::string>{db.id}));

  model::MultitenantDatabase gone = MakeDatabase("vpc1", DatabaseEngineType::kPostgres);
  rds_exists_ = false;
  EXPECT_EQ(Delete("/api/databases/multitenant_database/" + gone.id).status, 204);
}

TEST_P(DatabaseRoutes, LogicalDatabases) {
  model::MultitenantDatabase parent = MakeDatabase("vpc1", DatabaseEngineType::kPostgresProxy);
  model::MultitenantDatabase other = MakeDatabase("vpc1", DatabaseEngineType::kPostgresProxy);
  model::LogicalDatabase l1 = MakeLogical(parent.id);
  clock_.Advance(1);
  model::LogicalDatabase l2 = MakeLogical(other.id);
  clock_.Advance(1);
  model::LogicalDatabase with_schema = MakeLogical(parent.id);
  MakeSchema(with_schema.id, "installation1");

  const std::string list = "/api/databases/logical_databases";
  EXPECT_EQ(Ids(list), (std::vector<std::string>{l1.id, l2.id, with_schema.id}));
  EXPECT_EQ(Ids(list + "?multitenant_database_id=" + parent.id),
            (std::vector<std::string>{l1.id, with_schema.id}));
  EXPECT_EQ(Ids(list + "?per_page=1"), (std::vector<std::string>{l1.id}));
  EXPECT_EQ(Get(list + "?include_deleted=nah").status, 400);

  const std::string base = "/api/databases/logical_database/";
  WireResponse r = Get(base + l1.id);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"ID":")" + l1.id + R"(","MultitenantDatabaseID":")" + parent.id +
                        R"(","Name":"cloud_)" + l1.id + R"(","CreateAt":)" +
                        std::to_string(l1.create_at) +
                        R"(,"DeleteAt":0,"LockAcquiredBy":null,"LockAcquiredAt":0})"
                        "\n");
  EXPECT_EQ(Get(base + NewId()).status, 404);

  // Delete: 404, 409 on the parent's lock, 400 with live schemas, then 204.
  EXPECT_EQ(Delete(base + NewId()).status, 404);
  store::Lease held = HoldLock(store::LockTable::kMultitenantDatabase, parent.id);
  EXPECT_EQ(Delete(base + l1.id).status, 409);
  ASSERT_TRUE(locks_->Release(held));
  EXPECT_EQ(Delete(base + with_schema.id).status, 400);
  EXPECT_TRUE(dropped_.empty());

  WireResponse deleted = Delete(base + l1.id);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(dropped_, (std::vector<std::string>{l1.id}));
  EXPECT_GT(Get(base + l1.id).Json()["DeleteAt"].get<int64_t>(), 0);
  EXPECT_EQ(Delete(base + l1.id).status, 204);  // already deleted: no second drop
  EXPECT_EQ(dropped_.size(), 1u);
  // The parent's lease was released.
  EXPECT_TRUE(
      locks_->AcquireOne(store::LockTable::kMultitenantDatabase, parent.id, "x").has_value());
}

TEST_P(DatabaseRoutes, DatabaseSchemas) {
  model::MultitenantDatabase parent = MakeDatabase("vpc1", DatabaseEngineType::kPostgresProxy);
  model::LogicalDatabase l1 = MakeLogical(parent.id);
  model::LogicalDatabase l2 = MakeLogical(parent.id);
  model::DatabaseSchema s1 = MakeSchema(l1.id, "inst1");
  clock_.Advance(1);
  model::DatabaseSchema s2 = MakeSchema(l2.id, "inst2");
  clock_.Advance(1);
  model::DatabaseSchema s3 = MakeSchema(l1.id, "inst3");

  const std::string list = "/api/databases/database_schemas";
  EXPECT_EQ(Ids(list), (std::vector<std::string>{s1.id, s2.id, s3.id}));
  EXPECT_EQ(Ids(list + "?logical_database_id=" + l1.id), (std::vector<std::string>{s1.id, s3.id}));
  EXPECT_EQ(Ids(list + "?installation_id=inst2"), (std::vector<std::string>{s2.id}));
  EXPECT_EQ(Ids(list + "?installation_id=inst2&logical_database_id=" + l1.id),
            (std::vector<std::string>{}));
  EXPECT_EQ(Ids(list + "?page=1&per_page=2"), (std::vector<std::string>{s3.id}));
  EXPECT_EQ(Get(list + "?page=-2").status, 400);

  WireResponse r = Get("/api/databases/database_schema/" + s2.id);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["LogicalDatabaseID"], l2.id);
  EXPECT_EQ(r.Json()["InstallationID"], "inst2");
  EXPECT_EQ(Get("/api/databases/database_schema/" + NewId()).status, 404);
  EXPECT_EQ(Delete("/api/databases/database_schema/" + s2.id).status, 405);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(DatabaseRoutes);

}  // namespace
}  // namespace cloud::apitest
