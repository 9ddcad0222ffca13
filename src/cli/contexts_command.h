// `cloud contexts list|get|create|delete|set-current (use)|update`.
#pragma once

#include <memory>

#include "cli/command.h"

namespace cloud::cli {

void AddContextsCommands(const std::shared_ptr<Cli>& cli, CLI::App& root);

}  // namespace cloud::cli
