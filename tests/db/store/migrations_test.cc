// Migrations on both engines: from empty, re-running, the resulting schema compared with
// upstream's final schema (spec/upstream-core.md §3.3, copied here independently of
// migrations.cc), an upstream 0.54.0 database migrated forward without losing rows, and refusal
// of older or unknown versions.
#include "store/migrations.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using testlib::DatabaseTest;
using testlib::Engine;

// Upstream's final schema, transcribed from the spec: "table|column type [PK] [NN] [DEFAULT
// v],...".
constexpr std::string_view kUpstreamTables[] = {
    "system|key text PK,value text",
    "cluster|id text PK,provider text NN,provisioner text NN,providermetadataraw bytea,"
    "provisionermetadataraw bytea,utilitymetadataraw bytea,state text NN,"
    "allowinstallations boolean NN,createat bigint NN,deleteat bigint NN,"
    "apisecuritylock boolean NN,lockacquiredby text,lockacquiredat bigint NN,"
    "pgbouncerconfig json NN,schedulinglockacquiredby text,schedulinglockacquiredat bigint NN,"
    "name text NN DEFAULT ''",
    "installation|id text PK,ownerid text NN,version text NN,affinity text NN,groupid text,"
    "state text NN,createat bigint NN,deleteat bigint NN,lockacquiredby text,"
    "lockacquiredat bigint NN,size text DEFAULT '100users',license text,database text NN,"
    "filestore text NN,mattermostenvraw bytea,groupsequence bigint,image text NN,"
    "apisecuritylock boolean NN DEFAULT false,singletenantdatabaseconfigraw bytea,"
    "crversion text NN DEFAULT 'mattermost.com/v1alpha1',priorityenvraw bytea,name text NN,"
    "externaldatabaseconfigraw bytea,deletionpendingexpiry bigint NN DEFAULT 0,"
    "deletionlocked boolean NN DEFAULT false,allowedipranges json,volumes json,"
    "scheduleddeletiontime bigint NN DEFAULT 0,podprobeoverrides json,command json",
    "clusterinstallation|id text PK,clusterid text NN,installationid text NN,namespace text NN,"
    "state text NN,createat bigint NN,deleteat bigint NN,lockacquiredby text,"
    "lockacquiredat bigint NN,apisecuritylock boolean NN DEFAULT false,"
    "isactive boolean NN DEFAULT true",
    "Group|id text PK,name text,description text,version text,createat bigint NN,"
    "deleteat bigint NN,mattermostenvraw bytea,sequence bigint NN,maxrolling bigint NN,"
    "lockacquiredby text,lockacquiredat bigint NN,image text NN,"
    "apisecuritylock boolean NN DEFAULT false,scheduling json",
    "webhooks|id text PK,ownerid text NN,url text NN,createat bigint NN,deleteat bigint NN,"
    "headers jsonb",
    "annotation|id text PK,name text NN",
    "clusterannotation|id text PK,clusterid text NN,annotationid text NN",
    "installationannotation|id text PK,installationid text NN,annotationid text NN",
    "groupannotation|id text PK,groupid text NN,annotationid text NN",
    "installationdns|id text PK,domainname text NN,installationid text NN,isprimary boolean NN,"
    "createat bigint NN,deleteat bigint NN",
    "installationbackup|id text PK,installationid text NN,clusterinstallationid text NN,"
    "dataresidenceraw bytea,state text NN,requestat bigint NN,startat bigint NN,"
    "deleteat bigint NN,apisecuritylock boolean NN,lockacquiredby text,lockacquiredat bigint NN,"
    "backedupdatabasetype text NN DEFAULT 'aws-multitenant-rds-postgres'",
    "installationdbrestorationoperation|id text PK,installationid text NN,backupid text NN,"
    "requestat bigint NN,state text NN,targetinstallationstate text NN,"
    "clusterinstallationid text NN,completeat bigint NN,deleteat bigint NN,lockacquiredby text,"
    "lockacquiredat bigint NN",
    "installationdbmigrationoperation|id text PK,installationid text NN,requestat bigint NN,"
    "state text NN,sourcedatabase text NN,destinationdatabase text NN,"
    "sourcemultitenantraw bytea,destinationmultitenantraw bytea,backupid text NN,"
    "installationdbrestorationoperationid text NN,completeat bigint NN,deleteat bigint NN,"
    "lockacquiredby text,lockacquiredat bigint NN",
    "multitenantdatabase|id text PK,rdsclusterid text NN,vpcid text NN,databasetype text NN,"
    "state text NN,writerendpoint text NN,readerendpoint text NN,installationsraw bytea NN,"
    "migratedinstallationsraw bytea NN,maxinstallationsperlogicaldatabase bigint NN,"
    "createat bigint NN,deleteat bigint NN,lockacquiredby text,lockacquiredat bigint NN",
    "logicaldatabase|id text PK,multitenantdatabaseid text NN,name text NN,createat bigint NN,"
    "deleteat bigint NN,lockacquiredby text,lockacquiredat bigint NN",
    "databaseschema|id text PK,logicaldatabaseid text NN,installationid text NN,name text NN,"
    "createat bigint NN,deleteat bigint NN,lockacquiredby text,lockacquiredat bigint NN",
    "event|id text PK,timestamp bigint NN,eventtype text NN,extradata bytea NN",
    "statechangeevent|id text PK,eventid text NN,resourceid text NN,resourcetype text NN,"
    "oldstate text NN,newstate text NN",
    "subscription|id text PK,name text NN,url text NN,ownerid text NN,eventtype text NN,"
    "lastdeliveryattemptat bigint NN,lastdeliverystatus text NN,failurethreshold bigint NN,"
    "createat bigint NN,deleteat bigint NN,lockacquiredby text,lockacquiredat bigint NN,"
    "headers jsonb",
    "eventdelivery|id text PK,eventid text NN,subscriptionid text NN,status text NN,"
    "lastattempt bigint NN,attempts integer NN",
};

// name -> (unique, partial, definition columns) as in the spec's index table.
struct ExpectedIndex {
  std::string name;
  bool unique;
  bool partial;
};
const std::vector<ExpectedIndex> kUpstreamIndexes = {
    {"installation_name_deleteat", true, false},
    {"installationdns_domainname_deleteat", true, false},
    {"installationdns_isprimary_installation_id", true, true},
    {"group_name_deleteat", true, false},
    {"webhook_url_deleteat", true, false},
    {"multitenantdatabase_rdsclusterid_deleteat", true, false},
    {"clusterannotation_clusterid_annotationid", true, false},
    {"installationannotation_installationid_annotationid", true, false},
    {"groupannotation_groupid_annotationid", true, false},
    {"ix_installation_deleteat", false, false},
    {"ix_installation_state", false, false},
    {"ix_installationdns_installationid", false, false},
    {"ix_statechangeevent_eventid", false, false},
    {"ix_statechangeevent_resourceid_newstate", false, false},
    {"ix_event_timestamp", false, false},
};

struct Column {
  std::string name, type;
  bool pk = false, not_null = false;
  std::optional<std::string> default_value;
};
struct Table {
  std::string name;  // lower case, except "Group"
  std::vector<Column> columns;
  std::string Sql() const { return name == "Group" ? "\"Group\"" : name; }
};

std::vector<Table> UpstreamTables() {
  std::vector<Table> tables;
  for (std::string_view spec : kUpstreamTables) {
    Table t;
    t.name = std::string(spec.substr(0, spec.find('|')));
    std::stringstream cols(std::string(spec.substr(spec.find('|') + 1)));
    std::string col;
    while (std::getline(cols, col, ',')) {
      std::stringstream words(col);
      Column c;
      words >> c.name >> c.type;
      std::string word;
      while (words >> word) {
        if (word == "PK") c.pk = c.not_null = true;
        if (word == "NN") c.not_null = true;
        if (word == "DEFAULT") {
          words >> word;
          c.default_value = word;
        }
      }
      t.columns.push_back(c);
    }
    tables.push_back(t);
  }
  return tables;
}

// An upstream 0.54.0 database as upstream's own migrations leave it (the DDL is built from the
// transcription above, not from migrations.cc).
std::vector<std::string> UpstreamFixtureDdl() {
  std::vector<std::string> ddl;
  for (const Table& t : UpstreamTables()) {
    std::string sql = "CREATE TABLE " + t.Sql() + " (";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const Column& c = t.columns[i];
      if (i > 0) sql += ", ";
      sql += (c.name == "timestamp" ? "\"timestamp\"" : c.name) + " " + c.type;
      if (c.pk) sql += " PRIMARY KEY";
      if (c.not_null) sql += " NOT NULL";
      if (c.default_value) sql += " DEFAULT " + *c.default_value;
      if (t.name == "annotation" && c.name == "name") sql += " UNIQUE";
    }
    ddl.push_back(sql + ")");
  }
  ddl.push_back(
      "CREATE UNIQUE INDEX installationdns_isprimary_installation_id ON installationdns "
      "(installationid) WHERE isprimary = true");
  ddl.push_back("CREATE UNIQUE INDEX installation_name_deleteat ON installation (name, deleteat)");
  ddl.push_back("CREATE INDEX ix_event_timestamp ON event (\"timestamp\")");
  return ddl;
}

std::string Literal(const Column& c, int row) {
  if (c.type == "bigint" || c.type == "integer") return std::to_string(1000 + row);
  if (c.type == "boolean") return row % 2 == 0 ? "true" : "false";
  if (c.type == "bytea" || c.type == "json" || c.type == "jsonb") {
    return "'{\"row\":" + std::to_string(row) + ",\"k\":[\"v\"]}'";
  }
  return "'" + c.name + "-" + std::to_string(row) + "'";
}

// All rows of a table, rendered, ordered by id; only upstream's columns.
std::vector<std::string> Snapshot(SqlExecutor& db, const Table& t) {
  std::string cols;
  for (const Column& c : t.columns) {
    if (!cols.empty()) cols += ", ";
    cols += c.name == "timestamp" ? "\"timestamp\"" : c.name;
  }
  auto rows =
      db.Query("SELECT " + cols + " FROM " + t.Sql() + " ORDER BY " + t.columns.front().name);
  EXPECT_TRUE(rows) << rows.error().ToString();
  std::vector<std::string> out;
  if (!rows) return out;
  for (Row row : *rows) {
    std::string line;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      line += row.IsNull(i) ? "NULL" : row.GetString(i);
      line += "|";
    }
    out.push_back(line);
  }
  return out;
}

class MigrationsTest : public DatabaseTest {
 protected:
  bool MigrateOnSetUp() const override { return false; }

  Result<std::vector<std::pair<std::string, std::string>>> MigrateRecordingSteps() {
    std::vector<std::pair<std::string, std::string>> steps;
    CLOUD_TRY_VOID(Migrate(db(), logger_.log, [&](std::string from, std::string to) {
      steps.emplace_back(std::move(from), std::move(to));
    }));
    return steps;
  }

  // column name -> "type NN? default?" as the engine reports it.
  std::map<std::string, Column> IntrospectColumns(const std::string& table) {
    std::map<std::string, Column> out;
    if (engine() == Engine::kPostgres) {
      auto rows = db().Query(
          "SELECT column_name, data_type, is_nullable, column_default FROM "
          "information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
          {table});
      EXPECT_TRUE(rows) << rows.error().ToString();
      if (!rows) return out;
      for (Row r : *rows) {
        Column c{r.GetString(0), r.GetString(1), false, r.GetString(2) == "NO",
                 r.GetOptionalString(3)};
        if (c.default_value) {  // "'100users'::text" -> "'100users'"
          const size_t cast = c.default_value->find("::");
          if (cast != std::string::npos) c.default_value->resize(cast);
        }
        out[c.name] = c;
      }
    } else {
      auto rows = db().Query(
          "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1)", {table});
      EXPECT_TRUE(rows) << rows.error().ToString();
      if (!rows) return out;
      for (Row r : *rows) {
        std::string name = r.GetString(0);
        for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        Column c{name, r.GetString(1), r.GetInt64(4) > 0, r.GetBool(2), r.GetOptionalString(3)};
        out[c.name] = c;
      }
    }
    return out;
  }

  std::string SqliteType(const std::string& pg_type) {
    static const std::map<std::string, std::string> kMap = {
        {"text", "TEXT"}, {"bigint", "BIGINT"}, {"boolean", "BOOLEAN"}, {"bytea", "BLOB"},
        {"json", "TEXT"}, {"jsonb", "TEXT"},    {"integer", "INTEGER"},
    };
    return kMap.at(pg_type);
  }
};

TEST_P(MigrationsTest, MigratesAnEmptyDatabaseToTheLatestVersion) {
  auto before = CurrentSchemaVersion(db());
  ASSERT_TRUE(before) << before.error().ToString();
  EXPECT_EQ(*before, "0.0.0");
  auto not_current = CheckSchemaCurrent(db());
  ASSERT_FALSE(not_current);
  EXPECT_EQ(not_current.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(not_current.error().message.find("database schema is at 0.0.0, this server needs " +
                                             std::string(LatestSchemaVersion()) +
                                             ": run `cloud schema migrate --database "),
            std::string::npos)
      << not_current.error().message;

  auto steps = MigrateRecordingSteps();
  ASSERT_TRUE(steps) << steps.error().ToString();
  ASSERT_EQ(steps->size(), Migrations().size());
  for (size_t i = 0; i < steps->size(); ++i) {
    EXPECT_EQ((*steps)[i].first, Migrations()[i].from);
    EXPECT_EQ((*steps)[i].second, Migrations()[i].to);
  }
  auto after = CurrentSchemaVersion(db());
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, LatestSchemaVersion());
  EXPECT_TRUE(CheckSchemaCurrent(db()));

  auto again = MigrateRecordingSteps();
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->empty());
  auto version_rows = db().Query("SELECT Value FROM System WHERE Key = 'DatabaseVersion'");
  ASSERT_TRUE(version_rows);
  EXPECT_EQ(version_rows->size(), 1u);
}

TEST_P(MigrationsTest, SchemaMatchesUpstreamPlusOurAdditions) {
  ASSERT_TRUE(Migrate(db(), logger_.log, {}));
  const std::vector<Table> tables = UpstreamTables();
  ASSERT_EQ(tables.size(), 21u);
  for (const Table& t : tables) {
    SCOPED_TRACE(t.name);
    auto got =
        IntrospectColumns(engine() == Engine::kPostgres && t.name == "Group" ? "Group" : t.name);
    for (const Column& want : t.columns) {
      SCOPED_TRACE(want.name);
      auto it = got.find(want.name);
      ASSERT_NE(it, got.end());
      const Column& c = it->second;
      EXPECT_EQ(c.not_null, want.not_null);
      if (engine() == Engine::kPostgres) {
        EXPECT_EQ(c.type, want.type);
        EXPECT_EQ(c.default_value, want.default_value);
      } else {
        EXPECT_EQ(c.type, SqliteType(want.type));
        if (want.default_value) {
          ASSERT_TRUE(c.default_value.has_value());
          EXPECT_EQ(*c.default_value, *want.default_value);
        }
        if (want.pk) {
          EXPECT_TRUE(c.pk);
        }
      }
    }
    // Upstream's columns plus at most our lease and event delivery columns.
    const std::set<std::string> ours = {
        "lockfencingtoken", "schedulinglockfencingtoken",
        // 0.55.0-cloud.5 (src/events): EventDelivery, Subscription, Webhooks.
        "nextattemptat", "lasterror", "sequence", "resourceid", "secret", "lastdeliveryattemptat",
        "lockacquiredby", "lockacquiredat"};
    for (const auto& [name, c] : got) {
      const bool upstream = std::any_of(t.columns.begin(), t.columns.end(),
                                        [&](const Column& w) { return w.name == name; });
      EXPECT_TRUE(upstream || ours.count(name) != 0) << "unexpected column " << name;
    }
  }

  // Our additions.
  for (std::string table :
       {"cluster", "installation", "clusterinstallation", "Group", "installationbackup",
        "installationdbrestorationoperation", "installationdbmigrationoperation",
        "multitenantdatabase", "logicaldatabase", "databaseschema", "subscription"}) {
    SCOPED_TRACE(table);
    auto cols = IntrospectColumns(table);
    ASSERT_TRUE(cols.count("lockfencingtoken"));
    EXPECT_TRUE(cols["lockfencingtoken"].not_null);
  }
  EXPECT_TRUE(IntrospectColumns("cluster").count("schedulinglockfencingtoken"));
  auto apikey = IntrospectColumns("apikey");
  for (std::string col : {"id", "name", "hash", "createat", "revokedat"}) {
    EXPECT_TRUE(apikey.count(col)) << col;
  }
  for (auto [table, col] :
       std::vector<std::pair<std::string, std::string>>{{"eventdelivery", "nextattemptat"},
                                                        {"eventdelivery", "lasterror"},
                                                        {"eventdelivery", "sequence"},
                                                        {"eventdelivery", "resourceid"},
                                                        {"subscription", "secret"},
                                                        {"webhooks", "secret"},
                                                        {"webhooks", "lockfencingtoken"},
                                                        {"webhooks", "lockacquiredat"}}) {
    EXPECT_TRUE(IntrospectColumns(table).count(col)) << table << "." << col;
  }
  auto webhook_delivery = IntrospectColumns("webhookdelivery");
  for (std::string col :
       {"id", "webhookid", "eventid", "resourceid", "payload", "createat", "sequence", "status",
        "attempts", "lastattempt", "nextattemptat", "lasterror"}) {
    EXPECT_TRUE(webhook_delivery.count(col)) << col;
  }
  auto audit = IntrospectColumns("auditlog");
  for (std::string col : {"id", "createat", "actor", "method", "path", "resourceid", "status"}) {
    EXPECT_TRUE(audit.count(col)) << col;
  }

  // Indexes.
  std::map<std::string, std::string> indexes;
  auto rows = engine() == Engine::kPostgres
                  ? db().Query(
                        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                        "current_schema()")
                  : db().Query("SELECT name, sql FROM sqlite_master WHERE type = 'index'");
  ASSERT_TRUE(rows) << rows.error().ToString();
  for (Row r : *rows) indexes[r.GetString(0)] = r.GetString(1);
  for (const ExpectedIndex& want : kUpstreamIndexes) {
    SCOPED_TRACE(want.name);
    ASSERT_TRUE(indexes.count(want.name));
    const std::string& def = indexes[want.name];
    EXPECT_EQ(def.find("UNIQUE") != std::string::npos, want.unique) << def;
    EXPECT_EQ(def.find("WHERE") != std::string::npos, want.partial) << def;
  }
  if (engine() == Engine::kPostgres) {
    EXPECT_TRUE(indexes.count("annotation_name_key"));
    EXPECT_TRUE(indexes.count("multitenantdatabase_pkey2"));
    EXPECT_EQ(indexes.size(), kUpstreamIndexes.size() + 2 /*constraints*/ + 21 - 1 /*pkeys*/ +
                                  2 /*APIKey pkey, hash*/ + 2 /*AuditLog pkey, createat*/ +
                                  6 /*list indexes of 0.55.0-cloud.4*/ +
                                  3 /*WebhookDelivery pkey, webhookid; EventDelivery sub.*/ +
                                  1 /*ClusterInstallation (ClusterID, CreateAt), cloud.6*/ +
                                  1 /*InstallationListVersion pkey, cloud.7*/);
  }
  for (std::string name :
       {"ix_installation_deleteat_createat", "ix_installation_ownerid",
        "ix_installation_state_createat", "ix_clusterinstallation_installationid",
        "ix_cluster_createat", "ix_installationdns_domainname_pattern",
        "ix_clusterinstallation_clusterid_createat"}) {
    EXPECT_TRUE(indexes.count(name)) << name;
  }
}

TEST_P(MigrationsTest, SchemaEnforcesUpstreamUniqueness) {
  ASSERT_TRUE(Migrate(db(), logger_.log, {}));
  const std::string insert =
      "INSERT INTO InstallationDNS (ID, DomainName, InstallationID, IsPrimary, CreateAt, "
      "DeleteAt) VALUES ($1, $2, $3, $4, 1, $5)";
  ASSERT_TRUE(db().Exec(insert, {"d1", "a.example.com", "i1", true, int64_t{0}}));
  // Same live domain name.
  auto dup = db().Exec(insert, {"d2", "a.example.com", "i2", false, int64_t{0}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  // Soft-deleted rows do not collide.
  EXPECT_TRUE(db().Exec(insert, {"d3", "a.example.com", "i2", false, int64_t{55}}));
  // At most one primary per installation (partial unique index); many non-primaries.
  auto second_primary = db().Exec(insert, {"d4", "b.example.com", "i1", true, int64_t{0}});
  ASSERT_FALSE(second_primary);
  EXPECT_EQ(second_primary.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(db().Exec(insert, {"d5", "c.example.com", "i1", false, int64_t{0}}));
  EXPECT_TRUE(db().Exec(insert, {"d6", "d.example.com", "i1", false, int64_t{0}}));
  // Annotation names are unique.
  ASSERT_TRUE(db().Exec("INSERT INTO Annotation (ID, Name) VALUES ('a1', 'x')"));
  auto dup_name = db().Exec("INSERT INTO Annotation (ID, Name) VALUES ('a2', 'x')");
  ASSERT_FALSE(dup_name);
  EXPECT_EQ(dup_name.error().code, ErrorCode::kAlreadyExists);
}

TEST_P(MigrationsTest, UpstreamDatabaseAt0540MigratesForwardWithoutLosingRows) {
  for (const std::string& ddl : UpstreamFixtureDdl()) {
    ASSERT_TRUE(db().Exec(ddl)) << ddl;
  }
  const std::vector<Table> tables = UpstreamTables();
  for (const Table& t : tables) {
    if (t.name == "system") continue;
    for (int row = 0; row < 3; ++row) {
      std::string cols, values;
      for (const Column& c : t.columns) {
        if (!cols.empty()) cols += ", ";
        if (!values.empty()) values += ", ";
        cols += c.name == "timestamp" ? "\"timestamp\"" : c.name;
        values += Literal(c, row);
      }
      const std::string sql = "INSERT INTO " + t.Sql() + " (" + cols + ") VALUES (" + values + ")";
      ASSERT_TRUE(db().Exec(sql)) << sql;
    }
  }
  ASSERT_TRUE(db().Exec("INSERT INTO system (key, value) VALUES ('DatabaseVersion', '0.54.0')"));
  ASSERT_TRUE(db().Exec("INSERT INTO system (key, value) VALUES ('Other', 'kept')"));

  std::map<std::string, std::vector<std::string>> before;
  for (const Table& t : tables) before[t.name] = Snapshot(db(), t);

  auto steps = MigrateRecordingSteps();
  ASSERT_TRUE(steps) << steps.error().ToString();
  ASSERT_EQ(steps->size(), Migrations().size() - 1);
  EXPECT_EQ(steps->front().first, "0.54.0");
  EXPECT_TRUE(CheckSchemaCurrent(db()));

  for (const Table& t : tables) {
    SCOPED_TRACE(t.name);
    auto after = Snapshot(db(), t);
    if (t.name == "system") {
      ASSERT_EQ(after.size(), 2u);
      EXPECT_EQ(after[0], "DatabaseVersion|" + std::string(LatestSchemaVersion()) + "|");
      EXPECT_EQ(after[1], "Other|kept|");
    } else {
      EXPECT_EQ(after.size(), 3u);
      EXPECT_EQ(after, before[t.name]);
    }
  }
  auto tokens = db().Query("SELECT LockFencingToken, SchedulingLockFencingToken FROM Cluster");
  ASSERT_TRUE(tokens) << tokens.error().ToString();
  ASSERT_EQ(tokens->size(), 3u);
  for (Row r : *tokens) {
    EXPECT_EQ(r.GetInt64(0), 0);
    EXPECT_EQ(r.GetInt64(1), 0);
  }
}

TEST_P(MigrationsTest, RefusesOlderUpstreamAndUnknownVersions) {
  struct Case {
    std::string version;
    std::string message;
  };
  const Case cases[] = {
      {"0.40.0", "older than 0.54.0"},
      {"0.53.1", "older than 0.54.0"},
      {"0.99.0", "unknown to this server"},
      {"0.55.0-cloud.999", "unknown to this server"},
  };
  ASSERT_TRUE(db().Exec("CREATE TABLE System (Key TEXT PRIMARY KEY, Value TEXT)"));
  ASSERT_TRUE(db().Exec("INSERT INTO System (Key, Value) VALUES ('DatabaseVersion', '')"));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.version);
    ASSERT_TRUE(
        db().Exec("UPDATE System SET Value = $1 WHERE Key = 'DatabaseVersion'", {c.version}));
    auto result = Migrate(db(), logger_.log, {});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(result.error().message.find(c.message), std::string::npos) << result.error().message;
    EXPECT_NE(result.error().message.find(c.version), std::string::npos);
    auto check = CheckSchemaCurrent(db());
    ASSERT_FALSE(check);
    EXPECT_EQ(check.error().code, ErrorCode::kFailedPrecondition);
  }
}

TEST_P(MigrationsTest, ConcurrentMigratorsApplyEachStepOnce) {
  auto other = test_db().OpenAnother();
  ASSERT_TRUE(other) << other.error().ToString();
  std::atomic<int> steps{0};
  Result<void> r1 = Ok(), r2 = Ok();
  std::thread t1([&] { r1 = Migrate(db(), Logger(), [&](auto, auto) { ++steps; }); });
  std::thread t2([&] { r2 = Migrate(**other, Logger(), [&](auto, auto) { ++steps; }); });
  t1.join();
  t2.join();
  ASSERT_TRUE(r1) << r1.error().ToString();
  ASSERT_TRUE(r2) << r2.error().ToString();
  EXPECT_EQ(steps.load(), static_cast<int>(Migrations().size()));
  EXPECT_TRUE(CheckSchemaCurrent(db()));
}

CLOUD_INSTANTIATE_ENGINE_TESTS(MigrationsTest);

}  // namespace
}  // namespace cloud::store
