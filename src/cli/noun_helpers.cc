// Helpers shared by the per-noun command files.
#include "cli/noun_helpers.h"

#include <ctime>

#include "cli/wait.h"
#include "common/clock.h"
#include "model/cluster_states.h"
#include "model/installation_states.h"

namespace cloud::cli {
namespace {

std::string WithDashes(const std::string& name) {
  return name.rfind("--", 0) == 0 ? name : "--" + name;
}

[[noreturn]] void FailCommand(Cli& cli, const Error& error) {
  cli.err() << "Error: " << error.message << '\n' << std::flush;
  throw CLI::RuntimeError(1);
}

// The group flags (--server, --header, --dry-run) as declared on the nearest parent group.
GroupFlags GroupFlagsOf(CLI::App* app) {
  GroupFlags flags;
  for (CLI::App* a = app; a != nullptr; a = a->get_parent()) {
    CLI::Option* server = a->get_option_no_throw("--server");
    if (server == nullptr) continue;
    flags.server_option = server;
    if (server->count() > 0) flags.server = server->as<std::string>();
    if (CLI::Option* header = a->get_option_no_throw("--header");
        header != nullptr && header->count() > 0) {
      flags.headers = header->as<std::vector<std::string>>();
    }
    if (CLI::Option* dry = a->get_option_no_throw("--dry-run"); dry != nullptr) {
      flags.dry_run = dry->count() > 0 && dry->as<bool>();
    }
    break;
  }
  return flags;
}

}  // namespace

CLI::Option* AddStringArray(CLI::App* cmd, const std::string& name, std::vector<std::string>& out,
                            const std::string& description) {
  return cmd->add_option(WithDashes(name), out, description)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

CLI::Option* AddStringSlice(CLI::App* cmd, const std::string& name, std::vector<std::string>& out,
                            const std::string& description) {
  return AddStringArray(cmd, name, out, description)->delimiter(',');
}

CLI::Option* AddStringToString(CLI::App* cmd, const std::string& name,
                               std::vector<std::string>& out, const std::string& description) {
  return AddStringSlice(cmd, name, out, description);
}

CLI::Option* AddDuration(CLI::App* cmd, const std::string& name, std::string& out,
                         const std::string& description) {
  return cmd->add_option(WithDashes(name), out, description)->capture_default_str();
}

Result<int64_t> DurationFlagNanos(std::string_view flag, std::string_view value) {
  Result<int64_t> nanos = ParseGoDuration(value);
  if (!nanos) {
    return InvalidArgument("invalid argument \"" + std::string(value) + "\" for \"--" +
                           std::string(flag) + "\" flag: " + nanos.error().message);
  }
  return nanos;
}

void Require(CLI::App* cmd, const std::string& name) {
  cmd->get_option(WithDashes(name))->required();
}

std::string FormatTableTime(int64_t millis) {
  const time_t seconds = static_cast<time_t>(millis / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[96];
  const size_t n = std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S %z %Z", &local);
  return std::string(buffer, n);
}

int64_t NowMillis(CommandContext& ctx) {
  const Clock* clock = ctx.cli().io().clock;
  return clock != nullptr ? clock->NowMillis() : SystemClock::Instance().NowMillis();
}

Result<void> WaitForCluster(CommandContext& ctx, const WaitFlags& flags, const std::string& id,
                            WaitGoal goal) {
  if (!flags.wait) return Ok();
  WaitSpec spec;
  spec.resource = "cluster";
  spec.id = id;
  if (goal == WaitGoal::kDeleted) {
    spec.target_states = {"deleted"};
    spec.not_found_is_target = true;
    spec.failed_states = {"deletion-failed"};
  } else {
    spec.target_states = {"stable"};
    spec.failed_states = {
        "creation-failed", "provisioning-failed",        "upgrade-failed",
        "resize-failed",   "nodegroups-creation-failed", "nodegroups-deletion-failed",
        "deletion-failed"};
  }
  CLOUD_TRY(std::string final_state,
            ctx.Wait(flags, spec, [&ctx, id]() -> Result<std::optional<std::string>> {
              CLOUD_TRY(std::optional<model::ClusterDTO> found, ctx.client().GetCluster(id));
              if (!found) return std::optional<std::string>();
              return std::optional<std::string>(std::string(ToString(found->cluster.state)));
            }));
  (void)final_state;
  return Ok();
}

Result<void> WaitForInstallation(CommandContext& ctx, const WaitFlags& flags, const std::string& id,
                                 WaitGoal goal) {
  if (!flags.wait) return Ok();
  WaitSpec spec;
  spec.resource = "installation";
  spec.id = id;
  switch (goal) {
    case WaitGoal::kDeleted:
      spec.target_states = {"deletion-pending", "deleted"};
      spec.not_found_is_target = true;
      spec.failed_states = {"deletion-failed"};
      break;
    case WaitGoal::kHibernating:
      spec.target_states = {"hibernating"};
      spec.failed_states = {"update-failed"};
      break;
    case WaitGoal::kStable:
      spec.target_states = {"stable"};
      spec.failed_states = {"creation-failed", "update-failed", "deletion-failed",
                            "db-restoration-failed", "db-migration-failed"};
      break;
  }
  CLOUD_TRY(std::string final_state,
            ctx.Wait(flags, spec, [&ctx, id]() -> Result<std::optional<std::string>> {
              CLOUD_TRY(std::optional<model::InstallationDTO> found,
                        ctx.client().GetInstallation(id));
              if (!found) return std::optional<std::string>();
              return std::optional<std::string>(std::string(ToString(found->installation.state)));
            }));
  (void)final_state;
  return Ok();
}

void MakeGroupRunnable(const CommandGroup& group, Action action, CommandOptions options) {
  CLI::App* app = group.app();
  app->require_subcommand(0, 1);
  std::shared_ptr<Cli> cli = group.cli();
  app->callback([cli, app, action = std::move(action), options] {
    if (!app->get_subcommands().empty()) return;  // a sub-command ran instead
    GroupFlags flags = GroupFlagsOf(app);
    std::optional<ResolvedTarget> target;
    if (options.needs_context) {
      Result<ResolvedTarget> resolved = ResolveTarget(*cli, &flags);
      if (!resolved) FailCommand(*cli, resolved.error());
      target = std::move(*resolved);
    }
    CommandContext ctx(*cli, app, &flags, std::move(target));
    Result<void> result = action(ctx);
    if (!result) FailCommand(*cli, result.error());
  });
}

Action NotSupportedAction(std::string command_path, std::string reason) {
  return [command_path = std::move(command_path),
          reason = std::move(reason)](CommandContext&) -> Result<void> {
    return FailedPrecondition("'" + command_path + "' is not supported by this CLI: " + reason);
  };
}

}  // namespace cloud::cli
