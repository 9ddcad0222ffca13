#include "api/security_handlers.h"

#include <functional>
#include <string>

namespace cloud::api {
namespace {

// Security routes (spec §3.10): no row lock, body ignored; 404 for an unknown ID, otherwise
// the flag is set (idempotent) and the answer is 200 with an empty body.
using FlagSetter = std::function<Result<void>(const ApiDeps&, std::string_view id, bool value)>;

void AddFlagRoute(Router& router, const HandlerEnv& env, const ApiDeps& deps,
                  const std::string& pattern, std::string_view var, std::string_view name,
                  FlagSetter setter, bool value) {
  const ApiDeps* d = &deps;
  std::string variable(var);
  AddRoute(router, env, "POST", pattern, name,
           [d, variable, setter, value](RequestContext& ctx, const HttpRequest& req) {
             return RunHandler(ctx, "failed to set security flag", [&]() -> HandlerResult {
               if (setter == nullptr) return Internal("route not configured");
               CLOUD_TRY_VOID(setter(*d, req.PathVar(variable), value));
               return HttpResponse::Status(200);
             });
           });
}

}  // namespace

void RegisterSecurityRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  struct Target {
    std::string prefix;  // path before "/api/lock" or "/deletion/lock"
    std::string var;
    std::string noun;  // handler name part
    std::string suffix;
    FlagSetter setter;
  };
  const std::vector<Target> targets = {
      {"/api/security/cluster/{cluster:id}", "cluster", "Cluster", "/api",
       [](const ApiDeps& d, std::string_view id, bool v) {
         return d.clusters->SetClusterAPISecurityLock(id, v);
       }},
      {"/api/security/installation/{installation:id}", "installation", "Installation", "/api",
       [](const ApiDeps& d, std::string_view id, bool v) {
         return d.installations->SetInstallationAPISecurityLock(id, v);
       }},
      {"/api/security/installation/{installation:id}", "installation", "InstallationDeletion",
       "/deletion",
       [](const ApiDeps& d, std::string_view id, bool v) {
         return d.installations->SetInstallationDeletionLocked(id, v);
       }},
      {"/api/security/cluster_installation/{cluster_installation:id}", "cluster_installation",
       "ClusterInstallation", "/api",
       [](const ApiDeps& d, std::string_view id, bool v) {
         return d.cluster_installations->SetClusterInstallationAPISecurityLock(id, v);
       }},
      {"/api/security/group/{group:id}", "group", "Group", "/api",
       [](const ApiDeps& d, std::string_view id, bool v) {
         return d.groups->SetGroupAPISecurityLock(id, v);
       }},
      {"/api/security/installation/backup/{backup:id}", "backup", "Backup", "/api",
       [](const ApiDeps& d, std::string_view id, bool v) -> Result<void> {
         if (d.backups == nullptr) return Internal("backup store not configured");
         return d.backups->SetInstallationBackupAPISecurityLock(id, v);
       }},
  };
  for (const Target& t : targets) {
    bool deletion = t.suffix == "/deletion";
    std::string lock_name =
        deletion ? "handleInstallationDeletionLock" : "handle" + t.noun + "LockAPI";
    std::string unlock_name =
        deletion ? "handleInstallationDeletionUnlock" : "handle" + t.noun + "UnlockAPI";
    AddFlagRoute(router, env, deps, t.prefix + t.suffix + "/lock", t.var, lock_name, t.setter,
                 true);
    AddFlagRoute(router, env, deps, t.prefix + t.suffix + "/unlock", t.var, unlock_name, t.setter,
                 false);
  }
}

}  // namespace cloud::api
