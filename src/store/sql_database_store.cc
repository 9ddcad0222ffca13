#include "store/sql_database_store.h"

#include <cmath>
#include <map>
#include <utility>

#include "common/id.h"
#include "model/installation.h"
#include "model/json_codec.h"
#include "store/sql_fenced_write.h"
#include "store/sql_where_builder.h"

namespace cloud::store {
namespace {

using IdList = std::optional<std::vector<std::string>>;

constexpr std::string_view kSelectMultitenantDatabases =
    "SELECT ID, RdsClusterID, VpcID, DatabaseType, State, InstallationsRaw, "
    "MigratedInstallationsRaw, MaxInstallationsPerLogicalDatabase, WriterEndpoint, "
    "ReaderEndpoint, CreateAt, DeleteAt, LockAcquiredBy, LockAcquiredAt FROM MultitenantDatabase";
constexpr std::string_view kInsertMultitenantDatabase =
    "INSERT INTO MultitenantDatabase (ID, RdsClusterID, VpcID, DatabaseType, State, "
    "InstallationsRaw, MigratedInstallationsRaw, MaxInstallationsPerLogicalDatabase, "
    "WriterEndpoint, ReaderEndpoint, LockAcquiredBy, LockAcquiredAt, CreateAt, DeleteAt) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, 0, $11, 0)";
constexpr std::string_view kUpdateMultitenantDatabase =
    "UPDATE MultitenantDatabase SET State = $1, MaxInstallationsPerLogicalDatabase = $2, "
    "InstallationsRaw = $3, MigratedInstallationsRaw = $4 WHERE ID = $5";
constexpr std::string_view kSetMaxInstallations =
    "UPDATE MultitenantDatabase SET MaxInstallationsPerLogicalDatabase = $1 WHERE ID = $2";

constexpr std::string_view kSelectLogicalDatabases =
    "SELECT ID, MultitenantDatabaseID, Name, CreateAt, DeleteAt, LockAcquiredBy, LockAcquiredAt "
    "FROM LogicalDatabase";
constexpr std::string_view kInsertLogicalDatabase =
    "INSERT INTO LogicalDatabase (ID, MultitenantDatabaseID, Name, LockAcquiredBy, "
    "LockAcquiredAt, CreateAt, DeleteAt) VALUES ($1, $2, $3, NULL, 0, $4, 0)";

constexpr std::string_view kSelectDatabaseSchemas =
    "SELECT ID, LogicalDatabaseID, InstallationID, Name, CreateAt, DeleteAt, LockAcquiredBy, "
    "LockAcquiredAt FROM DatabaseSchema";
constexpr std::string_view kInsertDatabaseSchema =
    "INSERT INTO DatabaseSchema (ID, LogicalDatabaseID, InstallationID, Name, LockAcquiredBy, "
    "LockAcquiredAt, CreateAt, DeleteAt) VALUES ($1, $2, $3, $4, NULL, 0, $5, 0)";

// Go json.Marshal of a []string: `null` when nil.
Blob EncodeIds(const IdList& ids) { return Blob{model::EncodeJson(ids)}; }

Result<IdList> DecodeIds(const Row& row, std::string_view column) {
  if (row.IsNull(column)) return IdList();
  const std::string raw = row.GetBlob(column);
  if (raw.empty()) return IdList();
  return model::DecodeJson<IdList>(raw);
}

Result<model::MultitenantDatabase> MultitenantFromRow(const Row& row) {
  model::MultitenantDatabase d;
  d.id = row.GetString("ID");
  d.rds_cluster_id = row.GetString("RdsClusterID");
  d.vpc_id = row.GetString("VpcID");
  const std::string type = row.GetString("DatabaseType");
  if (!model::ParseEnum(type, d.database_type)) {
    return Internal("multitenant database " + d.id + " has unknown type \"" + type + "\"");
  }
  const std::string state = row.GetString("State");
  if (!model::ParseEnum(state, d.state)) {
    return Internal("multitenant database " + d.id + " has unknown state \"" + state + "\"");
  }
  CLOUD_TRY(d.installations, DecodeIds(row, "InstallationsRaw"));
  CLOUD_TRY(d.migrated_installations, DecodeIds(row, "MigratedInstallationsRaw"));
  d.max_installations_per_logical_database = row.GetInt64("MaxInstallationsPerLogicalDatabase");
  d.writer_endpoint = row.GetString("WriterEndpoint");
  d.reader_endpoint = row.GetString("ReaderEndpoint");
  d.create_at = row.GetInt64("CreateAt");
  d.delete_at = row.GetInt64("DeleteAt");
  d.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  d.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  return d;
}

model::LogicalDatabase LogicalFromRow(const Row& row) {
  model::LogicalDatabase d;
  d.id = row.GetString("ID");
  d.multitenant_database_id = row.GetString("MultitenantDatabaseID");
  d.name = row.GetString("Name");
  d.create_at = row.GetInt64("CreateAt");
  d.delete_at = row.GetInt64("DeleteAt");
  d.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  d.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  return d;
}

model::DatabaseSchema SchemaFromRow(const Row& row) {
  model::DatabaseSchema s;
  s.id = row.GetString("ID");
  s.logical_database_id = row.GetString("LogicalDatabaseID");
  s.installation_id = row.GetString("InstallationID");
  s.name = row.GetString("Name");
  s.create_at = row.GetInt64("CreateAt");
  s.delete_at = row.GetInt64("DeleteAt");
  s.lock_acquired_by = row.GetOptionalString("LockAcquiredBy");
  s.lock_acquired_at = row.GetInt64("LockAcquiredAt");
  return s;
}

Result<std::optional<model::MultitenantDatabase>> GetMultitenant(SqlExecutor& db,
                                                                 std::string_view id) {
  CLOUD_TRY(Rows rows, db.Query(std::string(kSelectMultitenantDatabases) + " WHERE ID = $1",
                                {std::string(id)}));
  if (rows.empty()) return std::optional<model::MultitenantDatabase>();
  CLOUD_TRY(model::MultitenantDatabase d, MultitenantFromRow(rows.front()));
  return std::optional<model::MultitenantDatabase>(std::move(d));
}

Result<std::vector<model::LogicalDatabase>> ListLogical(SqlExecutor& db,
                                                        const model::LogicalDatabaseFilter& f) {
  SqlWhereBuilder w;
  w.NotDeletedUnless(f.paging);
  if (!f.multitenant_database_id.empty()) {
    w.WhereEq("MultitenantDatabaseID", f.multitenant_database_id);
  }
  const std::string where = w.WhereClause() + " ORDER BY CreateAt ASC, ID";
  const std::string limit = w.Limit(f.paging);
  CLOUD_TRY(Rows rows, db.Query(std::string(kSelectLogicalDatabases) + where + limit, w.params()));
  std::vector<model::LogicalDatabase> out;
  for (Row row : rows) out.push_back(LogicalFromRow(row));
  return out;
}

Result<std::vector<model::DatabaseSchema>> ListSchemas(SqlExecutor& db,
                                                       const model::DatabaseSchemaFilter& f) {
  SqlWhereBuilder w;
  w.NotDeletedUnless(f.paging);
  if (!f.logical_database_id.empty()) w.WhereEq("LogicalDatabaseID", f.logical_database_id);
  if (!f.installation_id.empty()) w.WhereEq("InstallationID", f.installation_id);
  const std::string where = w.WhereClause() + " ORDER BY CreateAt ASC, ID";
  const std::string limit = w.Limit(f.paging);
  CLOUD_TRY(Rows rows, db.Query(std::string(kSelectDatabaseSchemas) + where + limit, w.params()));
  std::vector<model::DatabaseSchema> out;
  for (Row row : rows) out.push_back(SchemaFromRow(row));
  return out;
}

Result<std::optional<model::DatabaseSchema>> SchemaForInstallation(
    SqlExecutor& db, std::string_view installation_id) {
  model::DatabaseSchemaFilter filter;
  filter.installation_id = std::string(installation_id);
  filter.paging = model::AllPagesNotDeleted();
  CLOUD_TRY(std::vector<model::DatabaseSchema> schemas, ListSchemas(db, filter));
  if (schemas.empty()) return std::optional<model::DatabaseSchema>();
  if (schemas.size() > 1) {
    return FailedPrecondition("expected no more than one database schema, but got " +
                              std::to_string(schemas.size()));
  }
  return std::optional<model::DatabaseSchema>(std::move(schemas.front()));
}

Result<void> InsertLogical(SqlExecutor& db, model::LogicalDatabase& d, int64_t now) {
  d.id = NewId();
  d.create_at = now;
  d.delete_at = 0;
  d.lock_acquired_by.reset();
  d.lock_acquired_at = 0;
  if (d.name.empty()) d.name = "cloud_" + d.id;
  CLOUD_TRY_VOID(db.Exec(kInsertLogicalDatabase, {d.id, d.multitenant_database_id, d.name, now}));
  return Ok();
}

Result<void> InsertSchema(SqlExecutor& db, model::DatabaseSchema& s, int64_t now) {
  s.id = NewId();
  s.create_at = now;
  s.delete_at = 0;
  s.lock_acquired_by.reset();
  s.lock_acquired_at = 0;
  if (s.name.empty()) s.name = "id_" + s.installation_id;
  CLOUD_TRY_VOID(db.Exec(kInsertDatabaseSchema,
                         {s.id, s.logical_database_id, s.installation_id, s.name, now}));
  return Ok();
}

Result<void> UpdateMultitenant(SqlExecutor& db, const model::MultitenantDatabase& d,
                               const Lease& lease) {
  return FencedExec(
      db, kUpdateMultitenantDatabase,
      {std::string(model::ToString(d.state)), d.max_installations_per_logical_database,
       EncodeIds(d.installations), EncodeIds(d.migrated_installations), d.id},
      lease, d.id);
}

}  // namespace

Result<model::MultitenantDatabase> SqlDatabaseStore::CreateMultitenantDatabase(
    model::MultitenantDatabase d) {
  d.id = NewId();
  d.create_at = clock_.NowMillis();
  d.delete_at = 0;
  d.lock_acquired_by.reset();
  d.lock_acquired_at = 0;
  CLOUD_TRY_VOID(
      db_.Exec(kInsertMultitenantDatabase,
               {d.id, d.rds_cluster_id, d.vpc_id, std::string(model::ToString(d.database_type)),
                std::string(model::ToString(d.state)), EncodeIds(d.installations),
                EncodeIds(d.migrated_installations), d.max_installations_per_logical_database,
                d.writer_endpoint, d.reader_endpoint, d.create_at}));
  return d;
}

Result<std::optional<model::MultitenantDatabase>> SqlDatabaseStore::GetMultitenantDatabase(
    std::string_view id) {
  return GetMultitenant(db_, id);
}

Result<std::vector<model::MultitenantDatabase>> SqlDatabaseStore::GetMultitenantDatabases(
    const model::MultitenantDatabaseFilter& filter) {
  SqlWhereBuilder w;
  w.NotDeletedUnless(filter.paging);
  // Membership is a LIKE on the JSON bytes, as upstream. SQLite's LIKE never matches a BLOB
  // operand, so there the bytes are read as text first.
  const bool sqlite = db_.dialect() == Dialect::kSqlite;
  const auto like = [&](std::string_view column, const std::string& id) {
    const std::string operand =
        sqlite ? "CAST(" + std::string(column) + " AS TEXT)" : std::string(column);
    w.Where(operand + " LIKE " + w.Bind("%" + id + "%"));
  };
  if (!filter.installation_id.empty()) like("InstallationsRaw", filter.installation_id);
  if (!filter.migrated_installation_id.empty()) {
    like("MigratedInstallationsRaw", filter.migrated_installation_id);
  }
  if (!filter.locker_id.empty()) w.WhereEq("LockAcquiredBy", filter.locker_id);
  if (!filter.vpc_id.empty()) w.WhereEq("VpcID", filter.vpc_id);
  if (!filter.database_type.empty()) w.WhereEq("DatabaseType", filter.database_type);
  const std::string where = w.WhereClause() + " ORDER BY CreateAt ASC, ID";
  const std::string limit = w.Limit(filter.paging);
  CLOUD_TRY(Rows rows,
            db_.Query(std::string(kSelectMultitenantDatabases) + where + limit, w.params()));
  std::vector<model::MultitenantDatabase> out;
  for (Row row : rows) {
    CLOUD_TRY(model::MultitenantDatabase d, MultitenantFromRow(row));
    if (filter.max_installations_limit != model::kNoInstallationsLimit) {
      CLOUD_TRY(double weight, GetInstallationsTotalDatabaseWeight(
                                   d.installations.value_or(std::vector<std::string>{})));
      if (static_cast<int64_t>(std::ceil(weight)) >= filter.max_installations_limit) continue;
    }
    out.push_back(std::move(d));
  }
  return out;
}

Result<model::MultitenantDatabase> SqlDatabaseStore::GetMultitenantDatabaseForInstallationID(
    std::string_view installation_id) {
  model::MultitenantDatabaseFilter filter;
  filter.installation_id = std::string(installation_id);
  filter.max_installations_limit = model::kNoInstallationsLimit;
  filter.paging = model::AllPagesNotDeleted();
  CLOUD_TRY(std::vector<model::MultitenantDatabase> found, GetMultitenantDatabases(filter));
  if (found.size() != 1) {
    return FailedPrecondition("expected exactly one multitenant database, but found " +
                              std::to_string(found.size()));
  }
  return std::move(found.front());
}

Result<double> SqlDatabaseStore::GetInstallationsTotalDatabaseWeight(
    const std::vector<std::string>& installation_ids) {
  if (installation_ids.empty()) return 0.0;
  SqlWhereBuilder w;
  w.WhereIn("ID", installation_ids);
  w.Where("DeleteAt = 0");
  CLOUD_TRY(Rows rows,
            db_.Query("SELECT ID, State FROM Installation" + w.WhereClause(), w.params()));
  double total = 0;
  for (Row row : rows) {
    model::Installation installation;
    const std::string state = row.GetString("State");
    if (!model::ParseEnum(state, installation.state)) {
      return Internal("installation " + row.GetString("ID") + " has unknown state \"" + state +
                      "\"");
    }
    total += installation.GetDatabaseWeight();
  }
  return total;
}

Result<void> SqlDatabaseStore::UpdateMultitenantDatabase(const model::MultitenantDatabase& d,
                                                         const Lease& lease) {
  return UpdateMultitenant(db_, d, lease);
}

Result<void> SqlDatabaseStore::SetMaxInstallationsPerLogicalDatabase(std::string_view id,
                                                                     int64_t value,
                                                                     const Lease& lease) {
  return FencedExec(db_, kSetMaxInstallations, {value, std::string(id)}, lease, id);
}

Result<void> SqlDatabaseStore::DeleteMultitenantDatabase(std::string_view id) {
  return SoftDelete(db_, "MultitenantDatabase", "multitenant database", id, clock_.NowMillis());
}

Result<model::LogicalDatabase> SqlDatabaseStore::CreateLogicalDatabase(model::LogicalDatabase d) {
  CLOUD_TRY_VOID(InsertLogical(db_, d, clock_.NowMillis()));
  return d;
}

Result<std::optional<model::LogicalDatabase>> SqlDatabaseStore::GetLogicalDatabase(
    std::string_view id) {
  CLOUD_TRY(Rows rows,
            db_.Query(std::string(kSelectLogicalDatabases) + " WHERE ID = $1", {std::string(id)}));
  if (rows.empty()) return std::optional<model::LogicalDatabase>();
  return std::optional<model::LogicalDatabase>(LogicalFromRow(rows.front()));
}

Result<std::vector<model::LogicalDatabase>> SqlDatabaseStore::GetLogicalDatabases(
    const model::LogicalDatabaseFilter& filter) {
  return ListLogical(db_, filter);
}

Result<void> SqlDatabaseStore::DeleteLogicalDatabase(std::string_view id) {
  return SoftDelete(db_, "LogicalDatabase", "logical database", id, clock_.NowMillis());
}

Result<model::DatabaseSchema> SqlDatabaseStore::CreateDatabaseSchema(model::DatabaseSchema s) {
  CLOUD_TRY_VOID(InsertSchema(db_, s, clock_.NowMillis()));
  return s;
}

Result<std::optional<model::DatabaseSchema>> SqlDatabaseStore::GetDatabaseSchema(
    std::string_view id) {
  CLOUD_TRY(Rows rows,
            db_.Query(std::string(kSelectDatabaseSchemas) + " WHERE ID = $1", {std::string(id)}));
  if (rows.empty()) return std::optional<model::DatabaseSchema>();
  return std::optional<model::DatabaseSchema>(SchemaFromRow(rows.front()));
}

Result<std::vector<model::DatabaseSchema>> SqlDatabaseStore::GetDatabaseSchemas(
    const model::DatabaseSchemaFilter& filter) {
  return ListSchemas(db_, filter);
}

Result<std::optional<model::DatabaseSchema>> SqlDatabaseStore::GetDatabaseSchemaForInstallationID(
    std::string_view installation_id) {
  return SchemaForInstallation(db_, installation_id);
}

Result<void> SqlDatabaseStore::DeleteDatabaseSchema(std::string_view id) {
  return SoftDelete(db_, "DatabaseSchema", "database schema", id, clock_.NowMillis());
}

Result<std::optional<DatabaseResourceGrouping>>
SqlDatabaseStore::GetProxyDatabaseResourcesForInstallation(std::string_view installation_id) {
  CLOUD_TRY(std::optional<model::DatabaseSchema> schema,
            SchemaForInstallation(db_, installation_id));
  if (!schema) return std::optional<DatabaseResourceGrouping>();
  CLOUD_TRY(std::optional<model::LogicalDatabase> logical,
            GetLogicalDatabase(schema->logical_database_id));
  if (!logical) return NotFound("logical database " + schema->logical_database_id + " not found");
  CLOUD_TRY(std::optional<model::MultitenantDatabase> multitenant,
            GetMultitenant(db_, logical->multitenant_database_id));
  if (!multitenant) {
    return NotFound("multitenant database " + logical->multitenant_database_id + " not found");
  }
  return std::optional<DatabaseResourceGrouping>(
      DatabaseResourceGrouping{std::move(*multitenant), std::move(*logical), std::move(*schema)});
}

Result<DatabaseResourceGrouping> SqlDatabaseStore::GetOrCreateProxyDatabaseResourcesForInstallation(
    std::string_view installation_id, std::string_view multitenant_database_id,
    const Lease& lease) {
  CLOUD_TRY(std::optional<DatabaseResourceGrouping> existing,
            GetProxyDatabaseResourcesForInstallation(installation_id));
  if (existing) return std::move(*existing);

  DatabaseResourceGrouping out;
  const int64_t now = clock_.NowMillis();
  Result<void> written = RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY(std::optional<model::MultitenantDatabase> database,
              GetMultitenant(tx, multitenant_database_id));
    if (!database) {
      return NotFound("multitenant database " + std::string(multitenant_database_id) +
                      " doesn't exist");
    }
    if (database->IsDeleted()) {
      return FailedPrecondition("multitenant database " + std::string(multitenant_database_id) +
                                " has been deleted");
    }
    model::LogicalDatabaseFilter filter;
    filter.multitenant_database_id = database->id;
    filter.paging = model::AllPagesNotDeleted();
    CLOUD_TRY(std::vector<model::LogicalDatabase> logicals, ListLogical(tx, filter));
    std::map<std::string, int64_t> counts;
    CLOUD_TRY(Rows count_rows,
              tx.Query("SELECT s.LogicalDatabaseID, COUNT(*) FROM DatabaseSchema s JOIN "
                       "LogicalDatabase l ON l.ID = s.LogicalDatabaseID WHERE s.DeleteAt = 0 AND "
                       "l.MultitenantDatabaseID = $1 GROUP BY s.LogicalDatabaseID",
                       {database->id}));
    for (Row row : count_rows) counts[row.GetString(0)] = row.GetInt64(1);
    const model::LogicalDatabase* selected = nullptr;
    for (const model::LogicalDatabase& logical : logicals) {
      if (counts[logical.id] >= database->max_installations_per_logical_database) continue;
      if (selected == nullptr || counts[logical.id] > counts[selected->id]) selected = &logical;
    }
    model::LogicalDatabase logical;
    if (selected != nullptr) {
      logical = *selected;
    } else {
      logical.multitenant_database_id = database->id;
      CLOUD_TRY_VOID(InsertLogical(tx, logical, now));
    }
    model::DatabaseSchema schema;
    schema.logical_database_id = logical.id;
    schema.installation_id = std::string(installation_id);
    CLOUD_TRY_VOID(InsertSchema(tx, schema, now));
    if (!model::ContainsInstallationID(database->installations, installation_id)) {
      model::AddInstallationID(database->installations, std::string(installation_id));
    }
    // Always written, so that the lease is checked even when the membership is unchanged.
    CLOUD_TRY_VOID(UpdateMultitenant(tx, *database, lease));
    out = DatabaseResourceGrouping{std::move(*database), std::move(logical), std::move(schema)};
    return Ok();
  });
  if (!written) return std::move(written).error();
  return out;
}

Result<void> SqlDatabaseStore::DeleteInstallationProxyDatabaseResources(
    const model::MultitenantDatabase& database, const model::DatabaseSchema& schema,
    const Lease& lease) {
  model::MultitenantDatabase updated = database;
  model::RemoveInstallationID(updated.installations, schema.installation_id);
  const int64_t now = clock_.NowMillis();
  return RunInTransaction(db_, [&](SqlExecutor& tx) -> Result<void> {
    CLOUD_TRY_VOID(SoftDelete(tx, "DatabaseSchema", "database schema", schema.id, now));
    return UpdateMultitenant(tx, updated, lease);
  });
}

}  // namespace cloud::store
