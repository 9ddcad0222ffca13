// Registration of the CLI command tree.
#include "cli/cli.h"

#include <unistd.h>

#include <algorithm>

#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/contexts_command.h"

namespace cloud::cli {
namespace {

CLI::App& RootOf(CLI::App* app) {
  while (app->get_parent() != nullptr) app = app->get_parent();
  return *app;
}

void AddCompletionCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup group =
      CommandGroup::Add(cli, root, "completion",
                        "Generates shell completion scripts (bash or zsh).", GroupFlagSet::kNone);
  const CommandOptions no_context{.needs_context = false};
  group.AddCommand(
      "bash", "Generates the bash completion script.",
      [](CommandContext& ctx) -> Result<void> {
        ctx.out() << BashCompletionScript(RootOf(ctx.command()), "cloud");
        return Ok();
      },
      no_context);
  group.AddCommand(
      "zsh", "Generates the zsh completion script.",
      [](CommandContext& ctx) -> Result<void> {
        ctx.out() << ZshCompletionScript(RootOf(ctx.command()), "cloud");
        return Ok();
      },
      no_context);
}

}  // namespace

std::shared_ptr<Cli> RegisterCliCommands(CLI::App& app) {
  CliIo io;
  io.err_is_terminal = isatty(STDERR_FILENO) == 1;
  return RegisterCliCommands(app, std::move(io));
}

std::shared_ptr<Cli> RegisterCliCommands(CLI::App& app, CliIo io) {
  auto cli = std::make_shared<Cli>(std::move(io));
  app.add_option("--context", cli->context_override,
                 "Override the current context for this command.");
  app.add_flag("-y,--y", cli->yes, "Skip confirmation prompts.");
  // Subcommands created after this inherit it, so root flags are accepted after them too.
  app.fallthrough();
  // `cli` (which the root options above write to) stays alive through the shared_ptr copies
  // held by every command callback, i.e. as long as `app`.

  AddContextsCommands(cli, app);
  AddLoginCommand(cli, app);
  AddNounCommands(cli, app);
  AddCompletionCommands(cli, app);

  ApplyEnvFill(app);
  return cli;
}

int RunCli(CLI::App& app, const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err) {
  std::vector<std::string> reversed(args.begin() + (args.empty() ? 0 : 1), args.end());
  std::reverse(reversed.begin(), reversed.end());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err);
  }
  return 0;
}

}  // namespace cloud::cli
