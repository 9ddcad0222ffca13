// Client: multitenant databases, logical databases and schemas (spec §6.2 "Databases").
#include "client/client.h"

namespace cloud::client {

Result<std::vector<model::MultitenantDatabase>> Client::GetMultitenantDatabases(
    const GetMultitenantDatabasesRequest& request) {
  return DoJson<std::vector<model::MultitenantDatabase>>(HttpMethod::kGet,
                                                         "/api/databases/multitenant_databases",
                                                         QueryOf(request), std::nullopt, 200);
}

Result<std::optional<model::MultitenantDatabase>> Client::GetMultitenantDatabase(
    const std::string& multitenant_database_id) {
  return GetOptional<model::MultitenantDatabase>("/api/databases/multitenant_database/" +
                                                 Seg(multitenant_database_id));
}

Result<model::MultitenantDatabase> Client::UpdateMultitenantDatabase(
    const std::string& multitenant_database_id,
    const model::PatchMultitenantDatabaseRequest& request) {
  return DoJson<model::MultitenantDatabase>(
      HttpMethod::kPut, "/api/databases/multitenant_database/" + Seg(multitenant_database_id), {},
      Body(request), 200);
}

Result<std::vector<model::LogicalDatabase>> Client::GetLogicalDatabases(
    const GetLogicalDatabasesRequest& request) {
  return DoJson<std::vector<model::LogicalDatabase>>(
      HttpMethod::kGet, "/api/databases/logical_databases", QueryOf(request), std::nullopt, 200);
}

Result<std::optional<model::LogicalDatabase>> Client::GetLogicalDatabase(
    const std::string& logical_database_id) {
  return GetOptional<model::LogicalDatabase>("/api/databases/logical_database/" +
                                             Seg(logical_database_id));
}

Result<std::vector<model::DatabaseSchema>> Client::GetDatabaseSchemas(
    const GetDatabaseSchemaRequest& request) {
  return DoJson<std::vector<model::DatabaseSchema>>(
      HttpMethod::kGet, "/api/databases/database_schemas", QueryOf(request), std::nullopt, 200);
}

Result<std::optional<model::DatabaseSchema>> Client::GetDatabaseSchema(
    const std::string& database_schema_id) {
  return GetOptional<model::DatabaseSchema>("/api/databases/database_schema/" +
                                            Seg(database_schema_id));
}

}  // namespace cloud::client
