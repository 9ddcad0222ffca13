#include "model/multitenant_database.h"

#include <gtest/gtest.h>

namespace cloud::model {
namespace {

TEST(MultitenantDatabase, RoundTripFullyPopulated) {
  const std::string text =
      R"({"ID":"m1","RdsClusterID":"rds-1","VpcID":"vpc-1","DatabaseType":"postgres-proxy",)"
      R"("State":"provisioning-requested","WriterEndpoint":"w.example.com",)"
      R"("ReaderEndpoint":"r.example.com","Installations":["i1","i2"],)"
      R"("MigratedInstallations":["i3"],"MaxInstallationsPerLogicalDatabase":10,"CreateAt":1,)"
      R"("DeleteAt":2,"LockAcquiredBy":"me","LockAcquiredAt":3})";
  auto d = DecodeJson<MultitenantDatabase>(text);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->database_type, DatabaseEngineType::kPostgresProxy);
  EXPECT_EQ(d->state, MultitenantDatabaseState::kProvisioningRequested);
  EXPECT_EQ(d->GetReaderEndpoint(), "r.example.com");
  EXPECT_EQ(EncodeJson(*d), text);
}

TEST(MultitenantDatabase, NullListsAndOmittedMax) {
  MultitenantDatabase d;
  d.writer_endpoint = "w";
  EXPECT_EQ(EncodeJson(d),
            R"({"ID":"","RdsClusterID":"","VpcID":"","DatabaseType":"postgres","State":"stable",)"
            R"("WriterEndpoint":"w","ReaderEndpoint":"","Installations":null,)"
            R"("MigratedInstallations":null,"CreateAt":0,"DeleteAt":0,"LockAcquiredBy":null,)"
            R"("LockAcquiredAt":0})");
  EXPECT_EQ(d.GetReaderEndpoint(), "w");
}

TEST(MultitenantDatabase, InstallationListHelpers) {
  std::optional<std::vector<std::string>> ids;
  EXPECT_FALSE(ContainsInstallationID(ids, "i1"));
  RemoveInstallationID(ids, "i1");
  EXPECT_EQ(ids, std::nullopt);
  AddInstallationID(ids, "i1");
  AddInstallationID(ids, "i2");
  AddInstallationID(ids, "i1");
  EXPECT_TRUE(ContainsInstallationID(ids, "i2"));
  RemoveInstallationID(ids, "i1");
  EXPECT_EQ(ids, (std::vector<std::string>{"i2"}));
}

TEST(LogicalDatabaseAndSchema, RoundTrip) {
  const std::string logical =
      R"({"ID":"l1","MultitenantDatabaseID":"m1","Name":"cloud_l1","CreateAt":1,"DeleteAt":0,)"
      R"("LockAcquiredBy":"me","LockAcquiredAt":2})";
  auto l = DecodeJson<LogicalDatabase>(logical);
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(EncodeJson(*l), logical);
  EXPECT_EQ(EncodeJson(LogicalDatabase{}),
            R"({"ID":"","MultitenantDatabaseID":"","Name":"","CreateAt":0,"DeleteAt":0,)"
            R"("LockAcquiredBy":null,"LockAcquiredAt":0})");

  const std::string schema =
      R"({"ID":"d1","LogicalDatabaseID":"l1","InstallationID":"i1","Name":"id_i1",)"
      R"("CreateAt":1,"DeleteAt":3,"LockAcquiredBy":null,"LockAcquiredAt":0})";
  auto s = DecodeJson<DatabaseSchema>(schema);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->IsDeleted());
  EXPECT_EQ(EncodeJson(*s), schema);
}

TEST(DatabaseEnums, EveryString) {
  const std::vector<std::pair<DatabaseEngineType, std::string>> engines = {
      {DatabaseEngineType::kMySQL, "mysql"},
      {DatabaseEngineType::kPostgres, "postgres"},
      {DatabaseEngineType::kPostgresProxy, "postgres-proxy"},
      {DatabaseEngineType::kPostgresProxyPerseus, "postgres-proxy-perseus"},
  };
  ASSERT_EQ(engines.size(), kAllDatabaseEngineTypes.size());
  for (const auto& [engine, text] : engines) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ToString(engine), text);
    DatabaseEngineType parsed = DatabaseEngineType::kMySQL;
    ASSERT_TRUE(ParseEnum(text, parsed));
    EXPECT_EQ(parsed, engine);
  }
  const std::vector<std::pair<MultitenantDatabaseState, std::string>> states = {
      {MultitenantDatabaseState::kStable, "stable"},
      {MultitenantDatabaseState::kProvisioningRequested, "provisioning-requested"},
  };
  ASSERT_EQ(states.size(), kAllMultitenantDatabaseStates.size());
  for (const auto& [state, text] : states) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ToString(state), text);
    MultitenantDatabaseState parsed = MultitenantDatabaseState::kStable;
    ASSERT_TRUE(ParseEnum(text, parsed));
    EXPECT_EQ(parsed, state);
  }
  DatabaseEngineType e;
  EXPECT_FALSE(ParseEnum("aws-rds-postgres", e));
  auto bad = DecodeJson<MultitenantDatabase>(R"({"State":"deleted"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(PatchMultitenantDatabaseRequest, RoundTripAndNull) {
  auto r =
      DecodeJson<PatchMultitenantDatabaseRequest>(R"({"MaxInstallationsPerLogicalDatabase":5})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->max_installations_per_logical_database, std::optional<int64_t>(5));
  EXPECT_EQ(EncodeJson(*r), R"({"MaxInstallationsPerLogicalDatabase":5})");
  EXPECT_EQ(EncodeJson(PatchMultitenantDatabaseRequest{}),
            R"({"MaxInstallationsPerLogicalDatabase":null})");
}

TEST(PatchMultitenantDatabaseRequest, Validate) {
  struct Case {
    std::optional<int64_t> value;
    bool ok;
  };
  for (const Case& c :
       std::vector<Case>{{std::nullopt, true}, {1, true}, {100, true}, {0, false}, {-1, false}}) {
    SCOPED_TRACE(c.value ? std::to_string(*c.value) : "null");
    auto v = PatchMultitenantDatabaseRequest{c.value}.Validate();
    EXPECT_EQ(static_cast<bool>(v), c.ok);
    if (!v) {
      EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(PatchMultitenantDatabaseRequest, ApplyOnlyToPostgresProxy) {
  struct Case {
    std::string name;
    DatabaseEngineType type;
    int64_t current;
    std::optional<int64_t> value;
    bool applied;
    int64_t want;
  };
  const std::vector<Case> cases = {
      {"proxy changes", DatabaseEngineType::kPostgresProxy, 10, 20, true, 20},
      {"proxy same value", DatabaseEngineType::kPostgresProxy, 10, 10, false, 10},
      {"proxy null", DatabaseEngineType::kPostgresProxy, 10, std::nullopt, false, 10},
      {"postgres ignored", DatabaseEngineType::kPostgres, 0, 20, false, 0},
      {"perseus ignored", DatabaseEngineType::kPostgresProxyPerseus, 10, 20, false, 10},
      {"mysql ignored", DatabaseEngineType::kMySQL, 0, 20, false, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    MultitenantDatabase d;
    d.database_type = c.type;
    d.max_installations_per_logical_database = c.current;
    EXPECT_EQ(PatchMultitenantDatabaseRequest{c.value}.Apply(d), c.applied);
    EXPECT_EQ(d.max_installations_per_logical_database, c.want);
  }
}

}  // namespace
}  // namespace cloud::model
