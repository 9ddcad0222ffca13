// The audit log of mutating API requests (ours, not upstream): the AuditSink writing
// HandlerEnv audit entries to the AuditLog table, and GET /api/audit to read it back.
#pragma once

#include "api/handler.h"
#include "api/router.h"
#include "common/logging.h"
#include "store/api_key_store.h"

namespace cloud::api {

// Appends each entry to `store` (must outlive the sink); a failed write is logged as an error
// and does not change the response.
AuditSink MakeStoreAuditSink(store::AuditStore& store, Logger log);

// GET /api/audit?limit=N (default 100, 1..1000): the newest records, newest first, as
// [{"ID","CreateAt","Actor","Method","Path","ResourceID","Status"}]. 400 for a bad limit.
void RegisterAuditRoutes(Router& router, const HandlerEnv& env, store::AuditStore& store);

}  // namespace cloud::api
