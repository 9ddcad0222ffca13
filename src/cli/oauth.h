// OAuth2 for the CLI, as upstream's `cloud login` and its pre-run token refresh (spec
// upstream-api.md §7.1, §7.2 `cloud login`): the device-code flow against
// <org_url>/oauth2/v2.0/devicecode + /token, and the refresh_token grant.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "cli/contexts.h"
#include "client/http_transport.h"
#include "common/clock.h"
#include "common/result.h"

namespace cloud::cli {

// The scopes upstream asks for.
inline constexpr std::string_view kOAuthScopes =
    "openid profile offline_access api://provisioner/provisioner";

struct OAuthIo {
  client::HttpTransport* transport = nullptr;
  const Clock* clock = nullptr;
  std::function<void(int64_t millis)> sleep;
  std::ostream* out = nullptr;  // where the device message goes ("To sign in, ... enter code")
};

// Runs the device-code flow: asks for a device code, prints the identity provider's message
// (verification URL and user code), then polls the token endpoint every `interval` seconds
// (default 2; "slow_down" adds 5) until the user signed in, the code expired or the provider
// answered an error. Returns the tokens with expires_at = now + expires_in.
// Errors: kUnavailable when the provider cannot be reached; kUnauthenticated with the
// provider's error/error_description otherwise; kUnavailable when the code expired.
Result<AuthorizationResponse> DeviceLogin(const std::string& org_url, const std::string& client_id,
                                          const OAuthIo& io);

// Exchanges a refresh token for new tokens (grant_type=refresh_token). A response without a
// new refresh token keeps the old one.
Result<AuthorizationResponse> RefreshToken(const std::string& org_url, const std::string& client_id,
                                           const AuthorizationResponse& current, const OAuthIo& io);

// True when the access token is missing or expires within a minute.
bool TokenNeedsRefresh(const AuthorizationResponse& auth, int64_t now_seconds);

}  // namespace cloud::cli
