// `cloud apikey create|list|delete --database URL`: manages the API keys of `cloud server`
// directly in the store (like `cloud schema migrate`), so that an admin can bootstrap a key.
// Ours, not upstream. `create` prints the key once; only its SHA-256 hash is stored.
#pragma once

#include <CLI/CLI.hpp>

namespace cloud::app {

void RegisterApiKeyCommand(CLI::App& app);

}  // namespace cloud::app
