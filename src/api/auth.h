// Authentication of API requests (spec upstream-api.md §1.6, plus our API keys):
//   * JWTs (RS256) verified with libjwt against the issuer's JWKS (fetched with libcurl,
//     cached; JWK n/e turned into PEM with OpenSSL), checking `iss`, `aud`, `exp`, `nbf`;
//     caller = `oid`, or `appid` when `oid` is empty; restricted client IDs may only call
//     their allowed endpoints (403).
//   * API keys `cak_<64 hex>` checked against the APIKey table (SHA-256 hash); caller =
//     "apikey:<name>". Accepted whenever auth is on, also with JWT auth configured.
// libjwt, curl and OpenSSL stay in auth.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/handler.h"
#include "common/logging.h"
#include "common/result.h"
#include "store/api_key_store.h"

namespace cloud::api {

struct AuthOptions {
  // JWT auth is on when both are set (--issuer, --audience); keys from --jwks-url.
  std::string issuer;
  std::string audience;
  std::string jwks_url;
  std::vector<std::string> restricted_client_ids;                // --restricted-client-ids
  std::vector<std::string> restricted_client_allowed_endpoints;  // prefix or ^regex$
  bool require_api_key = false;  // --require-api-key: auth on with API keys only
  int64_t jwks_cache_ttl_ms = 5 * 60 * 1000;
  // An unknown signing key refetches the JWKS at most this often (key rotation).
  int64_t jwks_min_refetch_ms = 30 * 1000;

  bool JwtEnabled() const { return !issuer.empty() && !audience.empty(); }
  bool Enabled() const { return JwtEnabled() || require_api_key; }
};

// The Authenticator for HandlerEnv; an empty function when auth is off. `api_keys` (may be
// null: API keys are refused) must outlive it. Errors: kInvalidArgument naming
// --restricted-client-allowed-endpoints for an invalid regex, or --jwks-url when JWT auth is
// on without it.
Result<Authenticator> MakeAuthenticator(AuthOptions options, store::ApiKeyStore* api_keys,
                                        Logger log);

inline constexpr std::string_view kApiKeyPrefix = "cak_";

// A fresh random API key: kApiKeyPrefix + 64 hex characters (32 bytes from OpenSSL RAND).
std::string GenerateApiKey();
// Lower-case hex SHA-256 of `key`: what the APIKey table stores.
std::string HashApiKey(std::string_view key);

}  // namespace cloud::api
