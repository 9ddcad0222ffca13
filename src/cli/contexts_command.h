// `cloud contexts list|get|create|delete|set-current (use)|update`, and `cloud login`.
#pragma once

#include <memory>

#include "cli/command.h"

namespace cloud::cli {

void AddContextsCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);

// `cloud login`: the OAuth2 device-code flow for the current (or --context) context.
void AddLoginCommand(const std::shared_ptr<Cli>& cli, CLI::App& root);

}  // namespace cloud::cli
