#include "api/db_restoration_handlers.h"

#include <map>
#include <string>
#include <vector>

#include "model/backup.h"
#include "model/db_restoration.h"
#include "model/filters.h"

namespace cloud::api {

Result<LockedInstallation> LockInstallationForTransition(const ApiDeps& deps, RequestContext& ctx,
                                                         std::string_view installation_id,
                                                         model::InstallationState target) {
  CLOUD_TRY(std::optional<model::Installation> installation,
            deps.installations->GetInstallation(installation_id, store::GroupMerge::None()));
  if (!installation) {
    return NotFound("installation " + std::string(installation_id) + " not found");
  }
  CLOUD_TRY(ApiRowLock lock, LockRow(deps, ctx, store::LockTable::kInstallation, installation->id));
  CLOUD_TRY_VOID(CheckAPISecurityLock(installation->api_security_lock, "installation"));
  if (!model::IsInstallationTransitionAllowed(installation->state, target)) {
    return FailedPrecondition("installation in state " +
                              std::string(model::ToString(installation->state)) +
                              " cannot be moved to " + std::string(model::ToString(target)));
  }
  return LockedInstallation{std::move(*installation), std::move(lock)};
}

HttpResponse HandleTriggerInstallationDBRestoration(const ApiDeps& deps, RequestContext& ctx,
                                                    const HttpRequest& request) {
  return RunHandler(ctx, "failed to trigger installation db restoration", [&]() -> HandlerResult {
    CLOUD_TRY(model::InstallationDBRestorationRequest body,
              DecodeBody<model::InstallationDBRestorationRequest>(request));
    CLOUD_TRY(LockedInstallation locked,
              LockInstallationForTransition(deps, ctx, body.installation_id,
                                            model::InstallationState::kDBRestorationInProgress));
    const model::Installation& installation = locked.installation;

    CLOUD_TRY(std::optional<model::InstallationBackup> backup,
              deps.backups->GetInstallationBackup(body.backup_id));
    if (!backup) return NotFound("installation backup " + body.backup_id + " not found");

    // Go common.TriggerInstallationDBRestoration.
    std::string state(model::ToString(installation.state));
    model::BackupInstallationView view{installation.id, state, installation.database,
                                       installation.filestore};
    if (Result<void> ready = model::EnsureInstallationReadyForDBRestoration(view, *backup);
        !ready) {
      return ready.error().WithContext("installation is not ready for database restoration");
    }
    CLOUD_TRY(std::string target_state, model::DetermineAfterRestorationState(state));

    model::InstallationDBRestorationOperation operation;
    operation.installation_id = installation.id;
    operation.backup_id = backup->id;
    operation.state = model::RestorationState::kRequested;
    operation.target_installation_state = target_state;
    std::map<std::string, std::string> operation_extra = {{"Installation", installation.id},
                                                          {"Backup", backup->id},
                                                          {"Environment", deps.environment}};
    CLOUD_TRY(
        model::InstallationDBRestorationOperation created,
        deps.db_restorations->TriggerInstallationDBRestoration(
            operation, locked.lock.lease(), operation_extra, {{"Environment", deps.environment}}));

    locked.lock.Release();
    deps.Poke(supervisor::ResourceKind::kDBRestoration, created.id);
    return JsonResponse(202, created);
  });
}

HttpResponse HandleGetInstallationDBRestorationOperations(const ApiDeps& deps, RequestContext& ctx,
                                                          const HttpRequest& request) {
  return RunHandler(ctx, "failed to list installation restorations", [&]() -> HandlerResult {
    CLOUD_TRY(model::InstallationDBRestorationFilter filter,
              model::ParseInstallationDBRestorationFilter(QueryOf(request)));
    CLOUD_TRY(std::vector<model::InstallationDBRestorationOperation> operations,
              deps.db_restorations->GetInstallationDBRestorationOperations(filter));
    // Upstream returns its nil slice as `null` here (spec §1.4, §9.5).
    if (operations.empty()) return JsonTextResponse(200, "null");
    return JsonResponse(200, operations);
  });
}

HttpResponse HandleGetInstallationDBRestorationOperation(const ApiDeps& deps, RequestContext& ctx,
                                                         const HttpRequest& request) {
  return RunHandler(ctx, "failed to get installation restoration", [&]() -> HandlerResult {
    std::string id(request.PathVar("restoration"));
    CLOUD_TRY(std::optional<model::InstallationDBRestorationOperation> operation,
              deps.db_restorations->GetInstallationDBRestorationOperation(id));
    if (!operation) return NotFound("installation db restoration " + id + " not found");
    return JsonResponse(200, *operation);
  });
}

void RegisterDBRestorationRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  AddRoute(router, env, "POST", "/api/installations/operations/database/restorations",
           "handleTriggerInstallationDBRestoration",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleTriggerInstallationDBRestoration(deps, ctx, request);
           });
  AddRoute(router, env, "GET", "/api/installations/operations/database/restorations",
           "handleGetInstallationDBRestorationOperations",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleGetInstallationDBRestorationOperations(deps, ctx, request);
           });
  AddRoute(router, env, "GET",
           "/api/installations/operations/database/restoration/{restoration:id}",
           "handleGetInstallationDBRestorationOperation",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleGetInstallationDBRestorationOperation(deps, ctx, request);
           });
}

}  // namespace cloud::api
