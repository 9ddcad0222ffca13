// SqlDatabaseStore on both engines: multitenant databases (JSON lists, LIKE membership filters,
// locker/VPC/type filters, the weighted MaxInstallationsLimit, fenced updates, unique
// RdsClusterID), logical databases and schemas, and the proxy resource assignment transaction.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/lock_store.h"
#include "store/sql_database_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using model::DatabaseEngineType;
using model::MultitenantDatabase;
using testlib::DatabaseTest;

constexpr std::string_view kInsertInstallation =
    "INSERT INTO Installation (ID, OwnerID, Version, Affinity, State, CreateAt, DeleteAt, "
    "LockAcquiredAt, Database, Filestore, Image, Name) VALUES ($1, 'o', 'v', 'multitenant', $2, "
    "1, $3, 0, 'aws-multitenant-rds-postgres', 'bifrost', 'img', $1)";

class DatabaseStoreTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    locks_ = MakeSqlLockStore(db(), clock_);
    store_ = std::make_unique<SqlDatabaseStore>(db(), clock_);
  }
  MultitenantDatabase Create(const std::string& rds, const std::string& vpc,
                             DatabaseEngineType type, std::vector<std::string> installations) {
    MultitenantDatabase d;
    d.rds_cluster_id = rds;
    d.vpc_id = vpc;
    d.database_type = type;
    d.writer_endpoint = "w";
    d.installations = std::move(installations);
    d.max_installations_per_logical_database = 2;
    auto created = store_->CreateMultitenantDatabase(d);
    EXPECT_TRUE(created) << created.error().ToString();
    clock_.Advance(10);
    return created ? *created : d;
  }
  void AddInstallation(const std::string& id, const std::string& state, int64_t delete_at = 0) {
    ASSERT_TRUE(db().Exec(kInsertInstallation, {id, state, delete_at}));
  }
  static std::vector<std::string> Ids(const std::vector<MultitenantDatabase>& dbs) {
    std::vector<std::string> ids;
    for (const auto& d : dbs) ids.push_back(d.id);
    return ids;
  }
  std::unique_ptr<LockStore> locks_;
  std::unique_ptr<SqlDatabaseStore> store_;
};

TEST_P(DatabaseStoreTest, MultitenantCreateGetAndJsonLists) {
  MultitenantDatabase d;
  d.rds_cluster_id = "rds1";
  d.vpc_id = "vpc1";
  d.database_type = DatabaseEngineType::kPostgresProxy;
  d.state = model::MultitenantDatabaseState::kProvisioningRequested;
  d.writer_endpoint = "writer";
  d.reader_endpoint = "reader";
  d.installations = std::vector<std::string>{"i1", "i2"};
  d.max_installations_per_logical_database = 10;
  auto created = store_->CreateMultitenantDatabase(d);
  ASSERT_TRUE(created) << created.error().ToString();
  auto got = store_->GetMultitenantDatabase(created->id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, *created);
  EXPECT_FALSE((*got)->migrated_installations.has_value());  // stored as JSON null
  EXPECT_EQ((*db().Query("SELECT InstallationsRaw, MigratedInstallationsRaw FROM "
                         "MultitenantDatabase"))
                .front()
                .GetBlob(0),
            R"(["i1","i2"])");

  auto dup = store_->CreateMultitenantDatabase(d);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE((*store_->GetMultitenantDatabase("nope")).has_value());
}

TEST_P(DatabaseStoreTest, MultitenantFilters) {
  auto a = Create("rds-a", "vpc1", DatabaseEngineType::kPostgres, {"inst-aaa", "inst-bbb"});
  auto b = Create("rds-b", "vpc2", DatabaseEngineType::kMySQL, {"inst-ccc"});
  auto c = Create("rds-c", "vpc1", DatabaseEngineType::kPostgres, {});
  auto lease = locks_->AcquireOne(LockTable::kMultitenantDatabase, b.id, "locker-1");
  ASSERT_TRUE(lease);
  b.migrated_installations = std::vector<std::string>{"inst-old"};
  ASSERT_TRUE(store_->UpdateMultitenantDatabase(b, *lease));
  ASSERT_TRUE(store_->DeleteMultitenantDatabase(c.id));
  ASSERT_TRUE(store_->DeleteMultitenantDatabase(c.id));

  struct Case {
    std::string name;
    model::MultitenantDatabaseFilter filter;
    std::vector<std::string> want;
  };
  std::vector<Case> cases;
  cases.push_back({"live, CreateAt ASC", {}, {a.id, b.id}});
  {
    model::MultitenantDatabaseFilter f;
    f.paging.include_deleted = true;
    cases.push_back({"with deleted", f, {a.id, b.id, c.id}});
  }
  {
    model::MultitenantDatabaseFilter f;
    f.installation_id = "inst-bbb";
    cases.push_back({"installation LIKE", f, {a.id}});
  }
  {
    model::MultitenantDatabaseFilter f;
    f.migrated_installation_id = "inst-old";
    cases.push_back({"migrated installation", f, {b.id}});
  }
  {
    model::MultitenantDatabaseFilter f;
    f.locker_id = "locker-1";
    cases.push_back({"locker", f, {b.id}});
  }
  {
    model::MultitenantDatabaseFilter f;
    f.vpc_id = "vpc1";
    f.paging.include_deleted = true;
    cases.push_back({"vpc", f, {a.id, c.id}});
  }
  {
    model::MultitenantDatabaseFilter f;
    f.database_type = "mysql";
    cases.push_back({"type", f, {b.id}});
  }
  {
    model::MultitenantDatabaseFilter f;
    f.paging.per_page = 1;
    f.paging.page = 1;
    cases.push_back({"paging", f, {b.id}});
  }
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto got = store_->GetMultitenantDatabases(tc.filter);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_EQ(Ids(*got), tc.want);
  }

  auto one = store_->GetMultitenantDatabaseForInstallationID("inst-ccc");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->id, b.id);
  auto none = store_->GetMultitenantDatabaseForInstallationID("inst-zzz");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(DatabaseStoreTest, MaxInstallationsLimitUsesWeights) {
  AddInstallation("i1", "stable");
  AddInstallation("i2", "hibernating");
  AddInstallation("i3", "deletion-pending");
  AddInstallation("i4", "stable", /*delete_at=*/5);
  // Weight: 1 + 0.75 + 0.75 = 2.5 -> ceil 3 (i4 deleted: ignored).
  auto a = Create("rds-a", "vpc", DatabaseEngineType::kPostgres, {"i1", "i2", "i3", "i4"});
  auto b = Create("rds-b", "vpc", DatabaseEngineType::kPostgres, {"i2"});  // 0.75 -> 1
  auto weight = store_->GetInstallationsTotalDatabaseWeight({"i1", "i2", "i3", "i4"});
  ASSERT_TRUE(weight);
  EXPECT_DOUBLE_EQ(*weight, 2.5);
  EXPECT_DOUBLE_EQ(*store_->GetInstallationsTotalDatabaseWeight({}), 0.0);
  struct Case {
    int64_t limit;
    std::vector<std::string> want;
  };
  for (const Case& tc : std::vector<Case>{
           {-1, {a.id, b.id}}, {4, {a.id, b.id}}, {3, {b.id}}, {2, {b.id}}, {1, {}}}) {
    SCOPED_TRACE(tc.limit);
    model::MultitenantDatabaseFilter f;
    f.max_installations_limit = tc.limit;
    auto got = store_->GetMultitenantDatabases(f);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_EQ(Ids(*got), tc.want);
  }
}

TEST_P(DatabaseStoreTest, FencedUpdatesOfMultitenantDatabases) {
  auto d = Create("rds", "vpc", DatabaseEngineType::kPostgresProxy, {"i1"});
  auto lease = locks_->AcquireOne(LockTable::kMultitenantDatabase, d.id, "me");
  ASSERT_TRUE(lease);
  d.state = model::MultitenantDatabaseState::kStable;
  d.installations->push_back("i2");
  d.vpc_id = "not-written";
  ASSERT_TRUE(store_->UpdateMultitenantDatabase(d, *lease));
  ASSERT_TRUE(store_->SetMaxInstallationsPerLogicalDatabase(d.id, 7, *lease));
  auto got = *store_->GetMultitenantDatabase(d.id);
  EXPECT_EQ(got->installations, (std::vector<std::string>{"i1", "i2"}));
  EXPECT_EQ(got->state, model::MultitenantDatabaseState::kStable);
  EXPECT_EQ(got->max_installations_per_logical_database, 7);
  EXPECT_EQ(got->vpc_id, "vpc");
  ASSERT_EQ(*locks_->ForceRelease(LockTable::kMultitenantDatabase, {d.id}), 1);
  EXPECT_EQ(store_->SetMaxInstallationsPerLogicalDatabase(d.id, 8, *lease).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(store_->UpdateMultitenantDatabase(d, *lease).error().code, ErrorCode::kConflict);
}

TEST_P(DatabaseStoreTest, LogicalDatabasesAndSchemas) {
  model::LogicalDatabase unnamed;
  unnamed.multitenant_database_id = "m1";
  auto l1 = store_->CreateLogicalDatabase(unnamed);
  ASSERT_TRUE(l1) << l1.error().ToString();
  EXPECT_EQ(l1->name, "cloud_" + l1->id);
  clock_.Advance(1);
  model::LogicalDatabase named;
  named.multitenant_database_id = "m2";
  named.name = "custom";
  auto l2 = store_->CreateLogicalDatabase(named);
  ASSERT_TRUE(l2);
  EXPECT_EQ(l2->name, "custom");
  EXPECT_EQ(**store_->GetLogicalDatabase(l1->id), *l1);
  model::LogicalDatabaseFilter lf;
  lf.multitenant_database_id = "m2";
  EXPECT_EQ((*store_->GetLogicalDatabases(lf)).size(), 1u);
  EXPECT_EQ((*store_->GetLogicalDatabases({})).size(), 2u);
  ASSERT_TRUE(store_->DeleteLogicalDatabase(l2->id));
  EXPECT_EQ((*store_->GetLogicalDatabases({})).size(), 1u);
  EXPECT_EQ(store_->DeleteLogicalDatabase("nope").error().code, ErrorCode::kNotFound);

  model::DatabaseSchema s;
  s.logical_database_id = l1->id;
  s.installation_id = "inst1";
  auto s1 = store_->CreateDatabaseSchema(s);
  ASSERT_TRUE(s1);
  EXPECT_EQ(s1->name, "id_inst1");
  EXPECT_EQ(**store_->GetDatabaseSchema(s1->id), *s1);
  model::DatabaseSchemaFilter sf;
  sf.installation_id = "inst1";
  EXPECT_EQ((*store_->GetDatabaseSchemas(sf)).size(), 1u);
  sf.logical_database_id = "other";
  EXPECT_TRUE((*store_->GetDatabaseSchemas(sf)).empty());
  EXPECT_EQ((*store_->GetDatabaseSchemaForInstallationID("inst1"))->id, s1->id);
  EXPECT_FALSE((*store_->GetDatabaseSchemaForInstallationID("inst2")).has_value());
  clock_.Advance(1);
  ASSERT_TRUE(store_->CreateDatabaseSchema(s));
  auto two = store_->GetDatabaseSchemaForInstallationID("inst1");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(store_->DeleteDatabaseSchema(s1->id));
  EXPECT_TRUE(store_->GetDatabaseSchemaForInstallationID("inst1"));
}

TEST_P(DatabaseStoreTest, ProxyResourcesPackLogicalDatabasesAndAreReused) {
  auto d = Create("rds", "vpc", DatabaseEngineType::kPostgresProxy, {});  // max 2 per logical DB
  auto lease = locks_->AcquireOne(LockTable::kMultitenantDatabase, d.id, "me");
  ASSERT_TRUE(lease);
  auto r1 = store_->GetOrCreateProxyDatabaseResourcesForInstallation("i1", d.id, *lease);
  ASSERT_TRUE(r1) << r1.error().ToString();
  EXPECT_EQ(r1->database_schema.name, "id_i1");
  EXPECT_EQ(r1->logical_database.name, "cloud_" + r1->logical_database.id);
  EXPECT_EQ(r1->multitenant_database.installations, (std::vector<std::string>{"i1"}));
  clock_.Advance(1);
  auto r2 = store_->GetOrCreateProxyDatabaseResourcesForInstallation("i2", d.id, *lease);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->logical_database.id, r1->logical_database.id);  // packed
  clock_.Advance(1);
  auto r3 = store_->GetOrCreateProxyDatabaseResourcesForInstallation("i3", d.id, *lease);
  ASSERT_TRUE(r3);
  EXPECT_NE(r3->logical_database.id, r1->logical_database.id);  // first one is full
  auto again = store_->GetOrCreateProxyDatabaseResourcesForInstallation("i1", d.id, *lease);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->database_schema.id, r1->database_schema.id);
  EXPECT_EQ((*store_->GetMultitenantDatabase(d.id))->installations,
            (std::vector<std::string>{"i1", "i2", "i3"}));
  auto found = store_->GetProxyDatabaseResourcesForInstallation("i2");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->database_schema.id, r2->database_schema.id);
  EXPECT_FALSE((*store_->GetProxyDatabaseResourcesForInstallation("i9")).has_value());

  // Teardown: schema soft-deleted, installation removed.
  auto current = *store_->GetMultitenantDatabase(d.id);
  ASSERT_TRUE(
      store_->DeleteInstallationProxyDatabaseResources(*current, r2->database_schema, *lease));
  EXPECT_EQ((*store_->GetMultitenantDatabase(d.id))->installations,
            (std::vector<std::string>{"i1", "i3"}));
  EXPECT_FALSE((*store_->GetProxyDatabaseResourcesForInstallation("i2")).has_value());

  // Without the lease nothing is written.
  ASSERT_TRUE(locks_->Release(*lease));
  auto stale = store_->GetOrCreateProxyDatabaseResourcesForInstallation("i4", d.id, *lease);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_FALSE((*store_->GetDatabaseSchemaForInstallationID("i4")).has_value());
  EXPECT_EQ((*store_->GetLogicalDatabases({})).size(), 2u);

  auto missing = store_->GetOrCreateProxyDatabaseResourcesForInstallation("i5", "nope", *lease);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(DatabaseStoreTest);

}  // namespace
}  // namespace cloud::store
