// Handlers of the cluster installation routes (spec upstream-api.md §3), mirroring upstream's
// initClusterInstallation. Each handler is a free function over ApiDeps;
// RegisterClusterInstallationRoutes adds them to the router.
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/router.h"

namespace cloud::api {

// Registers the cluster installation routes. `deps` must outlive the router.
void RegisterClusterInstallationRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
