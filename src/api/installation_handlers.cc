#include "api/installation_handlers.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/annotation.h"
#include "model/filters.h"
#include "model/group.h"
#include "model/installation.h"
#include "model/installation_requests.h"
#include "model/installation_states.h"
#include "model/json_stream.h"

namespace cloud::api {
namespace {

using model::Installation;
using model::InstallationDTO;
using model::InstallationState;
using store::GroupMerge;
using supervisor::ResourceKind;

// An installation DTO (unmerged) read under our API lock, lock fields cleared.
struct LockedInstallation {
  ApiRowLock lock;
  InstallationDTO dto;
  Installation& inst() { return dto.installation; }
};

// lock(installation) → 404/409, then 403 (API security lock), then 400 when `target` is given
// and not allowed from the current state (spec §1.7).
Result<LockedInstallation> LockInstallation(const ApiDeps& deps, RequestContext& ctx,
                                            std::string_view id,
                                            std::optional<InstallationState> target) {
  CLOUD_TRY(ApiRowLock lock, LockRow(deps, ctx, store::LockTable::kInstallation, id));
  CLOUD_TRY(std::optional<InstallationDTO> dto,
            deps.installations->GetInstallationDTO(id, GroupMerge::None()));
  if (!dto) return NotFound("installation " + std::string(id) + " not found");
  ClearLockFields(dto->installation);
  CLOUD_TRY_VOID(CheckAPISecurityLock(dto->installation.api_security_lock, "installation"));
  if (target && !model::IsInstallationTransitionAllowed(dto->installation.state, *target)) {
    return InvalidArgument("unable to transition installation from " +
                           std::string(model::ToString(dto->installation.state)) + " to " +
                           std::string(model::ToString(*target)));
  }
  return LockedInstallation{std::move(lock), std::move(*dto)};
}

std::string InstallationId(const HttpRequest& req) {
  return std::string(req.PathVar("installation"));
}

// Releases the lock, pokes the installation supervisor and answers `status` with the DTO.
HandlerResult RespondDTO(const ApiDeps& deps, LockedInstallation& locked, int status) {
  locked.lock.Release();
  deps.Poke(ResourceKind::kInstallation, locked.inst().id);
  return JsonResponse(status, locked.dto);
}

// A DTO re-read after a write (group config merged, no overrides), lock fields cleared.
Result<InstallationDTO> RereadDTO(const ApiDeps& deps, std::string_view id) {
  CLOUD_TRY(std::optional<InstallationDTO> dto,
            deps.installations->GetInstallationDTO(id, GroupMerge::Config()));
  if (!dto) return NotFound("installation " + std::string(id) + " not found");
  ClearLockFields(dto->installation);
  return std::move(*dto);
}

// Upstream group selection by annotations (route 17 step 1 and route 27): every name must
// exist; the live group carrying all of them with the fewest installations wins.
Result<std::string> SelectGroupByAnnotations(const ApiDeps& deps,
                                             const std::vector<std::string>& names) {
  CLOUD_TRY(std::vector<model::Annotation> found, deps.annotations->GetAnnotationsByName(names));
  std::set<std::string> unique(names.begin(), names.end());
  if (found.size() != unique.size()) {
    return InvalidArgument("some of the group selection annotations do not exist");
  }
  std::vector<std::string> ids;
  for (const model::Annotation& a : found) ids.push_back(a.id);
  CLOUD_TRY(std::optional<model::Group> group, deps.groups->GetGroupForAnnotations(ids));
  if (!group) return InvalidArgument("no group matches the group selection annotations");
  return group->id;
}

// lock(group) → 404/409, deleted → 400. The group's API security lock is not checked.
Result<ApiRowLock> LockLiveGroup(const ApiDeps& deps, RequestContext& ctx, std::string_view id) {
  CLOUD_TRY(ApiRowLock lock, LockRow(deps, ctx, store::LockTable::kGroup, id));
  CLOUD_TRY(std::optional<model::Group> group, deps.groups->GetGroup(id));
  if (!group) return NotFound("group " + std::string(id) + " not found");
  if (group->IsDeleted()) return InvalidArgument("group " + std::string(id) + " is deleted");
  return lock;
}

HttpResponse HandleGetInstallations(const ApiDeps& deps, RequestContext& ctx,
                                    const HttpRequest& req) {
  return RunHandler(ctx, "failed to list installations", [&]() -> HandlerResult {
    CLOUD_TRY(model::InstallationFilter filter, model::ParseInstallationFilter(QueryOf(req)));
    CLOUD_TRY(std::vector<InstallationDTO> list, deps.installations->GetInstallationDTOs(filter));
    return JsonResponse(200, list);
  });
}

HttpResponse HandleCreateInstallation(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& req) {
  return RunHandler(ctx, "failed to create installation", [&]() -> HandlerResult {
    model::InstallationValidationOptions options;
    options.deploy_mysql_operator = deps.config.deploy_mysql_operator;
    options.deploy_minio_operator = deps.config.deploy_minio_operator;
    options.require_annotated_installations = deps.config.require_annotated_installations;
    options.now_millis = deps.NowMillis();
    CLOUD_TRY(model::CreateInstallationRequest request,
              model::NewCreateInstallationRequestFromJson(req.body, options));
    if (request.group_id.empty() && !request.group_selection_annotations.empty()) {
      CLOUD_TRY(request.group_id,
                SelectGroupByAnnotations(deps, request.group_selection_annotations));
    }
    ApiRowLock group_lock;
    if (!request.group_id.empty()) {
      CLOUD_TRY(group_lock, LockLiveGroup(deps, ctx, request.group_id));
    }
    if (request.database == "external" && deps.external.validate_external_database_secret) {
      if (Result<void> r = deps.external.validate_external_database_secret(
              request.external_database_config.secret_name);
          !r) {
        return InvalidArgument("failed to validate external database: " + r.error().message);
      }
    }
    CLOUD_TRY(std::vector<model::Annotation> annotations,
              model::AnnotationsFromNames(request.annotations));
    (void)annotations;
    Installation installation = model::NewInstallationFromRequest(request);
    CLOUD_TRY(InstallationDTO dto,
              deps.installations->CreateInstallation(
                  std::move(installation), request.annotations, request.dns_names,
                  store::EventOptions::IfChanged({{"Environment", deps.environment}})));
    group_lock.Release();
    ClearLockFields(dto.installation);
    deps.Poke(ResourceKind::kInstallation, dto.installation.id);
    return JsonResponse(202, dto);
  });
}

HttpResponse HandleGetInstallationsCount(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& req) {
  return RunHandler(ctx, "failed to count installations", [&]() -> HandlerResult {
    // An invalid include_deleted silently means false (upstream).
    bool include_deleted = model::GoParseBool(req.QueryValue("include_deleted")).value_or(false);
    CLOUD_TRY(int64_t count, deps.installations->GetInstallationsCount(include_deleted));
    model::InstallationsCount body;
    body.count = count;
    return JsonResponse(200, body);
  });
}

HttpResponse HandleGetInstallationsStatus(const ApiDeps& deps, RequestContext& ctx,
                                          const HttpRequest&) {
  return RunHandler(ctx, "failed to get installations status", [&]() -> HandlerResult {
    CLOUD_TRY(model::InstallationsStatus status, deps.installations->GetInstallationsStatus());
    return JsonResponse(200, status);
  });
}

// The `include_group_config*` flags of a GET of one installation (default true; 400 when not
// a Go bool).
Result<GroupMerge> ParseGroupMerge(const HttpRequest& req) {
  model::QueryLookup query = QueryOf(req);
  CLOUD_TRY(bool config, model::ParseQueryBool(query, "include_group_config", true));
  CLOUD_TRY(bool overrides, model::ParseQueryBool(query, "include_group_config_overrides", true));
  return GroupMerge{config, overrides};
}

// The response cache's key of a GET of one installation: its ID and both group flags.
std::string InstallationBodyKey(const std::string& id, GroupMerge merge) {
  std::string key = id;
  key += merge.include_group_config ? "/c" : "/-";
  key += merge.include_group_config_overrides ? "o" : "-";
  return key;
}

// A 200 answer with a copy of a cached body.
HttpResponse CachedBodyResponse(const std::string& body) {
  std::string text;
  text.reserve(body.size() + 1);  // one allocation: JsonTextResponse appends the newline
  text = body;
  return JsonTextResponse(200, std::move(text));
}

// GET /api/installation/{id} on the I/O thread: the cached body when the database is known,
// from memory, to be unchanged since it was built; otherwise (including bad query values)
// the worker runs HandleGetInstallation.
std::optional<HttpResponse> GetInstallationInline(const ApiDeps& deps, const HttpRequest& req) {
  if (deps.installation_bodies == nullptr) return std::nullopt;
  Result<GroupMerge> merge = ParseGroupMerge(req);
  if (!merge) return std::nullopt;
  std::shared_ptr<const std::string> body =
      deps.installation_bodies->Find(InstallationBodyKey(InstallationId(req), *merge));
  if (body == nullptr) return std::nullopt;
  return CachedBodyResponse(*body);
}

HttpResponse HandleGetInstallation(const ApiDeps& deps, RequestContext& ctx,
                                   const HttpRequest& req) {
  return RunHandler(ctx, "failed to get installation", [&]() -> HandlerResult {
    CLOUD_TRY(GroupMerge merge, ParseGroupMerge(req));
    std::string id = InstallationId(req);
    // The hottest route: its body is written directly, not through the JSON tree, and reused
    // while the database is unchanged.
    auto build = [&]() -> Result<std::string> {
      CLOUD_TRY(std::optional<InstallationDTO> dto,
                deps.installations->GetInstallationDTO(id, merge));
      if (!dto) return NotFound("installation " + id + " not found");
      return model::EncodeJsonDirect(*dto);
    };
    if (deps.installation_bodies == nullptr) {
      CLOUD_TRY(std::string body, build());
      return JsonTextResponse(200, std::move(body));
    }
    CLOUD_TRY(std::shared_ptr<const std::string> body,
              deps.installation_bodies->GetOrBuild(InstallationBodyKey(id, merge), build));
    return CachedBodyResponse(*body);
  });
}

HttpResponse HandleRetryCreateInstallation(const ApiDeps& deps, RequestContext& ctx,
                                           const HttpRequest& req) {
  return RunHandler(ctx, "failed to retry installation creation", [&]() -> HandlerResult {
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req),
                                                          InstallationState::kCreationRequested));
    if (locked.inst().state != InstallationState::kCreationRequested) {
      CLOUD_TRY_VOID(deps.installations->UpdateInstallationState(
          locked.inst().id, InstallationState::kCreationRequested, locked.lock.lease(),
          store::EventOptions::IfChanged()));
      locked.inst().state = InstallationState::kCreationRequested;
    }
    return RespondDTO(deps, locked, 202);
  });
}

HttpResponse HandleUpdateInstallation(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& req) {
  return RunHandler(ctx, "failed to update installation", [&]() -> HandlerResult {
    CLOUD_TRY(model::PatchInstallationRequest patch,
              model::NewPatchInstallationRequestFromJson(req.body));
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req),
                                                          InstallationState::kUpdateRequested));
    if (patch.Apply(locked.inst())) {
      locked.inst().state = InstallationState::kUpdateRequested;
      CLOUD_TRY_VOID(deps.installations->UpdateInstallation(locked.inst(), locked.lock.lease(),
                                                            store::EventOptions::Always()));
    }
    return RespondDTO(deps, locked, 202);
  });
}

// Saves a volume change: state update-requested, full save with an event, poke, 202.
HandlerResult SaveUpdateRequested(const ApiDeps& deps, LockedInstallation& locked) {
  locked.inst().state = InstallationState::kUpdateRequested;
  CLOUD_TRY_VOID(deps.installations->UpdateInstallation(locked.inst(), locked.lock.lease(),
                                                        store::EventOptions::Always()));
  return RespondDTO(deps, locked, 202);
}

std::string DataJson(const std::map<std::string, model::Bytes>& data) {
  return model::EncodeJson(data);
}

HttpResponse HandleCreateInstallationVolume(const ApiDeps& deps, RequestContext& ctx,
                                            const HttpRequest& req) {
  return RunHandler(ctx, "failed to create installation volume", [&]() -> HandlerResult {
    CLOUD_TRY(model::CreateInstallationVolumeRequest request,
              DecodeBody<model::CreateInstallationVolumeRequest>(req));
    CLOUD_TRY_VOID(request.Validate());
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req),
                                                          InstallationState::kUpdateRequested));
    CLOUD_TRY(model::Volume volume, request.Apply(locked.inst(), deps.NowMillis()));
    if (deps.external.create_volume_secret) {
      CLOUD_TRY_VOID(deps.external.create_volume_secret(
          volume.backing_secret,
          DataJson(request.data.value_or(std::map<std::string, model::Bytes>{}))));
    }
    return SaveUpdateRequested(deps, locked);
  });
}

HttpResponse HandleUpdateInstallationVolume(const ApiDeps& deps, RequestContext& ctx,
                                            const HttpRequest& req) {
  return RunHandler(ctx, "failed to update installation volume", [&]() -> HandlerResult {
    CLOUD_TRY(model::PatchInstallationVolumeRequest request,
              DecodeBody<model::PatchInstallationVolumeRequest>(req));
    CLOUD_TRY_VOID(request.Validate());
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req),
                                                          InstallationState::kUpdateRequested));
    CLOUD_TRY(std::string secret, request.Apply(locked.inst(), req.PathVar("volume-name")));
    if (!request.data.empty() && deps.external.update_volume_secret) {
      CLOUD_TRY_VOID(deps.external.update_volume_secret(secret, DataJson(request.data)));
    }
    return SaveUpdateRequested(deps, locked);
  });
}

HttpResponse HandleDeleteInstallationVolume(const ApiDeps& deps, RequestContext& ctx,
                                            const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete installation volume", [&]() -> HandlerResult {
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req),
                                                          InstallationState::kUpdateRequested));
    CLOUD_TRY(model::Volume volume,
              model::DeleteInstallationVolume(locked.inst(), req.PathVar("volume-name")));
    if (deps.external.delete_volume_secret) {
      CLOUD_TRY_VOID(deps.external.delete_volume_secret(volume.backing_secret));
    }
    return SaveUpdateRequested(deps, locked);
  });
}

// The join logic of routes 26/27: lock(installation) → 403 → lock(group) → deleted → 400 →
// GroupID set when different (no state change, no event) → poke → 200 empty.
HandlerResult JoinGroup(const ApiDeps& deps, RequestContext& ctx, const std::string& id,
                        const std::string& group_id) {
  CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, id, std::nullopt));
  CLOUD_TRY(ApiRowLock group_lock, LockLiveGroup(deps, ctx, group_id));
  if (locked.inst().group_id != group_id) {
    locked.inst().group_id = group_id;
    CLOUD_TRY_VOID(deps.installations->UpdateInstallation(locked.inst(), locked.lock.lease(),
                                                          store::EventOptions::None()));
  }
  group_lock.Release();
  locked.lock.Release();
  deps.Poke(ResourceKind::kInstallation, id);
  deps.Poke(ResourceKind::kGroup, group_id);
  return HttpResponse::Status(200);
}

HttpResponse HandleJoinGroup(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to join group", [&]() -> HandlerResult {
    return JoinGroup(deps, ctx, InstallationId(req), std::string(req.PathVar("group")));
  });
}

HttpResponse HandleAssignGroup(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to assign group", [&]() -> HandlerResult {
    CLOUD_TRY(model::AssignInstallationGroupRequest request,
              DecodeBody<model::AssignInstallationGroupRequest>(req));
    CLOUD_TRY_VOID(request.Validate());
    CLOUD_TRY(std::string group_id,
              SelectGroupByAnnotations(deps, request.group_selection_annotations));
    return JoinGroup(deps, ctx, InstallationId(req), group_id);
  });
}

HttpResponse HandleLeaveGroup(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to leave group", [&]() -> HandlerResult {
    // Upstream answers 500 for a bad retain_config; we answer 400.
    CLOUD_TRY(bool retain_config, model::ParseQueryBool(QueryOf(req), "retain_config", true));
    std::string id = InstallationId(req);
    CLOUD_TRY(LockedInstallation locked,
              LockInstallation(deps, ctx, id, InstallationState::kUpdateRequested));
    if (locked.inst().group_id.has_value()) {
      if (retain_config) {
        CLOUD_TRY(std::optional<Installation> merged,
                  deps.installations->GetInstallation(id, GroupMerge::Config()));
        if (merged) {
          locked.inst().version = merged->version;
          locked.inst().image = merged->image;
          locked.inst().mattermost_env = merged->mattermost_env;
        }
      }
      locked.inst().state = InstallationState::kUpdateRequested;
      locked.inst().group_id.reset();
      locked.inst().group_sequence.reset();
      CLOUD_TRY_VOID(deps.installations->UpdateInstallation(locked.inst(), locked.lock.lease(),
                                                            store::EventOptions::None()));
    }
    locked.lock.Release();
    deps.Poke(ResourceKind::kInstallation, id);
    return HttpResponse::Status(200);
  });
}

// A state-only transition answered with the DTO (hibernate, retry).
HandlerResult StateTransition(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req,
                              InstallationState target) {
  CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req), target));
  if (locked.inst().state != target) {
    CLOUD_TRY_VOID(deps.installations->UpdateInstallationState(
        locked.inst().id, target, locked.lock.lease(), store::EventOptions::IfChanged()));
    locked.inst().state = target;
  }
  return RespondDTO(deps, locked, 202);
}

HttpResponse HandleHibernateInstallation(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& req) {
  return RunHandler(ctx, "failed to hibernate installation", [&]() -> HandlerResult {
    return StateTransition(deps, ctx, req, InstallationState::kHibernationRequested);
  });
}

HttpResponse HandleWakeupInstallation(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& req) {
  return RunHandler(ctx, "failed to wake up installation", [&]() -> HandlerResult {
    CLOUD_TRY(model::PatchInstallationRequest patch,
              model::NewPatchInstallationRequestFromJson(req.body));
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req),
                                                          InstallationState::kWakeUpRequested));
    patch.Apply(locked.inst());
    locked.inst().state = InstallationState::kWakeUpRequested;
    CLOUD_TRY_VOID(deps.installations->UpdateInstallation(locked.inst(), locked.lock.lease(),
                                                          store::EventOptions::Always()));
    return RespondDTO(deps, locked, 202);
  });
}

HttpResponse HandleDeleteInstallation(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete installation", [&]() -> HandlerResult {
    std::string id = InstallationId(req);
    CLOUD_TRY(std::optional<Installation> current,
              deps.installations->GetInstallation(id, GroupMerge::None()));
    if (!current) return NotFound("installation " + id + " not found");
    if (current->deletion_locked) {
      return Forbidden("installation " + id + " is locked against deletion");
    }
    InstallationState target = model::IsInstallationTransitionAllowed(
                                   current->state, InstallationState::kDeletionRequested)
                                   ? InstallationState::kDeletionRequested
                                   : InstallationState::kDeletionPendingRequested;
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, id, target));
    if (deps.backups != nullptr) {
      CLOUD_TRY(bool running, deps.backups->IsInstallationBackupRunning(id));
      if (running) return InvalidArgument("installation " + id + " has a backup running");
    }
    if (target == InstallationState::kDeletionPendingRequested) {
      locked.inst().deletion_pending_expiry =
          deps.NowMillis() + deps.config.installation_deletion_pending_time_ms;
    }
    locked.inst().state = target;
    CLOUD_TRY_VOID(deps.installations->UpdateInstallation(
        locked.inst(), locked.lock.lease(),
        store::EventOptions::IfChanged({{"actor_id", ctx.caller_id}})));
    locked.lock.Release();
    deps.Poke(ResourceKind::kInstallation, id);
    deps.Poke(ResourceKind::kInstallationDeletion, id);
    return HttpResponse::Status(202);
  });
}

HttpResponse HandleUpdateInstallationDeletion(const ApiDeps& deps, RequestContext& ctx,
                                              const HttpRequest& req) {
  return RunHandler(ctx, "failed to update installation deletion", [&]() -> HandlerResult {
    CLOUD_TRY(model::PatchInstallationDeletionRequest patch,
              DecodeBody<model::PatchInstallationDeletionRequest>(req));
    CLOUD_TRY_VOID(patch.Validate(deps.NowMillis()));
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req),
                                                          InstallationState::kDeletionPending));
    if (patch.Apply(locked.inst())) {
      CLOUD_TRY_VOID(deps.installations->UpdateInstallation(locked.inst(), locked.lock.lease(),
                                                            store::EventOptions::None()));
    }
    locked.lock.Release();
    return JsonResponse(200, locked.dto);
  });
}

HttpResponse HandleCancelInstallationDeletion(const ApiDeps& deps, RequestContext& ctx,
                                              const HttpRequest& req) {
  return RunHandler(ctx, "failed to cancel installation deletion", [&]() -> HandlerResult {
    std::string id = InstallationId(req);
    CLOUD_TRY(LockedInstallation locked,
              LockInstallation(deps, ctx, id, InstallationState::kDeletionCancellationRequested));
    locked.inst().scheduled_deletion_time = 0;
    locked.inst().state = InstallationState::kDeletionCancellationRequested;
    // Upstream emits no event here.
    CLOUD_TRY_VOID(deps.installations->UpdateInstallation(locked.inst(), locked.lock.lease(),
                                                          store::EventOptions::None()));
    locked.lock.Release();
    deps.Poke(ResourceKind::kInstallation, id);
    return HttpResponse::Status(202);
  });
}

HttpResponse HandleScheduleInstallationDeletion(const ApiDeps& deps, RequestContext& ctx,
                                                const HttpRequest& req) {
  return RunHandler(ctx, "failed to schedule installation deletion", [&]() -> HandlerResult {
    if (req.body.empty()) return InvalidArgument("request body is empty");
    CLOUD_TRY(model::PatchInstallationScheduledDeletionRequest patch,
              DecodeBody<model::PatchInstallationScheduledDeletionRequest>(req));
    CLOUD_TRY_VOID(patch.Validate(deps.NowMillis()));
    CLOUD_TRY(LockedInstallation locked,
              LockInstallation(deps, ctx, InstallationId(req), std::nullopt));
    if (model::IsDeletionState(locked.inst().state)) {
      return InvalidArgument("installation is in a deletion state (" +
                             std::string(model::ToString(locked.inst().state)) + ")");
    }
    if (patch.Apply(locked.inst())) {
      CLOUD_TRY_VOID(deps.installations->UpdateInstallation(locked.inst(), locked.lock.lease(),
                                                            store::EventOptions::None()));
    }
    locked.lock.Release();
    return JsonResponse(200, locked.dto);
  });
}

HttpResponse HandleAddInstallationAnnotations(const ApiDeps& deps, RequestContext& ctx,
                                              const HttpRequest& req) {
  return RunHandler(ctx, "failed to add installation annotations", [&]() -> HandlerResult {
    CLOUD_TRY(LockedInstallation locked,
              LockInstallation(deps, ctx, InstallationId(req), std::nullopt));
    CLOUD_TRY(model::AddAnnotationsRequest request, DecodeBody<model::AddAnnotationsRequest>(req));
    std::vector<std::string> names = request.annotations.value_or(std::vector<std::string>{});
    CLOUD_TRY(std::vector<model::Annotation> parsed, model::AnnotationsFromNames(names));
    (void)parsed;
    if (names.empty()) return InvalidArgument("no annotations to add");
    // Every cluster hosting the installation must carry the new annotations.
    model::ClusterInstallationFilter filter;
    filter.installation_id = locked.inst().id;
    filter.paging = model::AllPagesNotDeleted();
    CLOUD_TRY(std::vector<model::ClusterInstallation> cis,
              deps.cluster_installations->GetClusterInstallations(filter));
    for (const model::ClusterInstallation& ci : cis) {
      CLOUD_TRY(
          std::vector<model::Annotation> on_cluster,
          deps.annotations->GetAnnotationsFor(store::AnnotatedResource::kCluster, ci.cluster_id));
      for (const std::string& name : names) {
        bool present = std::any_of(on_cluster.begin(), on_cluster.end(),
                                   [&](const model::Annotation& a) { return a.name == name; });
        if (!present) {
          return Forbidden("annotation " + name + " is not present on cluster " + ci.cluster_id +
                           " hosting the installation");
        }
      }
    }
    CLOUD_TRY(std::vector<model::Annotation> added,
              deps.annotations->LinkAnnotations(store::AnnotatedResource::kInstallation,
                                                locked.inst().id, names));
    for (model::Annotation& a : added) locked.dto.annotations.push_back(std::move(a));
    locked.lock.Release();
    return JsonResponse(200, locked.dto);
  });
}

HttpResponse HandleDeleteInstallationAnnotation(const ApiDeps& deps, RequestContext& ctx,
                                                const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete installation annotation", [&]() -> HandlerResult {
    CLOUD_TRY(LockedInstallation locked,
              LockInstallation(deps, ctx, InstallationId(req), std::nullopt));
    CLOUD_TRY_VOID(deps.annotations->UnlinkAnnotation(
        store::AnnotatedResource::kInstallation, locked.inst().id, req.PathVar("annotation-name")));
    locked.lock.Release();
    HttpResponse response = HttpResponse::Status(204);
    response.content_type = "application/json";
    return response;
  });
}

HttpResponse HandleAddDNSRecord(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to add installation DNS record", [&]() -> HandlerResult {
    CLOUD_TRY(model::AddDNSRecordRequest request, DecodeBody<model::AddDNSRecordRequest>(req));
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req),
                                                          InstallationState::kUpdateRequested));
    CLOUD_TRY_VOID(request.Validate(locked.inst().name, /*require_name_match=*/false));
    CLOUD_TRY(model::InstallationDNS record,
              deps.dns_records->CreateInstallationDNS(locked.inst().id, request.dns));
    CLOUD_TRY_VOID(deps.installations->UpdateInstallationState(
        locked.inst().id, InstallationState::kUpdateRequested, locked.lock.lease(),
        store::EventOptions::Always()));
    locked.inst().state = InstallationState::kUpdateRequested;
    if (!locked.dto.dns_records) locked.dto.dns_records.emplace();
    locked.dto.dns_records->push_back(std::move(record));
    return RespondDTO(deps, locked, 202);
  });
}

HttpResponse HandleSetDomainNamePrimary(const ApiDeps& deps, RequestContext& ctx,
                                        const HttpRequest& req) {
  return RunHandler(ctx, "failed to set primary DNS record", [&]() -> HandlerResult {
    std::string record_id(req.PathVar("installationDNS"));
    CLOUD_TRY(std::optional<model::InstallationDNS> record,
              deps.dns_records->GetInstallationDNS(record_id));
    if (!record || record->IsDeleted()) {
      return NotFound("installation DNS record " + record_id + " not found");
    }
    if (record->is_primary) return InvalidArgument("DNS record is already primary");
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req),
                                                          InstallationState::kUpdateRequested));
    // Unlike upstream, a record of another installation is refused (404 from the store).
    CLOUD_TRY_VOID(deps.dns_records->SwitchPrimaryInstallationDNS(locked.inst().id, record_id));
    std::string name(model::FirstDNSLabel(record->domain_name));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    locked.inst().name = name;
    locked.inst().state = InstallationState::kUpdateRequested;
    CLOUD_TRY_VOID(deps.installations->UpdateInstallation(locked.inst(), locked.lock.lease(),
                                                          store::EventOptions::Always()));
    CLOUD_TRY(locked.dto, RereadDTO(deps, locked.inst().id));
    return RespondDTO(deps, locked, 202);
  });
}

HttpResponse HandleDeleteDNSRecord(const ApiDeps& deps, RequestContext& ctx,
                                   const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete DNS record", [&]() -> HandlerResult {
    CLOUD_TRY(LockedInstallation locked, LockInstallation(deps, ctx, InstallationId(req),
                                                          InstallationState::kUpdateRequested));
    std::string record_id(req.PathVar("installationDNS"));
    CLOUD_TRY(std::optional<model::InstallationDNS> record,
              deps.dns_records->GetInstallationDNS(record_id));
    if (!record || record->installation_id != locked.inst().id) {
      return NotFound("installation DNS record " + record_id + " not found");
    }
    if (record->IsDeleted()) return InvalidArgument("DNS record is already deleted");
    if (record->is_primary) return InvalidArgument("cannot delete the primary DNS record");
    if (deps.external.delete_dns_record) {
      CLOUD_TRY_VOID(deps.external.delete_dns_record(locked.inst().id, record->domain_name));
    }
    CLOUD_TRY_VOID(deps.dns_records->DeleteInstallationDNS(locked.inst().id, record->domain_name));
    locked.inst().state = InstallationState::kUpdateRequested;
    CLOUD_TRY_VOID(deps.installations->UpdateInstallation(locked.inst(), locked.lock.lease(),
                                                          store::EventOptions::Always()));
    CLOUD_TRY(locked.dto, RereadDTO(deps, locked.inst().id));
    return RespondDTO(deps, locked, 202);
  });
}

}  // namespace

void RegisterInstallationRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  const ApiDeps* d = &deps;
  auto add = [&](std::string_view method, std::string_view pattern, std::string_view name,
                 HttpResponse (*fn)(const ApiDeps&, RequestContext&, const HttpRequest&)) {
    AddRoute(router, env, method, pattern, name,
             [d, fn](RequestContext& ctx, const HttpRequest& req) { return fn(*d, ctx, req); });
  };
  add("GET", "/api/installations", "handleGetInstallations", HandleGetInstallations);
  add("POST", "/api/installations", "handleCreateInstallation", HandleCreateInstallation);
  add("GET", "/api/installations/count", "handleGetInstallationsCount",
      HandleGetInstallationsCount);
  add("GET", "/api/installations/status", "handleGetInstallationsStatus",
      HandleGetInstallationsStatus);
  const std::string i = "/api/installation/{installation:id}";
  AddRoute(
      router, env, "GET", i, "handleGetInstallation",
      [d](RequestContext& ctx, const HttpRequest& req) {
        return HandleGetInstallation(*d, ctx, req);
      },
      [d](const HttpRequest& req) { return GetInstallationInline(*d, req); });
  add("POST", i, "handleRetryCreateInstallation", HandleRetryCreateInstallation);
  add("PUT", i + "/mattermost", "handleUpdateInstallation", HandleUpdateInstallation);
  add("POST", i + "/volumes", "handleCreateInstallationVolume", HandleCreateInstallationVolume);
  add("PUT", i + "/volume/{volume-name}", "handleUpdateInstallationVolume",
      HandleUpdateInstallationVolume);
  add("DELETE", i + "/volume/{volume-name}", "handleDeleteInstallationVolume",
      HandleDeleteInstallationVolume);
  add("PUT", i + "/group/{group}", "handleJoinGroup", HandleJoinGroup);
  add("POST", i + "/group/{group}", "handleAssignGroup", HandleAssignGroup);
  add("DELETE", i + "/group", "handleLeaveGroup", HandleLeaveGroup);
  add("POST", i + "/hibernate", "handleHibernateInstallation", HandleHibernateInstallation);
  add("POST", i + "/wakeup", "handleWakeupInstallation", HandleWakeupInstallation);
  add("DELETE", i, "handleDeleteInstallation", HandleDeleteInstallation);
  add("PUT", i + "/deletion", "handleUpdateInstallationDeletion", HandleUpdateInstallationDeletion);
  add("POST", i + "/deletion/cancel", "handleCancelInstallationDeletion",
      HandleCancelInstallationDeletion);
  add("PUT", i + "/deletion/schedule", "handleScheduleInstallationDeletion",
      HandleScheduleInstallationDeletion);
  add("POST", i + "/annotations", "handleAddInstallationAnnotations",
      HandleAddInstallationAnnotations);
  add("DELETE", i + "/annotation/{annotation-name}", "handleDeleteInstallationAnnotation",
      HandleDeleteInstallationAnnotation);
  add("POST", i + "/dns", "handleAddDNSRecord", HandleAddDNSRecord);
  add("POST", i + "/dns/{installationDNS}/set-primary", "handleSetDomainNamePrimary",
      HandleSetDomainNamePrimary);
  add("DELETE", i + "/dns/{installationDNS}", "handleDeleteDNSRecord", HandleDeleteDNSRecord);
}

}  // namespace cloud::api
