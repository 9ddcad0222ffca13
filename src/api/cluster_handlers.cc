#include "api/cluster_handlers.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/annotation.h"
#include "model/cluster_requests.h"
#include "model/cluster_states.h"
#include "model/filters.h"

namespace cloud::api {
namespace {

using model::Cluster;
using model::ClusterDTO;
using model::ClusterState;
using supervisor::ResourceKind;

// A cluster DTO read under our API lock (lock fields cleared as upstream shows them).
struct LockedCluster {
  ApiRowLock lock;
  ClusterDTO dto;
};

// lock(cluster) → 404/409, then 403 (API security lock), then 400 when `target` is given and
// not reachable from the current state (spec §1.7 order).
Result<LockedCluster> LockCluster(const ApiDeps& deps, RequestContext& ctx, std::string_view id,
                                  std::optional<ClusterState> target) {
  CLOUD_TRY(ApiRowLock lock, LockRow(deps, ctx, store::LockTable::kCluster, id));
  CLOUD_TRY(std::optional<ClusterDTO> dto, deps.clusters->GetClusterDTO(id));
  if (!dto) return NotFound("cluster " + std::string(id) + " not found");
  ClearLockFields(dto->cluster);
  CLOUD_TRY_VOID(CheckAPISecurityLock(dto->cluster.api_security_lock, "cluster"));
  if (target && !model::IsClusterTransitionAllowed(dto->cluster.state, *target)) {
    return InvalidArgument("unable to transition cluster from " +
                           std::string(model::ToString(dto->cluster.state)) + " to " +
                           std::string(model::ToString(*target)));
  }
  return LockedCluster{std::move(lock), std::move(*dto)};
}

Result<std::vector<std::string>> ValidatedAnnotationNames(const std::vector<std::string>& names) {
  CLOUD_TRY(std::vector<model::Annotation> annotations, model::AnnotationsFromNames(names));
  (void)annotations;
  return names;
}

HttpResponse HandleGetClusters(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to list clusters", [&]() -> HandlerResult {
    CLOUD_TRY(model::ClusterFilter filter, model::ParseClusterFilter(QueryOf(req)));
    store::ClusterListFilter list;
    list.paging = filter.paging;
    CLOUD_TRY(std::vector<ClusterDTO> clusters, deps.clusters->GetClusterDTOs(list));
    return JsonResponse(200, clusters);
  });
}

HttpResponse HandleCreateCluster(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to create cluster", [&]() -> HandlerResult {
    CLOUD_TRY(model::CreateClusterRequest request,
              model::ParseCreateClusterRequest(req.body, deps.config.utility_defaults));
    CLOUD_TRY(std::vector<std::string> annotations, ValidatedAnnotationNames(request.annotations));
    CLOUD_TRY(Cluster cluster, model::NewClusterFromCreateRequest(request));
    CLOUD_TRY(ClusterDTO dto, deps.clusters->CreateCluster(std::move(cluster), annotations,
                                                           store::EventOptions::IfChanged()));
    dto.cluster.name.clear();
    dto.cluster.networking.clear();
    deps.Poke(ResourceKind::kCluster, dto.cluster.id);
    return JsonResponse(202, dto);
  });
}

HttpResponse HandleImportCluster(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to import cluster", [&]() -> HandlerResult {
    CLOUD_TRY(model::ImportClusterRequest request, model::ParseImportClusterRequest(req.body));
    if (deps.external.validate_external_cluster_secret) {
      if (Result<void> r =
              deps.external.validate_external_cluster_secret(request.external_cluster_secret_name);
          !r) {
        return InvalidArgument("failed to validate external cluster secret: " + r.error().message);
      }
    }
    if (!request.vpc_id.empty() && deps.external.validate_vpc) {
      if (Result<void> r = deps.external.validate_vpc(request.vpc_id); !r) {
        return InvalidArgument("failed to validate VPC " + request.vpc_id + ": " +
                               r.error().message);
      }
    }
    CLOUD_TRY(std::vector<std::string> annotations, ValidatedAnnotationNames(request.annotations));
    Cluster cluster = model::NewClusterFromImportRequest(request);
    CLOUD_TRY(ClusterDTO dto, deps.clusters->CreateCluster(std::move(cluster), annotations,
                                                           store::EventOptions::IfChanged()));
    dto.cluster.name.clear();
    deps.Poke(ResourceKind::kCluster, dto.cluster.id);
    return JsonResponse(202, dto);
  });
}

HttpResponse HandleGetCluster(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to get cluster", [&]() -> HandlerResult {
    std::string id(req.PathVar("cluster"));
    CLOUD_TRY(std::optional<ClusterDTO> dto, deps.clusters->GetClusterDTO(id));
    if (!dto) return NotFound("cluster " + id + " not found");
    return JsonResponse(200, *dto);
  });
}

// Saves the cluster (its state and metadata) with an event when the state changed, releases
// the lock, pokes the cluster supervisor and answers 202 with the DTO.
HandlerResult SaveAndRespond(const ApiDeps& deps, LockedCluster& locked, bool save) {
  if (save) {
    CLOUD_TRY_VOID(deps.clusters->UpdateCluster(locked.dto.cluster, locked.lock.lease(),
                                                store::EventOptions::IfChanged()));
  }
  locked.lock.Release();
  deps.Poke(ResourceKind::kCluster, locked.dto.cluster.id);
  return JsonResponse(202, locked.dto);
}

HttpResponse HandleRetryCreateCluster(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& req) {
  return RunHandler(ctx, "failed to retry cluster creation", [&]() -> HandlerResult {
    CLOUD_TRY(LockedCluster locked,
              LockCluster(deps, ctx, req.PathVar("cluster"), ClusterState::kCreationRequested));
    bool changed = locked.dto.cluster.state != ClusterState::kCreationRequested;
    locked.dto.cluster.state = ClusterState::kCreationRequested;
    return SaveAndRespond(deps, locked, changed);
  });
}

HttpResponse HandleUpdateClusterConfiguration(const ApiDeps& deps, RequestContext& ctx,
                                              const HttpRequest& req) {
  return RunHandler(ctx, "failed to update cluster", [&]() -> HandlerResult {
    CLOUD_TRY(model::UpdateClusterRequest patch, model::ParseUpdateClusterRequest(req.body));
    CLOUD_TRY(LockedCluster locked, LockCluster(deps, ctx, req.PathVar("cluster"), std::nullopt));
    if (model::ApplyClusterUpdatePatch(locked.dto.cluster, patch)) {
      CLOUD_TRY_VOID(deps.clusters->UpdateCluster(locked.dto.cluster, locked.lock.lease(),
                                                  store::EventOptions::None()));
    }
    locked.lock.Release();
    return JsonResponse(202, locked.dto);
  });
}

HttpResponse HandleProvisionCluster(const ApiDeps& deps, RequestContext& ctx,
                                    const HttpRequest& req) {
  return RunHandler(ctx, "failed to provision cluster", [&]() -> HandlerResult {
    // Upstream answers 500 for a bad body; we answer 400 (ARCHITECTURE.md decision 1).
    CLOUD_TRY(model::ProvisionClusterRequest request,
              model::ParseProvisionClusterRequest(req.body));
    CLOUD_TRY(LockedCluster locked,
              LockCluster(deps, ctx, req.PathVar("cluster"), ClusterState::kProvisioningRequested));
    Cluster& cluster = locked.dto.cluster;
    if (request.pgbouncer_config && !cluster.pg_bouncer_config) {
      // Upstream panics here (imported cluster without AWS infrastructure).
      return InvalidArgument("cluster has no pgbouncer config to patch");
    }
    if (request.force) model::SupplyDefaultDesiredUtilityVersions(request, cluster);
    if (!request.utility_versions.empty() || cluster.utility_metadata) {
      model::SetUtilityDesiredVersions(cluster, request.utility_versions);
    }
    if (!request.argocd_register.empty() || cluster.utility_metadata) {
      model::SetManagedByArgocd(cluster, request.argocd_register);
    }
    if (request.pgbouncer_config) cluster.pg_bouncer_config->ApplyPatch(*request.pgbouncer_config);
    cluster.state = ClusterState::kProvisioningRequested;
    // Upstream persists only when the state changes (its bug, spec §9 23); we always save
    // what the response shows.
    return SaveAndRespond(deps, locked, true);
  });
}

HttpResponse HandleUpgradeKubernetes(const ApiDeps& deps, RequestContext& ctx,
                                     const HttpRequest& req) {
  return RunHandler(ctx, "failed to upgrade cluster", [&]() -> HandlerResult {
    CLOUD_TRY(model::PatchUpgradeClusterRequest patch,
              model::ParsePatchUpgradeClusterRequest(req.body));
    CLOUD_TRY(LockedCluster locked,
              LockCluster(deps, ctx, req.PathVar("cluster"), ClusterState::kUpgradeRequested));
    Cluster& cluster = locked.dto.cluster;
    bool applied = false;
    if (cluster.provisioner == model::ClusterProvisioner::kKops) {
      if (!cluster.provisioner_metadata_kops) cluster.provisioner_metadata_kops.emplace();
      applied = model::ApplyUpgradePatch(*cluster.provisioner_metadata_kops, patch);
    } else if (cluster.provisioner == model::ClusterProvisioner::kEks &&
               cluster.provisioner_metadata_eks) {
      applied = model::ApplyUpgradePatch(*cluster.provisioner_metadata_eks, patch);
    }
    if (applied) cluster.state = ClusterState::kUpgradeRequested;
    return SaveAndRespond(deps, locked, applied);
  });
}

HttpResponse HandleResizeCluster(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to resize cluster", [&]() -> HandlerResult {
    CLOUD_TRY(model::PatchClusterSizeRequest patch, model::ParsePatchClusterSizeRequest(req.body));
    CLOUD_TRY(LockedCluster locked,
              LockCluster(deps, ctx, req.PathVar("cluster"), ClusterState::kResizeRequested));
    Cluster& cluster = locked.dto.cluster;
    bool applied = false;
    if (cluster.provisioner == model::ClusterProvisioner::kKops) {
      if (!cluster.provisioner_metadata_kops) cluster.provisioner_metadata_kops.emplace();
      CLOUD_TRY_VOID(model::ValidateClusterSizePatch(*cluster.provisioner_metadata_kops, patch));
      applied = model::ApplyClusterSizePatch(*cluster.provisioner_metadata_kops, patch);
    } else if (cluster.provisioner == model::ClusterProvisioner::kEks) {
      if (!cluster.provisioner_metadata_eks) cluster.provisioner_metadata_eks.emplace();
      CLOUD_TRY_VOID(model::ValidateClusterSizePatch(*cluster.provisioner_metadata_eks, patch));
      applied = model::ApplyClusterSizePatch(*cluster.provisioner_metadata_eks, patch);
    }
    if (applied) cluster.state = ClusterState::kResizeRequested;
    return SaveAndRespond(deps, locked, applied);
  });
}

HttpResponse HandleGetAllUtilityMetadata(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& req) {
  return RunHandler(ctx, "failed to get cluster utilities", [&]() -> HandlerResult {
    std::string id(req.PathVar("cluster"));
    CLOUD_TRY(std::optional<Cluster> cluster, deps.clusters->GetCluster(id));
    // Upstream panics on an unknown cluster; we answer 404.
    if (!cluster) return NotFound("cluster " + id + " not found");
    return JsonResponse(200, cluster->utility_metadata);
  });
}

HttpResponse HandleAddClusterAnnotations(const ApiDeps& deps, RequestContext& ctx,
                                         const HttpRequest& req) {
  return RunHandler(ctx, "failed to add cluster annotations", [&]() -> HandlerResult {
    CLOUD_TRY(LockedCluster locked, LockCluster(deps, ctx, req.PathVar("cluster"), std::nullopt));
    CLOUD_TRY(model::AddAnnotationsRequest request, DecodeBody<model::AddAnnotationsRequest>(req));
    std::vector<std::string> names = request.annotations.value_or(std::vector<std::string>{});
    CLOUD_TRY(std::vector<std::string> valid, ValidatedAnnotationNames(names));
    // Upstream answers 500 for an empty list (an empty SQL insert).
    if (valid.empty()) return InvalidArgument("no annotations to add");
    CLOUD_TRY(std::vector<model::Annotation> added,
              deps.clusters->CreateClusterAnnotations(locked.dto.cluster.id, valid));
    for (model::Annotation& a : added) locked.dto.annotations.push_back(std::move(a));
    locked.lock.Release();
    return JsonResponse(200, locked.dto);
  });
}

HttpResponse HandleDeleteClusterAnnotation(const ApiDeps& deps, RequestContext& ctx,
                                           const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete cluster annotation", [&]() -> HandlerResult {
    CLOUD_TRY(LockedCluster locked, LockCluster(deps, ctx, req.PathVar("cluster"), std::nullopt));
    CLOUD_TRY_VOID(deps.clusters->DeleteClusterAnnotation(locked.dto.cluster.id,
                                                          req.PathVar("annotation-name")));
    locked.lock.Release();
    HttpResponse response = HttpResponse::Status(204);
    response.content_type = "application/json";
    return response;
  });
}

HttpResponse HandleCreateNodegroups(const ApiDeps& deps, RequestContext& ctx,
                                    const HttpRequest& req) {
  return RunHandler(ctx, "failed to create nodegroups", [&]() -> HandlerResult {
    CLOUD_TRY(model::CreateNodegroupsRequest request,
              model::ParseCreateNodegroupsRequest(req.body));
    CLOUD_TRY(LockedCluster locked, LockCluster(deps, ctx, req.PathVar("cluster"),
                                                ClusterState::kNodegroupsCreationRequested));
    Cluster& cluster = locked.dto.cluster;
    if (cluster.provisioner == model::ClusterProvisioner::kKops) {
      return InvalidArgument("nodegroups creation is not supported for kops clusters");
    }
    if (cluster.provisioner == model::ClusterProvisioner::kEks) {
      if (!cluster.provisioner_metadata_eks) cluster.provisioner_metadata_eks.emplace();
      CLOUD_TRY_VOID(
          model::ValidateNodegroupsCreateRequest(*cluster.provisioner_metadata_eks, request));
      model::ApplyNodegroupsCreateRequest(*cluster.provisioner_metadata_eks, request);
    }
    cluster.state = ClusterState::kNodegroupsCreationRequested;
    return SaveAndRespond(deps, locked, true);
  });
}

HttpResponse HandleDeleteNodegroup(const ApiDeps& deps, RequestContext& ctx,
                                   const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete nodegroup", [&]() -> HandlerResult {
    CLOUD_TRY(LockedCluster locked, LockCluster(deps, ctx, req.PathVar("cluster"),
                                                ClusterState::kNodegroupsDeletionRequested));
    Cluster& cluster = locked.dto.cluster;
    if (cluster.provisioner == model::ClusterProvisioner::kKops) {
      return InvalidArgument("nodegroup deletion is not supported for kops clusters");
    }
    if (cluster.provisioner == model::ClusterProvisioner::kEks) {
      if (!cluster.provisioner_metadata_eks) cluster.provisioner_metadata_eks.emplace();
      std::string_view nodegroup = req.PathVar("nodegroup");
      CLOUD_TRY_VOID(
          model::ValidateNodegroupDeleteRequest(*cluster.provisioner_metadata_eks, nodegroup));
      model::ApplyNodegroupDeleteRequest(*cluster.provisioner_metadata_eks, nodegroup);
    }
    cluster.state = ClusterState::kNodegroupsDeletionRequested;
    return SaveAndRespond(deps, locked, true);
  });
}

HttpResponse HandleDeleteCluster(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete cluster", [&]() -> HandlerResult {
    std::string id(req.PathVar("cluster"));
    CLOUD_TRY(ApiRowLock scheduling, LockRow(deps, ctx, store::LockTable::kClusterScheduling, id));
    CLOUD_TRY(LockedCluster locked, LockCluster(deps, ctx, id, ClusterState::kDeletionRequested));
    CLOUD_TRY(int64_t live, deps.clusters->CountLiveClusterInstallations(id));
    if (live > 0) {
      return Forbidden("cluster " + id + " still has " + std::to_string(live) +
                       " cluster installations");
    }
    CLOUD_TRY(bool deleting, deps.clusters->HasInstallationDeletingOnCluster(id));
    if (deleting) {
      return Forbidden("cluster " + id + " has installations being deleted");
    }
    if (locked.dto.cluster.state != ClusterState::kDeletionRequested) {
      CLOUD_TRY_VOID(deps.clusters->UpdateClusterState(id, ClusterState::kDeletionRequested,
                                                       locked.lock.lease(),
                                                       store::EventOptions::IfChanged()));
    }
    locked.lock.Release();
    scheduling.Release();
    deps.Poke(ResourceKind::kCluster, id);
    return HttpResponse::Status(202);
  });
}

}  // namespace

void RegisterClusterRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  const ApiDeps* d = &deps;
  auto add = [&](std::string_view method, std::string_view pattern, std::string_view name,
                 HttpResponse (*fn)(const ApiDeps&, RequestContext&, const HttpRequest&)) {
    AddRoute(router, env, method, pattern, name,
             [d, fn](RequestContext& ctx, const HttpRequest& req) { return fn(*d, ctx, req); });
  };
  add("GET", "/api/clusters", "handleGetClusters", HandleGetClusters);
  add("POST", "/api/clusters", "handleCreateCluster", HandleCreateCluster);
  add("POST", "/api/clusters/import", "handleImportCluster", HandleImportCluster);
  const std::string c = "/api/cluster/{cluster:id}";
  add("GET", c, "handleGetCluster", HandleGetCluster);
  add("POST", c, "handleRetryCreateCluster", HandleRetryCreateCluster);
  add("PUT", c, "handleUpdateClusterConfiguration", HandleUpdateClusterConfiguration);
  add("POST", c + "/provision", "handleProvisionCluster", HandleProvisionCluster);
  add("PUT", c + "/kubernetes", "handleUpgradeKubernetes", HandleUpgradeKubernetes);
  add("PUT", c + "/size", "handleResizeCluster", HandleResizeCluster);
  add("GET", c + "/utilities", "handleGetAllUtilityMetadata", HandleGetAllUtilityMetadata);
  add("POST", c + "/annotations", "handleAddClusterAnnotations", HandleAddClusterAnnotations);
  add("DELETE", c + "/annotation/{annotation-name}", "handleDeleteClusterAnnotation",
      HandleDeleteClusterAnnotation);
  add("POST", c + "/nodegroups", "handleCreateNodegroups", HandleCreateNodegroups);
  add("DELETE", c + "/nodegroup/{nodegroup}", "handleDeleteNodegroup", HandleDeleteNodegroup);
  add("DELETE", c, "handleDeleteCluster", HandleDeleteCluster);
}

}  // namespace cloud::api
