// `cloud installation ...` (upstream cmd/cloud/installation.go, installation_flag.go,
// installation_annotation.go, installation_dns.go, installation_operation.go; spec
// upstream-api.md §7.2). Backups, restorations and DB migrations live in their own files.
#include <algorithm>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "model/installation.h"
#include "model/installation_requests.h"
#include "model/installation_states.h"

namespace cloud::cli {
namespace {

constexpr std::string_view kHiddenLicense = "hidden (--hide-license=true)";
constexpr std::string_view kDefaultImage = "mattermost/mattermost-enterprise-edition";

bool IsSingleTenantRDS(const std::string& database) {
  return database == "aws-rds" || database == "aws-rds-postgres";
}

bool IsMultiTenantRDS(const std::string& database) {
  return database == "aws-multitenant-rds" || database == "aws-multitenant-rds-postgres" ||
         database == "aws-multitenant-rds-postgres-pgbouncer" || database == "perseus";
}

// The ten --probe-* flags. Values are corev1.Probe fields (every key omitempty).
struct ProbeFlags {
  int32_t liveness[5] = {0, 0, 0, 0, 0};
  int32_t readiness[5] = {0, 0, 0, 0, 0};

  // Flag suffixes in flag order, with their Probe JSON keys.
  static constexpr std::string_view kSuffixes[5] = {"failure-threshold", "success-threshold",
                                                    "initial-delay-seconds", "period-seconds",
                                                    "timeout-seconds"};
  static constexpr std::string_view kKeys[5] = {"failureThreshold", "successThreshold",
                                                "initialDelaySeconds", "periodSeconds",
                                                "timeoutSeconds"};
  // corev1.Probe field order.
  static constexpr int kJsonOrder[5] = {2, 4, 3, 1, 0};

  void Add(CLI::App* cmd) {
    for (int i = 0; i < 5; ++i) {
      const std::string suffix(kSuffixes[i]);
      std::string words = suffix;
      std::replace(words.begin(), words.end(), '-', ' ');
      cmd->add_option("--probe-liveness-" + suffix, liveness[i],
                      "Override for the liveness probe " + words +
                          ". Use 0 to use server/operator defaults.")
          ->capture_default_str();
      cmd->add_option("--probe-readiness-" + suffix, readiness[i],
                      "Override for the readiness probe " + words +
                          ". Use 0 to use server/operator defaults.")
          ->capture_default_str();
    }
  }

  // `set[i]` says which values are sent; zero values are omitted like Go's omitempty.
  static model::Json Probe(const int32_t (&values)[5], const bool (&set)[5]) {
    model::Json probe = model::Json::object();
    for (int i : kJsonOrder) {
      if (set[i] && values[i] != 0) probe[std::string(kKeys[i])] = values[i];
    }
    return probe;
  }

  // Create: only values > 0. Update/wake-up: the flags given on the command line.
  std::optional<model::PodProbeOverrides> Overrides(const CommandContext* changed_ctx) const {
    bool live_set[5], ready_set[5];
    bool any_live = false, any_ready = false;
    for (int i = 0; i < 5; ++i) {
      const std::string suffix(kSuffixes[i]);
      live_set[i] = changed_ctx != nullptr ? changed_ctx->Changed("probe-liveness-" + suffix)
                                           : liveness[i] > 0;
      ready_set[i] = changed_ctx != nullptr ? changed_ctx->Changed("probe-readiness-" + suffix)
                                            : readiness[i] > 0;
      any_live = any_live || live_set[i];
      any_ready = any_ready || ready_set[i];
    }
    if (!any_live && !any_ready) return std::nullopt;
    model::PodProbeOverrides overrides;
    if (any_live) overrides.liveness_probe_override = Probe(liveness, live_set);
    if (any_ready) overrides.readiness_probe_override = Probe(readiness, ready_set);
    return overrides;
  }
};

// Flags shared by `update` and `wake-up` (upstream installationPatchRequestOptions).
struct PatchFlags {
  std::string owner;
  std::string version = "stable";
  std::string image = std::string(kDefaultImage);
  std::string size = "100users";
  std::string license;
  std::string allowed_ip_ranges;
  std::vector<std::string> mattermost_env;
  bool mattermost_env_clear = false;
  bool override_ip_ranges = true;
  std::vector<std::string> command;
  ProbeFlags probes;

  void Add(CLI::App* cmd) {
    cmd->add_option("--owner", owner, "The new owner value of this installation.");
    cmd->add_option("--version", version, "The Mattermost version to target.")
        ->capture_default_str();
    cmd->add_option("--image", image, "The Mattermost container image to use.")
        ->capture_default_str();
    cmd->add_option("--size", size,
                    "The size of the installation. Accepts 100users, 1000users, 5000users, "
                    "10000users, 25000users, miniSingleton, or miniHA. Defaults to 100users.")
        ->capture_default_str();
    cmd->add_option("--license", license, "The Mattermost License to use in the server.");
    cmd->add_option("--allowed-ip-ranges", allowed_ip_ranges,
                    "JSON Encoded list of IP Ranges that are allowed to access the workspace.");
    AddStringArray(cmd, "mattermost-env", mattermost_env,
                   "Env vars to add to the Mattermost App. Accepts format: KEY_NAME=VALUE. Use "
                   "the flag multiple times to set multiple env vars.");
    cmd->add_flag("--mattermost-env-clear", mattermost_env_clear, "Clears all env var data.");
    cmd->add_flag("--override-ip-ranges", override_ip_ranges,
                  "Overrides Allowed IP ranges and force ignoring any previous value.")
        ->capture_default_str();
    AddStringSlice(cmd, "command", command,
                   "Override the default command for the Mattermost container. Accepts multiple "
                   "values, for example: 'mattermost --example-flag test'");
    probes.Add(cmd);
  }

  Result<model::PatchInstallationRequest> Request(const CommandContext& ctx) const {
    model::PatchInstallationRequest request;
    if (ctx.Changed("owner")) request.owner_id = owner;
    if (ctx.Changed("version")) request.version = version;
    if (ctx.Changed("image")) request.image = image;
    if (ctx.Changed("size")) request.size = size;
    if (ctx.Changed("license")) request.license = license;
    if (ctx.Changed("override-ip-ranges")) request.override_ip_ranges = override_ip_ranges;
    request.pod_probe_overrides = probes.Overrides(&ctx);
    if (ctx.Changed("command")) request.command = command;
    CLOUD_TRY(request.mattermost_env, ParseEnvVarInput(mattermost_env, mattermost_env_clear));
    if (ctx.Changed("allowed-ip-ranges")) {
      Result<model::AllowedIPRanges> ranges =
          model::DecodeJson<model::AllowedIPRanges>(allowed_ip_ranges);
      if (!ranges) return ranges.error();
      request.allowed_ip_ranges = std::move(*ranges);
    }
    return request;
  }
};

void HideLicense(model::Installation& installation) {
  if (!installation.license.empty()) installation.license = std::string(kHiddenLicense);
}

void HideEnv(model::Installation& installation) {
  if (!installation.mattermost_env) return;
  const std::string key = "hidden (" + std::to_string(installation.mattermost_env->size()) +
                          " env vars) (--hide-env=true)";
  installation.mattermost_env = model::EnvVarMap{{key, model::EnvVar{}}};
}

Table DefaultInstallationTable(const std::vector<model::InstallationDTO>& items) {
  Table table;
  table.headers = {"ID",        "STATE", "VERSION",    "DATABASE",
                   "FILESTORE", "DNS",   "API-LOCKED", "DELETION-LOCKED"};
  for (const model::InstallationDTO& dto : items) {
    const model::Installation& i = dto.installation;
    std::string dns;
    if (dto.dns_records) {
      for (const std::string& name : model::DNSNamesFromRecords(*dto.dns_records)) {
        if (!dns.empty()) dns += ", ";
        dns += name;
      }
    }
    table.rows.push_back({i.id, std::string(ToString(i.state)), i.version, i.database, i.filestore,
                          dns, i.api_security_lock ? "true" : "false",
                          i.deletion_locked ? "true" : "false"});
  }
  return table;
}

// Go Format("Jan 2 2006") / ("2006-01-02 15:04:05 MST") of Unix ms, local zone.
std::string FormatLocal(int64_t millis, const char* format) {
  const time_t seconds = static_cast<time_t>(millis / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[96];
  const size_t n = std::strftime(buffer, sizeof(buffer), format, &local);
  std::string out(buffer, n);
  // Go's "2" is the day without padding.
  if (std::string_view(format) == "%b %d %Y" && out.size() > 4 && out[4] == '0') out.erase(4, 1);
  return out;
}
std::string DateString(int64_t millis) { return FormatLocal(millis, "%b %d %Y"); }
std::string DateTimeString(int64_t millis) { return FormatLocal(millis, "%Y-%m-%d %H:%M:%S %Z"); }

// ---- create / update ------------------------------------------------------------------------

struct CreateFlags {
  std::string name;
  std::string owner;
  std::string group;
  std::string version = "stable";
  std::string image = std::string(kDefaultImage);
  std::string size = "100users";
  std::string license;
  std::string affinity = "isolated";
  std::string database = "mysql-operator";
  std::string filestore = "minio-operator";
  std::vector<std::string> mattermost_env;
  std::vector<std::string> priority_env;
  std::vector<std::string> annotations;
  std::vector<std::string> group_selection_annotations;
  std::string scheduled_deletion_time = "0s";
  std::vector<std::string> command;
  ProbeFlags probes;
  std::string rds_primary_instance;
  std::string rds_replica_instance;
  int rds_replicas_count = 0;
  std::vector<std::string> dns;
  std::string external_database_secret_name;
  WaitFlags wait;
};

void AddCreate(CommandGroup& group) {
  auto f = std::make_shared<CreateFlags>();
  CLI::App* cmd = group.AddCommand(
      "create", "Create an installation.", [f](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::EnvVarMap>> env = ParseEnvVarInput(f->mattermost_env, false);
        if (!env) return env.error().WithContext("failed to parse env var input");
        Result<std::optional<model::EnvVarMap>> priority = ParseEnvVarInput(f->priority_env, false);
        if (!priority)
          return priority.error().WithContext("failed to parse priority env var input");
        CLOUD_TRY(int64_t deletion_ns,
                  DurationFlagNanos("scheduled-deletion-time", f->scheduled_deletion_time));
        model::CreateInstallationRequest request;
        request.name = f->name;
        request.owner_id = f->owner;
        request.group_id = f->group;
        request.version = f->version;
        request.image = f->image;
        request.size = f->size;
        request.license = f->license;
        request.affinity = f->affinity;
        request.database = f->database;
        request.filestore = f->filestore;
        request.mattermost_env = std::move(*env);
        request.priority_env = std::move(*priority);
        request.annotations = f->annotations;
        request.group_selection_annotations = f->group_selection_annotations;
        if (deletion_ns > 0)
          request.scheduled_deletion_time = NowMillis(ctx) + deletion_ns / 1000000;
        request.pod_probe_overrides = f->probes.Overrides(nullptr);
        if (!f->command.empty()) request.command = f->command;
        if (f->dns.size() == 1) {
          request.dns = f->dns[0];
        } else {
          request.dns_names = f->dns;
        }
        if (IsSingleTenantRDS(f->database)) {
          request.single_tenant_database_config.primary_instance_type = f->rds_primary_instance;
          request.single_tenant_database_config.replica_instance_type = f->rds_replica_instance;
          request.single_tenant_database_config.replicas_count = f->rds_replicas_count;
        }
        if (f->database == "external") {
          request.external_database_config.secret_name = f->external_database_secret_name;
        }
        if (ctx.dry_run()) {
          model::Json json = model::ToJson(request);
          // Upstream leaves DNSNames nil (null) when a single --dns is given.
          if (request.dns_names.empty()) json["DNSNames"] = nullptr;
          ctx.PrintJsonValue(json);
          return Ok();
        }
        Result<model::InstallationDTO> installation = ctx.client().CreateInstallation(request);
        if (!installation) return installation.error().WithContext("failed to create installation");
        ctx.PrintJson(*installation);
        return WaitForInstallation(ctx, f->wait, installation->installation.id, WaitGoal::kStable);
      });
  cmd->add_option("--name", f->name,
                  "Unique human-readable installation name. It should be the same as first "
                  "segment of domain name.");
  cmd->add_option("--owner", f->owner,
                  "An opaque identifier describing the owner of the installation.")
      ->required();
  cmd->add_option("--group", f->group, "The id of the group to join");
  cmd->add_option("--version", f->version, "The Mattermost version to install.")
      ->capture_default_str();
  cmd->add_option("--image", f->image, "The Mattermost container image to use.")
      ->capture_default_str();
  cmd->add_option("--size", f->size,
                  "The size of the installation. Accepts 100users, 1000users, 5000users, "
                  "10000users, 25000users, miniSingleton, or miniHA. Defaults to 100users.")
      ->capture_default_str();
  cmd->add_option("--license", f->license, "The Mattermost License to use in the server.");
  cmd->add_option("--affinity", f->affinity,
                  "Whether the installation can be scheduled on a cluster with other "
                  "installations. Accepts isolated or multitenant.")
      ->capture_default_str();
  cmd->add_option("--database", f->database,
                  "The Mattermost server database type. Accepts mysql-operator, aws-rds, "
                  "aws-rds-postgres, aws-multitenant-rds, or aws-multitenant-rds-postgres")
      ->capture_default_str();
  cmd->add_option("--filestore", f->filestore,
                  "The Mattermost server filestore type. Accepts minio-operator, aws-s3, "
                  "bifrost, or aws-multitenant-s3")
      ->capture_default_str();
  AddStringArray(cmd, "mattermost-env", f->mattermost_env,
                 "Env vars to add to the Mattermost App. Accepts format: KEY_NAME=VALUE. Use the "
                 "flag multiple times to set multiple env vars.");
  AddStringArray(cmd, "priority-env", f->priority_env,
                 "Env vars to add to the Mattermost App that take priority over group config. "
                 "Accepts format: KEY_NAME=VALUE. Use the flag multiple times to set multiple env "
                 "vars.");
  AddStringArray(cmd, "annotation", f->annotations,
                 "Additional annotations for the installation. Accepts multiple values, for "
                 "example: '... --annotation abc --annotation def'");
  AddStringArray(cmd, "group-selection-annotation", f->group_selection_annotations,
                 "Annotations for automatic group selection. Accepts multiple values, for "
                 "example: '... --group-selection-annotation abc --group-selection-annotation "
                 "def'");
  AddDuration(cmd, "scheduled-deletion-time", f->scheduled_deletion_time,
              "The time from now when the installation should be deleted. Use 0 for no "
              "scheduled deletion.");
  AddStringSlice(cmd, "command", f->command,
                 "Override the default command for the Mattermost container. Accepts multiple "
                 "values, for example: 'mattermost --example-flag test'");
  f->probes.Add(cmd);
  cmd->add_option("--rds-primary-instance", f->rds_primary_instance,
                  "The machine instance type used for primary replica of database cluster. Works "
                  "only with single tenant RDS databases.");
  cmd->add_option("--rds-replica-instance", f->rds_replica_instance,
                  "The machine instance type used for reader replicas of database cluster. Works "
                  "only with single tenant RDS databases.");
  cmd->add_option("--rds-replicas-count", f->rds_replicas_count,
                  "The number of reader replicas of database cluster. Min: 0, Max: 15. Works "
                  "only with single tenant RDS databases.")
      ->capture_default_str();
  AddStringSlice(cmd, "dns", f->dns, "URLs at which the Mattermost server will be available.")
      ->required();
  cmd->add_option("--external-database-secret-name", f->external_database_secret_name,
                  "The AWS secret name where the external database DSN is stored. Works only "
                  "with external databases.");
  AddWaitFlags(cmd, f->wait);
}

void AddUpdate(CommandGroup& group) {
  struct Flags {
    PatchFlags patch;
    std::vector<std::string> priority_env;
    bool priority_env_clear = false;
    std::string installation;
    WaitFlags wait;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = group.AddCommand(
      "update", "Update an installation's configuration.",
      [f](CommandContext& ctx) -> Result<void> {
        CLOUD_TRY(model::PatchInstallationRequest request, f->patch.Request(ctx));
        CLOUD_TRY(request.priority_env, ParseEnvVarInput(f->priority_env, f->priority_env_clear));
        if (ctx.DryRun(request)) return Ok();
        Result<model::InstallationDTO> installation =
            ctx.client().UpdateInstallation(f->installation, request);
        if (!installation) return installation.error().WithContext("failed to update installation");
        ctx.PrintJson(*installation);
        return WaitForInstallation(ctx, f->wait, f->installation, WaitGoal::kStable);
      });
  f->patch.Add(cmd);
  cmd->add_option("--installation", f->installation, "The id of the installation to be updated.")
      ->required();
  AddStringArray(cmd, "priority-env", f->priority_env,
                 "Env vars to add to the Mattermost App that take priority over group config. "
                 "Accepts format: KEY_NAME=VALUE. Use the flag multiple times to set multiple env "
                 "vars.");
  cmd->add_flag("--priority-env-clear", f->priority_env_clear, "Clears all priority env var data.");
  AddWaitFlags(cmd, f->wait);
}

void AddDelete(CommandGroup& group) {
  struct Flags {
    std::string installation;
    WaitFlags wait;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = group.AddCommand(
      "delete", "Delete an installation.", [f](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().DeleteInstallation(f->installation);
        if (!r) return r.error().WithContext("failed to delete installation");
        return WaitForInstallation(ctx, f->wait, f->installation, WaitGoal::kDeleted);
      });
  cmd->add_option("--installation", f->installation, "The id of the installation to be deleted.")
      ->required();
  AddWaitFlags(cmd, f->wait);
}

// ---- volumes --------------------------------------------------------------------------------

void AddVolumes(CommandGroup& group) {
  struct VolumeFlags {
    std::string installation;
    std::string volume_name;
    std::string mount_path;
    bool read_only = true;
    std::string filename;
    std::string data;
    WaitFlags wait;
  };
  auto add_common = [](CLI::App* cmd, VolumeFlags& f, const std::string& verb) {
    cmd->add_option("--installation", f.installation,
                    "The id of the installation to " + verb + " a volume for.")
        ->required();
    cmd->add_option("--volume-name", f.volume_name, "The name of the volume to " + verb + ".")
        ->required();
    cmd->add_option("--mount-path", f.mount_path, "The container path to mount the volume in.");
    cmd->add_flag("--read-only", f.read_only, "Whether the volume should be read only or not.")
        ->capture_default_str();
    cmd->add_option("--filename", f.filename,
                    "The name of the file that will be mounted in the volume mount path.");
    cmd->add_option("--data", f.data, "The data contained in the file.");
    AddWaitFlags(cmd, f.wait);
  };

  auto c = std::make_shared<VolumeFlags>();
  CLI::App* create = group.AddCommand(
      "create-volume", "Creates a new volume for an installation.",
      [c](CommandContext& ctx) -> Result<void> {
        model::CreateInstallationVolumeRequest request;
        request.name = c->volume_name;
        model::Volume volume;
        volume.type = "secret";
        volume.mount_path = c->mount_path;
        volume.read_only = c->read_only;
        request.volume = volume;
        request.data = std::map<std::string, model::Bytes>{{c->filename, model::Bytes{c->data}}};
        if (ctx.DryRun(request)) return Ok();
        Result<model::InstallationDTO> installation =
            ctx.client().CreateInstallationVolume(c->installation, request);
        if (!installation) {
          return installation.error().WithContext("failed to create installation volume");
        }
        ctx.PrintJson(*installation);
        return WaitForInstallation(ctx, c->wait, c->installation, WaitGoal::kStable);
      });
  add_common(create, *c, "create");
  Require(create, "filename");
  Require(create, "data");

  auto u = std::make_shared<VolumeFlags>();
  CLI::App* update = group.AddCommand(
      "update-volume", "Updates an existing volume for an installation.",
      [u](CommandContext& ctx) -> Result<void> {
        const bool filename = ctx.Changed("filename");
        const bool data = ctx.Changed("data");
        if (filename && !data)
          return InvalidArgument("must provide --data when changing --filename");
        if (!filename && data)
          return InvalidArgument("must provide --filename when changing --data");
        model::PatchInstallationVolumeRequest request;
        if (ctx.Changed("mount-path")) request.mount_path = u->mount_path;
        if (ctx.Changed("read-only")) request.read_only = u->read_only;
        if (filename && data) {
          request.data = {{u->filename, model::Bytes{u->data}}};
        }
        if (ctx.DryRun(request)) return Ok();
        Result<model::InstallationDTO> installation =
            ctx.client().UpdateInstallationVolume(u->installation, u->volume_name, request);
        if (!installation) {
          return installation.error().WithContext("failed to update installation volume");
        }
        ctx.PrintJson(*installation);
        return WaitForInstallation(ctx, u->wait, u->installation, WaitGoal::kStable);
      });
  add_common(update, *u, "update");

  struct DeleteFlags {
    std::string installation;
    std::string volume_name;
    WaitFlags wait;
  };
  auto d = std::make_shared<DeleteFlags>();
  CLI::App* del = group.AddCommand(
      "delete-volume", "Delete an existing volume from an installation.",
      [d](CommandContext& ctx) -> Result<void> {
        Result<model::InstallationDTO> installation =
            ctx.client().DeleteInstallationVolume(d->installation, d->volume_name);
        if (!installation) {
          return installation.error().WithContext("failed to delete installation volume");
        }
        ctx.PrintJson(*installation);
        return WaitForInstallation(ctx, d->wait, d->installation, WaitGoal::kStable);
      });
  del->add_option("--installation", d->installation,
                  "The id of the installation to delete a volume from.")
      ->required();
  del->add_option("--volume-name", d->volume_name, "The name of the volume to delete.")->required();
  AddWaitFlags(del, d->wait);
}

// ---- deletion, hibernation ------------------------------------------------------------------

void AddDeletionCommands(CommandGroup& group) {
  struct UpdateFlags {
    std::string installation;
    std::string future_expiry = "0s";
  };
  auto u = std::make_shared<UpdateFlags>();
  CLI::App* update = group.AddCommand(
      "update-deletion", "Updates the pending deletion parameters of an installation.",
      [u](CommandContext& ctx) -> Result<void> {
        model::PatchInstallationDeletionRequest request;
        if (ctx.Changed("future-expiry")) {
          CLOUD_TRY(int64_t ns, DurationFlagNanos("future-expiry", u->future_expiry));
          request.deletion_pending_expiry = NowMillis(ctx) + ns / 1000000;
        }
        if (ctx.DryRun(request)) return Ok();
        Result<model::InstallationDTO> installation =
            ctx.client().UpdateInstallationDeletion(u->installation, request);
        if (!installation) {
          return installation.error().WithContext(
              "failed to update installation deletion parameters");
        }
        ctx.PrintJson(*installation);
        return Ok();
      });
  AddDuration(update, "future-expiry", u->future_expiry,
              "The amount of time from now when the installation can be deleted (0s for "
              "immediate deletion)");
  update
      ->add_option("--installation", u->installation,
                   "The id of the installation to update pending deletion parameters for.")
      ->required();

  struct CancelFlags {
    std::string installation;
    WaitFlags wait;
  };
  auto c = std::make_shared<CancelFlags>();
  CLI::App* cancel = group.AddCommand(
      "cancel-deletion", "Cancels the pending deletion of an installation.",
      [c](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().CancelInstallationDeletion(c->installation);
        if (!r) return r.error().WithContext("failed to cancel installation deletion");
        return WaitForInstallation(ctx, c->wait, c->installation, WaitGoal::kStable);
      });
  cancel
      ->add_option("--installation", c->installation,
                   "The id of the installation to cancel pending deletion for.")
      ->required();
  AddWaitFlags(cancel, c->wait);

  struct ScheduleFlags {
    std::string installation;
    std::string scheduled_deletion_time = "0s";
  };
  auto s = std::make_shared<ScheduleFlags>();
  CLI::App* schedule = group.AddCommand(
      "schedule-deletion", "Schedule an installation for future deletion.",
      [s](CommandContext& ctx) -> Result<void> {
        model::PatchInstallationScheduledDeletionRequest request;
        if (ctx.Changed("scheduled-deletion-time")) {
          CLOUD_TRY(int64_t ns,
                    DurationFlagNanos("scheduled-deletion-time", s->scheduled_deletion_time));
          request.scheduled_deletion_time = ns > 0 ? NowMillis(ctx) + ns / 1000000 : 0;
        }
        if (ctx.DryRun(request)) return Ok();
        Result<model::InstallationDTO> installation =
            ctx.client().UpdateInstallationScheduledDeletion(s->installation, request);
        if (!installation) {
          return installation.error().WithContext(
              "failed to update installation scheduled deletion");
        }
        ctx.PrintJson(*installation);
        return Ok();
      });
  AddDuration(schedule, "scheduled-deletion-time", s->scheduled_deletion_time,
              "The time from now when the installation should be deleted. Use 0 to cancel "
              "scheduled deletion.");
  schedule
      ->add_option("--installation", s->installation,
                   "The id of the installation to schedule deletion for.")
      ->required();
}

void AddHibernation(CommandGroup& group) {
  struct HibernateFlags {
    std::string installation;
    WaitFlags wait;
  };
  auto h = std::make_shared<HibernateFlags>();
  CLI::App* hibernate = group.AddCommand(
      "hibernate", "Put an installation into hibernation.",
      [h](CommandContext& ctx) -> Result<void> {
        Result<model::InstallationDTO> installation =
            ctx.client().HibernateInstallation(h->installation);
        if (!installation) {
          return installation.error().WithContext("failed to put installation into hibernation");
        }
        ctx.PrintJson(*installation);
        return WaitForInstallation(ctx, h->wait, h->installation, WaitGoal::kHibernating);
      });
  hibernate
      ->add_option("--installation", h->installation,
                   "The id of the installation to put into hibernation.")
      ->required();
  AddWaitFlags(hibernate, h->wait);

  struct WakeupFlags {
    PatchFlags patch;
    std::string installation;
    WaitFlags wait;
  };
  auto w = std::make_shared<WakeupFlags>();
  CLI::App* wakeup = group.AddCommand(
      "wake-up", "Wake an installation from hibernation.",
      [w](CommandContext& ctx) -> Result<void> {
        CLOUD_TRY(model::PatchInstallationRequest request, w->patch.Request(ctx));
        Result<model::InstallationDTO> installation =
            ctx.client().WakeupInstallation(w->installation, request);
        if (!installation)
          return installation.error().WithContext("failed to wake up installation");
        ctx.PrintJson(*installation);
        return WaitForInstallation(ctx, w->wait, w->installation, WaitGoal::kStable);
      });
  w->patch.Add(wakeup);
  wakeup
      ->add_option("--installation", w->installation,
                   "The id of the installation to wake up from hibernation.")
      ->required();
  AddWaitFlags(wakeup, w->wait);
}

// ---- get, list, status, reports -------------------------------------------------------------

void AddGetList(CommandGroup& group) {
  struct GetFlags {
    std::string installation;
    bool include_group_config = true;
    bool include_group_config_overrides = true;
    bool hide_license = true;
    bool hide_env = true;
  };
  auto g = std::make_shared<GetFlags>();
  CLI::App* get = group.AddCommand(
      "get", "Get a particular installation.", [g](CommandContext& ctx) -> Result<void> {
        client::GetInstallationRequest request;
        request.include_group_config = g->include_group_config;
        request.include_group_config_overrides = g->include_group_config_overrides;
        Result<std::optional<model::InstallationDTO>> found =
            ctx.client().GetInstallation(g->installation, request);
        if (!found) return found.error().WithContext("failed to query installation");
        if (!*found) return Ok();
        if (g->hide_license) HideLicense((*found)->installation);
        if (g->hide_env) HideEnv((*found)->installation);
        ctx.PrintJson(**found);
        return Ok();
      });
  get->add_option("--installation", g->installation, "The id of the installation to be fetched.")
      ->required();
  get->add_flag("--include-group-config", g->include_group_config,
                "Whether to include group configuration in the installation or not.")
      ->capture_default_str();
  get->add_flag("--include-group-config-overrides", g->include_group_config_overrides,
                "Whether to include a group configuration override summary in the installation "
                "or not.")
      ->capture_default_str();
  get->add_flag("--hide-license", g->hide_license,
                "Whether to hide the license value in the output or not.")
      ->capture_default_str();
  get->add_flag("--hide-env", g->hide_env, "Whether to hide env vars in the output or not.")
      ->capture_default_str();

  struct ListFlags {
    std::string owner;
    std::string group;
    std::string state;
    std::string dns;
    bool deletion_locked = false;
    bool include_group_config = true;
    bool include_group_config_overrides = true;
    PagingFlags paging;
    TableFlags table;
    bool hide_license = true;
    bool hide_env = true;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list = group.AddCommand(
      "list", "List created installations.", [l](CommandContext& ctx) -> Result<void> {
        client::GetInstallationsRequest request;
        request.owner_id = l->owner;
        request.group_id = l->group;
        request.state = l->state;
        request.dns = l->dns;
        request.include_group_config = l->include_group_config;
        request.include_group_config_overrides = l->include_group_config_overrides;
        if (ctx.Changed("deletion-locked")) request.deletion_locked = l->deletion_locked;
        request.paging = l->paging.ToPaging();
        Result<std::vector<model::InstallationDTO>> items = ctx.client().GetInstallations(request);
        if (!items) return items.error().WithContext("failed to query installations");
        for (model::InstallationDTO& dto : *items) {
          if (l->hide_license) HideLicense(dto.installation);
          if (l->hide_env) HideEnv(dto.installation);
        }
        return ctx.PrintList<model::InstallationDTO>(*items, l->table, DefaultInstallationTable);
      });
  list->add_option("--owner", l->owner, "The owner ID to filter installations by.");
  list->add_option("--group", l->group, "The group ID to filter installations.");
  list->add_option("--state", l->state, "The state to filter installations by.");
  list->add_option("--dns", l->dns, "The dns name to filter installations by.");
  list->add_flag("--deletion-locked", l->deletion_locked,
                 "Filter installations by deletion-locked configuration.");
  list->add_flag("--include-group-config", l->include_group_config,
                 "Whether to include group configuration in the installations or not.")
      ->capture_default_str();
  list->add_flag("--include-group-config-overrides", l->include_group_config_overrides,
                 "Whether to include a group configuration override summary in the "
                 "installations or not.")
      ->capture_default_str();
  AddPagingFlags(list, l->paging);
  AddTableFlags(list, l->table);
  list->add_flag("--hide-license", l->hide_license,
                 "Whether to hide the license value in the output or not.")
      ->capture_default_str();
  list->add_flag("--hide-env", l->hide_env, "Whether to hide env vars in the output or not.")
      ->capture_default_str();

  group.AddCommand("status", "Get status information for all installations.",
                   [](CommandContext& ctx) -> Result<void> {
                     Result<std::optional<model::InstallationsStatus>> status =
                         ctx.client().GetInstallationsStatus();
                     if (!status) {
                       return status.error().WithContext("failed to query installation status");
                     }
                     if (*status) ctx.PrintJson(**status);
                     return Ok();
                   });

  group.AddCommand(
      "state-report", "Shows information regarding changing installation state.",
      [](CommandContext& ctx) -> Result<void> {
        model::Json report = model::Json::array();
        for (model::InstallationState requested : model::AllInstallationRequestStates()) {
          model::Json valid = nullptr;
          model::Json invalid = nullptr;
          for (model::InstallationState state : model::AllInstallationStates()) {
            model::Json& bucket =
                model::IsInstallationTransitionAllowed(state, requested) ? valid : invalid;
            if (bucket.is_null()) bucket = model::Json::array();
            bucket.push_back(std::string(ToString(state)));
          }
          model::Json entry = model::Json::object();
          entry["RequestedState"] = std::string(ToString(requested));
          entry["ValidStates"] = std::move(valid);
          entry["InvalidStates"] = std::move(invalid);
          report.push_back(std::move(entry));
        }
        ctx.PrintJsonValue(report);
        return Ok();
      });
}

void AddReports(CommandGroup& group) {
  struct RecoverFlags {
    std::string installation;
    std::string installation_database;
    std::string database;
  };
  auto r = std::make_shared<RecoverFlags>();
  Action not_supported_recover =
      NotSupportedAction("installation recover",
                         "it writes to the provisioner's database and AWS directly; recover "
                         "through the server's operators instead");
  CLI::App* recover = group.AddCommand(
      "recover", "recover the basic resources of a deleted installation by recreating it.",
      [r, not_supported_recover](CommandContext& ctx) -> Result<void> {
        return not_supported_recover(ctx);
      });
  recover
      ->add_option("--installation", r->installation, "The id of the installation to be recovered.")
      ->required();
  recover
      ->add_option("--installation-database", r->installation_database,
                   "The original multitenant database id of the installation to be recovered.")
      ->required();
  recover->add_option("--database", r->database, "The database backing the provisioning server.");

  struct ReportFlags {
    std::string installation;
    int event_count = 10;
  };
  auto rep = std::make_shared<ReportFlags>();
  CLI::App* report = group.AddCommand(
      "report", "Get a report of deployment details for a given installation",
      [rep](CommandContext& ctx) -> Result<void> {
        client::GetInstallationRequest request{true, true};
        Result<std::optional<model::InstallationDTO>> found =
            ctx.client().GetInstallation(rep->installation, request);
        if (!found) return found.error().WithContext("failed to query installation");
        if (!*found) return Ok();
        const model::InstallationDTO& dto = **found;
        const model::Installation& i = dto.installation;
        std::string out = "Installation: " + i.id + "\n";
        out += " ├ Created: " + DateString(i.create_at) + "\n";
        out += " ├ State: " + std::string(ToString(i.state)) + "\n";
        if (i.state == model::InstallationState::kDeleted) {
          out += " │ └ Deleted: " + (i.delete_at != 0 ? DateString(i.delete_at) : "n/a") + "\n";
        } else if (i.state == model::InstallationState::kDeletionPending) {
          out +=
              " │ └ Deletion Pending Expiry: " +
              (i.deletion_pending_expiry != 0 ? DateTimeString(i.deletion_pending_expiry) : "n/a") +
              "\n";
        } else if (i.scheduled_deletion_time != 0) {
          out += " │ └ Scheduled Deletion: " + DateTimeString(i.scheduled_deletion_time) + "\n";
        }
        out += " ├ DNS: " + dto.dns + " (primary)\n";
        if (dto.dns_records && dto.dns_records->size() > 1) {
          std::string alternates;
          for (const model::InstallationDNS& record : *dto.dns_records) {
            if (record.is_primary) continue;
            if (!alternates.empty()) alternates += ", ";
            alternates += record.domain_name;
          }
          out += " │ └ Alternate Domains: " + alternates + "\n";
        }
        out += " ├ Version: " + i.image + ":" + i.version + "\n";
        out += " ├ Size: " + i.size + "\n";
        out += " ├ Affinity: " + i.affinity + "\n";
        out += " ├ Environment Variables: " +
               std::to_string(i.mattermost_env ? i.mattermost_env->size() : 0) + "\n";
        if (i.priority_env && !i.priority_env->empty()) {
          std::string keys;
          for (const auto& [key, value] : *i.priority_env) {
            if (!keys.empty()) keys += ", ";
            keys += key;
          }
          out +=
              " ├ Priority Environment Variables: " + std::to_string(i.priority_env->size()) + "\n";
          out += " │ └ Env Keys Set: " + keys + "\n";
        }
        out += " ├ Locks:\n";
        out += std::string(" │ ├ API: ") + (i.api_security_lock ? "true" : "false") + "\n";
        out += std::string(" │ ├ Deletion: ") + (i.deletion_locked ? "true" : "false") + "\n";
        out +=
            std::string(" │ └ Provisioner: ") + (i.lock_acquired_at != 0 ? "true" : "false") + "\n";
        out += " ├ Database Type: " + i.database + "\n";
        if (IsMultiTenantRDS(i.database)) {
          client::GetMultitenantDatabasesRequest db_request;
          db_request.paging = model::Paging{0, -1, true};
          Result<std::vector<model::MultitenantDatabase>> databases =
              ctx.client().GetMultitenantDatabases(db_request);
          if (!databases)
            return databases.error().WithContext("failed to query installation database");
          for (const model::MultitenantDatabase& db : *databases) {
            const auto& ids = db.installations;
            if (!ids || std::find(ids->begin(), ids->end(), i.id) == ids->end()) continue;
            out += " │ ├ Database: " + db.id + "\n";
            out += " │ ├ State: " + std::string(ToString(db.state)) + "\n";
            out += " │ ├ VPC: " + db.vpc_id + "\n";
            out += " │ ├ Database Writer Endpoint: " + db.writer_endpoint + "\n";
            out += " │ └ Installations: " + std::to_string(ids->size()) + "\n";
          }
        } else if (IsSingleTenantRDS(i.database) && i.single_tenant_database_config) {
          const auto& c = *i.single_tenant_database_config;
          out += " │ ├ Primary Instance Type: " + c.primary_instance_type + "\n";
          out += " │ ├ Replica Instance Type: " + c.replica_instance_type + "\n";
          out += " │ └ Replica Count: " + std::to_string(c.replicas_count) + "\n";
        } else if (i.database == "external" && i.external_database_config) {
          out += " │ └ Database Secret Name: " + i.external_database_config->secret_name + "\n";
        }
        out += " ├ Filestore Type: " + i.filestore + "\n";
        if (i.group_id && !i.group_id->empty()) {
          Result<std::optional<model::GroupDTO>> g = ctx.client().GetGroup(*i.group_id);
          if (!g) return g.error().WithContext("failed to query installation group");
          if (*g) {
            out += " ├ Group: " + (*g)->group.id + "\n";
            out += " │ ├ Name: " + (*g)->group.name + "\n";
            out += " │ ├ Description: " + (*g)->group.description + "\n";
            if ((*g)->group.scheduling) {
              out += " │ ├ Node Selector: " +
                     model::ToJson((*g)->group.scheduling->node_selector).dump() + "\n";
              out +=
                  " │ └ Tolerations: " + model::ToJson((*g)->group.scheduling->tolerations).dump() +
                  "\n";
            } else {
              out += " │ └ Scheduling: n/a\n";
            }
          }
        }
        client::GetClusterInstallationsRequest ci_request;
        ci_request.installation_id = i.id;
        ci_request.paging = model::Paging{0, -1, true};
        Result<std::vector<model::ClusterInstallation>> cis =
            ctx.client().GetClusterInstallations(ci_request);
        if (!cis) return cis.error().WithContext("failed to query cluster installations");
        for (const model::ClusterInstallation& ci : *cis) {
          out += " └ Cluster Installation: " + ci.id + "\n";
          Result<std::optional<model::ClusterDTO>> cluster = ctx.client().GetCluster(ci.cluster_id);
          if (!cluster) return cluster.error().WithContext("failed to query cluster");
          std::string vpc, version;
          int64_t masters = 0, workers = 0;
          std::string cluster_state;
          if (*cluster) {
            const model::Cluster& c = (*cluster)->cluster;
            cluster_state = std::string(ToString(c.state));
            if (c.provisioner_metadata_kops) {
              vpc = c.provisioner_metadata_kops->vpc;
              version = c.provisioner_metadata_kops->version;
              masters = c.provisioner_metadata_kops->master_count;
              workers = c.provisioner_metadata_kops->node_max_count;
            } else if (c.provisioner_metadata_eks) {
              vpc = c.provisioner_metadata_eks->vpc;
              version = c.provisioner_metadata_eks->version;
              masters = 1;
              if (c.provisioner_metadata_eks->node_groups) {
                auto it = c.provisioner_metadata_eks->node_groups->find("worker");
                if (it != c.provisioner_metadata_eks->node_groups->end()) {
                  workers = it->second.max_count;
                }
              }
            }
          }
          out += "   ├ State: " + std::string(ToString(ci.state)) + "\n";
          out += "   └ Cluster: " + ci.cluster_id + "\n";
          out += "     ├ State: " + cluster_state + "\n";
          out += "     ├ VPC: " + vpc + "\n";
          out += "     ├ Nodes: Masters " + std::to_string(masters) + ", Workers " +
                 std::to_string(workers) + "\n";
          out += "     └ Version: " + version + "\n";
        }
        if (rep->event_count > 0) {
          out += "\nRecent Events:\n";
          client::ListStateChangeEventsRequest events_request;
          events_request.paging = model::Paging{0, rep->event_count, false};
          events_request.resource_type = "installation";
          events_request.resource_id = rep->installation;
          CLOUD_TRY(std::vector<model::StateChangeEventData> events,
                    ctx.client().ListStateChangeEvents(events_request));
          for (const model::StateChangeEventData& e : events) {
            out += DateTimeString(e.event.timestamp) + " - " + e.state_change.old_state + " > " +
                   e.state_change.new_state + "\n";
          }
        }
        ctx.out() << out << "\n";
        return Ok();
      });
  report
      ->add_option("--installation", rep->installation, "The id of the installation to report on.")
      ->required();
  report
      ->add_option("--event-count", rep->event_count,
                   "The number of recent installation events to include in the report.")
      ->capture_default_str();

  auto days = std::make_shared<int>(7);
  CLI::App* deletion_report = group.AddCommand(
      "deletion-report", "Get a report of installation deletion pending times.",
      [days](CommandContext& ctx) -> Result<void> {
        client::GetInstallationsRequest request;
        request.state = "deletion-pending";
        request.paging = model::Paging{0, -1, false};
        Result<std::vector<model::InstallationDTO>> items = ctx.client().GetInstallations(request);
        if (!items) return items.error().WithContext("failed to query installations");
        const int64_t now = NowMillis(ctx);
        std::vector<int64_t> cutoffs;
        std::vector<int64_t> counts;
        for (int d = 1; d <= *days; ++d) {
          cutoffs.push_back(now + int64_t{d} * 24 * 3600 * 1000);
          counts.push_back(0);
        }
        int64_t overflow = 0;
        for (const model::InstallationDTO& dto : *items) {
          bool counted = false;
          for (size_t k = 0; k < cutoffs.size(); ++k) {
            if (cutoffs[k] > dto.installation.deletion_pending_expiry) {
              ++counts[k];
              counted = true;
              break;
            }
          }
          if (!counted) ++overflow;
        }
        Table table;
        table.headers = {"TIME TO DELETION", "COUNT"};
        for (size_t k = 0; k < cutoffs.size(); ++k) {
          table.rows.push_back({std::to_string(k + 1) + " day(s)", std::to_string(counts[k])});
        }
        table.rows.push_back({"Sometime later", std::to_string(overflow)});
        ctx.out() << RenderTable(table);
        return Ok();
      });
  deletion_report->add_option("--days", *days, "The number of days include in the deletion report.")
      ->capture_default_str();
}

// ---- annotation, dns ------------------------------------------------------------------------

void AddAnnotation(CommandGroup& parent) {
  CommandGroup group = parent.AddGroup(
      "annotation", "Manipulate annotations of installations managed by the provisioning server.");
  struct AddFlags {
    std::string installation;
    std::vector<std::string> annotations;
  };
  auto a = std::make_shared<AddFlags>();
  CLI::App* add = group.AddCommand(
      "add", "Adds annotations to the installation.", [a](CommandContext& ctx) -> Result<void> {
        model::AddAnnotationsRequest request;
        request.annotations = a->annotations;
        if (ctx.DryRun(request)) return Ok();
        Result<model::InstallationDTO> installation =
            ctx.client().AddInstallationAnnotations(a->installation, request);
        if (!installation) {
          return installation.error().WithContext("failed to add installation annotations");
        }
        ctx.PrintJson(*installation);
        return Ok();
      });
  add->add_option("--installation", a->installation, "The id of the installation to be annotated.")
      ->required();
  AddStringArray(add, "annotation", a->annotations,
                 "Additional annotations for the installation. Accepts multiple values, for "
                 "example: '... --annotation abc --annotation def'")
      ->required();

  struct DeleteFlags {
    std::string installation;
    std::string annotation;
  };
  auto d = std::make_shared<DeleteFlags>();
  CLI::App* del = group.AddCommand(
      "delete", "Deletes Annotation from the Installation.",
      [d](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().DeleteInstallationAnnotation(d->installation, d->annotation);
        if (!r) return r.error().WithContext("failed to delete installation annotations");
        return Ok();
      });
  del->add_option("--installation", d->installation,
                  "The id of the installation from which annotations should be removed.")
      ->required();
  del->add_option("--annotation", d->annotation,
                  "Name of the annotation to be removed from the installation.")
      ->required();
}

void AddDNS(CommandGroup& parent) {
  CommandGroup group = parent.AddGroup("dns", "Manipulate installation DNS records.");
  struct AddFlags {
    std::string installation;
    std::string domain;
  };
  auto a = std::make_shared<AddFlags>();
  CLI::App* add = group.AddCommand(
      "add", "Adds domain name for the installation.", [a](CommandContext& ctx) -> Result<void> {
        model::AddDNSRecordRequest request;
        request.dns = a->domain;
        if (ctx.DryRun(request)) return Ok();
        Result<model::InstallationDTO> result =
            ctx.client().AddInstallationDNS(a->installation, request);
        if (!result) return result.error().WithContext("failed to add installation dns");
        ctx.PrintJson(*result);
        return Ok();
      });
  add->add_option("--installation", a->installation,
                  "The id of the installation to add domain record to.")
      ->required();
  add->add_option("--domain", a->domain, "Domain name to map to the installation.")->required();

  struct IdFlags {
    std::string installation;
    std::string domain_id;
  };
  auto p = std::make_shared<IdFlags>();
  CLI::App* primary = group.AddCommand(
      "set-primary", "Sets installation domain name as primary.",
      [p](CommandContext& ctx) -> Result<void> {
        Result<model::InstallationDTO> result =
            ctx.client().SetInstallationDomainPrimary(p->installation, p->domain_id);
        if (!result) return result.error().WithContext("failed to set installation primary domain");
        ctx.PrintJson(*result);
        return Ok();
      });
  primary
      ->add_option("--installation", p->installation,
                   "The id of the installation for domain switch.")
      ->required();
  primary->add_option("--domain-id", p->domain_id, "The id of domain name to set as primary.")
      ->required();

  auto d = std::make_shared<IdFlags>();
  CLI::App* del =
      group.AddCommand("delete", "Delete an existing installation domain name.",
                       [d](CommandContext& ctx) -> Result<void> {
                         Result<model::InstallationDTO> result =
                             ctx.client().DeleteInstallationDNS(d->installation, d->domain_id);
                         if (!result)
                           return result.error().WithContext("failed to delete installation dns");
                         ctx.PrintJson(*result);
                         return Ok();
                       });
  del->add_option("--installation", d->installation,
                  "The id of the installation to delete domain record from.")
      ->required();
  del->add_option("--domain-id", d->domain_id, "The id of domain name to delete.")->required();
}

}  // namespace

void AddInstallationCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup installation = CommandGroup::Add(
      cli, root, "installation", "Manipulate installations managed by the provisioning server.");
  AddCreate(installation);
  AddUpdate(installation);
  AddDelete(installation);
  AddVolumes(installation);
  AddDeletionCommands(installation);
  AddHibernation(installation);
  AddGetList(installation);
  AddReports(installation);
  AddAnnotation(installation);
  AddBackupCommands(installation);
  CommandGroup operation = installation.AddGroup(
      "operation", "Manipulate installation operations managed by the provisioning server.");
  AddRestorationCommands(operation);
  AddDBMigrationCommands(operation);
  AddDNS(installation);
}

}  // namespace cloud::cli
