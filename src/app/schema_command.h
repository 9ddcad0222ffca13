// `cloud schema migrate --database URL`: applies the pending schema migrations and prints each
// step (spec upstream-api.md §7.2; store/migrations.h).
#pragma once

#include <CLI/CLI.hpp>

namespace cloud::app {

void RegisterSchemaCommand(CLI::App& app);

}  // namespace cloud::app
