// The only place that maps cloud::ErrorCode to an HTTP status (ARCHITECTURE.md decision 7).
//
// Upstream sends error statuses with no body. We add a small JSON body {"error":"..."} that
// upstream's clients ignore (they only look at the status); the exceptions upstream makes
// (router 404 text, auth texts, exec output) are produced where they happen, not here.
#pragma once

#include <string_view>

#include "api/http_types.h"
#include "common/error.h"

namespace cloud::api {

// kInvalidArgument 400, kFailedPrecondition 400 (invalid state transition), kNotFound 404,
// kAlreadyExists 409, kConflict 409 (lock held), kForbidden 403 (API security lock),
// kUnauthenticated 401, kUnavailable 503, kInternal 500.
int HttpStatusFor(ErrorCode code);

// The response for an Error: HttpStatusFor(error.code) with a JSON body
// {"error":"<message>"}\n (Content-Type application/json).
HttpResponse ErrorResponse(const Error& error);

// A response with `status` and the JSON body {"error":"<message>"}\n.
HttpResponse ErrorResponse(int status, std::string_view message);

}  // namespace cloud::api
