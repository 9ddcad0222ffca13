// Handlers of /api/installations/operations/database/migration(s), including commit and
// rollback (spec upstream-api.md §3.5; upstream internal/api/installation_db_migration.go).
//
// As upstream, the trigger, list, commit and rollback responses carry no application/json
// Content-Type: Go sniffs the JSON body and sends "text/plain; charset=utf-8" (spec §1.4).
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/router.h"

namespace cloud::api {

// Upstream's weight limit of a destination multitenant database
// (aws.DefaultRDSMultitenantDatabasePostgresCountLimit).
inline constexpr double kDBMigrationDestinationMaxWeight = 300;

// POST /api/installations/operations/database/migrations (InstallationDBMigrationRequest):
// decode 400 → transition(installation, db-migration-in-progress) 404/409/403/400 → 400 when a
// succeeded migration is not committed → the installation's current multitenant database (400
// when it is not on exactly one; upstream 500) → destination validation 400 → operation created
// and installation moved in one transaction (webhook + event), poke, 202 operation.
HttpResponse HandleTriggerInstallationDBMigration(const ApiDeps& deps, RequestContext& ctx,
                                                  const HttpRequest& request);
// GET .../migrations: paging + installation, state (cluster_installation is ignored).
HttpResponse HandleGetInstallationDBMigrationOperations(const ApiDeps& deps, RequestContext& ctx,
                                                        const HttpRequest& request);
// GET .../migration/{migration}: 404 / 200.
HttpResponse HandleGetInstallationDBMigrationOperation(const ApiDeps& deps, RequestContext& ctx,
                                                       const HttpRequest& request);
// POST .../migration/{migration}/commit: lock(op) 404/409 → 400 unless succeeded → tear down
// the source database data → committed (no webhook, no poke), 200 operation.
HttpResponse HandleCommitInstallationDBMigration(const ApiDeps& deps, RequestContext& ctx,
                                                 const HttpRequest& request);
// POST .../migration/{migration}/rollback: lock(op) 404/409 → 400 unless succeeded →
// lock(installation) 404/409 (API security lock not checked, as upstream) → 400 unless
// hibernating → op rollback-requested + installation db-migration-rollback-in-progress in one
// transaction, poke, 202 operation.
HttpResponse HandleRollbackInstallationDBMigration(const ApiDeps& deps, RequestContext& ctx,
                                                   const HttpRequest& request);

// Go initInstallationDBMigration.
void RegisterDBMigrationRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
