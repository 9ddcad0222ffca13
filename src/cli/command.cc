// The CLI command framework.
#include "cli/command.h"

#include <algorithm>
#include <cctype>

#include "cli/oauth.h"

namespace cloud::cli {
namespace {

bool EqualFold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

[[noreturn]] void Fail(Cli& cli, const Error& error) {
  cli.err() << "Error: " << error.message << '\n' << std::flush;
  throw CLI::RuntimeError(1);
}

void AddGroupFlags(CLI::App* app, GroupFlags& flags, GroupFlagSet set) {
  if (set == GroupFlagSet::kNone) return;
  flags.server_option =
      app->add_option("--server", flags.server,
                      "The provisioning server whose API will be queried (overrides the "
                      "context's server URL when given).")
          ->capture_default_str();
  if (set == GroupFlagSet::kServerOnly) return;
  app->add_option("--header", flags.headers,
                  "The extra headers to send in every API call towards the provisioning server. "
                  "Accepts format: HEADER_NAME=HEADER_VALUE. Use the flag multiple times to set "
                  "multiple headers.");
  app->add_flag("--dry-run", flags.dry_run,
                "When set to true, only print the API request without sending it.");
}

}  // namespace

// ---- flag sets ------------------------------------------------------------------------------

void AddTableFlags(CLI::App* cmd, TableFlags& flags) {
  cmd->add_flag("--table", flags.table,
                "Whether to display the returned output list as a table or not.");
  cmd->add_option("--custom-columns", flags.custom_columns,
                  "Custom columns for table output specified with jsonpath in form "
                  "<column_name>:<jsonpath>. Example: "
                  "--custom-columns=ID:.ID,State:.State,VPC:.ProvisionerMetadataKops.VPC")
      ->delimiter(',');
}

void AddPagingFlags(CLI::App* cmd, PagingFlags& flags) {
  cmd->add_option("--page", flags.page, "The page to fetch, starting at 0.")->capture_default_str();
  cmd->add_option("--per-page", flags.per_page, "The number of objects to fetch per page.")
      ->capture_default_str();
  cmd->add_flag("--include-deleted", flags.include_deleted, "Whether to include deleted objects.");
}

void AddWaitFlags(CLI::App* cmd, WaitFlags& flags) {
  cmd->add_flag("--wait", flags.wait,
                "Wait until the resource reaches a stable or failed state, showing progress.");
  cmd->add_option("--wait-timeout", flags.timeout,
                  "How long --wait waits before giving up (Go duration, e.g. 90s, 20m).")
      ->capture_default_str();
}

// ---- groups ---------------------------------------------------------------------------------

CommandGroup CommandGroup::Add(const std::shared_ptr<Cli>& cli, CLI::App& parent, std::string name,
                               std::string description, GroupFlagSet flag_set) {
  CLI::App* app = parent.add_subcommand(std::move(name), std::move(description));
  app->fallthrough();
  app->require_subcommand(1);
  auto flags = std::make_shared<GroupFlags>();
  AddGroupFlags(app, *flags, flag_set);
  return CommandGroup(cli, app, std::move(flags));
}

CommandGroup CommandGroup::AddGroup(std::string name, std::string description) {
  CLI::App* app = app_->add_subcommand(std::move(name), std::move(description));
  app->fallthrough();
  app->require_subcommand(1);
  return CommandGroup(cli_, app, flags_);
}

CLI::App* CommandGroup::AddCommand(std::string name, std::string description, Action action,
                                   CommandOptions options) {
  CLI::App* cmd = app_->add_subcommand(std::move(name), std::move(description));
  cmd->fallthrough();
  std::shared_ptr<Cli> cli = cli_;
  std::shared_ptr<GroupFlags> flags = flags_;
  cmd->callback([cli, flags, cmd, action = std::move(action), options] {
    std::optional<ResolvedTarget> target;
    if (options.needs_context) {
      Result<ResolvedTarget> resolved = ResolveTarget(*cli, flags.get());
      if (!resolved) Fail(*cli, resolved.error());
      target = std::move(*resolved);
    }
    CommandContext ctx(*cli, cmd, flags.get(), std::move(target));
    Result<void> result = action(ctx);
    if (!result) Fail(*cli, result.error());
  });
  return cmd;
}

// ---- command context ------------------------------------------------------------------------

CommandContext::CommandContext(Cli& cli, CLI::App* command, const GroupFlags* flags,
                               std::optional<ResolvedTarget> target)
    : cli_(cli), command_(command), flags_(flags), target_(std::move(target)) {}

client::Client& CommandContext::client() {
  if (!client_) {
    const ResolvedTarget& t = *target_;  // precondition: the command needs a context
    if (cli_.io().transport_factory) {
      client_.emplace(t.server_url, t.headers, cli_.io().transport_factory());
    } else {
      client_.emplace(t.server_url, t.headers);
    }
  }
  return *client_;
}

bool CommandContext::Changed(const std::string& name) const {
  for (CLI::App* app = command_; app != nullptr; app = app->get_parent()) {
    const CLI::Option* opt = app->get_option_no_throw("--" + name);
    if (opt != nullptr) return opt->count() > 0;
  }
  return false;
}

Result<void> CommandContext::PrintCustomTable(const model::Json& items, const TableFlags& flags) {
  CLOUD_TRY(Table table, PrepareTableData(flags.custom_columns, items));
  out() << RenderTable(table);
  return Ok();
}

Result<std::string> CommandContext::Wait(const WaitFlags& flags, WaitSpec spec,
                                         const StateGetter& get_state) {
  CLOUD_TRY(int64_t timeout_ns, ParseGoDuration(flags.timeout));
  if (timeout_ns <= 0) return InvalidArgument("--wait-timeout must be positive");
  spec.timeout_ms = timeout_ns / 1'000'000;
  WaitIo io;
  io.progress = cli_.io().err;
  io.terminal = cli_.io().err_is_terminal;
  io.clock = cli_.io().clock;
  io.sleep = cli_.io().sleep;
  return WaitForState(spec, get_state, io);
}

// ---- target resolution ----------------------------------------------------------------------

Result<void> MergeHeaders(const std::vector<std::string>& key_values,
                          client::HttpHeaders& headers) {
  for (const std::string& kv : key_values) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("invalid header \"" + kv + "\": expected KEY=VALUE");
    }
    std::string key = kv.substr(0, eq);
    std::string value = kv.substr(eq + 1);
    auto it = std::find_if(headers.begin(), headers.end(),
                           [&](const auto& h) { return EqualFold(h.first, key); });
    if (it != headers.end()) {
      it->second = std::move(value);
    } else {
      headers.emplace_back(std::move(key), std::move(value));
    }
  }
  return Ok();
}

Result<ResolvedTarget> ResolveTarget(Cli& cli, const GroupFlags* flags) {
  CLOUD_TRY(Contexts contexts, ReadContexts());
  ResolvedTarget target;
  target.context_name =
      cli.context_override.empty() ? contexts.current_context : cli.context_override;
  CliContext* context = contexts.Get(target.context_name);
  if (context == nullptr) {
    if (target.context_name.empty()) {
      return FailedPrecondition(
          "No current context set. Use 'cloud contexts set-current' to set the current "
          "context.");
    }
    return NotFound("Context '" + target.context_name + "' does not exist.");
  }
  // As upstream: a context with an OAuth2 client refreshes its expired token first and saves it.
  if (!context->client_id.empty() && context->auth_data) {
    const Clock& clock = cli.io().clock != nullptr ? *cli.io().clock : SystemClock::Instance();
    if (TokenNeedsRefresh(*context->auth_data, clock.NowMillis() / 1000)) {
      std::unique_ptr<client::HttpTransport> transport =
          cli.io().transport_factory ? cli.io().transport_factory() : client::NewCurlTransport();
      OAuthIo io{transport.get(), &clock, cli.io().sleep, nullptr};
      CLOUD_TRY(AuthorizationResponse refreshed,
                RefreshToken(context->org_url, context->client_id, *context->auth_data, io));
      context->auth_data = std::move(refreshed);
      CLOUD_TRY_VOID(WriteContexts(contexts));
    }
  }
  target.server_url = context->server_url;
  if (context->auth_data && !context->auth_data->access_token.empty()) {
    target.headers.emplace_back("Authorization", "Bearer " + context->auth_data->access_token);
  }
  if (flags != nullptr) {
    if (flags->server_option != nullptr && flags->server_option->count() > 0) {
      target.server_url = flags->server;
    }
    CLOUD_TRY_VOID(MergeHeaders(flags->headers, target.headers));
  }
  if (context->confirmation_required && !cli.yes) {
    cli.out() << "Commands against this context (URL: " << target.server_url
              << ") require confirmation. Do you want to proceed? (Y/N): " << std::flush;
    std::string answer;
    std::getline(*cli.io().in, answer);
    while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back()))) {
      answer.pop_back();
    }
    const std::string lower = Lower(answer);
    if (lower != "y" && lower != "yes") return FailedPrecondition("command aborted by user");
  } else if (!cli.yes && target.server_url.find("prod") != std::string::npos) {
    cli.err() << "Warning: running against a production server (URL: " << target.server_url
              << ")\n";
  }
  return target;
}

// ---- environment ----------------------------------------------------------------------------

std::string EnvNameForFlag(std::string_view flag_name) {
  std::string out = "CP_";
  for (char c : flag_name) {
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

void ApplyEnvFill(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    if (opt == app.get_help_ptr() || opt == app.get_help_all_ptr()) continue;
    if (!opt->get_envname().empty() || opt->get_lnames().empty()) continue;
    opt->envname(EnvNameForFlag(opt->get_lnames().front()));
  }
  for (CLI::App* sub : app.get_subcommands({})) ApplyEnvFill(*sub);
}

// ---- parsing helpers ------------------------------------------------------------------------

Result<std::optional<model::EnvVarMap>> ParseEnvVarInput(const std::vector<std::string>& raw,
                                                         bool clear) {
  if (!raw.empty() && clear) {
    return InvalidArgument(
        "both mattermost-env and mattermost-env-clear were set; use one or the other");
  }
  if (clear) return std::optional<model::EnvVarMap>(model::EnvVarMap{});
  if (raw.empty()) return std::optional<model::EnvVarMap>();
  model::EnvVarMap env;
  for (const std::string& entry : raw) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument(entry + " is not in a valid env format; expecting KEY_NAME=VALUE");
    }
    std::string key = entry.substr(0, eq);
    if (env.count(key) > 0) {
      return InvalidArgument("env var " + key + " was defined more than once");
    }
    model::EnvVar var;
    var.value = entry.substr(eq + 1);
    env.emplace(std::move(key), std::move(var));
  }
  return std::optional<model::EnvVarMap>(std::move(env));
}

Result<std::map<std::string, std::string>> ParseKeyValues(const std::vector<std::string>& raw) {
  std::map<std::string, std::string> out;
  for (const std::string& entry : raw) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      return InvalidArgument(entry + " must be formatted as key=value");
    }
    out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return out;
}

}  // namespace cloud::cli
