#include "api/backup_handlers.h"

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "model/backup.h"
#include "model/filters.h"
#include "model/installation.h"
#include "model/installation_states.h"

namespace cloud::api {
namespace {

std::map<std::string, std::string> BackupExtraData(const ApiDeps& deps,
                                                   const model::InstallationBackup& backup) {
  return {{"Installation", backup.installation_id}, {"Environment", deps.environment}};
}

}  // namespace

HttpResponse HandleRequestInstallationBackup(const ApiDeps& deps, RequestContext& ctx,
                                             const HttpRequest& request) {
  return RunHandler(ctx, "failed to request installation backup", [&]() -> HandlerResult {
    CLOUD_TRY(model::InstallationBackupRequest body,
              DecodeBody<model::InstallationBackupRequest>(request));
    CLOUD_TRY(std::optional<model::Installation> installation,
              deps.installations->GetInstallation(body.installation_id, store::GroupMerge::None()));
    if (!installation) return NotFound("installation " + body.installation_id + " not found");
    CLOUD_TRY(ApiRowLock lock,
              LockRow(deps, ctx, store::LockTable::kInstallation, installation->id));

    if (installation->state != model::InstallationState::kHibernating) {
      return FailedPrecondition("cannot request backup for non-hibernating installation (state " +
                                std::string(model::ToString(installation->state)) + ")");
    }
    // Go common.TriggerInstallationBackup.
    std::string state(model::ToString(installation->state));
    model::BackupInstallationView view{installation->id, state, installation->database,
                                       installation->filestore};
    if (Result<void> ready = model::EnsureInstallationReadyForBackup(view); !ready) {
      return ready.error().WithContext("installation cannot be backed up");
    }
    CLOUD_TRY(bool running, deps.backups->IsInstallationBackupRunning(installation->id));
    if (running) {
      return FailedPrecondition("backup for the installation is already requested or in progress");
    }
    model::InstallationBackup backup;
    backup.installation_id = installation->id;
    backup.backed_up_database_type = installation->database;
    backup.state = model::BackupState::kBackupRequested;
    CLOUD_TRY(model::InstallationBackup created,
              deps.backups->CreateInstallationBackup(backup, BackupExtraData(deps, backup)));

    lock.Release();
    deps.Poke(supervisor::ResourceKind::kBackup, created.id);
    return JsonResponse(200, created);
  });
}

HttpResponse HandleGetInstallationBackups(const ApiDeps& deps, RequestContext& ctx,
                                          const HttpRequest& request) {
  return RunHandler(ctx, "failed to list installation backups", [&]() -> HandlerResult {
    CLOUD_TRY(model::InstallationBackupFilter filter,
              model::ParseInstallationBackupFilter(QueryOf(request)));
    CLOUD_TRY(std::vector<model::InstallationBackup> backups,
              deps.backups->GetInstallationBackups(filter));
    return JsonResponse(200, backups);
  });
}

HttpResponse HandleGetInstallationBackup(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& request) {
  return RunHandler(ctx, "failed to get installation backup", [&]() -> HandlerResult {
    std::string id(request.PathVar("backup"));
    CLOUD_TRY(std::optional<model::InstallationBackup> backup,
              deps.backups->GetInstallationBackup(id));
    if (!backup) return NotFound("installation backup " + id + " not found");
    return JsonResponse(200, *backup);
  });
}

HttpResponse HandleDeleteInstallationBackup(const ApiDeps& deps, RequestContext& ctx,
                                            const HttpRequest& request) {
  return RunHandler(ctx, "failed to delete installation backup", [&]() -> HandlerResult {
    std::string id(request.PathVar("backup"));
    CLOUD_TRY(std::optional<model::InstallationBackup> backup,
              deps.backups->GetInstallationBackup(id));
    if (!backup) return NotFound("installation backup " + id + " not found");
    CLOUD_TRY(ApiRowLock lock, LockRow(deps, ctx, store::LockTable::kInstallationBackup, id));
    CLOUD_TRY_VOID(CheckAPISecurityLock(backup->api_security_lock, "installation backup"));

    const model::BackupState target = model::BackupState::kDeletionRequested;
    if (!model::IsValidBackupTransition(backup->state, target)) {
      return FailedPrecondition("unable to delete installation backup while in state " +
                                std::string(model::ToString(backup->state)));
    }
    CLOUD_TRY(bool used, deps.backups->IsInstallationBackupBeingUsed(id));
    if (used) {
      return FailedPrecondition(
          "backup is being used by a migration or restoration and cannot be deleted");
    }
    if (backup->state != target) {
      // The store reports old → deletion-requested to the legacy webhooks.
      CLOUD_TRY_VOID(deps.backups->UpdateInstallationBackupState(id, target, lock.lease(),
                                                                 BackupExtraData(deps, *backup)));
    }

    lock.Release();
    deps.Poke(supervisor::ResourceKind::kBackup, id);
    return HttpResponse::Status(202);
  });
}

void RegisterBackupRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  AddRoute(router, env, "POST", "/api/installations/backups", "handleRequestInstallationBackup",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleRequestInstallationBackup(deps, ctx, request);
           });
  AddRoute(router, env, "GET", "/api/installations/backups", "handleGetInstallationBackups",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleGetInstallationBackups(deps, ctx, request);
           });
  AddRoute(router, env, "GET", "/api/installations/backup/{backup:id}",
           "handleGetInstallationBackup", [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleGetInstallationBackup(deps, ctx, request);
           });
  AddRoute(router, env, "DELETE", "/api/installations/backup/{backup:id}",
           "handleDeleteInstallationBackup",
           [&deps](RequestContext& ctx, const HttpRequest& request) {
             return HandleDeleteInstallationBackup(deps, ctx, request);
           });
}

}  // namespace cloud::api
