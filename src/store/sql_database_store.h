// SqlDatabaseStore: DatabaseStore over a SqlDatabase (SQLite or PostgreSQL).
#pragma once

#include "common/clock.h"
#include "store/database_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// References must outlive the store.
class SqlDatabaseStore final : public DatabaseStore {
 public:
  SqlDatabaseStore(SqlDatabase& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<model::MultitenantDatabase> CreateMultitenantDatabase(
      model::MultitenantDatabase database) override;
  Result<std::optional<model::MultitenantDatabase>> GetMultitenantDatabase(
      std::string_view id) override;
  Result<std::vector<model::MultitenantDatabase>> GetMultitenantDatabases(
      const model::MultitenantDatabaseFilter& filter) override;
  Result<model::MultitenantDatabase> GetMultitenantDatabaseForInstallationID(
      std::string_view installation_id) override;
  Result<double> GetInstallationsTotalDatabaseWeight(
      const std::vector<std::string>& installation_ids) override;
  Result<void> UpdateMultitenantDatabase(const model::MultitenantDatabase& database,
                                         const Lease& lease) override;
  Result<void> SetMaxInstallationsPerLogicalDatabase(std::string_view id, int64_t value,
                                                     const Lease& lease) override;
  Result<void> DeleteMultitenantDatabase(std::string_view id) override;

  Result<model::LogicalDatabase> CreateLogicalDatabase(
      model::LogicalDatabase logical_database) override;
  Result<std::optional<model::LogicalDatabase>> GetLogicalDatabase(std::string_view id) override;
  Result<std::vector<model::LogicalDatabase>> GetLogicalDatabases(
      const model::LogicalDatabaseFilter& filter) override;
  Result<void> DeleteLogicalDatabase(std::string_view id) override;

  Result<model::DatabaseSchema> CreateDatabaseSchema(model::DatabaseSchema schema) override;
  Result<std::optional<model::DatabaseSchema>> GetDatabaseSchema(std::string_view id) override;
  Result<std::vector<model::DatabaseSchema>> GetDatabaseSchemas(
      const model::DatabaseSchemaFilter& filter) override;
  Result<std::optional<model::DatabaseSchema>> GetDatabaseSchemaForInstallationID(
      std::string_view installation_id) override;
  Result<void> DeleteDatabaseSchema(std::string_view id) override;

  Result<std::optional<DatabaseResourceGrouping>> GetProxyDatabaseResourcesForInstallation(
      std::string_view installation_id) override;
  Result<DatabaseResourceGrouping> GetOrCreateProxyDatabaseResourcesForInstallation(
      std::string_view installation_id, std::string_view multitenant_database_id,
      const Lease& multitenant_database_lease) override;
  Result<void> DeleteInstallationProxyDatabaseResources(
      const model::MultitenantDatabase& database, const model::DatabaseSchema& schema,
      const Lease& multitenant_database_lease) override;

 private:
  SqlDatabase& db_;
  const Clock& clock_;
};

}  // namespace cloud::store
