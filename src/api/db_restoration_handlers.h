// Handlers of /api/installations/operations/database/restoration(s)
// (spec upstream-api.md §3.4; upstream internal/api/installation_db_restoration_operation.go),
// and the installation transition helper the restoration and migration triggers share.
#pragma once

#include <optional>
#include <string_view>
#include <utility>

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/router.h"
#include "common/result.h"
#include "model/installation.h"
#include "model/installation_states.h"

namespace cloud::api {

// An installation read (without group merge) and locked for a transition.
struct LockedInstallation {
  model::Installation installation;
  ApiRowLock lock;
};

// Upstream getInstallationForTransition for `target`, in upstream's order: 404 (unknown ID,
// also ""), 409 (lock held), 403 (API security lock), 400 (kFailedPrecondition: the current
// state may not move to `target`, spec §5.4).
Result<LockedInstallation> LockInstallationForTransition(const ApiDeps& deps, RequestContext& ctx,
                                                         std::string_view installation_id,
                                                         model::InstallationState target);

// POST /api/installations/operations/database/restorations {InstallationID, BackupID}:
// transition(installation, db-restoration-in-progress) → backup 404 → readiness checks 400 →
// creates the operation and moves the installation in one transaction (webhook + event), poke,
// 202 operation.
HttpResponse HandleTriggerInstallationDBRestoration(const ApiDeps& deps, RequestContext& ctx,
                                                    const HttpRequest& request);
// GET .../restorations: paging + installation, cluster_installation, state; `null` when empty
// (upstream quirk, spec §1.4).
HttpResponse HandleGetInstallationDBRestorationOperations(const ApiDeps& deps, RequestContext& ctx,
                                                          const HttpRequest& request);
// GET .../restoration/{restoration}: 404 / 200.
HttpResponse HandleGetInstallationDBRestorationOperation(const ApiDeps& deps, RequestContext& ctx,
                                                         const HttpRequest& request);

// Go initInstallationRestoration.
void RegisterDBRestorationRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
