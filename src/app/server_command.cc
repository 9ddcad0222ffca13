#include "app/server_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "api/http_server.h"
#include "app/server.h"
#include "app/server_config.h"
#include "common/logging.h"

namespace cloud::app {
namespace {

// Flags whose parsed form differs from ServerConfig's, kept until the callback converts them.
struct ServerFlags {
  ServerConfig config;
  std::string installation_deletion_pending_time = "3m0s";
  std::string lease_expiry = "1m0s";
  std::string event_delivery_max_age = "72h0m0s";
  std::string event_delivery_timeout = "15s";
  std::string event_retention = "168h0m0s";
  bool webhook_deny_private_ranges = true;
  CLI::Option* webhook_deny_private_ranges_option = nullptr;
  struct Probe {
    const char* name;
    int32_t value;
    std::optional<int32_t> ServerConfig::*field;
    CLI::Option* option = nullptr;
  };
  std::vector<Probe> probes = {
      {"probe-liveness-failure-threshold", 10, &ServerConfig::probe_liveness_failure_threshold},
      {"probe-liveness-success-threshold", 1, &ServerConfig::probe_liveness_success_threshold},
      {"probe-liveness-initial-delay-seconds", 30,
       &ServerConfig::probe_liveness_initial_delay_seconds},
      {"probe-liveness-period-seconds", 10, &ServerConfig::probe_liveness_period_seconds},
      {"probe-liveness-timeout-seconds", 5, &ServerConfig::probe_liveness_timeout_seconds},
      {"probe-readiness-failure-threshold", 10, &ServerConfig::probe_readiness_failure_threshold},
      {"probe-readiness-success-threshold", 1, &ServerConfig::probe_readiness_success_threshold},
      {"probe-readiness-initial-delay-seconds", 30,
       &ServerConfig::probe_readiness_initial_delay_seconds},
      {"probe-readiness-period-seconds", 10, &ServerConfig::probe_readiness_period_seconds},
      {"probe-readiness-timeout-seconds", 5, &ServerConfig::probe_readiness_timeout_seconds},
  };
  CLI::Option* keep_database_data = nullptr;
  CLI::Option* keep_filestore_data = nullptr;
};

template <class T>
CLI::Option* AddOption(CLI::App& cmd, const std::string& name, T& value, const std::string& help) {
  CLI::Option* option = cmd.add_option("--" + name, value, help)
                            ->capture_default_str()
                            ->envname(ServerFlagEnvName(name));
  if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    // pflag string slices: comma-separated, repeatable, one value per occurrence.
    option->delimiter(',')->allow_extra_args(false);
  }
  return option;
}

CLI::Option* AddBool(CLI::App& cmd, const std::string& name, bool& value, const std::string& help) {
  // `--flag`, `--flag=true`, `--flag=false` as with pflag.
  return cmd.add_flag("--" + name, value, value ? help + " (default true)" : help)
      ->capture_default_str()
      ->envname(ServerFlagEnvName(name));
}

void AddServerFlags(CLI::App& cmd, ServerFlags& f) {
  ServerConfig& c = f.config;
  AddOption(cmd, "listen", c.listen, "The interface and port on which to listen.");
  AddOption(cmd, "metrics-port", c.metrics_port,
            "Port on which the metrics server should be listening.");
  AddOption(cmd, "database", c.database,
            "The database backing the provisioning server: sqlite://<file> (embedded default) "
            "or postgres://<dsn>.");
  AddOption(cmd, "backend", c.backend,
            "Provisioner backend. \"sim\" is a simulated cloud running inside the server: "
            "nothing real is created.")
      ->check(CLI::IsMember({std::string(kSimBackend)}));
  AddOption(cmd, "workers", c.workers, "Number of threads serving API requests.");
  AddOption(cmd, "response-cache-mb", c.response_cache_mb,
            "Memory in MiB for GET /api/installation/{id} bodies, reused until anything is "
            "committed to the database (SQLite only; 0 turns it off).");
  AddOption(cmd, "poll", c.poll,
            "The interval in seconds to poll for background work (0 disables the timer).");
  AddOption(cmd, "slow-poll", c.slow_poll,
            "The interval in seconds to poll for slow background work (installation deletion).");
  AddBool(cmd, "debug", c.debug, "Whether to output debug logs.");
  AddBool(cmd, "dev", c.dev, "Set sane defaults for development (debug logs).");
  AddBool(cmd, "machine-readable-logs", c.machine_readable_logs,
          "Output the logs in machine readable format (JSON).");
  AddBool(cmd, "enable-log-stacktrace", c.enable_log_stacktrace, "Add stacktrace in error logs.");
  AddBool(cmd, "enable-log-files-per-cluster", c.enable_log_files_per_cluster,
          "Write logs of each cluster to its own file.");
  AddOption(cmd, "log-files-per-cluster-path", c.log_files_per_cluster_path,
            "Directory for the per-cluster log files.");
  AddOption(cmd, "grafana-url", c.grafana_url, "The URL of the Grafana instance (optional).");
  AddOption(cmd, "grafana-tokens", c.grafana_tokens, "Tokens for the Grafana API.");
  AddOption(cmd, "default-max-schemas-per-logical-database",
            c.default_max_schemas_per_logical_database,
            "Maximum schemas per logical database for new multitenant databases (>= 1).");
  AddBool(cmd, "installation-enable-route53", c.installation_enable_route53,
          "Create installation CNAME records in Route53.");

  AddBool(cmd, "disable-all-supervisors", c.disable_all_supervisors,
          "Disable all supervisors (API-only server).");
  AddBool(cmd, "cluster-supervisor", c.cluster_supervisor, "Whether the cluster supervisor runs.");
  AddBool(cmd, "group-supervisor", c.group_supervisor, "Whether the group supervisor runs.");
  AddBool(cmd, "installation-supervisor", c.installation_supervisor,
          "Whether the installation supervisor runs.");
  AddBool(cmd, "installation-deletion-supervisor", c.installation_deletion_supervisor,
          "Whether the installation deletion supervisor runs (on --slow-poll).");
  AddBool(cmd, "cluster-installation-supervisor", c.cluster_installation_supervisor,
          "Whether the cluster installation supervisor runs.");
  AddBool(cmd, "backup-supervisor", c.backup_supervisor, "Whether the backup supervisor runs.");
  AddBool(cmd, "import-supervisor", c.import_supervisor,
          "Whether the import supervisor runs (requires --awat).");
  AddBool(cmd, "installation-db-restoration-supervisor", c.installation_db_restoration_supervisor,
          "Whether the installation DB restoration supervisor runs.");
  AddBool(cmd, "installation-db-migration-supervisor", c.installation_db_migration_supervisor,
          "Whether the installation DB migration supervisor runs.");
  AddOption(cmd, "installation-deletion-pending-time", f.installation_deletion_pending_time,
            "How long installations stay pending deletion before being deleted (Go duration).")
      ->check([](const std::string& text) {
        Result<int64_t> parsed = ParseGoDuration(text);
        return parsed ? std::string() : parsed.error().message;
      });
  auto duration_check = [](const std::string& text) {
    Result<int64_t> parsed = ParseGoDuration(text);
    return parsed ? std::string() : parsed.error().message;
  };
  AddOption(cmd, "event-delivery-workers", c.event_delivery_workers,
            "Threads delivering events to subscriptions and webhooks.");
  AddOption(cmd, "event-delivery-max-age", f.event_delivery_max_age,
            "Retry a failing delivery until its event is this old, then mark it failed (Go "
            "duration; a subscription's FailureThreshold wins when set).")
      ->check(duration_check);
  AddOption(cmd, "event-delivery-timeout", f.event_delivery_timeout,
            "Timeout of one delivery attempt (Go duration).")
      ->check(duration_check);
  AddOption(cmd, "event-retention", f.event_retention,
            "Delete delivered and failed deliveries older than this (Go duration; 0 keeps them).")
      ->check(duration_check);
  f.webhook_deny_private_ranges_option =
      AddBool(cmd, "webhook-deny-private-ranges", f.webhook_deny_private_ranges,
              "Refuse to deliver to private and loopback addresses (default: true, false with "
              "--dev).");
  AddOption(cmd, "installation-deletion-max-updating", c.installation_deletion_max_updating,
            "Maximum number of installations being deleted at the same time.");
  AddBool(cmd, "disable-dns-updates", c.disable_dns_updates, "Skip DNS updates.");
  AddOption(cmd, "awat", c.awat, "The URL of the AWAT (Automatic Workspace Archive Translator).");

  AddBool(cmd, "balanced-installation-scheduling", c.balanced_installation_scheduling,
          "Schedule installations on the cluster with the most free resources.");
  AddBool(cmd, "prefer-stable-cluster-installation-scheduling",
          c.prefer_stable_cluster_installation_scheduling,
          "Prefer stable clusters when scheduling installations.");
  AddBool(cmd, "always-schedule-external-clusters", c.always_schedule_external_clusters,
          "Always schedule installations on external clusters.");
  AddOption(cmd, "cluster-resource-threshold-scale-value", c.cluster_resource_threshold_scale_value,
            "Nodes to add when a cluster reaches its resource threshold (0-10; 0 disables).");
  AddOption(cmd, "cluster-resource-threshold", c.cluster_resource_threshold,
            "Cluster resource usage percentage above which no installation is scheduled (10-100).");
  AddOption(cmd, "cluster-resource-threshold-cpu-override",
            c.cluster_resource_threshold_cpu_override, "CPU threshold override (0 = unset).");
  AddOption(cmd, "cluster-resource-threshold-memory-override",
            c.cluster_resource_threshold_memory_override, "Memory threshold override (0 = unset).");
  AddOption(cmd, "cluster-resource-threshold-pod-count-override",
            c.cluster_resource_threshold_pod_count_override,
            "Pod count threshold override (0 = unset).");

  AddOption(cmd, "state-store", c.state_store, "The S3 bucket used to store cluster state.");
  AddOption(cmd, "allow-list-cidr-range", c.allow_list_cidr_range,
            "CIDR ranges allowed to reach installations' ingress.");
  AddOption(cmd, "slo-installation-groups", c.slo_installation_groups,
            "Group IDs with installation SLOs.");
  AddOption(cmd, "slo-enterprise-groups", c.slo_enterprise_groups,
            "Group IDs with enterprise SLOs.");
  AddOption(cmd, "vpn-list-cidr", c.vpn_list_cidr, "VPN CIDR ranges allowed to reach internals.");
  AddBool(cmd, "use-existing-aws-resources", c.use_existing_aws_resources,
          "Use existing AWS resources (VPCs, subnets) instead of creating them.");
  AddBool(cmd, "deploy-mysql-operator", c.deploy_mysql_operator,
          "Deploy the MySQL operator (enables the mysql-operator database type).");
  AddBool(cmd, "deploy-minio-operator", c.deploy_minio_operator,
          "Deploy the MinIO operator (enables the minio-operator filestore type).");
  AddOption(cmd, "mattermost-operator-helm-dir", c.mattermost_operator_helm_dir,
            "Directory of the Mattermost operator helm chart.");
  AddOption(cmd, "ndots-value", c.ndots_value, "The ndots value of installations' DNS config.");
  AddOption(cmd, "backup-job-ttl-seconds", c.backup_job_ttl_seconds,
            "Seconds a finished backup/restore job is kept.");
  AddOption(cmd, "backup-restore-tool-image", c.backup_restore_tool_image,
            "Image of the backup/restore tool.");
  AddOption(cmd, "etcd-quota-backend-bytes", c.etcd_quota_backend_bytes,
            "etcd storage limit of new clusters, in bytes.");
  AddOption(cmd, "etcd-listen-metrics-urls", c.etcd_listen_metrics_urls,
            "etcd metrics URLs of new clusters.");
  for (ServerFlags::Probe& probe : f.probes) {
    probe.option = AddOption(cmd, probe.name, probe.value,
                             "Server-wide installation pod probe override (only when given).");
  }
  f.keep_database_data = AddBool(cmd, "keep-database-data", c.keep_database_data,
                                 "Keep installation databases when installations are deleted.");
  f.keep_filestore_data = AddBool(cmd, "keep-filestore-data", c.keep_filestore_data,
                                  "Keep installation filestores when installations are deleted.");
  AddBool(cmd, "require-annotated-installations", c.require_annotated_installations,
          "Require new installations to have annotations.");
  AddOption(cmd, "lease-expiry", f.lease_expiry,
            "How long a supervisor's lease on a row lasts unless renewed; another instance may "
            "take an expired lease over (Go duration).")
      ->check([](const std::string& text) {
        Result<int64_t> parsed = ParseGoDuration(text);
        return parsed ? std::string() : parsed.error().message;
      });
  AddBool(cmd, "sim-log-calls", c.sim_log_calls,
          "With --backend sim: log one \"sim call\" record per simulated cloud call (tests).");
  AddOption(cmd, "sim-fail-jobs", c.sim_fail_jobs,
            "With --backend sim: make every simulated backup and/or restore Job fail "
            "(\"backup\", \"restore\" or \"all\"; tests of the failure paths).")
      ->check(CLI::IsMember(
          {std::string(), std::string("backup"), std::string("restore"), std::string("all")}));
  AddOption(cmd, "gitlab-oauth", c.gitlab_oauth,
            "GitLab OAuth token for the utilities repository (default: $GITLAB_OAUTH_TOKEN).");
  AddOption(cmd, "argocd-server-api", c.argocd_server_api, "Deprecated; ignored.");
  AddOption(cmd, "argocd-api-token", c.argocd_api_token, "Deprecated; ignored.");
  AddBool(cmd, "force-cr-upgrade", c.force_cr_upgrade,
          "Force the Mattermost custom resource upgrade.");
  AddOption(cmd, "utilities-git-url", c.utilities_git_url,
            "Git URL of the utilities repository (required for real backends).");
  AddOption(cmd, "utilities-git-path", c.utilities_git_path,
            "Path inside the utilities repository (required for real backends).");
  AddBool(cmd, "enable-s3-versioning", c.enable_s3_versioning,
          "Enable versioning of installation S3 buckets.");
  AddOption(cmd, "internal-ip-ranges", c.internal_ip_ranges, "Internal IP ranges.");
  AddOption(cmd, "max-installations-perseus", c.max_installations_perseus,
            "Maximum installations per Perseus database.");
  AddOption(cmd, "max-installations-rds-postgres-pgbouncer",
            c.max_installations_rds_postgres_pgbouncer,
            "Maximum installations per RDS PostgreSQL PgBouncer database.");
  AddOption(cmd, "max-installations-rds-postgres", c.max_installations_rds_postgres,
            "Maximum installations per RDS PostgreSQL database.");
  AddOption(cmd, "max-installations-rds-mysql", c.max_installations_rds_mysql,
            "Maximum installations per RDS MySQL database.");
  AddBool(cmd, "disable-db-init-check", c.disable_db_init_check,
          "Skip the database initialisation check of installations.");
  AddOption(cmd, "issuer", c.issuer,
            "JWT issuer; auth is on when --issuer and --audience are set.");
  AddOption(cmd, "audience", c.audience, "JWT audience.");
  AddOption(cmd, "token-endpoint", c.token_endpoint,
            "OAuth token endpoint (unused by the server).");
  AddOption(cmd, "restricted-client-ids", c.restricted_client_ids,
            "Client IDs restricted to --restricted-client-allowed-endpoints.");
  AddOption(cmd, "restricted-client-allowed-endpoints", c.restricted_client_allowed_endpoints,
            "Path prefixes (or ^regex$) restricted clients may call.");
  AddOption(cmd, "jwks-url", c.jwks_url, "URL of the issuer's JWKS.");
  AddBool(cmd, "require-api-key", c.require_api_key,
          "Require authentication even without --issuer/--audience: accept API keys "
          "(cloud apikey create); API keys are also accepted when JWT auth is on.");
}

// Turns the parsed flags into the final config (explicit-only flags, --dev, env fallbacks).
ServerConfig Finish(ServerFlags& f) {
  ServerConfig c = f.config;
  c.installation_deletion_pending_time_ns = *ParseGoDuration(f.installation_deletion_pending_time);
  c.lease_expiry_ns = *ParseGoDuration(f.lease_expiry);
  c.event_delivery_max_age_ms = *ParseGoDuration(f.event_delivery_max_age) / 1'000'000;
  c.event_delivery_timeout_ms = *ParseGoDuration(f.event_delivery_timeout) / 1'000'000;
  c.event_retention_ms = *ParseGoDuration(f.event_retention) / 1'000'000;
  if (f.webhook_deny_private_ranges_option->count() > 0) {
    c.webhook_deny_private_ranges = f.webhook_deny_private_ranges;
  }
  for (const ServerFlags::Probe& probe : f.probes) {
    if (probe.option->count() > 0) c.*probe.field = probe.value;
  }
  if (c.dev) {
    if (f.keep_database_data->count() == 0) c.keep_database_data = false;
    if (f.keep_filestore_data->count() == 0) c.keep_filestore_data = false;
  }
  if (c.gitlab_oauth.empty()) {
    if (const char* token = std::getenv("GITLAB_OAUTH_TOKEN")) c.gitlab_oauth = token;
  }
  return c;
}

int RunServer(const ServerConfig& config) {
  ConfigureLogging(config.machine_readable_logs ? LogFormat::kJson : LogFormat::kText,
                   config.DebugLogs() ? LogLevel::kDebug : LogLevel::kInfo);
  Logger log;
  if (Result<void> valid = ValidateServerConfig(config); !valid) {
    std::fprintf(stderr, "Error: %s\n", valid.error().message.c_str());
    return 1;
  }
  if (!config.argocd_server_api.empty() || !config.argocd_api_token.empty()) {
    log.Warn("--argocd-server-api and --argocd-api-token are deprecated and ignored");
  }

  // Installed before the servers start so that an early signal is not lost.
  api::ShutdownSignals signals;
  Server server(config, log);
  log.With("instance", server.instance_id())
      .With("backend", config.backend)
      .With("auth", config.AuthEnabled() ? "on" : "off")
      .Info("starting cloud server");
  if (Result<void> started = server.Start(); !started) {
    log.Error("failed to start server", started.error());
    return 1;
  }
  const int signal_number = signals.Wait();
  log.With("signal", std::to_string(signal_number)).Info("shutting down");
  server.Stop();
  log.Info("server stopped");
  return 0;
}

}  // namespace

std::string ServerFlagEnvName(std::string_view flag) {
  std::string out = "CP_";
  for (char ch : flag) {
    if (ch == '-') {
      out.push_back('_');
    } else if (ch >= 'a' && ch <= 'z') {
      out.push_back(static_cast<char>(ch - 'a' + 'A'));
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

void RegisterServerCommand(CLI::App& root) {
  auto flags = std::make_shared<ServerFlags>();
  CLI::App* cmd = root.add_subcommand(
      "server",
      "Run the provisioning server. Every flag can also be set through CP_<FLAG> "
      "(upper case, '-' as '_'), e.g. CP_METRICS_PORT.");
  AddServerFlags(*cmd, *flags);
  cmd->callback([flags] {
    const int code = RunServer(Finish(*flags));
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace cloud::app
