// Handlers of /api/databases/...: multitenant databases, logical databases and database schemas
// (spec upstream-api.md §3.9; upstream internal/api/db_multitenant_database.go,
// db_logical_database.go, db_database_schema.go). These rows are created only by supervisors.
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/router.h"

namespace cloud::api {

// GET /api/databases/multitenant_databases: paging + vpc_id, database_type (no weight limit).
HttpResponse HandleGetMultitenantDatabases(const ApiDeps& deps, RequestContext& ctx,
                                           const HttpRequest& request);
// GET /api/databases/multitenant_database/{multitenant_database}: 404 / 200.
HttpResponse HandleGetMultitenantDatabase(const ApiDeps& deps, RequestContext& ctx,
                                          const HttpRequest& request);
// PUT /api/databases/multitenant_database/{multitenant_database}
// {MaxInstallationsPerLogicalDatabase}: decode / value < 1 → 400 → lock(db) 404/409 → applied
// only to postgres-proxy databases when it differs; 200 database.
HttpResponse HandleUpdateMultitenantDatabase(const ApiDeps& deps, RequestContext& ctx,
                                             const HttpRequest& request);
// DELETE /api/databases/multitenant_database/{multitenant_database}?force=<bool> (junk =
// false): 404; already deleted → 204; without force, 400 while the RDS cluster still exists;
// soft delete (no lock, as upstream); 204.
HttpResponse HandleDeleteMultitenantDatabase(const ApiDeps& deps, RequestContext& ctx,
                                             const HttpRequest& request);

// GET /api/databases/logical_databases: paging + multitenant_database_id.
HttpResponse HandleGetLogicalDatabases(const ApiDeps& deps, RequestContext& ctx,
                                       const HttpRequest& request);
// GET /api/databases/logical_database/{logical_database}: 404 / 200.
HttpResponse HandleGetLogicalDatabase(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& request);
// DELETE /api/databases/logical_database/{logical_database}: 404; already deleted → 204;
// lock(parent multitenant database) 404/409; live schemas → 400; PgBouncer removal; soft
// delete; 204.
HttpResponse HandleDeleteLogicalDatabase(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& request);

// GET /api/databases/database_schemas: paging + logical_database_id, installation_id.
HttpResponse HandleGetDatabaseSchemas(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& request);
// GET /api/databases/database_schema/{database_schema}: 404 / 200.
HttpResponse HandleGetDatabaseSchema(const ApiDeps& deps, RequestContext& ctx,
                                     const HttpRequest& request);

// Go initDatabases (initMultitenantDatabases, initLogicalDatabases, initDatabaseSchemas).
void RegisterDatabaseRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
