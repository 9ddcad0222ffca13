// DatabaseStore: multi-tenant databases, their logical databases and per-installation schemas
// (MultitenantDatabase, LogicalDatabase, DatabaseSchema tables; upstream-core.md §6.3, §3.5-3.6).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/filters.h"
#include "model/multitenant_database.h"
#include "store/lock_store.h"

namespace cloud::store {

// The three rows that place an installation on a proxy database (Go DatabaseResourceGrouping).
struct DatabaseResourceGrouping {
  model::MultitenantDatabase multitenant_database;
  model::LogicalDatabase logical_database;
  model::DatabaseSchema database_schema;
};

// Used by the multi-tenant database provisioning code, the DB migration supervisor and the
// /api/databases handlers. Membership changes are made under the multitenant database's lease
// (LockTable::kMultitenantDatabase). Thread-safe.
class DatabaseStore {
 public:
  virtual ~DatabaseStore() = default;

  // --- MultitenantDatabase ---

  // Inserts `database` with a new ID, CreateAt = now, DeleteAt = 0 and no lock; installation
  // lists stored as JSON (`null` when unset). Errors: kAlreadyExists when a live database has
  // the same RdsClusterID.
  virtual Result<model::MultitenantDatabase> CreateMultitenantDatabase(
      model::MultitenantDatabase database) = 0;

  // The database, deleted or not; nullopt when there is no such ID.
  virtual Result<std::optional<model::MultitenantDatabase>> GetMultitenantDatabase(
      std::string_view id) = 0;

  // Filter: InstallationID / MigratedInstallationID (LIKE '%id%' on the JSON lists), LockerID,
  // VpcID, DatabaseType, paging; CreateAt ASC. Then, unless MaxInstallationsLimit is -1, keeps
  // a database only if ceil(sum of its live installations' weights) < the limit (weight 0.75
  // for hibernating / pending-deletion states, 1 otherwise).
  virtual Result<std::vector<model::MultitenantDatabase>> GetMultitenantDatabases(
      const model::MultitenantDatabaseFilter& filter) = 0;

  // The one live database whose Installations contain the installation.
  // Errors: kFailedPrecondition "expected exactly one multitenant database, but found N".
  virtual Result<model::MultitenantDatabase> GetMultitenantDatabaseForInstallationID(
      std::string_view installation_id) = 0;

  // Sum of the database weights of the live installations among `installation_ids`.
  virtual Result<double> GetInstallationsTotalDatabaseWeight(
      const std::vector<std::string>& installation_ids) = 0;

  // Under `lease`: writes State, MaxInstallationsPerLogicalDatabase, Installations and
  // MigratedInstallations (Go UpdateMultitenantDatabase). Errors: kConflict (lease lost).
  virtual Result<void> UpdateMultitenantDatabase(const model::MultitenantDatabase& database,
                                                 const Lease& lease) = 0;

  // Under `lease`: sets MaxInstallationsPerLogicalDatabase only (PUT .../multitenant_database).
  // Errors: kConflict (lease lost).
  virtual Result<void> SetMaxInstallationsPerLogicalDatabase(std::string_view id, int64_t value,
                                                             const Lease& lease) = 0;

  // Soft delete (the API takes no lock); a no-op when already deleted. Errors: kNotFound.
  virtual Result<void> DeleteMultitenantDatabase(std::string_view id) = 0;

  // --- LogicalDatabase ---

  // Inserts with a new ID, CreateAt = now; Name defaults to "cloud_<id>".
  virtual Result<model::LogicalDatabase> CreateLogicalDatabase(
      model::LogicalDatabase logical_database) = 0;
  virtual Result<std::optional<model::LogicalDatabase>> GetLogicalDatabase(std::string_view id) = 0;
  // Filter: MultitenantDatabaseID, paging; CreateAt ASC.
  virtual Result<std::vector<model::LogicalDatabase>> GetLogicalDatabases(
      const model::LogicalDatabaseFilter& filter) = 0;
  // Soft delete; no-op when already deleted. Errors: kNotFound.
  virtual Result<void> DeleteLogicalDatabase(std::string_view id) = 0;

  // --- DatabaseSchema ---

  // Inserts with a new ID, CreateAt = now; Name defaults to "id_<installationID>".
  virtual Result<model::DatabaseSchema> CreateDatabaseSchema(model::DatabaseSchema schema) = 0;
  virtual Result<std::optional<model::DatabaseSchema>> GetDatabaseSchema(std::string_view id) = 0;
  // Filter: LogicalDatabaseID, InstallationID, paging; CreateAt ASC.
  virtual Result<std::vector<model::DatabaseSchema>> GetDatabaseSchemas(
      const model::DatabaseSchemaFilter& filter) = 0;
  // The installation's live schema, nullopt when none.
  // Errors: kFailedPrecondition when it has more than one.
  virtual Result<std::optional<model::DatabaseSchema>> GetDatabaseSchemaForInstallationID(
      std::string_view installation_id) = 0;
  // Soft delete; no-op when already deleted. Errors: kNotFound.
  virtual Result<void> DeleteDatabaseSchema(std::string_view id) = 0;

  // --- Proxy database resources (pgbouncer / perseus) ---

  // The installation's schema, logical database and multitenant database; nullopt when it has
  // no live schema. Errors: kFailedPrecondition when it has several; kNotFound when a parent
  // row is missing.
  virtual Result<std::optional<DatabaseResourceGrouping>> GetProxyDatabaseResourcesForInstallation(
      std::string_view installation_id) = 0;

  // Go GetOrCreateProxyDatabaseResourcesForInstallation: reuses the installation's schema, or
  // picks the live logical database of `multitenant_database_id` with the most live schemas
  // below MaxInstallationsPerLogicalDatabase (first on ties), creating "cloud_<id>" when none
  // qualifies, then inserts the schema and adds the installation to Installations — all in one
  // transaction, fenced by `multitenant_database_lease`.
  // Errors: kNotFound / kFailedPrecondition (database missing or deleted); kConflict (lease).
  virtual Result<DatabaseResourceGrouping> GetOrCreateProxyDatabaseResourcesForInstallation(
      std::string_view installation_id, std::string_view multitenant_database_id,
      const Lease& multitenant_database_lease) = 0;

  // Go DeleteInstallationProxyDatabaseResources, in one transaction: soft-deletes the schema
  // and removes its installation from the database's Installations, fenced by the lease.
  virtual Result<void> DeleteInstallationProxyDatabaseResources(
      const model::MultitenantDatabase& database, const model::DatabaseSchema& schema,
      const Lease& multitenant_database_lease) = 0;
};

}  // namespace cloud::store
