// Handlers of the security routes (spec upstream-api.md §3), mirroring upstream's initSecurity.
// Each handler is a free function over ApiDeps; RegisterSecurityRoutes adds them to the router.
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/http_types.h"
#include "api/router.h"

namespace cloud::api {

// Registers the security routes. `deps` must outlive the router.
void RegisterSecurityRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
