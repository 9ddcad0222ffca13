// Handlers of the installation routes (spec upstream-api.md §3), mirroring upstream's
// initInstallation. Each handler is a free function over ApiDeps; RegisterInstallationRoutes adds
// them to the router.
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/router.h"

namespace cloud::api {

// Registers the installation routes. `deps` must outlive the router.
void RegisterInstallationRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
