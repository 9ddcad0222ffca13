// ServerConfig: every `cloud server` flag (upstream-api.md §7.3, names and defaults kept)
// plus ours (--backend, --workers), and the startup validation that needs no cloud backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace cloud::app {

struct ServerConfig {
  // HTTP.
  std::string listen = ":8075";
  int metrics_port = 8076;
  int workers = 8;  // ours: threads running API handlers
  // Ours: MiB of GET /api/installation/{id} bodies reused while the database is unchanged
  // (SQLite; 0 turns the cache off).
  int response_cache_mb = 32;

  // Store and backend.
  std::string database = "sqlite://cloud.db";  // ours: embedded default (upstream: required)
  std::string backend = "sim";                 // ours: "sim" = the simulated cloud

  // Scheduling of the supervisors (seconds; 0 disables the timer).
  int64_t poll = 30;
  int64_t slow_poll = 60;
  // Ours: a supervisor's row lease not renewed for this long may be taken over by another
  // instance (--lease-expiry, Go duration).
  int64_t lease_expiry_ns = 60'000'000'000;  // 1m0s
  // Ours: the sim logs one "sim call" record per call (step, resources, start and end), so
  // that a multi-process test can check no step ran twice at once.
  bool sim_log_calls = false;
  // Ours (tests of failure paths): "backup", "restore" or "all" makes every simulated backup
  // and/or restore Job end failed (backoff limit reached); "" = none.
  std::string sim_fail_jobs;

  // Logging.
  bool debug = false;
  bool dev = false;
  bool machine_readable_logs = false;
  bool enable_log_stacktrace = false;
  bool enable_log_files_per_cluster = false;
  std::string log_files_per_cluster_path;

  std::string grafana_url;
  std::vector<std::string> grafana_tokens = {""};
  int64_t default_max_schemas_per_logical_database = 10;
  bool installation_enable_route53 = false;

  // Supervisors.
  bool disable_all_supervisors = false;
  bool cluster_supervisor = true;
  bool group_supervisor = false;
  bool installation_supervisor = true;
  bool installation_deletion_supervisor = true;
  bool cluster_installation_supervisor = true;
  bool backup_supervisor = false;
  bool import_supervisor = false;
  bool installation_db_restoration_supervisor = false;
  bool installation_db_migration_supervisor = false;

  int64_t installation_deletion_pending_time_ns = 180'000'000'000;  // 3m0s
  int64_t installation_deletion_max_updating = 25;
  bool disable_dns_updates = false;
  std::string awat = "http://localhost:8077";

  // Installation scheduling.
  bool balanced_installation_scheduling = true;
  bool prefer_stable_cluster_installation_scheduling = false;
  bool always_schedule_external_clusters = false;
  int64_t cluster_resource_threshold_scale_value = 0;
  int64_t cluster_resource_threshold = 80;
  int64_t cluster_resource_threshold_cpu_override = 0;
  int64_t cluster_resource_threshold_memory_override = 0;
  int64_t cluster_resource_threshold_pod_count_override = 0;

  // Cloud resources.
  std::string state_store = "dev.cloud.mattermost.com";
  std::vector<std::string> allow_list_cidr_range = {"0.0.0.0/0"};
  std::vector<std::string> slo_installation_groups;
  std::vector<std::string> slo_enterprise_groups;
  std::vector<std::string> vpn_list_cidr = {"0.0.0.0/0"};
  bool use_existing_aws_resources = true;
  bool deploy_mysql_operator = false;
  bool deploy_minio_operator = false;
  std::string mattermost_operator_helm_dir;
  std::string ndots_value = "5";
  int32_t backup_job_ttl_seconds = 3600;
  std::string backup_restore_tool_image = "mattermost/backup-restore-tool:latest";
  int64_t etcd_quota_backend_bytes = 4294967296;
  std::string etcd_listen_metrics_urls = "http://0.0.0.0:8081";

  // Pod probe overrides: only set when the flag was given (upstream semantics).
  std::optional<int32_t> probe_liveness_failure_threshold;
  std::optional<int32_t> probe_liveness_success_threshold;
  std::optional<int32_t> probe_liveness_initial_delay_seconds;
  std::optional<int32_t> probe_liveness_period_seconds;
  std::optional<int32_t> probe_liveness_timeout_seconds;
  std::optional<int32_t> probe_readiness_failure_threshold;
  std::optional<int32_t> probe_readiness_success_threshold;
  std::optional<int32_t> probe_readiness_initial_delay_seconds;
  std::optional<int32_t> probe_readiness_period_seconds;
  std::optional<int32_t> probe_readiness_timeout_seconds;

  bool keep_database_data = false;
  bool keep_filestore_data = false;
  bool require_annotated_installations = false;
  std::string gitlab_oauth;       // secret: never log
  std::string argocd_server_api;  // deprecated
  std::string argocd_api_token;   // deprecated; secret
  bool force_cr_upgrade = false;
  std::string utilities_git_url;
  std::string utilities_git_path;
  bool enable_s3_versioning = false;
  std::vector<std::string> internal_ip_ranges;
  int64_t max_installations_perseus = 2500;
  int64_t max_installations_rds_postgres_pgbouncer = 2500;
  int64_t max_installations_rds_postgres = 300;
  int64_t max_installations_rds_mysql = 10;
  bool disable_db_init_check = false;

  // Event delivery (ours; src/events/README.md). Durations in ms.
  int event_delivery_workers = 2;
  int64_t event_delivery_max_age_ms = int64_t{72} * 3600 * 1000;
  int64_t event_delivery_timeout_ms = 15'000;
  int64_t event_retention_ms = int64_t{168} * 3600 * 1000;  // 0: keep delivered rows forever
  // Refuse webhook/subscription targets on private and loopback addresses. Unset: on unless
  // --dev.
  std::optional<bool> webhook_deny_private_ranges;
  bool DenyPrivateTargets() const { return webhook_deny_private_ranges.value_or(!dev); }

  // Auth (enabled when issuer and audience are both set).
  std::string issuer;
  std::string audience;
  std::string token_endpoint;  // unused by the server
  std::vector<std::string> restricted_client_ids;
  std::vector<std::string> restricted_client_allowed_endpoints;
  std::string jwks_url;
  // Ours: auth on with API keys only (`cloud apikey create`); API keys are also accepted
  // whenever JWT auth is on.
  bool require_api_key = false;

  bool JwtAuthEnabled() const { return !issuer.empty() && !audience.empty(); }
  bool AuthEnabled() const { return JwtAuthEnabled() || require_api_key; }
  bool DebugLogs() const { return debug || dev; }
};

// Backends `--backend` accepts.
inline constexpr const char* kSimBackend = "sim";

// Parses a Go time.Duration string ("3m0s", "1h30m", "250ms", "1.5s", "0").
// Errors: kInvalidArgument.
Result<int64_t> ParseGoDuration(std::string_view text);

// Startup checks of upstream's server that apply without cloud backends (spec §7.3): first
// failure wins. Errors: kInvalidArgument with a one-line message naming the flag.
Result<void> ValidateServerConfig(const ServerConfig& config);

}  // namespace cloud::app
