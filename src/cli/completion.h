// Shell completion scripts generated from the CLI11 command tree (`cloud completion bash|zsh`).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace cloud::cli {

// A bash completion script for `program`: subcommand names at each level and the flags valid
// there (own flags plus those of parent groups, which CLI11 falls through to).
std::string BashCompletionScript(CLI::App& root, std::string_view program);

// The same for zsh, through zsh's bashcompinit.
std::string ZshCompletionScript(CLI::App& root, std::string_view program);

}  // namespace cloud::cli
