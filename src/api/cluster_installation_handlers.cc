#include "api/cluster_installation_handlers.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/filters.h"
#include "model/installation.h"

namespace cloud::api {
namespace {

using model::Cluster;
using model::ClusterInstallation;
using model::MigrateClusterInstallationRequest;
using model::MigrateClusterInstallationResponse;

std::string CiId(const HttpRequest& req) {
  return std::string(req.PathVar("cluster_installation"));
}

// Routes needing a live cluster answer this when the backend cannot reach one.
Error NotSupported(std::string_view what) {
  return InvalidArgument(std::string(what) + " is not supported by the simulated backend");
}

// The pre-checks of the routes that run commands in a cluster installation's pods: CI 404 →
// deleted 410 → API security lock 403 (when `check_lock`) → cluster missing 500.
// On a 410 `gone` is set and the other values are unspecified.
struct ExecTarget {
  ClusterInstallation ci;
  Cluster cluster;
};
Result<std::optional<ExecTarget>> LoadExecTarget(const ApiDeps& deps, std::string_view id,
                                                 bool check_lock) {
  CLOUD_TRY(std::optional<ClusterInstallation> ci,
            deps.cluster_installations->GetClusterInstallation(id));
  if (!ci) return NotFound("cluster installation " + std::string(id) + " not found");
  if (ci->IsDeleted()) return std::optional<ExecTarget>();
  if (check_lock) {
    CLOUD_TRY_VOID(CheckAPISecurityLock(ci->api_security_lock, "cluster installation"));
  }
  CLOUD_TRY(std::optional<Cluster> cluster, deps.clusters->GetCluster(ci->cluster_id));
  if (!cluster) return Internal("cluster " + ci->cluster_id + " of cluster installation not found");
  return std::optional<ExecTarget>(ExecTarget{std::move(*ci), std::move(*cluster)});
}

HttpResponse Gone() { return ErrorResponse(410, "cluster installation is deleted"); }

HttpResponse RawOutput(int status, std::string output) {
  return HttpResponse::Text(status, std::move(output));
}

HttpResponse HandleGetClusterInstallations(const ApiDeps& deps, RequestContext& ctx,
                                           const HttpRequest& req) {
  return RunHandler(ctx, "failed to list cluster installations", [&]() -> HandlerResult {
    CLOUD_TRY(model::ClusterInstallationFilter filter,
              model::ParseClusterInstallationFilter(QueryOf(req)));
    CLOUD_TRY(std::vector<ClusterInstallation> list,
              deps.cluster_installations->GetClusterInstallations(filter));
    return JsonResponse(200, list);
  });
}

Result<MigrateClusterInstallationRequest> ParseMigrateRequest(const HttpRequest& req) {
  CLOUD_TRY(MigrateClusterInstallationRequest request,
            DecodeBody<MigrateClusterInstallationRequest>(req));
  CLOUD_TRY_VOID(request.Validate());
  return request;
}

Result<std::vector<ClusterInstallation>> CisOn(const ApiDeps& deps, const std::string& cluster_id,
                                               const std::string& installation_id, bool active) {
  model::ClusterInstallationFilter filter;
  filter.paging = model::AllPagesNotDeleted();
  filter.cluster_id = cluster_id;
  filter.installation_id = installation_id;
  filter.is_active = active;
  return deps.cluster_installations->GetClusterInstallations(filter);
}

Result<Cluster> GetExistingCluster(const ApiDeps& deps, const std::string& id, const char* role) {
  CLOUD_TRY(std::optional<Cluster> cluster, deps.clusters->GetCluster(id));
  if (!cluster) return NotFound(std::string(role) + " cluster " + id + " not found");
  return std::move(*cluster);
}

HttpResponse HandleMigrateClusterInstallations(const ApiDeps& deps, RequestContext& ctx,
                                               const HttpRequest& req) {
  return RunHandler(ctx, "failed to migrate cluster installations", [&]() -> HandlerResult {
    CLOUD_TRY(MigrateClusterInstallationRequest request, ParseMigrateRequest(req));
    CLOUD_TRY(Cluster source, GetExistingCluster(deps, request.source_cluster_id, "source"));
    CLOUD_TRY(Cluster target, GetExistingCluster(deps, request.target_cluster_id, "target"));
    (void)target;
    if (source.allow_installations) {
      return InvalidArgument("source cluster still allows new installations");
    }
    CLOUD_TRY(std::vector<ClusterInstallation> active,
              CisOn(deps, request.source_cluster_id, request.installation_id, true));
    if (active.empty()) return NotFound("no active cluster installations on the source cluster");
    CLOUD_TRY(int64_t migrated,
              deps.cluster_installations->MigrateClusterInstallations(
                  request.source_cluster_id, request.target_cluster_id, request.installation_id));
    MigrateClusterInstallationResponse body;
    body.source_cluster_id = request.source_cluster_id;
    body.target_cluster_id = request.target_cluster_id;
    body.operation = model::ClusterInstallationOperation::kMigration;
    body.total_cluster_installations = static_cast<int>(migrated);
    return JsonResponse(200, body);
  });
}

HttpResponse HandleMigrateDNS(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to migrate DNS", [&]() -> HandlerResult {
    CLOUD_TRY(MigrateClusterInstallationRequest request, ParseMigrateRequest(req));
    CLOUD_TRY(std::vector<ClusterInstallation> old_cis,
              CisOn(deps, request.source_cluster_id, request.installation_id, true));
    if (old_cis.empty()) return NotFound("no active cluster installations on the source cluster");
    CLOUD_TRY(std::vector<ClusterInstallation> new_cis,
              CisOn(deps, request.target_cluster_id, request.installation_id, false));
    if (new_cis.empty()) {
      return NotFound("no inactive cluster installations on the target cluster");
    }
    CLOUD_TRY(Cluster source, GetExistingCluster(deps, request.source_cluster_id, "source"));
    CLOUD_TRY(Cluster target, GetExistingCluster(deps, request.target_cluster_id, "target"));
    (void)target;
    if (source.allow_installations) {
      return InvalidArgument("source cluster still allows new installations");
    }
    std::set<std::string> installation_set;
    std::vector<std::string> old_ids;
    for (const ClusterInstallation& ci : old_cis) {
      old_ids.push_back(ci.id);
      installation_set.insert(ci.installation_id);
    }
    std::vector<std::string> new_ids;
    for (const ClusterInstallation& ci : new_cis) {
      if (installation_set.count(ci.installation_id) != 0) new_ids.push_back(ci.id);
    }
    std::vector<std::string> installation_ids(installation_set.begin(), installation_set.end());
    std::optional<ApiRowLock> locks;
    if (request.lock_installation) {
      CLOUD_TRY(store::Lease lease, deps.locks->Acquire(store::LockTable::kInstallation,
                                                        installation_ids, ctx.request_id));
      locks.emplace(deps.locks, std::move(lease), ctx.log);
    }
    std::vector<std::string> hibernating;
    for (const std::string& id : installation_ids) {
      CLOUD_TRY(std::optional<model::Installation> inst,
                deps.installations->GetInstallation(id, store::GroupMerge::None()));
      if (inst && inst->state == model::InstallationState::kHibernating) hibernating.push_back(id);
    }
    CLOUD_TRY_VOID(
        deps.cluster_installations->SwitchDNS(old_ids, new_ids, installation_ids, hibernating));
    if (locks) locks->Release();
    deps.Poke(supervisor::ResourceKind::kInstallation);
    MigrateClusterInstallationResponse body;
    body.source_cluster_id = request.source_cluster_id;
    body.target_cluster_id = request.target_cluster_id;
    body.operation = model::ClusterInstallationOperation::kDNSSwitch;
    body.total_cluster_installations = static_cast<int>(old_cis.size());
    return JsonResponse(200, body);
  });
}

HttpResponse HandleDeleteInactiveClusterInstallations(const ApiDeps& deps, RequestContext& ctx,
                                                      const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete inactive cluster installations", [&]() -> HandlerResult {
    std::string cluster_id(req.PathVar("clusterID"));
    CLOUD_TRY(int64_t count,
              deps.cluster_installations->DeleteInactiveClusterInstallationsOfCluster(cluster_id));
    deps.Poke(supervisor::ResourceKind::kClusterInstallation);
    MigrateClusterInstallationResponse body;
    body.source_cluster_id = cluster_id;
    body.operation = model::ClusterInstallationOperation::kDeletingInActiveCIs;
    body.total_cluster_installations = static_cast<int>(count);
    return JsonResponse(200, body);
  });
}

HttpResponse HandleDeleteInactiveClusterInstallation(const ApiDeps& deps, RequestContext& ctx,
                                                     const HttpRequest& req) {
  return RunHandler(ctx, "failed to delete inactive cluster installation", [&]() -> HandlerResult {
    std::string id(req.PathVar("ClusterInstallationID"));
    // Upstream panics on an unknown ID; the store answers kNotFound (404).
    CLOUD_TRY(ClusterInstallation ci,
              deps.cluster_installations->RequestClusterInstallationDeletion(id));
    deps.Poke(supervisor::ResourceKind::kClusterInstallation, id);
    return JsonResponse(200, ci);
  });
}

HttpResponse HandleSwitchClusterRoles(const ApiDeps& deps, RequestContext& ctx,
                                      const HttpRequest& req) {
  (void)deps;
  return RunHandler(ctx, "failed to switch cluster roles", [&]() -> HandlerResult {
    CLOUD_TRY(MigrateClusterInstallationRequest request,
              DecodeBody<MigrateClusterInstallationRequest>(req));
    // The AWS tag switch is a no-op on the simulated backend.
    MigrateClusterInstallationResponse body;
    body.source_cluster_id = request.source_cluster_id;
    body.target_cluster_id = request.target_cluster_id;
    body.operation = model::ClusterInstallationOperation::kSwitchClusterRoles;
    return JsonResponse(200, body);
  });
}

HttpResponse HandleGetClusterInstallation(const ApiDeps& deps, RequestContext& ctx,
                                          const HttpRequest& req) {
  return RunHandler(ctx, "failed to get cluster installation", [&]() -> HandlerResult {
    std::string id = CiId(req);
    CLOUD_TRY(std::optional<ClusterInstallation> ci,
              deps.cluster_installations->GetClusterInstallation(id));
    if (!ci) return NotFound("cluster installation " + id + " not found");
    return JsonResponse(200, *ci);
  });
}

// Runs `command` in the CI's pod through the backend hook.
Result<std::string> Exec(const ApiDeps& deps, const ExecTarget& target,
                         const std::vector<std::string>& command, std::string_view what) {
  if (!deps.external.exec_in_cluster_installation) return NotSupported(what);
  return deps.external.exec_in_cluster_installation(target.cluster, target.ci, command);
}

HttpResponse HandleGetClusterInstallationConfig(const ApiDeps& deps, RequestContext& ctx,
                                                const HttpRequest& req) {
  return RunHandler(ctx, "failed to get cluster installation config", [&]() -> HandlerResult {
    CLOUD_TRY(std::optional<ExecTarget> target, LoadExecTarget(deps, CiId(req), false));
    if (!target) return Gone();
    CLOUD_TRY(std::string output,
              Exec(deps, *target, {"mmctl", "--local", "config", "show", "--format", "json"},
                   "reading the Mattermost config"));
    return RawOutput(200, std::move(output));
  });
}

// Flattens a JSON object into dotted keys with string leaves (upstream stops at the first
// non-string, non-object leaf of a level; we skip such leaves and keep going).
void FlattenConfig(const model::Json& object, const std::string& prefix,
                   std::vector<std::pair<std::string, std::string>>& out) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) {
      FlattenConfig(*it, key, out);
    } else if (it->is_string()) {
      out.emplace_back(key, it->get<std::string>());
    }
  }
}

HttpResponse HandleSetClusterInstallationConfig(const ApiDeps& deps, RequestContext& ctx,
                                                const HttpRequest& req) {
  return RunHandler(ctx, "failed to set cluster installation config", [&]() -> HandlerResult {
    model::Json config = model::Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (config.is_discarded() || !config.is_object()) {
      return InvalidArgument("failed to decode request: the body must be a JSON object");
    }
    CLOUD_TRY(std::optional<ExecTarget> target, LoadExecTarget(deps, CiId(req), true));
    if (!target) return Gone();
    std::vector<std::pair<std::string, std::string>> settings;
    FlattenConfig(config, "", settings);
    if (!deps.external.exec_in_cluster_installation) {
      return NotSupported("setting the Mattermost config");
    }
    for (const auto& [key, value] : settings) {
      CLOUD_TRY(std::string output,
                Exec(deps, *target, {"mmctl", "--local", "config", "set", key, value},
                     "setting the Mattermost config"));
      (void)output;
    }
    return HttpResponse::Status(200);
  });
}

Result<std::vector<std::string>> DecodeArgs(const HttpRequest& req) {
  return DecodeRequestBody<std::vector<std::string>>(req);
}

HttpResponse HandleExecCommand(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to exec in cluster installation", [&]() -> HandlerResult {
    std::string command(req.PathVar("command"));
    if (!model::IsSupportedExecCommand(command)) {
      return InvalidArgument("unsupported command " + command);
    }
    CLOUD_TRY(std::vector<std::string> args, DecodeArgs(req));
    CLOUD_TRY(std::optional<ExecTarget> target, LoadExecTarget(deps, CiId(req), true));
    if (!target) return Gone();
    if (!deps.external.exec_in_cluster_installation) return NotSupported("exec");
    std::vector<std::string> full{"./bin/" + command};
    full.insert(full.end(), args.begin(), args.end());
    Result<std::string> output = Exec(deps, *target, full, "exec");
    if (!output) {
      // The command ran and failed: 409 with its output (upstream).
      if (output.error().code == ErrorCode::kFailedPrecondition) {
        return RawOutput(409, output.error().message);
      }
      return output.error();
    }
    return RawOutput(200, std::move(*output));
  });
}

HttpResponse HandleRunMattermostCLI(const ApiDeps& deps, RequestContext& ctx,
                                    const HttpRequest& req) {
  return RunHandler(ctx, "failed to run mattermost CLI", [&]() -> HandlerResult {
    CLOUD_TRY(std::vector<std::string> args, DecodeArgs(req));
    CLOUD_TRY(std::optional<ExecTarget> target, LoadExecTarget(deps, CiId(req), true));
    if (!target) return Gone();
    if (!deps.external.exec_in_cluster_installation) return NotSupported("mattermost_cli");
    std::vector<std::string> full{"./bin/mattermost"};
    full.insert(full.end(), args.begin(), args.end());
    Result<std::string> output = Exec(deps, *target, full, "mattermost_cli");
    if (!output) {
      if (output.error().code == ErrorCode::kFailedPrecondition) {
        return RawOutput(500, output.error().message);
      }
      return output.error();
    }
    return RawOutput(200, std::move(*output));
  });
}

HttpResponse HandleGetPprof(const ApiDeps& deps, RequestContext& ctx, const HttpRequest& req) {
  return RunHandler(ctx, "failed to collect pprof", [&]() -> HandlerResult {
    CLOUD_TRY(std::optional<ExecTarget> target, LoadExecTarget(deps, CiId(req), true));
    if (!target) return Gone();
    return NotSupported("pprof collection");
  });
}

HttpResponse HandleGetClusterInstallationStatus(const ApiDeps& deps, RequestContext& ctx,
                                                const HttpRequest& req) {
  return RunHandler(ctx, "failed to get cluster installation status", [&]() -> HandlerResult {
    std::string id = CiId(req);
    CLOUD_TRY(std::optional<ClusterInstallation> ci,
              deps.cluster_installations->GetClusterInstallation(id));
    if (!ci) return NotFound("cluster installation " + id + " not found");
    if (!deps.external.cluster_installation_status) return NotSupported("status");
    CLOUD_TRY(std::optional<Cluster> cluster, deps.clusters->GetCluster(ci->cluster_id));
    if (!cluster)
      return Internal("cluster " + ci->cluster_id + " of cluster installation not found");
    CLOUD_TRY(model::ClusterInstallationStatus status,
              deps.external.cluster_installation_status(*cluster, *ci));
    return JsonResponse(200, status);
  });
}

}  // namespace

void RegisterClusterInstallationRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  const ApiDeps* d = &deps;
  auto add = [&](std::string_view method, std::string_view pattern, std::string_view name,
                 HttpResponse (*fn)(const ApiDeps&, RequestContext&, const HttpRequest&)) {
    AddRoute(router, env, method, pattern, name,
             [d, fn](RequestContext& ctx, const HttpRequest& req) { return fn(*d, ctx, req); });
  };
  add("GET", "/api/cluster_installations", "handleGetClusterInstallations",
      HandleGetClusterInstallations);
  add("POST", "/api/cluster_installations/migrate", "handleMigrateClusterInstallations",
      HandleMigrateClusterInstallations);
  add("POST", "/api/cluster_installations/migrate/dns", "handleMigrateDNS", HandleMigrateDNS);
  add("DELETE", "/api/cluster_installations/migrate/delete_inactive/{clusterID}",
      "handleDeleteInActiveClusterInstallationsByCluster",
      HandleDeleteInactiveClusterInstallations);
  add("DELETE",
      "/api/cluster_installations/migrate/delete_inactive/cluster_installation/"
      "{ClusterInstallationID}",
      "handleDeleteInActiveClusterInstallationByID", HandleDeleteInactiveClusterInstallation);
  add("POST", "/api/cluster_installations/migrate/switch_cluster_roles", "handleSwitchClusterRoles",
      HandleSwitchClusterRoles);
  const std::string c = "/api/cluster_installation/{cluster_installation:id}";
  add("GET", c, "handleGetClusterInstallation", HandleGetClusterInstallation);
  add("GET", c + "/config", "handleGetClusterInstallationConfig",
      HandleGetClusterInstallationConfig);
  add("PUT", c + "/config", "handleSetClusterInstallationConfig",
      HandleSetClusterInstallationConfig);
  add("POST", c + "/exec/{command}", "handleClusterInstallationExec", HandleExecCommand);
  add("POST", c + "/mattermost_cli", "handleRunClusterInstallationMattermostCLI",
      HandleRunMattermostCLI);
  add("GET", c + "/pprof", "handleClusterInstallationPProf", HandleGetPprof);
  add("GET", c + "/status", "handleGetClusterInstallationStatus",
      HandleGetClusterInstallationStatus);
}

}  // namespace cloud::api
