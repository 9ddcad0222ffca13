#include "api/group_handlers.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/annotation.h"
#include "model/filters.h"
#include "model/group.h"

namespace cloud::api {
namespace {

using model::Group;
using model::GroupDTO;
using supervisor::ResourceKind;

std::string GroupId(const HttpRequest& req) { return std::string(req.PathVar("group")); }

// A group DTO read under our API lock (lock fields cleared).
struct LockedGroup {
  ApiRowLock lock;
  GroupDTO dto;
};

// lock(group) → 404/409, then 403 (API security lock).
Result<LockedGroup> LockGroup(const ApiDeps& deps, RequestContext& ctx, std::string_view id) {
  CLOUD_TRY(ApiRowLock lock, LockRow(deps, ctx, store::LockTable::kGroup, id));
  CLOUD_TRY(std::optional<GroupDTO> dto, deps.groups->GetGroupDTO(id, false));
  if (!dto) return NotFound("group " + std::string(id) + " not found");
  ClearLockFields(dto->group);
  CLOUD_TRY_VOID(CheckAPISecurityLock(dto->group.api_security_lock, "group"));
  return LockedGroup{std::move(lock), std::move(*dto)};
}

HttpResponse HandleGetGroups(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to list groups", [&]() -> HandlerResult {
    CLOUD_TRY(model::GroupFilter filter, model::ParseGroupFilter(QueryOf(req)));
    store::GroupListFilter list;
    list.paging = filter.paging;
    list.with_installation_count = filter.with_installation_count;
    CLOUD_TRY(std::vector<GroupDTO> groups, deps.groups->GetGroupDTOs(list));
    return JsonResponse(200, groups);
  });
}

HttpResponse HandleCreateGroup(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to create group", [&]() -> HandlerResult {
    CLOUD_TRY(model::CreateGroupRequest request, DecodeBody<model::CreateGroupRequest>(req));
    CLOUD_TRY_VOID(request.Validate());
    std::vector<std::string> names = request.annotations.value_or(std::vector<std::string>{});
    CLOUD_TRY(std::vector<model::Annotation> parsed, model::AnnotationsFromNames(names));
    (void)parsed;
    Group group;
    group.name = request.name;
    group.description = request.description;
    group.version = request.version;
    group.image = request.image;
    group.max_rolling = request.max_rolling;
    group.mattermost_env = request.mattermost_env;
    group.scheduling = request.scheduling;
    group.api_security_lock = request.api_security_lock;
    // A duplicate live name is 409 here (upstream: 500 from the unique index).
    CLOUD_TRY(GroupDTO dto, deps.groups->CreateGroup(std::move(group), names));
    ClearLockFields(dto.group);
    deps.Poke(ResourceKind::kGroup, dto.group.id);
    return JsonResponse(200, dto);
  });
}

HttpResponse HandleGetGroupsStatus(const ApiDeps& deps, RequestContext& ctx, const HttpRequest&) {
  return RunHandler(ctx, "failed to get groups status", [&]() -> HandlerResult {
    CLOUD_TRY(std::vector<model::GroupsStatus> status, deps.groups->GetGroupsStatus());
    // Upstream answers 404 when there are no groups at all.
    if (status.empty()) return NotFound("no groups found");
    return JsonResponse(200, status);
  });
}

HttpResponse HandleGetGroup(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to get group", [&]() -> HandlerResult {
    std::string id = GroupId(req);
    CLOUD_TRY(std::optional<GroupDTO> dto, deps.groups->GetGroupDTO(id, false));
    if (!dto) return NotFound("group " + id + " not found");
    return JsonResponse(200, *dto);
  });
}

HttpResponse HandleUpdateGroup(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to update group", [&]() -> HandlerResult {
    CLOUD_TRY(model::PatchGroupRequest patch, DecodeBody<model::PatchGroupRequest>(req));
    CLOUD_TRY_VOID(patch.Validate());
    CLOUD_TRY(LockedGroup locked, LockGroup(deps, ctx, GroupId(req)));
    if (patch.Apply(locked.dto.group)) {
      CLOUD_TRY(Group stored,
                deps.groups->UpdateGroup(locked.dto.group, patch.force_sequence_update,
                                         locked.lock.lease()));
      locked.dto.group = std::move(stored);
      ClearLockFields(locked.dto.group);
    }
    locked.lock.Release();
    deps.Poke(ResourceKind::kGroup, locked.dto.group.id);
    return JsonResponse(200, locked.dto);
  });
}

HttpResponse HandleDeleteGroup(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete group", [&]() -> HandlerResult {
    std::string id = GroupId(req);
    CLOUD_TRY(LockedGroup locked, LockGroup(deps, ctx, id));
    CLOUD_TRY(std::optional<GroupDTO> counted, deps.groups->GetGroupDTO(id, true));
    if (counted && counted->installation_count.value_or(0) > 0) {
      return Forbidden("group " + id + " still has " +
                       std::to_string(*counted->installation_count) + " installations");
    }
    if (!locked.dto.group.IsDeleted()) {
      CLOUD_TRY_VOID(deps.groups->DeleteGroup(id, locked.lock.lease()));
    }
    locked.lock.Release();
    deps.Poke(ResourceKind::kGroup, id);
    return HttpResponse::Status(200);
  });
}

HttpResponse HandleGetGroupStatus(const ApiDeps& deps, RequestContext& ctx,
                                  const HttpRequest& req) {
  return RunHandler(ctx, "failed to get group status", [&]() -> HandlerResult {
    std::string id = GroupId(req);
    CLOUD_TRY(std::optional<model::GroupStatus> status, deps.groups->GetGroupStatus(id));
    if (!status) return NotFound("group " + id + " not found");
    return JsonResponse(200, *status);
  });
}

HttpResponse HandleAddGroupAnnotations(const ApiDeps& deps, RequestContext& ctx,
                                       const HttpRequest& req) {
  return RunHandler(ctx, "failed to add group annotations", [&]() -> HandlerResult {
    CLOUD_TRY(LockedGroup locked, LockGroup(deps, ctx, GroupId(req)));
    CLOUD_TRY(model::AddAnnotationsRequest request, DecodeBody<model::AddAnnotationsRequest>(req));
    std::vector<std::string> names = request.annotations.value_or(std::vector<std::string>{});
    CLOUD_TRY(std::vector<model::Annotation> parsed, model::AnnotationsFromNames(names));
    (void)parsed;
    // Upstream answers 500 for an empty list (an empty SQL insert).
    if (names.empty()) return InvalidArgument("no annotations to add");
    CLOUD_TRY(std::vector<model::Annotation> added,
              deps.annotations->LinkAnnotations(store::AnnotatedResource::kGroup,
                                                locked.dto.group.id, names));
    if (!locked.dto.annotations) locked.dto.annotations.emplace();
    for (model::Annotation& a : added) locked.dto.annotations->push_back(std::move(a));
    locked.lock.Release();
    return JsonResponse(200, locked.dto);
  });
}

HttpResponse HandleDeleteGroupAnnotation(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete group annotation", [&]() -> HandlerResult {
    CLOUD_TRY(LockedGroup locked, LockGroup(deps, ctx, GroupId(req)));
    CLOUD_TRY_VOID(deps.annotations->UnlinkAnnotation(
        store::AnnotatedResource::kGroup, locked.dto.group.id, req.PathVar("annotation-name")));
    locked.lock.Release();
    HttpResponse response = HttpResponse::Status(204);
    response.content_type = "application/json";
    return response;
  });
}

}  // namespace

void RegisterGroupRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  const ApiDeps* d = &deps;
  auto add = [&](std::string_view method, std::string_view pattern, std::string_view name,
                 HttpResponse (*fn)(const ApiDeps&, RequestContext&, const HttpRequest&)) {
    AddRoute(router, env, method, pattern, name,
             [d, fn](RequestContext& ctx, const HttpRequest& req) { return fn(*d, ctx, req); });
  };
  add("GET", "/api/groups", "handleGetGroups", HandleGetGroups);
  add("POST", "/api/groups", "handleCreateGroup", HandleCreateGroup);
  add("GET", "/api/groups/status", "handleGetGroupsStatus", HandleGetGroupsStatus);
  const std::string g = "/api/group/{group:id}";
  add("GET", g, "handleGetGroup", HandleGetGroup);
  add("PUT", g, "handleUpdateGroup", HandleUpdateGroup);
  add("DELETE", g, "handleDeleteGroup", HandleDeleteGroup);
  add("GET", g + "/status", "handleGetGroupStatus", HandleGetGroupStatus);
  add("POST", g + "/annotations", "handleAddGroupAnnotations", HandleAddGroupAnnotations);
  add("DELETE", g + "/annotation/{annotation-name}", "handleDeleteGroupAnnotation",
      HandleDeleteGroupAnnotation);
}

}  // namespace cloud::api
