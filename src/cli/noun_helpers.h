// Helpers shared by the per-noun command files (cluster_command.cc, installation_command.cc ...):
// cobra-like flag kinds (StringArray, StringSlice, StringToString, Duration), upstream's table
// timestamp format, --wait for clusters and installations, and runnable command groups
// (`cloud cluster installation migration` runs and has sub-commands).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"
#include "common/result.h"

namespace cloud::cli {

// cobra StringArray: repeatable, one value per occurrence, commas kept.
CLI::Option* AddStringArray(CLI::App* cmd, const std::string& name, std::vector<std::string>& out,
                            const std::string& description);
// cobra StringSlice: repeatable, each value split on ','.
CLI::Option* AddStringSlice(CLI::App* cmd, const std::string& name, std::vector<std::string>& out,
                            const std::string& description);
// cobra StringToString: repeatable KEY=VALUE pairs, each value split on ','. Parse the raw
// values with ParseKeyValues.
CLI::Option* AddStringToString(CLI::App* cmd, const std::string& name,
                               std::vector<std::string>& out, const std::string& description);
// cobra Duration: a Go duration string ("0", "90s", "2h"); parse with DurationFlagNanos.
CLI::Option* AddDuration(CLI::App* cmd, const std::string& name, std::string& out,
                         const std::string& description);
// Nanoseconds of a Go duration flag value. Errors: kInvalidArgument naming the flag.
Result<int64_t> DurationFlagNanos(std::string_view flag, std::string_view value);

// Marks `name` required on `cmd` (cobra MarkFlagRequired).
void Require(CLI::App* cmd, const std::string& name);

// Go time.Format("2006-01-02 15:04:05 -0700 MST") of Unix milliseconds in the local zone.
std::string FormatTableTime(int64_t millis);

// The current time in Unix milliseconds (the CLI's clock when tests inject one).
int64_t NowMillis(CommandContext& ctx);

// What a --wait follows.
enum class WaitGoal {
  kStable,       // create/update/provision/upgrade/resize/wake-up/cancel-deletion
  kHibernating,  // hibernate
  kDeleted,      // delete (clusters: deleted; installations: deletion-pending or deleted)
};

// Follows a cluster / installation until the goal or a failed state, when --wait was given.
Result<void> WaitForCluster(CommandContext& ctx, const WaitFlags& flags, const std::string& id,
                            WaitGoal goal);
Result<void> WaitForInstallation(CommandContext& ctx, const WaitFlags& flags, const std::string& id,
                                 WaitGoal goal);

// A command group that is also runnable (cobra command with RunE and sub-commands): `action`
// runs when no sub-command is given, with the group flags found on the parents of `group`.
void MakeGroupRunnable(const CommandGroup& group, Action action, CommandOptions options = {});

// An action for commands upstream implements with local tools (kops, terraform, AWS, direct
// database access) or an endless terminal UI: fails with kFailedPrecondition naming the
// command.
Action NotSupportedAction(std::string command_path, std::string reason);

}  // namespace cloud::cli
