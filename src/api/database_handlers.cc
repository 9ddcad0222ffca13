#include "api/database_handlers.h"

#include <optional>
#include <string>
#include <vector>

#include "model/filters.h"
#include "model/multitenant_database.h"
#include "model/paging.h"

namespace cloud::api {

HttpResponse HandleGetMultitenantDatabases(const ApiDeps& deps, RequestContext& ctx,
                                           const HttpRequest& request) {
  return RunHandler(ctx, "failed to query multitenant databases", [&]() -> HandlerResult {
    CLOUD_TRY(model::MultitenantDatabaseFilter filter,
              model::ParseMultitenantDatabaseFilter(QueryOf(request)));
    filter.max_installations_limit = model::kNoInstallationsLimit;
    CLOUD_TRY(std::vector<model::MultitenantDatabase> databases,
              deps.databases->GetMultitenantDatabases(filter));
    return JsonResponse(200, databases);
  });
}

HttpResponse HandleGetMultitenantDatabase(const ApiDeps& deps, RequestContext& ctx,
                                          const HttpRequest& request) {
  return RunHandler(ctx, "failed to query multitenant database", [&]() -> HandlerResult {
    std::string id(request.PathVar("multitenant_database"));
    CLOUD_TRY(std::optional<model::MultitenantDatabase> database,
              deps.databases->GetMultitenantDatabase(id));
    if (!database) return NotFound("multitenant database " + id + " not found");
    return JsonResponse(200, *database);
  });
}

HttpResponse HandleUpdateMultitenantDatabase(const ApiDeps& deps, RequestContext& ctx,
                                             const HttpRequest& request) {
  return RunHandler(ctx, "failed to update multitenant database", [&]() -> HandlerResult {
    std::string id(request.PathVar("multitenant_database"));
    CLOUD_TRY(model::PatchMultitenantDatabaseRequest patch,
              DecodeBody<model::PatchMultitenantDatabaseRequest>(request));
    CLOUD_TRY_VOID(patch.Validate());

    CLOUD_TRY(std::optional<model::MultitenantDatabase> database,
              deps.databases->GetMultitenantDatabase(id));
    if (!database) return NotFound("multitenant database " + id + " not found");
    CLOUD_TRY(ApiRowLock lock, LockRow(deps, ctx, store::LockTable::kMultitenantDatabase, id));
    if (patch.Apply(*database)) {
      CLOUD_TRY_VOID(deps.databases->SetMaxInstallationsPerLogicalDatabase(
          id, database->max_installations_per_logical_database, lock.lease()));
    }
    lock.Release();
    return JsonResponse(200, *database);
  });
}

HttpResponse HandleDeleteMultitenantDatabase(const ApiDeps& deps, RequestContext& ctx,
                                             const HttpRequest& request) {
  return RunHandler(ctx, "failed to delete multitenant database", [&]() -> HandlerResult {
    std::string id(request.PathVar("multitenant_database"));
    // Upstream: a value strconv.ParseBool rejects means false.
    bool force = model::GoParseBool(request.QueryValue("force")).value_or(false);

    CLOUD_TRY(std::optional<model::MultitenantDatabase> database,
              deps.databases->GetMultitenantDatabase(id));
    if (!database) return NotFound("multitenant database " + id + " not found");
    if (database->IsDeleted()) return HttpResponse::Status(204);

    if (!force && deps.database_services.rds_cluster_exists) {
      Result<bool> exists = deps.database_services.rds_cluster_exists(database->rds_cluster_id);
      if (!exists) return exists.error().WithContext("failed to check if DB cluster exists");
      if (*exists) {
        return FailedPrecondition(
            "cannot delete multitenant database while its DB cluster exists (use force)");
      }
    }
    CLOUD_TRY_VOID(deps.databases->DeleteMultitenantDatabase(id));
    return HttpResponse::Status(204);
  });
}

HttpResponse HandleGetLogicalDatabases(const ApiDeps& deps, RequestContext& ctx,
                                       const HttpRequest& request) {
  return RunHandler(ctx, "failed to query logical databases", [&]() -> HandlerResult {
    CLOUD_TRY(model::LogicalDatabaseFilter filter,
              model::ParseLogicalDatabaseFilter(QueryOf(request)));
    CLOUD_TRY(std::vector<model::LogicalDatabase> databases,
              deps.databases->GetLogicalDatabases(filter));
    return JsonResponse(200, databases);
  });
}

HttpResponse HandleGetLogicalDatabase(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& request) {
  return RunHandler(ctx, "failed to query logical database", [&]() -> HandlerResult {
    std::string id(request.PathVar("logical_database"));
    CLOUD_TRY(std::optional<model::LogicalDatabase> database,
              deps.databases->GetLogicalDatabase(id));
    if (!database) return NotFound("logical database " + id + " not found");
    return JsonResponse(200, *database);
  });
}

HttpResponse HandleDeleteLogicalDatabase(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& request) {
  return RunHandler(ctx, "failed to delete logical database", [&]() -> HandlerResult {
    std::string id(request.PathVar("logical_database"));
    CLOUD_TRY(std::optional<model::LogicalDatabase> logical_database,
              deps.databases->GetLogicalDatabase(id));
    if (!logical_database) return NotFound("logical database " + id + " not found");
    if (logical_database->IsDeleted()) return HttpResponse::Status(204);

    const std::string& parent_id = logical_database->multitenant_database_id;
    CLOUD_TRY(std::optional<model::MultitenantDatabase> multitenant_database,
              deps.databases->GetMultitenantDatabase(parent_id));
    if (!multitenant_database) {
      return NotFound("multitenant database " + parent_id + " not found");
    }
    CLOUD_TRY(ApiRowLock lock,
              LockRow(deps, ctx, store::LockTable::kMultitenantDatabase, parent_id));

    model::DatabaseSchemaFilter schema_filter;
    schema_filter.paging = model::AllPagesNotDeleted();
    schema_filter.logical_database_id = id;
    CLOUD_TRY(std::vector<model::DatabaseSchema> schemas,
              deps.databases->GetDatabaseSchemas(schema_filter));
    if (!schemas.empty()) {
      return FailedPrecondition("logical database " + id + " still has " +
                                std::to_string(schemas.size()) + " database schemas");
    }
    if (deps.database_services.delete_logical_database) {
      if (Result<void> dropped = deps.database_services.delete_logical_database(
              *multitenant_database, *logical_database);
          !dropped) {
        return dropped.error().WithContext("failed to delete logical database in pgbouncer");
      }
    }
    CLOUD_TRY_VOID(deps.databases->DeleteLogicalDatabase(id));
    lock.Release();
    return HttpResponse::Status(204);
  });
}

HttpResponse HandleGetDatabaseSchemas(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& request) {
  return RunHandler(ctx, "failed to query database schemas", [&]() -> HandlerResult {
    CLOUD_TRY(model::DatabaseSchemaFilter filter,
              model::ParseDatabaseSchemaFilter(QueryOf(request)));
    CLOUD_TRY(std::vector<model::DatabaseSchema> schemas,
              deps.databases->GetDatabaseSchemas(filter));
    return JsonResponse(200, schemas);
  });
}

HttpResponse HandleGetDatabaseSchema(const ApiDeps& deps, RequestContext& ctx,
                                     const HttpRequest& request) {
  return RunHandler(ctx, "failed to query database schema", [&]() -> HandlerResult {
    std::string id(request.PathVar("database_schema"));
    CLOUD_TRY(std::optional<model::DatabaseSchema> schema, deps.databases->GetDatabaseSchema(id));
    if (!schema) return NotFound("database schema " + id + " not found");
    return JsonResponse(200, *schema);
  });
}

void RegisterDatabaseRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  auto add = [&](std::string_view method, std::string_view pattern, std::string_view name,
                 HttpResponse (*handler)(const ApiDeps&, RequestContext&, const HttpRequest&)) {
    AddRoute(router, env, method, pattern, name,
             [&deps, handler](RequestContext& ctx, const HttpRequest& request) {
               return handler(deps, ctx, request);
             });
  };
  add("GET", "/api/databases/multitenant_databases", "handleGetMultitenantDatabases",
      HandleGetMultitenantDatabases);
  add("GET", "/api/databases/multitenant_database/{multitenant_database:id}",
      "handleGetMultitenantDatabase", HandleGetMultitenantDatabase);
  add("PUT", "/api/databases/multitenant_database/{multitenant_database:id}",
      "handleUpdateMultitenantDatabase", HandleUpdateMultitenantDatabase);
  add("DELETE", "/api/databases/multitenant_database/{multitenant_database:id}",
      "handleDeleteMultitenantDatabase", HandleDeleteMultitenantDatabase);
  add("GET", "/api/databases/logical_databases", "handleGetLogicalDatabases",
      HandleGetLogicalDatabases);
  add("GET", "/api/databases/logical_database/{logical_database:id}", "handleGetLogicalDatabase",
      HandleGetLogicalDatabase);
  add("DELETE", "/api/databases/logical_database/{logical_database:id}",
      "handleDeleteLogicalDatabase", HandleDeleteLogicalDatabase);
  add("GET", "/api/databases/database_schemas", "handleGetDatabaseSchemas",
      HandleGetDatabaseSchemas);
  add("GET", "/api/databases/database_schema/{database_schema:id}", "handleGetDatabaseSchema",
      HandleGetDatabaseSchema);
}

}  // namespace cloud::api
