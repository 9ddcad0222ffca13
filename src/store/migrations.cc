#include "store/migrations.h"

#include <cctype>
#include <charconv>
#include <optional>

namespace cloud::store {
namespace {

// Upstream's final schema (spec/upstream-core.md §3.3), written once for both engines. Type
// tokens are replaced per dialect: {BLOB} bytea|BLOB, {JSON} json|TEXT, {JSONB} jsonb|TEXT.
// Identifiers are unquoted (PostgreSQL folds them to lower case, as upstream's are), except
// "Group", a reserved word.
constexpr std::string_view kUpstreamSchema[] = {
    R"(CREATE TABLE System (
  Key TEXT NOT NULL PRIMARY KEY,
  Value TEXT NULL))",
    R"(CREATE TABLE Cluster (
  ID TEXT NOT NULL PRIMARY KEY,
  Provider TEXT NOT NULL,
  Provisioner TEXT NOT NULL,
  ProviderMetadataRaw {BLOB},
  ProvisionerMetadataRaw {BLOB},
  UtilityMetadataRaw {BLOB},
  State TEXT NOT NULL,
  AllowInstallations BOOLEAN NOT NULL,
  CreateAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  APISecurityLock BOOLEAN NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL,
  PgBouncerConfig {JSON} NOT NULL,
  SchedulingLockAcquiredBy TEXT,
  SchedulingLockAcquiredAt BIGINT NOT NULL,
  Name TEXT NOT NULL DEFAULT ''))",
    R"(CREATE TABLE Installation (
  ID TEXT NOT NULL PRIMARY KEY,
  OwnerID TEXT NOT NULL,
  Version TEXT NOT NULL,
  Affinity TEXT NOT NULL,
  GroupID TEXT,
  State TEXT NOT NULL,
  CreateAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL,
  Size TEXT DEFAULT '100users',
  License TEXT,
  Database TEXT NOT NULL,
  Filestore TEXT NOT NULL,
  MattermostEnvRaw {BLOB},
  GroupSequence BIGINT,
  Image TEXT NOT NULL,
  APISecurityLock BOOLEAN NOT NULL DEFAULT false,
  SingleTenantDatabaseConfigRaw {BLOB},
  CRVersion TEXT NOT NULL DEFAULT 'mattermost.com/v1alpha1',
  PriorityEnvRaw {BLOB},
  Name TEXT NOT NULL,
  ExternalDatabaseConfigRaw {BLOB},
  DeletionPendingExpiry BIGINT NOT NULL DEFAULT 0,
  DeletionLocked BOOLEAN NOT NULL DEFAULT false,
  AllowedIPRanges {JSON},
  Volumes {JSON},
  ScheduledDeletionTime BIGINT NOT NULL DEFAULT 0,
  PodProbeOverrides {JSON},
  Command {JSON}))",
    R"(CREATE TABLE ClusterInstallation (
  ID TEXT NOT NULL PRIMARY KEY,
  ClusterID TEXT NOT NULL,
  InstallationID TEXT NOT NULL,
  Namespace TEXT NOT NULL,
  State TEXT NOT NULL,
  CreateAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL,
  APISecurityLock BOOLEAN NOT NULL DEFAULT false,
  IsActive BOOLEAN NOT NULL DEFAULT true))",
    R"(CREATE TABLE "Group" (
  ID TEXT NOT NULL PRIMARY KEY,
  Name TEXT,
  Description TEXT,
  Version TEXT,
  CreateAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  MattermostEnvRaw {BLOB},
  Sequence BIGINT NOT NULL,
  MaxRolling BIGINT NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL,
  Image TEXT NOT NULL,
  APISecurityLock BOOLEAN NOT NULL DEFAULT false,
  Scheduling {JSON}))",
    R"(CREATE TABLE Webhooks (
  ID TEXT NOT NULL PRIMARY KEY,
  OwnerID TEXT NOT NULL,
  URL TEXT NOT NULL,
  CreateAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  Headers {JSONB}))",
    R"(CREATE TABLE Annotation (
  ID TEXT NOT NULL PRIMARY KEY,
  Name TEXT NOT NULL,
  CONSTRAINT annotation_name_key UNIQUE (Name)))",
    R"(CREATE TABLE ClusterAnnotation (
  ID TEXT NOT NULL PRIMARY KEY,
  ClusterID TEXT NOT NULL,
  AnnotationID TEXT NOT NULL))",
    R"(CREATE TABLE InstallationAnnotation (
  ID TEXT NOT NULL PRIMARY KEY,
  InstallationID TEXT NOT NULL,
  AnnotationID TEXT NOT NULL))",
    R"(CREATE TABLE GroupAnnotation (
  ID TEXT NOT NULL PRIMARY KEY,
  GroupID TEXT NOT NULL,
  AnnotationID TEXT NOT NULL))",
    R"(CREATE TABLE InstallationDNS (
  ID TEXT NOT NULL PRIMARY KEY,
  DomainName TEXT NOT NULL,
  InstallationID TEXT NOT NULL,
  IsPrimary BOOLEAN NOT NULL,
  CreateAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL))",
    R"(CREATE TABLE InstallationBackup (
  ID TEXT NOT NULL PRIMARY KEY,
  InstallationID TEXT NOT NULL,
  ClusterInstallationID TEXT NOT NULL,
  DataResidenceRaw {BLOB},
  State TEXT NOT NULL,
  RequestAt BIGINT NOT NULL,
  StartAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  APISecurityLock BOOLEAN NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL,
  BackedUpDatabaseType TEXT NOT NULL DEFAULT 'aws-multitenant-rds-postgres'))",
    R"(CREATE TABLE InstallationDBRestorationOperation (
  ID TEXT NOT NULL PRIMARY KEY,
  InstallationID TEXT NOT NULL,
  BackupID TEXT NOT NULL,
  RequestAt BIGINT NOT NULL,
  State TEXT NOT NULL,
  TargetInstallationState TEXT NOT NULL,
  ClusterInstallationID TEXT NOT NULL,
  CompleteAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL))",
    R"(CREATE TABLE InstallationDBMigrationOperation (
  ID TEXT NOT NULL PRIMARY KEY,
  InstallationID TEXT NOT NULL,
  RequestAt BIGINT NOT NULL,
  State TEXT NOT NULL,
  SourceDatabase TEXT NOT NULL,
  DestinationDatabase TEXT NOT NULL,
  SourceMultiTenantRaw {BLOB},
  DestinationMultiTenantRaw {BLOB},
  BackupID TEXT NOT NULL,
  InstallationDBRestorationOperationID TEXT NOT NULL,
  CompleteAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL))",
    R"(CREATE TABLE MultitenantDatabase (
  ID TEXT NOT NULL,
  RdsClusterID TEXT NOT NULL,
  VpcID TEXT NOT NULL,
  DatabaseType TEXT NOT NULL,
  State TEXT NOT NULL,
  WriterEndpoint TEXT NOT NULL,
  ReaderEndpoint TEXT NOT NULL,
  InstallationsRaw {BLOB} NOT NULL,
  MigratedInstallationsRaw {BLOB} NOT NULL,
  MaxInstallationsPerLogicalDatabase BIGINT NOT NULL,
  CreateAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL,
  CONSTRAINT multitenantdatabase_pkey2 PRIMARY KEY (ID)))",
    R"(CREATE TABLE LogicalDatabase (
  ID TEXT NOT NULL PRIMARY KEY,
  MultitenantDatabaseID TEXT NOT NULL,
  Name TEXT NOT NULL,
  CreateAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL))",
    R"(CREATE TABLE DatabaseSchema (
  ID TEXT NOT NULL PRIMARY KEY,
  LogicalDatabaseID TEXT NOT NULL,
  InstallationID TEXT NOT NULL,
  Name TEXT NOT NULL,
  CreateAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL))",
    R"(CREATE TABLE Event (
  ID TEXT NOT NULL PRIMARY KEY,
  Timestamp BIGINT NOT NULL,
  EventType TEXT NOT NULL,
  ExtraData {BLOB} NOT NULL))",
    R"(CREATE TABLE StateChangeEvent (
  ID TEXT NOT NULL PRIMARY KEY,
  EventID TEXT NOT NULL,
  ResourceID TEXT NOT NULL,
  ResourceType TEXT NOT NULL,
  OldState TEXT NOT NULL,
  NewState TEXT NOT NULL))",
    R"(CREATE TABLE Subscription (
  ID TEXT NOT NULL PRIMARY KEY,
  Name TEXT NOT NULL,
  URL TEXT NOT NULL,
  OwnerID TEXT NOT NULL,
  EventType TEXT NOT NULL,
  LastDeliveryAttemptAt BIGINT NOT NULL,
  LastDeliveryStatus TEXT NOT NULL,
  FailureThreshold BIGINT NOT NULL,
  CreateAt BIGINT NOT NULL,
  DeleteAt BIGINT NOT NULL,
  LockAcquiredBy TEXT,
  LockAcquiredAt BIGINT NOT NULL,
  Headers {JSONB}))",
    R"(CREATE TABLE EventDelivery (
  ID TEXT NOT NULL PRIMARY KEY,
  EventID TEXT NOT NULL,
  SubscriptionID TEXT NOT NULL,
  Status TEXT NOT NULL,
  LastAttempt BIGINT NOT NULL,
  Attempts INTEGER NOT NULL))",
    "CREATE UNIQUE INDEX installation_name_deleteat ON Installation (Name, DeleteAt)",
    "CREATE UNIQUE INDEX installationdns_domainname_deleteat ON InstallationDNS (DomainName, "
    "DeleteAt)",
    "CREATE UNIQUE INDEX installationdns_isprimary_installation_id ON InstallationDNS "
    "(InstallationID) WHERE IsPrimary = true",
    R"(CREATE UNIQUE INDEX group_name_deleteat ON "Group" (Name, DeleteAt))",
    "CREATE UNIQUE INDEX webhook_url_deleteat ON Webhooks (URL, DeleteAt)",
    "CREATE UNIQUE INDEX multitenantdatabase_rdsclusterid_deleteat ON MultitenantDatabase "
    "(RdsClusterID, DeleteAt)",
    "CREATE UNIQUE INDEX clusterannotation_clusterid_annotationid ON ClusterAnnotation "
    "(ClusterID, AnnotationID)",
    "CREATE UNIQUE INDEX installationannotation_installationid_annotationid ON "
    "InstallationAnnotation (InstallationID, AnnotationID)",
    "CREATE UNIQUE INDEX groupannotation_groupid_annotationid ON GroupAnnotation (GroupID, "
    "AnnotationID)",
    "CREATE INDEX ix_installation_deleteat ON Installation (DeleteAt)",
    "CREATE INDEX ix_installation_state ON Installation (State)",
    "CREATE INDEX ix_installationdns_installationid ON InstallationDNS (InstallationID)",
    "CREATE INDEX ix_statechangeevent_eventid ON StateChangeEvent (EventID)",
    "CREATE INDEX ix_statechangeevent_resourceid_newstate ON StateChangeEvent (ResourceID, "
    "NewState)",
    "CREATE INDEX ix_event_timestamp ON Event (Timestamp)",
};

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string ForDialect(std::string_view ddl, Dialect dialect) {
  const bool pg = dialect == Dialect::kPostgres;
  std::string out = ReplaceAll(std::string(ddl), "{BLOB}", pg ? "bytea" : "BLOB");
  out = ReplaceAll(std::move(out), "{JSONB}", pg ? "jsonb" : "TEXT");
  return ReplaceAll(std::move(out), "{JSON}", pg ? "json" : "TEXT");
}

Result<void> CreateUpstreamSchema(SqlExecutor& tx) {
  for (std::string_view ddl : kUpstreamSchema) {
    CLOUD_TRY_VOID(tx.Exec(ForDialect(ddl, tx.dialect())));
  }
  return Ok();
}

// 0.54.0 -> 0.55.0-cloud.1: lease fencing. Every lockable table gets a fencing token that is
// incremented on each acquisition; LockAcquiredAt doubles as "last renewed" (see lock_store.h).
Result<void> AddLeaseFencing(SqlExecutor& tx) {
  constexpr std::string_view kLockableTables[] = {
      "Cluster",
      "Installation",
      "ClusterInstallation",
      R"("Group")",
      "InstallationBackup",
      "InstallationDBRestorationOperation",
      "InstallationDBMigrationOperation",
      "MultitenantDatabase",
      "LogicalDatabase",
      "DatabaseSchema",
      "Subscription",
  };
  for (std::string_view table : kLockableTables) {
    CLOUD_TRY_VOID(tx.Exec("ALTER TABLE " + std::string(table) +
                           " ADD COLUMN LockFencingToken BIGINT NOT NULL DEFAULT 0"));
  }
  CLOUD_TRY_VOID(
      tx.Exec("ALTER TABLE Cluster ADD COLUMN SchedulingLockFencingToken BIGINT NOT NULL "
              "DEFAULT 0"));
  return Ok();
}

// 0.55.0-cloud.1 -> 0.55.0-cloud.2: API keys (only a hash of each key is stored).
Result<void> AddApiKeys(SqlExecutor& tx) {
  return ExecAll(tx, {
                         R"(CREATE TABLE APIKey (
  ID TEXT NOT NULL PRIMARY KEY,
  Name TEXT NOT NULL,
  Hash TEXT NOT NULL,
  CreateAt BIGINT NOT NULL,
  RevokedAt BIGINT NOT NULL DEFAULT 0))",
                         "CREATE UNIQUE INDEX apikey_hash ON APIKey (Hash)",
                     });
}

// 0.55.0-cloud.2 -> 0.55.0-cloud.3: audit log of API writes.
Result<void> AddAuditLog(SqlExecutor& tx) {
  return ExecAll(tx, {
                         R"(CREATE TABLE AuditLog (
  ID TEXT NOT NULL PRIMARY KEY,
  CreateAt BIGINT NOT NULL,
  Actor TEXT NOT NULL,
  Method TEXT NOT NULL,
  Path TEXT NOT NULL,
  ResourceID TEXT NOT NULL DEFAULT '',
  Status INTEGER NOT NULL))",
                         "CREATE INDEX ix_auditlog_createat ON AuditLog (CreateAt)",
                     });
}

// 0.55.0-cloud.3 -> 0.55.0-cloud.4: indexes for the list pages and per-page lookups of
// GET /api/installations (store_list_bench: 100,000 installations). Upstream sorts every list
// by CreateAt without an index and looks up cluster installations by InstallationID with none.
Result<void> AddListIndexes(SqlExecutor& tx) {
  return ExecAll(
      tx, {
              "CREATE INDEX ix_installation_deleteat_createat ON Installation (DeleteAt, "
              "CreateAt, ID)",
              "CREATE INDEX ix_installation_ownerid ON Installation (OwnerID, CreateAt)",
              "CREATE INDEX ix_installation_state_createat ON Installation (State, CreateAt)",
              "CREATE INDEX ix_clusterinstallation_installationid ON ClusterInstallation "
              "(InstallationID)",
              "CREATE INDEX ix_cluster_createat ON Cluster (CreateAt)",
              // dns_name=prefix% (LIKE): PostgreSQL needs pattern ops unless the database
              // collation is C; SQLite's LIKE is case-insensitive, so a NOCASE index serves it.
              tx.dialect() == Dialect::kPostgres
                  ? "CREATE INDEX ix_installationdns_domainname_pattern ON InstallationDNS "
                    "(DomainName text_pattern_ops)"
                  : "CREATE INDEX ix_installationdns_domainname_pattern ON InstallationDNS "
                    "(DomainName COLLATE NOCASE)",
          });
}

// 0.55.0-cloud.5 -> 0.55.0-cloud.6: the cluster installations of one cluster, in creation order.
// Placing an installation reads them under the cluster's scheduling lock (affinity, §6.2); without
// an index every placement scanned every cluster installation (supervisor_bench (b): 1,000
// placements read ~1,000,000 rows).
Result<void> AddSchedulingIndexes(SqlExecutor& tx) {
  return ExecAll(tx, {"CREATE INDEX ix_clusterinstallation_clusterid_createat ON "
                      "ClusterInstallation (ClusterID, CreateAt)"});
}

// 0.55.0-cloud.6 -> 0.55.0-cloud.7: versions of the default installation listing (live rows in
// CreateAt, ID order), kept by triggers whoever writes:
//   Changes  +1 in every transaction that inserts, deletes, soft-deletes or undeletes an
//            installation (its UPDATE also serialises these transactions at commit);
//   Version  +1 when such a change can shift the position of rows already listed: any removal,
//            and an insert unless it sorts after every live row (an append, the usual create).
// SqlInstallationStore keeps page anchors (the key at every 1,000th position) for one Version
// and answers a deep page from the nearest anchor instead of walking an OFFSET of up to the
// whole table (store_list_bench: random pages of 100,000). Appends leave the anchors valid.
// The append check runs after the Changes row is locked, so it sees every list change committed
// before this one: no snapshot can hold a row that sorts after an append without its Version.
// On PostgreSQL the triggers are deferred constraint triggers that bump once per transaction at
// commit, so concurrent creates hold the row's lock only while they commit.
Result<void> AddInstallationListVersion(SqlExecutor& tx) {
  std::vector<std::string> statements = {
      "CREATE TABLE IF NOT EXISTS InstallationListVersion (ID INTEGER NOT NULL PRIMARY KEY, "
      "Changes BIGINT NOT NULL, Version BIGINT NOT NULL)",
      "INSERT INTO InstallationListVersion (ID, Changes, Version) SELECT 1, 0, 0 WHERE NOT EXISTS "
      "(SELECT 1 FROM InstallationListVersion WHERE ID = 1)",
  };
  if (tx.dialect() == Dialect::kPostgres) {
    statements.insert(
        statements.end(),
        {
            R"(CREATE OR REPLACE FUNCTION installation_list_version_bump() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF current_setting('cloud.installation_list_changed', true) IS DISTINCT FROM 'on' THEN
    PERFORM set_config('cloud.installation_list_changed', 'on', true);
    UPDATE InstallationListVersion SET Changes = Changes + 1 WHERE ID = 1;
  END IF;
  IF current_setting('cloud.installation_list_shifted', true) IS DISTINCT FROM 'on' THEN
    IF TG_OP <> 'INSERT' OR EXISTS (SELECT 1 FROM Installation WHERE DeleteAt = 0 AND
        CreateAt >= NEW.CreateAt AND ID <> NEW.ID) THEN
      PERFORM set_config('cloud.installation_list_shifted', 'on', true);
      UPDATE InstallationListVersion SET Version = Version + 1 WHERE ID = 1;
    END IF;
  END IF;
  RETURN NULL;
END $$)",
            "DROP TRIGGER IF EXISTS installation_list_version_insert_delete ON Installation",
            "CREATE CONSTRAINT TRIGGER installation_list_version_insert_delete AFTER INSERT OR "
            "DELETE ON Installation DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
            "installation_list_version_bump()",
            "DROP TRIGGER IF EXISTS installation_list_version_update ON Installation",
            "CREATE CONSTRAINT TRIGGER installation_list_version_update AFTER UPDATE OF DeleteAt, "
            "CreateAt, ID ON Installation DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN "
            "(OLD.DeleteAt IS DISTINCT FROM NEW.DeleteAt OR OLD.CreateAt IS DISTINCT FROM "
            "NEW.CreateAt OR OLD.ID IS DISTINCT FROM NEW.ID) EXECUTE FUNCTION "
            "installation_list_version_bump()",
        });
  } else {
    // SQLite runs one writing transaction at a time: plain triggers are serialised already.
    constexpr std::string_view kBumpBoth =
        " BEGIN UPDATE InstallationListVersion SET Changes = Changes + 1, Version = Version + 1 "
        "WHERE ID = 1; END";
    statements.insert(
        statements.end(),
        {
            "CREATE TRIGGER IF NOT EXISTS installation_list_version_insert AFTER INSERT ON "
            "Installation BEGIN UPDATE InstallationListVersion SET Changes = Changes + 1, "
            "Version = Version + (CASE WHEN EXISTS (SELECT 1 FROM Installation WHERE DeleteAt = 0 "
            "AND CreateAt >= NEW.CreateAt AND ID <> NEW.ID) THEN 1 ELSE 0 END) WHERE ID = 1; END",
            "CREATE TRIGGER IF NOT EXISTS installation_list_version_delete AFTER DELETE ON "
            "Installation" +
                std::string(kBumpBoth),
            "CREATE TRIGGER IF NOT EXISTS installation_list_version_update AFTER UPDATE OF "
            "DeleteAt, CreateAt, ID ON Installation WHEN OLD.DeleteAt IS NOT NEW.DeleteAt OR "
            "OLD.CreateAt IS NOT NEW.CreateAt OR OLD.ID IS NOT NEW.ID" +
                std::string(kBumpBoth),
        });
  }
  return ExecAll(tx, statements);
}

// 0.55.0-cloud.4 -> 0.55.0-cloud.5: reliable event delivery (src/events). Subscription
// deliveries get a retry schedule and their last error; legacy webhooks get an outbox table
// written in the state change's transaction, a lease (the delivery worker's claim) and, like
// subscriptions, an optional signing secret. Written so that a half-applied step (possible only
// outside a transaction) can be re-run: every column/table/index is added only when missing.
Result<void> AddEventDelivery(SqlExecutor& tx) {
  const bool pg = tx.dialect() == Dialect::kPostgres;
  auto has_column = [&](std::string_view table, std::string_view column) -> Result<bool> {
    CLOUD_TRY(Rows rows,
              pg ? tx.Query("SELECT 1 FROM information_schema.columns WHERE table_schema = "
                            "current_schema() AND table_name = $1 AND column_name = $2",
                            {ToLower(table), ToLower(column)})
                 : tx.Query("SELECT 1 FROM pragma_table_info($1) WHERE lower(name) = $2",
                            {std::string(table), ToLower(column)}));
    return !rows.empty();
  };
  auto add_column = [&](std::string_view table, std::string_view column,
                        std::string_view type) -> Result<void> {
    CLOUD_TRY(bool exists, has_column(table, column));
    if (exists) return Ok();
    CLOUD_TRY(int64_t changed, tx.Exec("ALTER TABLE " + std::string(table) + " ADD COLUMN " +
                                       std::string(column) + " " + std::string(type)));
    (void)changed;
    return Ok();
  };
  CLOUD_TRY_VOID(add_column("EventDelivery", "NextAttemptAt", "BIGINT NOT NULL DEFAULT 0"));
  CLOUD_TRY_VOID(add_column("EventDelivery", "LastError", "TEXT NOT NULL DEFAULT ''"));
  CLOUD_TRY_VOID(add_column("EventDelivery", "Sequence", "BIGINT NOT NULL DEFAULT 0"));
  CLOUD_TRY_VOID(add_column("EventDelivery", "ResourceID", "TEXT NOT NULL DEFAULT ''"));
  CLOUD_TRY_VOID(add_column("Subscription", "Secret", "TEXT NOT NULL DEFAULT ''"));
  CLOUD_TRY_VOID(add_column("Webhooks", "Secret", "TEXT NOT NULL DEFAULT ''"));
  CLOUD_TRY_VOID(add_column("Webhooks", "LastDeliveryAttemptAt", "BIGINT NOT NULL DEFAULT 0"));
  CLOUD_TRY_VOID(add_column("Webhooks", "LockAcquiredBy", "TEXT"));
  CLOUD_TRY_VOID(add_column("Webhooks", "LockAcquiredAt", "BIGINT NOT NULL DEFAULT 0"));
  CLOUD_TRY_VOID(add_column("Webhooks", "LockFencingToken", "BIGINT NOT NULL DEFAULT 0"));
  return ExecAll(tx, {
                         ForDialect(R"(CREATE TABLE IF NOT EXISTS WebhookDelivery (
  ID TEXT NOT NULL PRIMARY KEY,
  WebhookID TEXT NOT NULL,
  EventID TEXT NOT NULL,
  ResourceID TEXT NOT NULL,
  Payload {BLOB} NOT NULL,
  CreateAt BIGINT NOT NULL,
  Sequence BIGINT NOT NULL,
  Status TEXT NOT NULL,
  Attempts INTEGER NOT NULL,
  LastAttempt BIGINT NOT NULL,
  NextAttemptAt BIGINT NOT NULL,
  LastError TEXT NOT NULL))",
                                    tx.dialect()),
                         "CREATE INDEX IF NOT EXISTS ix_webhookdelivery_webhookid_status ON "
                         "WebhookDelivery (WebhookID, Status)",
                         "CREATE INDEX IF NOT EXISTS ix_eventdelivery_subscriptionid_status ON "
                         "EventDelivery (SubscriptionID, Status)",
                     });
}

struct Semver {
  int64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> prerelease;
};

std::optional<int64_t> ParseNumber(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<Semver> ParseSemver(std::string_view v) {
  if (!v.empty() && v[0] == 'v') v.remove_prefix(1);
  v = v.substr(0, v.find('+'));
  Semver out;
  const size_t dash = v.find('-');
  std::string_view core = v.substr(0, dash);
  if (dash != std::string_view::npos) {
    std::string_view pre = v.substr(dash + 1);
    while (true) {
      const size_t dot = pre.find('.');
      out.prerelease.emplace_back(pre.substr(0, dot));
      if (dot == std::string_view::npos) break;
      pre.remove_prefix(dot + 1);
    }
  }
  int64_t* parts[] = {&out.major, &out.minor, &out.patch};
  for (int i = 0; i < 3; ++i) {
    const size_t dot = core.find('.');
    if ((i < 2) == (dot == std::string_view::npos)) return std::nullopt;
    auto n = ParseNumber(core.substr(0, dot));
    if (!n) return std::nullopt;
    *parts[i] = *n;
    core = dot == std::string_view::npos ? std::string_view() : core.substr(dot + 1);
  }
  return out;
}

Result<void> CheckMigratable(std::string_view current) {
  if (current == "0.0.0") return Ok();
  for (const Migration& m : Migrations()) {
    if (m.from == current && m.from != "0.0.0") return Ok();
  }
  if (current == LatestSchemaVersion()) return Ok();
  if (CompareSemver(current, kUpstreamSchemaVersion) < 0) {
    return FailedPrecondition(
        "database schema is at upstream version " + std::string(current) + ", older than " +
        std::string(kUpstreamSchemaVersion) +
        ": cloud only migrates forward from 0.54.0; upgrade it with mattermost-cloud 0.54 or "
        "later first");
  }
  return FailedPrecondition("database schema version " + std::string(current) +
                            " is unknown to this server (it knows up to " +
                            std::string(LatestSchemaVersion()) +
                            "); was it migrated by a newer cloud?");
}

constexpr std::string_view kPgSystemTableExists =
    "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
    "AND table_name = 'system'";
constexpr std::string_view kSqliteSystemTableExists =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND lower(name) = 'system'";
constexpr std::string_view kSelectVersion =
    "SELECT Value FROM System WHERE Key = 'DatabaseVersion'";
constexpr std::string_view kUpdateVersion =
    "UPDATE System SET Value = $1 WHERE Key = 'DatabaseVersion'";
constexpr std::string_view kInsertVersion =
    "INSERT INTO System (Key, Value) VALUES ('DatabaseVersion', $1)";
// Serialises concurrent migrators on PostgreSQL (an arbitrary constant: "cloud" in ASCII).
constexpr std::string_view kPgMigrationLock = "SELECT pg_advisory_xact_lock(436207412324)";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {"0.0.0", "0.54.0", CreateUpstreamSchema},
      {"0.54.0", "0.55.0-cloud.1", AddLeaseFencing},
      {"0.55.0-cloud.1", "0.55.0-cloud.2", AddApiKeys},
      {"0.55.0-cloud.2", "0.55.0-cloud.3", AddAuditLog},
      {"0.55.0-cloud.3", "0.55.0-cloud.4", AddListIndexes},
      {"0.55.0-cloud.4", "0.55.0-cloud.5", AddEventDelivery},
      {"0.55.0-cloud.5", "0.55.0-cloud.6", AddSchedulingIndexes},
      {"0.55.0-cloud.6", "0.55.0-cloud.7", AddInstallationListVersion},
  };
  return kMigrations;
}

std::string_view LatestSchemaVersion() { return Migrations().back().to; }

int CompareSemver(std::string_view a, std::string_view b) {
  const auto x = ParseSemver(a), y = ParseSemver(b);
  if (!x || !y) {
    if (x) return -1;
    if (y) return 1;
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  }
  for (auto [p, q] : {std::pair{x->major, y->major}, std::pair{x->minor, y->minor},
                      std::pair{x->patch, y->patch}}) {
    if (p != q) return p < q ? -1 : 1;
  }
  // A version with a pre-release sorts before the same version without one.
  if (x->prerelease.empty() != y->prerelease.empty()) return x->prerelease.empty() ? 1 : -1;
  for (size_t i = 0; i < std::min(x->prerelease.size(), y->prerelease.size()); ++i) {
    const auto& s = x->prerelease[i];
    const auto& t = y->prerelease[i];
    const auto n = ParseNumber(s), m = ParseNumber(t);
    if (n && m) {
      if (*n != *m) return *n < *m ? -1 : 1;
    } else if (n || m) {
      return n ? -1 : 1;  // numeric identifiers sort before alphanumeric ones
    } else if (s != t) {
      return s < t ? -1 : 1;
    }
  }
  if (x->prerelease.size() != y->prerelease.size()) {
    return x->prerelease.size() < y->prerelease.size() ? -1 : 1;
  }
  return 0;
}

Result<void> ExecAll(SqlExecutor& tx, const std::vector<std::string>& statements) {
  for (const std::string& statement : statements) CLOUD_TRY_VOID(tx.Exec(statement));
  return Ok();
}

Result<std::string> CurrentSchemaVersion(SqlExecutor& db) {
  CLOUD_TRY(Rows exists, db.Query(db.dialect() == Dialect::kPostgres ? kPgSystemTableExists
                                                                     : kSqliteSystemTableExists));
  if (exists.empty()) return std::string("0.0.0");
  CLOUD_TRY(Rows rows, db.Query(kSelectVersion));
  if (rows.empty() || rows.front().GetString(0).empty()) return std::string("0.0.0");
  return rows.front().GetString(0);
}

Result<void> Migrate(SqlDatabase& db, const Logger& log,
                     std::function<void(std::string from, std::string to)> on_step) {
  for (;;) {
    CLOUD_TRY(std::string current, CurrentSchemaVersion(db));
    CLOUD_TRY_VOID(CheckMigratable(current));
    const Migration* step = nullptr;
    for (const Migration& m : Migrations()) {
      if (m.from == current) step = &m;
    }
    if (step == nullptr) return Ok();  // at the latest version

    CLOUD_TRY(std::unique_ptr<SqlTransaction> tx, db.Begin());
    if (db.dialect() == Dialect::kPostgres) CLOUD_TRY_VOID(tx->Query(kPgMigrationLock));
    CLOUD_TRY(std::string locked_current, CurrentSchemaVersion(*tx));
    if (locked_current != current) continue;  // another process migrated meanwhile; re-read

    const std::string from(step->from), to(step->to);
    auto applied = step->apply(*tx);
    if (!applied) {
      return std::move(applied).error().WithContext("migration " + from + " -> " + to + " failed");
    }
    CLOUD_TRY(int64_t updated, tx->Exec(kUpdateVersion, {to}));
    if (updated == 0) CLOUD_TRY_VOID(tx->Exec(kInsertVersion, {to}));
    CLOUD_TRY_VOID(tx->Commit());
    log.With("from", from).With("to", to).Info("applied database migration");
    if (on_step) on_step(from, to);
  }
}

Result<void> CheckSchemaCurrent(SqlDatabase& db) {
  CLOUD_TRY(std::string current, CurrentSchemaVersion(db));
  if (current == LatestSchemaVersion()) return Ok();
  return FailedPrecondition("database schema is at " + current + ", this server needs " +
                            std::string(LatestSchemaVersion()) +
                            ": run `cloud schema migrate --database " + db.redacted_url() + "`");
}

}  // namespace cloud::store
