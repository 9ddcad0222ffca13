// RegisterApiRoutes: every /api route of upstream (spec upstream-api.md §2), registered in the
// order of upstream's api.Register (mux matches in registration order). The app calls it once.
#pragma once

#include "api/api_deps.h"
#include "api/handler.h"
#include "api/router.h"

namespace cloud::api {

// Registers all resource routes on `router`. `deps` must outlive the router.
void RegisterApiRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps);

}  // namespace cloud::api
