// The CLI command framework every noun file (cluster_command.cc, installation_command.cc ...)
// builds on: command groups with upstream's group flags, context resolution, the API client,
// JSON/table output, --dry-run, --wait, flag helpers (spec upstream-api.md §7.1).
//
// A noun adds its commands like this:
//
//   void AddClusterCommands(Cli& cli, CLI::App& root) {
//     CommandGroup cluster = CommandGroup::Add(cli, root, "cluster",
//                                              "Manipulate clusters managed by the server.");
//     auto id = std::make_shared<std::string>();
//     CLI::App* get = cluster.AddCommand("get", "Get a particular cluster.",
//         [id](CommandContext& ctx) -> Result<void> {
//           CLOUD_TRY(auto found, ctx.client().GetCluster(*id));
//           if (found) ctx.PrintJson(*found);   // 404: prints nothing, exit 0 (upstream)
//           return Ok();
//         });
//     get->add_option("--cluster", *id, "The id of the cluster to be fetched.")->required();
//   }
//
// Errors returned by an action are printed as one line "Error: <message>" on stderr and the
// process exits with status 1 (CLI::RuntimeError(1), which CLI11 does not print).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/contexts.h"
#include "cli/output.h"
#include "cli/wait.h"
#include "client/client.h"
#include "common/clock.h"
#include "common/result.h"
#include "model/env_var.h"
#include "model/json_codec.h"
#include "model/paging.h"

namespace cloud::cli {

// Streams and environment of the CLI; tests replace them.
struct CliIo {
  std::ostream* out = &std::cout;
  std::ostream* err = &std::cerr;
  std::istream* in = &std::cin;
  bool err_is_terminal = false;               // RegisterCliCommands(app) sets it from isatty(2)
  const Clock* clock = nullptr;               // nullptr: the system clock
  std::function<void(int64_t millis)> sleep;  // empty: real sleep
  // Makes the HTTP transport of each command's client; empty: libcurl.
  std::function<std::unique_ptr<client::HttpTransport>()> transport_factory;
};

// Process-wide CLI state: streams and the root flags (--context, -y). Owned by a shared_ptr
// captured in every command callback, so it lives as long as the CLI::App.
class Cli {
 public:
  explicit Cli(CliIo io) : io_(std::move(io)) {}

  CliIo& io() { return io_; }
  std::ostream& out() { return *io_.out; }
  std::ostream& err() { return *io_.err; }

  std::string context_override;  // --context
  bool yes = false;              // -y / --y: skip confirmation prompts

 private:
  CliIo io_;
};

// Which of upstream's group flags a group declares (§7.1 "common flag sets").
enum class GroupFlagSet {
  kFull,        // --server, --header, --dry-run (setClusterFlags)
  kServerOnly,  // --server (webhook, security, events, workbench)
  kNone,        // (dashboard, login, completion)
};

// Values of the group flags.
struct GroupFlags {
  std::string server = std::string(kLocalServerUrl);
  CLI::Option* server_option = nullptr;  // to tell "given" from the default
  std::vector<std::string> headers;      // KEY=VALUE
  bool dry_run = false;
};

// What a command needs before its action runs.
struct CommandOptions {
  bool needs_context = true;  // false for contexts/completion/login: no pre-run resolution
};

// The server a command talks to, after contexts, --server and --header are applied.
struct ResolvedTarget {
  std::string context_name;
  std::string server_url;
  client::HttpHeaders headers;
};

class CommandContext;
using Action = std::function<Result<void>(CommandContext&)>;

// Table flags: --table, --custom-columns.
struct TableFlags {
  bool table = false;
  std::vector<std::string> custom_columns;
  bool Enabled() const { return table || !custom_columns.empty(); }
};

// Paging flags: --page, --per-page, --include-deleted.
struct PagingFlags {
  int64_t page = 0;
  int64_t per_page = 100;
  bool include_deleted = false;
  model::Paging ToPaging() const { return model::Paging{page, per_page, include_deleted}; }
};

// Waiting flags (our addition): --wait, --wait-timeout.
struct WaitFlags {
  bool wait = false;
  std::string timeout = "20m";
};

void AddTableFlags(CLI::App* cmd, TableFlags& flags);
void AddPagingFlags(CLI::App* cmd, PagingFlags& flags);
void AddWaitFlags(CLI::App* cmd, WaitFlags& flags);

// A command group (`cloud cluster`, `cloud cluster installation`): holds the group flags and
// creates runnable commands. Cheap to copy (shares state).
class CommandGroup {
 public:
  // Adds `name` under `parent` with the given group flags.
  static CommandGroup Add(const std::shared_ptr<Cli>& cli, CLI::App& parent, std::string name,
                          std::string description, GroupFlagSet flag_set = GroupFlagSet::kFull);

  CLI::App* app() const { return app_; }
  const std::shared_ptr<Cli>& cli() const { return cli_; }

  // A nested group sharing this group's flags (they are accepted after the nested name too).
  CommandGroup AddGroup(std::string name, std::string description);

  // A runnable command; `action` runs when it is selected, after the target is resolved.
  CLI::App* AddCommand(std::string name, std::string description, Action action,
                       CommandOptions options = {});

 private:
  CommandGroup(std::shared_ptr<Cli> cli, CLI::App* app, std::shared_ptr<GroupFlags> flags)
      : cli_(std::move(cli)), app_(app), flags_(std::move(flags)) {}

  std::shared_ptr<Cli> cli_;
  CLI::App* app_;
  std::shared_ptr<GroupFlags> flags_;
};

// Handed to an action: the resolved target, a lazily built client, output helpers.
class CommandContext {
 public:
  CommandContext(Cli& cli, CLI::App* command, const GroupFlags* flags,
                 std::optional<ResolvedTarget> target);

  // The API client for the resolved target. Precondition: the command needs a context.
  client::Client& client();
  const ResolvedTarget& target() const { return *target_; }

  std::ostream& out() { return cli_.out(); }
  std::ostream& err() { return cli_.err(); }
  std::istream& in() { return *cli_.io().in; }
  Cli& cli() { return cli_; }
  CLI::App* command() const { return command_; }

  // True when --dry-run was given on the group.
  bool dry_run() const { return flags_ != nullptr && flags_->dry_run; }

  // True when the flag was given on the command line or filled from CP_<FLAG> ("only changed
  // flags are sent"). `name` without dashes, e.g. "allow-installations".
  bool Changed(const std::string& name) const;

  // Prints JSON with 4-space indent and a trailing newline.
  void PrintJsonValue(const model::Json& value) { out() << IndentJson(value); }
  template <class T>
  void PrintJson(const T& value) {
    PrintJsonValue(model::ToJson(value));
  }

  // --dry-run: prints the request that would be sent and returns true; the action then returns
  // without contacting the server.
  template <class Req>
  bool DryRun(const Req& request) {
    if (!dry_run()) return false;
    PrintJson(request);
    return true;
  }

  // Prints a list: as a table when --table/--custom-columns are set (custom columns evaluated
  // on the JSON of each item, otherwise `default_table`), else as JSON.
  // Errors: kInvalidArgument for bad custom columns.
  template <class T>
  Result<void> PrintList(const std::vector<T>& items, const TableFlags& flags,
                         const std::function<Table(const std::vector<T>&)>& default_table) {
    if (!flags.Enabled()) {
      PrintJson(items);
      return Ok();
    }
    if (!flags.custom_columns.empty() || !default_table) {
      return PrintCustomTable(model::ToJson(items), flags);
    }
    out() << RenderTable(default_table(items));
    return Ok();
  }
  Result<void> PrintCustomTable(const model::Json& items, const TableFlags& flags);

  // --wait: polls until the spec's target state, drawing progress on stderr.
  // Errors: as WaitForState; kInvalidArgument for a bad --wait-timeout.
  Result<std::string> Wait(const WaitFlags& flags, WaitSpec spec, const StateGetter& get_state);

 private:
  Cli& cli_;
  CLI::App* command_;
  const GroupFlags* flags_;
  std::optional<ResolvedTarget> target_;
  std::optional<client::Client> client_;
};

// Picks the context (--context or current), applies --server (when given) and --header (added
// to the context's bearer token; a header of the same name replaces it), asks for confirmation
// when the context requires it and -y is not set, warns about "prod" URLs.
// Errors: kNotFound "Context '<name>' does not exist."; kFailedPrecondition "No current context
// set..."; kInvalidArgument for a header without '='; kFailedPrecondition "aborted" when the
// confirmation is refused; errors of ReadContexts.
Result<ResolvedTarget> ResolveTarget(Cli& cli, const GroupFlags* flags);

// Merges --header KEY=VALUE values into `headers` (same name, case-insensitive, replaces).
// Errors: kInvalidArgument "invalid header ... expected KEY=VALUE".
Result<void> MergeHeaders(const std::vector<std::string>& key_values, client::HttpHeaders& headers);

// CP_<FLAG> for a flag name: "deploy-minio-operator" → "CP_DEPLOY_MINIO_OPERATOR".
std::string EnvNameForFlag(std::string_view flag_name);

// Sets CP_<FLAG> as the environment source of every long option of `app` and its subcommands
// that has none (upstream populateEnv: flags not given are filled from the environment).
void ApplyEnvFill(CLI::App& app);

// upstream parseEnvVarInput: KEY=VALUE list → map; `clear` → an empty map (wipe); nothing →
// nullopt. Errors: kInvalidArgument for both, a missing '=' or key, or a duplicate key.
Result<std::optional<model::EnvVarMap>> ParseEnvVarInput(const std::vector<std::string>& raw,
                                                         bool clear);

// KEY=VALUE pairs (string-to-string flags such as --argocd-register). Errors: kInvalidArgument.
Result<std::map<std::string, std::string>> ParseKeyValues(const std::vector<std::string>& raw);

}  // namespace cloud::cli
