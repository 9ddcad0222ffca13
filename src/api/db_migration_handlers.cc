#include "api/db_migration_handlers.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/db_restoration_handlers.h"
#include "model/db_migration.h"
#include "model/filters.h"
#include "model/installation.h"
#include "model/installation_enums.h"
#include "model/installation_states.h"
#include "model/multitenant_database.h"

namespace cloud::api {
namespace {

// Go writes these bodies without setting Content-Type; net/http then sniffs text/plain.
template <class T>
HttpResponse SniffedJsonResponse(int status, const T& value) {
  HttpResponse response = JsonResponse(status, value);
  response.content_type = "text/plain; charset=utf-8";
  return response;
}

// Go validateDBMigration (and components.ValidateDBMigrationDestination). Errors:
// kInvalidArgument / kFailedPrecondition (→ 400); store failures as reported (→ 500).
Result<void> ValidateDBMigration(const ApiDeps& deps, const model::Installation& installation,
                                 const model::InstallationDBMigrationRequest& request,
                                 const model::MultitenantDatabase& current) {
  const std::string_view multitenant = model::kInstallationDatabaseMultiTenantRDSPostgres;
  if (request.destination_database != multitenant || installation.database != multitenant) {
    return InvalidArgument(
        "db migration is supported only when both source and destination are \"" +
        std::string(multitenant) + "\" database types");
  }
  if (!request.destination_multi_tenant) {
    return InvalidArgument("destination database data not provided");
  }
  const std::string& destination_id = request.destination_multi_tenant->database_id;
  CLOUD_TRY(std::optional<model::MultitenantDatabase> destination,
            deps.databases->GetMultitenantDatabase(destination_id));
  if (!destination || destination->IsDeleted()) {
    return InvalidArgument("destination database with id \"" + destination_id + "\" not found");
  }
  if (destination->id == current.id) {
    return InvalidArgument("destination database is the same as current");
  }
  if (destination->vpc_id != current.vpc_id) {
    return InvalidArgument(
        "databases VPCs do not match, only migration inside the same VPC is supported");
  }
  if (model::ContainsInstallationID(destination->migrated_installations, installation.id)) {
    return FailedPrecondition("installation \"" + installation.id +
                              "\" still exists in migrated installations for \"" + destination->id +
                              "\" database, clean it up before migration");
  }
  CLOUD_TRY(double weight, deps.databases->GetInstallationsTotalDatabaseWeight(
                               destination->installations.value_or(std::vector<std::string>{})));
  if (weight >= kDBMigrationDestinationMaxWeight) {
    return FailedPrecondition(
        "cannot migrate to database, installations weight reached the limit: " +
        std::to_string(weight));
  }
  return Ok();
}

// Upstream lockInstallationDBMigrationOperation: read (404), then lock (409). The value is the
// one read before locking, so it shows no lock holder.
struct LockedMigration {
  model::InstallationDBMigrationOperation operation;
  ApiRowLock lock;
};

Result<LockedMigration> LockMigration(const ApiDeps& deps, RequestContext& ctx,
                                      const std::string& id) {
  CLOUD_TRY(std::optional<model::InstallationDBMigrationOperation> operation,
            deps.db_migrations->GetInstallationDBMigrationOperation(id));
  if (!operation) return NotFound("installation db migration " + id + " not found");
  CLOUD_TRY(ApiRowLock lock,
            LockRow(deps, ctx, store::LockTable::kInstallationDBMigrationOperation, id));
  return LockedMigration{std::move(*operation), std::move(lock)};
}

}  // namespace

HttpResponse HandleTriggerInstallationDBMigration(const ApiDeps& deps, RequestContext& ctx,
                                                  const HttpRequest& request) {
  return RunHandler(ctx, "failed to trigger installation db migration", [&]() -> HandlerResult {
    CLOUD_TRY(model::InstallationDBMigrationRequest body,
              DecodeBody<model::InstallationDBMigrationRequest>(request));
    CLOUD_TRY(LockedInstallation locked,
              LockInstallationForTransition(deps, ctx, body.installation_id,
                                            model::InstallationState::kDBMigrationInProgress));
    const model::Installation& installation = locked.installation;

    model::InstallationDBMigrationFilter succeeded_filter;
    succeeded_filter.paging = model::AllPagesNotDeleted();
    succeeded_filter.installation_id = installation.id;
    succeeded_filter.states = {model::MigrationState::kSucceeded};
    CLOUD_TRY(std::vector<model::InstallationDBMigrationOperation> succeeded,
              deps.db_migrations->GetInstallationDBMigrationOperations(succeeded_filter));
    if (!succeeded.empty()) {
      return FailedPrecondition(
          "db migration cannot be started while another successful migration is not committed");
    }

    // Upstream answers 500 when the installation is not in exactly one multitenant database;
    // the store reports that as kFailedPrecondition, which we answer with 400.
    Result<model::MultitenantDatabase> current =
        deps.databases->GetMultitenantDatabaseForInstallationID(installation.id);
    if (!current) {
      return current.error().WithContext("failed to get current multitenant database");
    }
    if (Result<void> valid = ValidateDBMigration(deps, installation, body, *current); !valid) {
      return valid.error().WithContext("cannot migrate installation database");
    }

    model::InstallationDBMigrationOperation operation;
    operation.installation_id = installation.id;
    operation.state = model::MigrationState::kRequested;
    operation.source_database = installation.database;
    operation.destination_database = body.destination_database;
    operation.source_multi_tenant = model::MultiTenantDBMigrationData{current->id};
    operation.destination_multi_tenant = body.destination_multi_tenant;
    CLOUD_TRY(model::InstallationDBMigrationOperation created,
              deps.db_migrations->TriggerInstallationDBMigration(
                  operation, locked.lock.lease(),
                  {{"Installation", installation.id}, {"Environment", deps.environment}},
                  {{"Environment", deps.environment}}));

    locked.lock.Release();
    deps.Poke(supervisor::ResourceKind::kDBMigration, created.id);
    return SniffedJsonResponse(202, created);
  });
}

HttpResponse HandleGetInstallationDBMigrationOperations(const ApiDeps& deps, RequestContext& ctx,
                                                        const HttpRequest& request) {
  return RunHandler(ctx, "failed to list installation migrations", [&]() -> HandlerResult {
    CLOUD_TRY(model::InstallationDBMigrationFilter filter,
              model::ParseInstallationDBMigrationFilter(QueryOf(request)));
    CLOUD_TRY(std::vector<model::InstallationDBMigrationOperation> operations,
              deps.db_migrations->GetInstallationDBMigrationOperations(filter));
    return SniffedJsonResponse(200, operations);
  });
}

HttpResponse HandleGetInstallationDBMigrationOperation(const ApiDeps& deps, RequestContext& ctx,
                                                       const HttpRequest& request) {
  return RunHandler(ctx, "failed to get installation migration", [&]() -> HandlerResult {
    std::string id(request.PathVar("migration"));
    CLOUD_TRY(std::optional<model::InstallationDBMigrationOperation> operation,
              deps.db_migrations->GetInstallationDBMigrationOperation(id));
    if (!operation) return NotFound("installation db migration " + id + " not found");
    return JsonResponse(200, *operation);
  });
}

HttpResponse HandleCommitInstallationDBMigration(const ApiDeps& deps, RequestContext& ctx,
                                                 const HttpRequest& request) {
  return RunHandler(ctx, "failed to commit installation db migration", [&]() -> HandlerResult {
    std::string id(request.PathVar("migration"));
    CLOUD_TRY(LockedMigration locked, LockMigration(deps, ctx, id));
    model::InstallationDBMigrationOperation& operation = locked.operation;
    if (operation.state != model::MigrationState::kSucceeded) {
      return FailedPrecondition("cannot commit db migration that has not succeeded (state " +
                                std::string(model::ToString(operation.state)) + ")");
    }
    if (deps.database_services.teardown_migrated_database) {
      if (Result<void> teardown = deps.database_services.teardown_migrated_database(operation);
          !teardown) {
        return teardown.error().WithContext("failed to tear down migrated database");
      }
    }
    // Upstream announces nothing on commit.
    CLOUD_TRY_VOID(deps.db_migrations->UpdateInstallationDBMigrationOperationState(
        id, model::MigrationState::kCommitted, locked.lock.lease(), {}, /*announce=*/false));
    operation.state = model::MigrationState::kCommitted;
    return SniffedJsonResponse(200, operation);
  });
}

HttpResponse HandleRollbackInstallationDBMigration(const ApiDeps& deps, RequestContext& ctx,
                                                   const HttpRequest& request) {
  return RunHandler(ctx, "failed to roll back installation db migration", [&]() -> HandlerResult {
    std::string id(request.PathVar("migration"));
    CLOUD_TRY(LockedMigration locked, LockMigration(deps, ctx, id));
    model::InstallationDBMigrationOperation& operation = locked.operation;
    const model::MigrationState target = model::MigrationState::kRollbackRequested;
    if (!model::IsValidMigrationTransition(operation.state, target)) {
      return FailedPrecondition("cannot roll back db migration in state " +
                                std::string(model::ToString(operation.state)));
    }

    CLOUD_TRY(
        std::optional<model::Installation> installation,
        deps.installations->GetInstallation(operation.installation_id, store::GroupMerge::None()));
    if (!installation) {
      return NotFound("installation " + operation.installation_id + " not found");
    }
    CLOUD_TRY(ApiRowLock installation_lock,
              LockRow(deps, ctx, store::LockTable::kInstallation, installation->id));
    if (installation->state != model::InstallationState::kHibernating) {
      return FailedPrecondition("installation needs to be hibernated to be rolled back");
    }

    CLOUD_TRY_VOID(deps.db_migrations->TriggerInstallationDBMigrationRollback(
        id, locked.lock.lease(), installation->id, installation_lock.lease()));
    operation.state = target;

    installation_lock.Release();
    locked.lock.Release();
    deps.Poke(supervisor::ResourceKind::kDBMigration, id);
    return SniffedJsonResponse(202, operation);
  });
}

void RegisterDBMigrationRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  AddRoute(router, env, "POST", "/api/installations/operations/database/migrations",
           "handleTriggerInstallationDatabaseMigration",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleTriggerInstallationDBMigration(deps, ctx, request);
           });
  AddRoute(router, env, "GET", "/api/installations/operations/database/migrations",
           "handleGetInstallationDBMigrationOperations",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleGetInstallationDBMigrationOperations(deps, ctx, request);
           });
  AddRoute(router, env, "GET", "/api/installations/operations/database/migration/{migration:id}",
           "handleGetInstallationDBMigrationOperation",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleGetInstallationDBMigrationOperation(deps, ctx, request);
           });
  AddRoute(router, env, "POST",
           "/api/installations/operations/database/migration/{migration:id}/commit",
           "handleCommitInstallationDatabaseMigration",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleCommitInstallationDBMigration(deps, ctx, request);
           });
  AddRoute(router, env, "POST",
           "/api/installations/operations/database/migration/{migration:id}/rollback",
           "handleRollbackInstallationDatabaseMigration",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleRollbackInstallationDBMigration(deps, ctx, request);
           });
}

}  // namespace cloud::api
