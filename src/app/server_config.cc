#include "app/server_config.h"

#include <cmath>
#include <filesystem>
#include <string>

#include "api/http_server.h"
#include "provisioner/awat_client.h"

namespace cloud::app {
namespace {

bool AllEmpty(const std::vector<std::string>& values) {
  for (const std::string& v : values) {
    if (!v.empty()) return false;
  }
  return true;
}

Result<void> CheckThreshold(std::string_view flag, int64_t value) {
  if (value < 10 || value > 100) {
    return InvalidArgument(std::string(flag) + " must be between 10 and 100, got " +
                           std::to_string(value));
  }
  return Ok();
}

}  // namespace

Result<int64_t> ParseGoDuration(std::string_view text) {
  const std::string original(text);
  auto bad = [&] { return InvalidArgument("invalid duration \"" + original + "\""); };
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return int64_t{0};
  if (text.empty()) return bad();
  long double total = 0;
  while (!text.empty()) {
    size_t i = 0;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    if (i == 0) return bad();
    const std::string number(text.substr(0, i));
    if (number == "." || number.find('.') != number.rfind('.')) return bad();
    text.remove_prefix(i);
    size_t j = 0;
    while (j < text.size() && !((text[j] >= '0' && text[j] <= '9') || text[j] == '.')) ++j;
    const std::string_view unit = text.substr(0, j);
    text.remove_prefix(j);
    long double scale = 0;
    if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1e6;
    } else if (unit == "s") {
      scale = 1e9;
    } else if (unit == "m") {
      scale = 60e9;
    } else if (unit == "h") {
      scale = 3600e9;
    } else {
      return bad();  // missing or unknown unit
    }
    total += std::stold(number) * scale;
  }
  if (total > 9.2e18L) return bad();
  const auto ns = static_cast<int64_t>(std::llround(total));
  return negative ? -ns : ns;
}

Result<void> ValidateServerConfig(const ServerConfig& c) {
  if (c.enable_log_files_per_cluster && c.log_files_per_cluster_path.empty()) {
    return InvalidArgument(
        "--log-files-per-cluster-path is required when --enable-log-files-per-cluster is set");
  }
  if (c.default_max_schemas_per_logical_database < 1) {
    return InvalidArgument("--default-max-schemas-per-logical-database must be at least 1");
  }
  if (AllEmpty(c.allow_list_cidr_range)) {
    return InvalidArgument("--allow-list-cidr-range must not be empty");
  }
  if (AllEmpty(c.vpn_list_cidr)) return InvalidArgument("--vpn-list-cidr must not be empty");
  if (c.event_delivery_workers < 1 || c.event_delivery_workers > 64) {
    return InvalidArgument("--event-delivery-workers must be between 1 and 64");
  }
  if (c.event_delivery_max_age_ms <= 0) {
    return InvalidArgument("--event-delivery-max-age must be positive");
  }
  if (c.event_delivery_timeout_ms <= 0) {
    return InvalidArgument("--event-delivery-timeout must be positive");
  }
  if (c.event_retention_ms < 0) return InvalidArgument("--event-retention must not be negative");
  if (c.backend != kSimBackend) {
    // Real backends install utilities from git; the simulated cloud needs none.
    if (c.utilities_git_path.empty()) return InvalidArgument("--utilities-git-path is required");
    if (c.utilities_git_url.empty()) return InvalidArgument("--utilities-git-url is required");
  }
  if (!c.mattermost_operator_helm_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(c.mattermost_operator_helm_dir, ec)) {
      return InvalidArgument("--mattermost-operator-helm-dir \"" + c.mattermost_operator_helm_dir +
                             "\" does not exist");
    }
  }
  auto effective = [&](int64_t override_value) {
    return override_value != 0 ? override_value : c.cluster_resource_threshold;
  };
  CLOUD_TRY_VOID(
      CheckThreshold("--cluster-resource-threshold-cpu-override (or "
                     "--cluster-resource-threshold)",
                     effective(c.cluster_resource_threshold_cpu_override)));
  CLOUD_TRY_VOID(
      CheckThreshold("--cluster-resource-threshold-memory-override (or "
                     "--cluster-resource-threshold)",
                     effective(c.cluster_resource_threshold_memory_override)));
  CLOUD_TRY_VOID(
      CheckThreshold("--cluster-resource-threshold-pod-count-override (or "
                     "--cluster-resource-threshold)",
                     effective(c.cluster_resource_threshold_pod_count_override)));
  if (c.cluster_resource_threshold_scale_value < 0 ||
      c.cluster_resource_threshold_scale_value > 10) {
    return InvalidArgument("--cluster-resource-threshold-scale-value must be between 0 and 10");
  }
  if (c.import_supervisor && c.awat.empty()) {
    return InvalidArgument("--awat is required when --import-supervisor is set");
  }
  if (!c.awat.empty()) CLOUD_TRY_VOID(provisioner::CheckAwatAddress(c.awat));
  if (c.poll < 0) return InvalidArgument("--poll must not be negative");
  if (c.slow_poll < 0) return InvalidArgument("--slow-poll must not be negative");
  if (c.lease_expiry_ns < 1'000'000) return InvalidArgument("--lease-expiry must be at least 1ms");
  if (c.workers < 1) return InvalidArgument("--workers must be at least 1");
  if (c.response_cache_mb < 0 || c.response_cache_mb > 65536) {
    return InvalidArgument("--response-cache-mb must be between 0 and 65536");
  }
  if (c.metrics_port < 0 || c.metrics_port > 65535) {
    return InvalidArgument("--metrics-port must be between 0 and 65535");
  }
  if (Result<api::ListenAddress> listen = api::ParseListenAddress(c.listen); !listen) {
    return InvalidArgument("--listen: " + listen.error().message);
  }
  return Ok();
}

}  // namespace cloud::app
