// CLI contexts: the named servers the CLI talks to, stored in ~/.cloud/contexts.json in
// upstream's format (spec upstream-api.md §7.1, cmd/cloud/clicontext).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "model/json_codec.h"

namespace cloud::cli {

// upstream internal/auth.AuthorizationResponse (OAuth2 token response + expires_at).
struct AuthorizationResponse {
  std::string access_token;
  std::string id_token;
  std::string scope;
  std::string token_type;
  int64_t expires_in = 0;
  std::string error;
  std::string error_description;
  std::string refresh_token;
  int64_t expires_at = 0;  // Unix seconds

  friend bool operator==(const AuthorizationResponse&, const AuthorizationResponse&) = default;
};

template <class V>
void JsonFields(V& v, AuthorizationResponse& a) {
  v("access_token", a.access_token);
  v("id_token", a.id_token);
  v("scope", a.scope);
  v("token_type", a.token_type);
  v("expires_in", a.expires_in);
  v("error", a.error);
  v("error_description", a.error_description);
  v("refresh_token", a.refresh_token);
  v("expires_at", a.expires_at);
}

// upstream clicontext.CLIContext.
struct CliContext {
  std::optional<AuthorizationResponse> auth_data;
  std::string client_id;
  std::string org_url;
  std::string server_url;
  std::string alias;
  bool confirmation_required = false;

  friend bool operator==(const CliContext&, const CliContext&) = default;
};

template <class V>
void JsonFields(V& v, CliContext& c) {
  v("auth_data", c.auth_data);
  v("client_id", c.client_id);
  v("org_url", c.org_url);
  v("server_url", c.server_url);
  v("alias", c.alias);
  v("confirmation_required", c.confirmation_required);
}

// upstream clicontext.Contexts.
struct Contexts {
  std::string current_context;
  std::optional<std::map<std::string, CliContext>> contexts;  // Go map: may be null

  // The named context, or nullptr.
  const CliContext* Get(const std::string& name) const;
  CliContext* Get(const std::string& name);
  const CliContext* Current() const { return Get(current_context); }
};

template <class V>
void JsonFields(V& v, Contexts& c) {
  v("current_context", c.current_context);
  v("contexts", c.contexts);
}

inline constexpr std::string_view kLocalContextName = "local";
inline constexpr std::string_view kLocalServerUrl = "http://localhost:8075";

// The first context set: `local` → http://localhost:8075, current.
Contexts BootstrapFirstContext();

// $HOME/.cloud (the user's home from the password database when $HOME is unset).
std::string ContextFileDirectory();
// $HOME/.cloud/contexts.json
std::string ContextFilePath();

// Reads the contexts file; when it does not exist, writes and returns BootstrapFirstContext().
// Errors: kUnavailable when the file cannot be read or written; kInvalidArgument when it is
// not valid JSON of the expected shape.
Result<Contexts> ReadContexts();

// Writes the file as Go's json.Encoder does (compact + "\n"), creating the directory with mode
// 0700 and the file with mode 0600 (it may hold tokens). Errors: kUnavailable.
Result<void> WriteContexts(const Contexts& contexts);

}  // namespace cloud::cli
