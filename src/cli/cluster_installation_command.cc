// `cloud cluster installation ...` (upstream cmd/cloud/cluster_installation.go and
// cluster_installation_flag.go; spec upstream-api.md §7.2).
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "model/cluster_installation.h"

namespace cloud::cli {
namespace {

// strings.Split(text, " ").
std::vector<std::string> SplitSpaces(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t space = text.find(' ', start);
    out.push_back(text.substr(start, space - start));
    if (space == std::string::npos) break;
    start = space + 1;
  }
  return out;
}

// {"A": {"B": value}} for key "A.B".
model::Json NestedConfig(const std::string& key, const std::string& value) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  model::Json leaf = value;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    model::Json wrapper = model::Json::object();
    wrapper[*it] = std::move(leaf);
    leaf = std::move(wrapper);
  }
  return leaf;
}

Table DefaultClusterInstallationTable(const std::vector<model::ClusterInstallation>& items) {
  Table table;
  table.headers = {"ID", "STATE", "INSTALLATION ID", "CLUSTER ID"};
  for (const model::ClusterInstallation& ci : items) {
    table.rows.push_back(
        {ci.id, std::string(ToString(ci.state)), ci.installation_id, ci.cluster_id});
  }
  return table;
}

void AddExecCommand(CommandGroup& group, const std::string& name, const std::string& description,
                    const std::string& command_help, bool mattermost) {
  struct Flags {
    std::string cluster_installation;
    std::string command;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      group.AddCommand(name, description, [f, mattermost](CommandContext& ctx) -> Result<void> {
        const std::vector<std::string> args = SplitSpaces(f->command);
        Result<client::ExecOutput> output =
            mattermost
                ? ctx.client().RunMattermostCLICommandOnClusterInstallation(f->cluster_installation,
                                                                            args)
                : ctx.client().ExecClusterInstallationCLI(f->cluster_installation, "mmctl", args);
        if (!output) {
          ctx.out() << "\n";
          return output.error().WithContext("failed to run mattermost CLI command");
        }
        ctx.out() << output->output << "\n";
        if (output->error) {
          return output->error->WithContext("failed to run mattermost CLI command");
        }
        return Ok();
      });
  cmd->add_option("--cluster-installation", f->cluster_installation,
                  "The id of the cluster installation.")
      ->required();
  cmd->add_option("--command", f->command, command_help)->required();
}

void AddMigration(CommandGroup& ci) {
  CommandGroup migration =
      ci.AddGroup("migration", "Migrate installation(s) to the target cluster.");
  struct Flags {
    std::string installation;
    std::string source_cluster;
    std::string target_cluster;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* app = migration.app();
  app->add_option("--installation", f->installation,
                  "The specific installation ID to migrate from source cluster, default is ALL.");
  app->add_option("--source-cluster", f->source_cluster,
                  "The source cluster for the migration to migrate cluster installations from.");
  app->add_option("--target-cluster", f->target_cluster,
                  "The target cluster for the migration to migrate cluster installation to.");
  MakeGroupRunnable(migration, [f](CommandContext& ctx) -> Result<void> {
    // Required only when the migration itself runs (cobra flags are per command).
    if (f->source_cluster.empty()) return InvalidArgument("--source-cluster is required");
    if (f->target_cluster.empty()) return InvalidArgument("--target-cluster is required");
    model::MigrateClusterInstallationRequest request;
    request.source_cluster_id = f->source_cluster;
    request.target_cluster_id = f->target_cluster;
    request.installation_id = f->installation;
    request.dns_switch = false;
    request.lock_installation = false;
    Result<model::MigrateClusterInstallationResponse> response =
        ctx.client().MigrateClusterInstallation(request);
    if (!response) {
      return response.error().WithContext("failed to migrate cluster installation(s)");
    }
    ctx.PrintJson(*response);
    return Ok();
  });

  struct DnsFlags {
    std::string installation;
    std::string source_cluster;
    std::string target_cluster;
    bool lock_installation = true;
  };
  auto d = std::make_shared<DnsFlags>();
  CLI::App* dns = migration.AddCommand(
      "dns", "Switch over the DNS CNAME record(s) to the target cluster's Load Balancer.",
      [d](CommandContext& ctx) -> Result<void> {
        model::MigrateClusterInstallationRequest request;
        request.source_cluster_id = d->source_cluster;
        request.target_cluster_id = d->target_cluster;
        request.installation_id = d->installation;
        request.lock_installation = d->lock_installation;
        Result<model::MigrateClusterInstallationResponse> response =
            ctx.client().MigrateDNS(request);
        if (!response) return response.error().WithContext("failed to perform DNS switch");
        ctx.PrintJson(*response);
        return Ok();
      });
  dns->add_option("--installation", d->installation,
                  "The specific installation ID to migrate from source cluster, default is ALL.");
  dns->add_option("--source-cluster", d->source_cluster,
                  "The source cluster for the migration to switch CNAME(s) from.")
      ->required();
  dns->add_option("--target-cluster", d->target_cluster,
                  "The target cluster for the migration to switch CNAME to.")
      ->required();
  dns->add_flag("--lock-installation", d->lock_installation,
                "The installation's lock flag during DNS migration process.")
      ->capture_default_str();

  struct DeleteFlags {
    std::string cluster;
    std::string cluster_installation;
  };
  auto del = std::make_shared<DeleteFlags>();
  CLI::App* del_cmd = migration.AddCommand(
      "delete", "Delete stale cluster installation(s) after migration.",
      [del](CommandContext& ctx) -> Result<void> {
        if (!del->cluster_installation.empty()) {
          Result<model::ClusterInstallation> deleted =
              ctx.client().DeleteInActiveClusterInstallationByID(del->cluster_installation);
          if (!deleted) {
            return deleted.error().WithContext("failed to delete inactive cluster installations");
          }
          ctx.PrintJson(*deleted);
          return Ok();
        }
        if (!del->cluster.empty()) {
          Result<model::MigrateClusterInstallationResponse> response =
              ctx.client().DeleteInActiveClusterInstallationsByCluster(del->cluster);
          if (!response) {
            return response.error().WithContext("failed to delete inactive cluster installations");
          }
          ctx.PrintJson(*response);
        }
        return Ok();
      });
  del_cmd
      ->add_option("--cluster", del->cluster,
                   "The cluster ID to delete stale cluster installations from.")
      ->required();
  del_cmd->add_option("--cluster-installation", del->cluster_installation,
                      "The id of the cluster installation.");

  struct SwitchFlags {
    std::string source_cluster;
    std::string target_cluster;
  };
  auto s = std::make_shared<SwitchFlags>();
  CLI::App* sw = migration.AddCommand(
      "switch-cluster", "Mark the target/secondary cluster as primary cluster.",
      [s](CommandContext& ctx) -> Result<void> {
        model::MigrateClusterInstallationRequest request;
        request.source_cluster_id = s->source_cluster;
        request.target_cluster_id = s->target_cluster;
        Result<model::MigrateClusterInstallationResponse> response =
            ctx.client().SwitchClusterRoles(request);
        if (!response) return response.error().WithContext("failed to switch cluster roles");
        ctx.PrintJson(*response);
        return Ok();
      });
  sw->add_option("--source-cluster", s->source_cluster,
                 "The source cluster to be mark as secondary cluster.")
      ->required();
  sw->add_option("--target-cluster", s->target_cluster,
                 "The target cluster to be mark as primary cluster.")
      ->required();
}

}  // namespace

void AddClusterInstallationCommands(CommandGroup& cluster) {
  CommandGroup ci = cluster.AddGroup(
      "installation", "Manipulate cluster installations managed by the provisioning server.");

  auto get_id = std::make_shared<std::string>();
  CLI::App* get =
      ci.AddCommand("get", "Get a particular cluster installation.",
                    [get_id](CommandContext& ctx) -> Result<void> {
                      Result<std::optional<model::ClusterInstallation>> found =
                          ctx.client().GetClusterInstallation(*get_id);
                      if (!found)
                        return found.error().WithContext("failed to query cluster installation");
                      if (*found) ctx.PrintJson(**found);
                      return Ok();
                    });
  get->add_option("--cluster-installation", *get_id,
                  "The id of the cluster installation to be fetched.")
      ->required();

  struct ListFlags {
    PagingFlags paging;
    TableFlags table;
    std::string cluster;
    std::string installation;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list = ci.AddCommand(
      "list", "List created cluster installations.", [l](CommandContext& ctx) -> Result<void> {
        client::GetClusterInstallationsRequest request;
        request.paging = l->paging.ToPaging();
        request.cluster_id = l->cluster;
        request.installation_id = l->installation;
        Result<std::vector<model::ClusterInstallation>> items =
            ctx.client().GetClusterInstallations(request);
        if (!items) return items.error().WithContext("failed to query cluster installations");
        return ctx.PrintList<model::ClusterInstallation>(*items, l->table,
                                                         DefaultClusterInstallationTable);
      });
  AddPagingFlags(list, l->paging);
  AddTableFlags(list, l->table);
  list->add_option("--cluster", l->cluster,
                   "The cluster by which to filter cluster installations.");
  list->add_option("--installation", l->installation,
                   "The installation by which to filter cluster installations.");

  CommandGroup config =
      ci.AddGroup("config", "Manipulate a particular cluster installation's config.");
  auto config_id = std::make_shared<std::string>();
  CLI::App* config_get = config.AddCommand(
      "get", "Get a particular cluster installation's config.",
      [config_id](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::Json>> found =
            ctx.client().GetClusterInstallationConfig(*config_id);
        if (!found) {
          return found.error().WithContext("failed to query cluster installation config");
        }
        if (*found) ctx.PrintJsonValue(**found);
        return Ok();
      });
  config_get
      ->add_option("--cluster-installation", *config_id, "The id of the cluster installation.")
      ->required();

  struct SetFlags {
    std::string cluster_installation;
    std::string key;
    std::string value;
  };
  auto s = std::make_shared<SetFlags>();
  CLI::App* config_set = config.AddCommand(
      "set", "Set a particular cluster installation's config.",
      [s](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().SetClusterInstallationConfig(s->cluster_installation,
                                                                   NestedConfig(s->key, s->value));
        if (!r) return r.error().WithContext("failed to modify cluster installation config");
        return Ok();
      });
  config_set
      ->add_option("--cluster-installation", s->cluster_installation,
                   "The id of the cluster installation.")
      ->required();
  config_set
      ->add_option("--key", s->key,
                   "The configuration key to update (e.g. ServiceSettings.SiteURL).")
      ->required();
  config_set->add_option("--value", s->value, "The value to write to the config.")->required();

  auto status_id = std::make_shared<std::string>();
  CLI::App* status =
      ci.AddCommand("status", "Get the status of a particular cluster installation.",
                    [status_id](CommandContext& ctx) -> Result<void> {
                      Result<model::ClusterInstallationStatus> found =
                          ctx.client().GetClusterInstallationStatus(*status_id);
                      if (!found)
                        return found.error().WithContext("failed to query cluster installation");
                      ctx.PrintJson(*found);
                      return Ok();
                    });
  status->add_option("--cluster-installation", *status_id, "The id of the cluster installation.")
      ->required();

  AddExecCommand(ci, "mmctl", "Run a mmctl command on a cluster installation",
                 "The mmctl subcommand to run.", false);
  AddExecCommand(ci, "mattermost-cli", "Run a mattermost CLI command on a cluster installation",
                 "The Mattermost CLI subcommand to run.", true);

  auto pprof_id = std::make_shared<std::string>();
  CLI::App* pprof = ci.AddCommand(
      "pprof", "Gather pprof data from a cluster installation",
      [pprof_id](CommandContext& ctx) -> Result<void> {
        Result<client::ExecOutput> output = ctx.client().ExecClusterInstallationPPROF(*pprof_id);
        if (!output) return output.error().WithContext("failed to run mattermost CLI command");
        if (output->error) {
          return output->error->WithContext("failed to run mattermost CLI command");
        }
        const time_t now = static_cast<time_t>(NowMillis(ctx) / 1000);
        std::tm local{};
        localtime_r(&now, &local);
        char stamp[64];
        const size_t n = std::strftime(stamp, sizeof(stamp), "%Y-%m-%d.%H-%M-%S.%Z", &local);
        const std::string filename = *pprof_id + "." + std::string(stamp, n) + ".prof.zip";
        std::ofstream file(filename, std::ios::binary | std::ios::trunc);
        file << output->output;
        file.close();
        if (!file) return Internal("failed to save debug zip: cannot write " + filename);
        ctx.out() << "Debug data saved to " << filename << "\n";
        return Ok();
      });
  pprof->add_option("--cluster-installation", *pprof_id, "The id of the cluster installation.")
      ->required();

  AddMigration(ci);
}

}  // namespace cloud::cli
