// Handlers of /api/installations/backups and /api/installations/backup/{backup}
// (spec upstream-api.md §3.3; upstream internal/api/installation_backup.go).
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/router.h"

namespace cloud::api {

// POST /api/installations/backups {InstallationID}: lock(installation) (404/409; the
// installation's API security lock is not checked, as upstream), installation hibernating and
// backup-compatible (§5.7) and no backup already running → 400; creates the backup
// (backup-requested; legacy webhook `n/a` → backup-requested), pokes, 200 backup.
HttpResponse HandleRequestInstallationBackup(const ApiDeps& deps, RequestContext& ctx,
                                             const HttpRequest& request);
// GET /api/installations/backups: paging + installation, cluster_installation, state.
HttpResponse HandleGetInstallationBackups(const ApiDeps& deps, RequestContext& ctx,
                                          const HttpRequest& request);
// GET /api/installations/backup/{backup}: 404 / 200.
HttpResponse HandleGetInstallationBackup(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& request);
// DELETE /api/installations/backup/{backup}: lock(backup) 404/409 → 403 API security lock →
// 400 invalid transition → 400 used by a pending restoration/migration → deletion-requested
// (legacy webhook when changed), poke, 202 empty.
HttpResponse HandleDeleteInstallationBackup(const ApiDeps& deps, RequestContext& ctx,
                                            const HttpRequest& request);

// Go initInstallationBackup.
void RegisterBackupRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
