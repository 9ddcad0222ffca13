// `cloud contexts ...`: manage the contexts file (upstream cmd/cloud/contexts.go).
#include "cli/contexts_command.h"

#include <memory>

#include "cli/noun_helpers.h"
#include "cli/oauth.h"

namespace cloud::cli {
namespace {

void PrintContext(std::ostream& out, const CliContext& context) {
  out << "  Server URL: " << context.server_url << "\n";
  out << "  Client ID: " << context.client_id << "\n";
  out << "  Org URL: " << context.org_url << "\n";
}

Error NotFoundContext(const std::string& name) {
  return NotFound("context '" + name + "' not found");
}

// Runs the OAuth2 device-code flow for `context` and stores the tokens in it.
Result<void> LoginInto(Cli& cli, std::ostream& out, CliContext& context) {
  if (context.client_id.empty() || context.org_url.empty()) {
    return FailedPrecondition(
        "the context needs a client ID and an org URL to log in: set them with `cloud contexts "
        "update --client-id ... --org-url ...`");
  }
  std::unique_ptr<client::HttpTransport> transport =
      cli.io().transport_factory ? cli.io().transport_factory() : client::NewCurlTransport();
  OAuthIo io{transport.get(), cli.io().clock, cli.io().sleep, &out};
  CLOUD_TRY(AuthorizationResponse token, DeviceLogin(context.org_url, context.client_id, io));
  context.auth_data = std::move(token);
  out << "Logged in.\n";
  return Ok();
}

struct CreateFlags {
  std::string client_id;
  std::string org_url;
  bool skip_auth = false;
  std::string alias;
  std::string server_url;
};

void AddCreateFlags(CLI::App* cmd, CreateFlags& f) {
  cmd->add_option("--client-id", f.client_id, "OAuth2 Client ID for the context");
  cmd->add_option("--org-url", f.org_url, "Organization URL for the context");
  cmd->add_flag("--skip-auth", f.skip_auth, "Skips kicking off authentication for this context");
  cmd->add_option("--alias", f.alias, "Alias for the context, defaults to server URL");
  cmd->add_option("--server-url", f.server_url, "Server URL for the context");
}

}  // namespace

void AddContextsCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup group =
      CommandGroup::Add(cli, root, "contexts", "Manipulate local contexts for the Cloud CLI");
  const CommandOptions no_context{.needs_context = false};

  group.AddCommand(
      "list", "List all contexts.",
      [](CommandContext& ctx) -> Result<void> {
        CLOUD_TRY(Contexts contexts, ReadContexts());
        if (!contexts.contexts) return Ok();
        for (const auto& [name, context] : *contexts.contexts) {  // sorted by name
          ctx.out() << name << (name == contexts.current_context ? " (current)" : "") << "\n";
          PrintContext(ctx.out(), context);
        }
        return Ok();
      },
      no_context);

  auto get_name = std::make_shared<std::string>();
  CLI::App* get = group.AddCommand(
      "get", "Get details of a specific context.",
      [get_name](CommandContext& ctx) -> Result<void> {
        CLOUD_TRY(Contexts contexts, ReadContexts());
        const CliContext* context = contexts.Get(*get_name);
        if (context == nullptr) return NotFoundContext(*get_name);
        ctx.out() << "Name: " << *get_name << "\n";
        PrintContext(ctx.out(), *context);
        return Ok();
      },
      no_context);
  get->add_option("context-name", *get_name, "The context to show.")->required();

  auto create = std::make_shared<CreateFlags>();
  CLI::App* create_cmd = group.AddCommand(
      "create", "Create a new context.",
      [create](CommandContext& ctx) -> Result<void> {
        const std::string name = create->alias.empty() ? create->server_url : create->alias;
        CLOUD_TRY(Contexts contexts, ReadContexts());
        if (contexts.Get(name) != nullptr) {
          return AlreadyExists("context '" + name + "' already exists");
        }
        CliContext context;
        context.client_id = create->client_id;
        context.org_url = create->org_url;
        context.alias = create->alias;
        context.server_url = create->server_url;
        if (!create->skip_auth && !create->client_id.empty() && !create->org_url.empty()) {
          CLOUD_TRY_VOID(LoginInto(ctx.cli(), ctx.out(), context));
        }
        if (!contexts.contexts) contexts.contexts.emplace();
        (*contexts.contexts)[name] = std::move(context);
        contexts.current_context = name;
        return WriteContexts(contexts);
      },
      no_context);
  AddCreateFlags(create_cmd, *create);
  create_cmd->get_option("--server-url")->required();

  auto delete_name = std::make_shared<std::string>();
  CLI::App* del = group.AddCommand(
      "delete", "Delete a context.",
      [delete_name](CommandContext&) -> Result<void> {
        CLOUD_TRY(Contexts contexts, ReadContexts());
        if (contexts.Get(*delete_name) == nullptr) return NotFoundContext(*delete_name);
        contexts.contexts->erase(*delete_name);
        if (contexts.contexts->empty()) {
          contexts.current_context.clear();
        } else if (*delete_name == contexts.current_context) {
          // upstream picks an arbitrary remaining context; we pick the first by name.
          contexts.current_context = contexts.contexts->begin()->first;
        }
        return WriteContexts(contexts);
      },
      no_context);
  del->add_option("--context", *delete_name, "Name of the context to delete")->required();

  auto set_name = std::make_shared<std::string>();
  CLI::App* set = group.AddCommand(
      "set-current", "Set the current context.",
      [set_name](CommandContext&) -> Result<void> {
        CLOUD_TRY(Contexts contexts, ReadContexts());
        if (contexts.Get(*set_name) == nullptr) return NotFoundContext(*set_name);
        contexts.current_context = *set_name;
        return WriteContexts(contexts);
      },
      no_context);
  set->alias("use");
  set->add_option("context-name", *set_name, "The context to make current.")->required();

  struct UpdateFlags {
    CreateFlags base;
    std::string context;
    bool clear_auth = false;
    bool confirmation_required = false;
  };
  auto update = std::make_shared<UpdateFlags>();
  CLI::App* update_cmd = group.AddCommand(
      "update", "Update a context.",
      [update](CommandContext& ctx) -> Result<void> {
        CLOUD_TRY(Contexts contexts, ReadContexts());
        CliContext* context = contexts.Get(update->context);
        if (context == nullptr) return NotFoundContext(update->context);
        const CreateFlags& f = update->base;
        if (!f.server_url.empty()) context->server_url = f.server_url;
        if (!f.client_id.empty()) context->client_id = f.client_id;
        if (!f.org_url.empty()) context->org_url = f.org_url;
        if (!f.alias.empty()) context->alias = f.alias;
        if (!f.skip_auth && !update->clear_auth && !f.client_id.empty() && !f.org_url.empty()) {
          CLOUD_TRY_VOID(LoginInto(ctx.cli(), ctx.out(), *context));
        }
        if (update->clear_auth) {
          context->auth_data.reset();
          context->client_id.clear();
          context->org_url.clear();
        }
        // Always written, as upstream: omitting the flag turns confirmation off.
        context->confirmation_required = update->confirmation_required;
        return WriteContexts(contexts);
      },
      no_context);
  AddCreateFlags(update_cmd, update->base);
  update_cmd->add_option("--context", update->context, "Name of the context to update")->required();
  update_cmd->add_flag("--clear-auth", update->clear_auth,
                       "Turns off authentication for this context");
  update_cmd->add_flag("--confirmation-required", update->confirmation_required,
                       "Require confirmation before running commands against this context");
}

void AddLoginCommand(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup login =
      CommandGroup::Add(cli, root, "login",
                        "Log in to the provisioner with the context's OAuth2 client (device code).",
                        GroupFlagSet::kNone);
  MakeGroupRunnable(
      login,
      [](CommandContext& ctx) -> Result<void> {
        CLOUD_TRY(Contexts contexts, ReadContexts());
        const std::string name = ctx.cli().context_override.empty() ? contexts.current_context
                                                                    : ctx.cli().context_override;
        CliContext* context = contexts.Get(name);
        if (context == nullptr) return NotFoundContext(name);
        CLOUD_TRY_VOID(LoginInto(ctx.cli(), ctx.out(), *context));
        return WriteContexts(contexts);
      },
      CommandOptions{.needs_context = false});
}

}  // namespace cloud::cli
