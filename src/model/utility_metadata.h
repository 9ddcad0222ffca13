// Cluster utilities (helm charts the provisioner installs on every cluster): canonical names,
// default chart versions and values paths, desired/actual version metadata and the argocd
// registration rule (spec upstream-api.md §1.3, §4.1 UtilityMetadata, §5.1, §5.8).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/json_codec.h"

namespace cloud::model {

inline constexpr std::string_view kPrometheusOperatorCanonicalName = "prometheus-operator";
inline constexpr std::string_view kThanosCanonicalName = "thanos";
inline constexpr std::string_view kNginxCanonicalName = "nginx";
inline constexpr std::string_view kNginxInternalCanonicalName = "nginx-internal";
inline constexpr std::string_view kFluentbitCanonicalName = "fluentbit";
inline constexpr std::string_view kTeleportCanonicalName = "teleport";
inline constexpr std::string_view kPgbouncerCanonicalName = "pgbouncer";
inline constexpr std::string_view kPromtailCanonicalName = "promtail";
inline constexpr std::string_view kRtcdCanonicalName = "rtcd";
inline constexpr std::string_view kNodeProblemDetectorCanonicalName = "node-problem-detector";
inline constexpr std::string_view kMetricsServerCanonicalName = "metrics-server";
inline constexpr std::string_view kVeleroCanonicalName = "velero";
inline constexpr std::string_view kCloudproberCanonicalName = "cloudprober";

// A chart version meaning "stop managing this chart".
inline constexpr std::string_view kUnmanagedUtilityVersion = "unmanaged";

// The 13 canonical utility names, in UtilityGroupVersions field order.
std::span<const std::string_view> AllUtilityNames();
bool IsKnownUtility(std::string_view utility);

// A helm chart version and the URL of its values file.
//
// JSON: encodes as {"Chart":..,"ValuesPath":..}. Decoding never fails (upstream's custom
// UnmarshalJSON): an object sets the fields it can; a bare string is the chart version; any
// other value, or an object with a non-string field, sets Chart to the value's JSON text with
// `"` trimmed from both ends. `null` leaves the value unchanged.
struct HelmUtilityVersion {
  std::string chart;
  std::string values_path;

  // True if either field is empty, unless the chart is "unmanaged".
  bool IsEmpty() const;
  friend bool operator==(const HelmUtilityVersion&, const HelmUtilityVersion&) = default;
};

Json ToJsonValue(const HelmUtilityVersion& version);
Result<void> FromJsonValue(const Json& j, HelmUtilityVersion& out, std::string& path);

// Go's map[string]*HelmUtilityVersion as requests carry it: keys are canonical names (unknown
// ones are ignored), nullopt values are JSON nulls.
using UtilityVersionMap = std::map<std::string, std::optional<HelmUtilityVersion>>;

// One *HelmUtilityVersion per utility; nullopt encodes as null.
struct UtilityGroupVersions {
  std::optional<HelmUtilityVersion> prometheus_operator;
  std::optional<HelmUtilityVersion> thanos;
  std::optional<HelmUtilityVersion> nginx;
  std::optional<HelmUtilityVersion> nginx_internal;
  std::optional<HelmUtilityVersion> fluentbit;
  std::optional<HelmUtilityVersion> teleport;
  std::optional<HelmUtilityVersion> pgbouncer;
  std::optional<HelmUtilityVersion> promtail;
  std::optional<HelmUtilityVersion> rtcd;
  std::optional<HelmUtilityVersion> node_problem_detector;
  std::optional<HelmUtilityVersion> metrics_server;
  std::optional<HelmUtilityVersion> velero;
  std::optional<HelmUtilityVersion> cloudprober;

  // The field for a canonical utility name, or nullptr for an unknown name.
  std::optional<HelmUtilityVersion>* Find(std::string_view utility);
  const std::optional<HelmUtilityVersion>* Find(std::string_view utility) const;
  // Every utility (all 13 keys) with its version (upstream AsMap).
  UtilityVersionMap AsMap() const;

  friend bool operator==(const UtilityGroupVersions&, const UtilityGroupVersions&) = default;
};

template <class V>
void JsonFields(V& v, UtilityGroupVersions& g) {
  v("PrometheusOperator", g.prometheus_operator);
  v("Thanos", g.thanos);
  v("Nginx", g.nginx);
  v("NginxInternal", g.nginx_internal);
  v("Fluentbit", g.fluentbit);
  v("Teleport", g.teleport);
  v("Pgbouncer", g.pgbouncer);
  v("Promtail", g.promtail);
  v("Rtcd", g.rtcd);
  v("NodeProblemDetector", g.node_problem_detector);
  v("MetricsServer", g.metrics_server);
  v("Velero", g.velero);
  v("Cloudprober", g.cloudprober);
}

struct UtilityArgocdClusterRegister {
  std::string cluster_type;
  bool registered = false;
  friend bool operator==(const UtilityArgocdClusterRegister&,
                         const UtilityArgocdClusterRegister&) = default;
};

template <class V>
void JsonFields(V& v, UtilityArgocdClusterRegister& r) {
  v("ClusterType", r.cluster_type, kOmitEmpty);
  v("Registered", r.registered, kOmitEmpty);
}

struct UtilityMetadata {
  UtilityGroupVersions desired_versions;
  UtilityGroupVersions actual_versions;
  bool managed_by_argocd = false;
  UtilityArgocdClusterRegister argocd_cluster_register;
  friend bool operator==(const UtilityMetadata&, const UtilityMetadata&) = default;
};

template <class V>
void JsonFields(V& v, UtilityMetadata& m) {
  v("DesiredVersions", m.desired_versions);
  v("ActualVersions", m.actual_versions);
  v("ManagedByArgocd", m.managed_by_argocd);
  v("ArgocdClusterRegister", m.argocd_cluster_register);
}

// Server configuration that utility defaults depend on.
struct UtilityDefaultsOptions {
  // --utilities-git-url (e.g. "https://gitlab.example.com"). Empty = never configured: default
  // values paths are then empty too.
  std::string utilities_git_url;
};

// "<git_url>/api/v4/projects/295/repository/files/dev%2F<file_name>?ref=master".
std::string BuildUtilityValuesPath(std::string_view git_url, std::string_view file_name);

// The default chart version of a utility ("4.11.1" for nginx), or "" for an unknown name.
std::string_view DefaultUtilityChartVersion(std::string_view utility);
// The default values file name of a utility ("nginx_values.yaml"), or "" if unknown.
std::string_view DefaultUtilityValuesFileName(std::string_view utility);
// The default version (chart + values path) of a known utility; nullopt for unknown names.
std::optional<HelmUtilityVersion> DefaultUtilityVersion(std::string_view utility,
                                                        const UtilityDefaultsOptions& options);

// Sets the desired version of each known utility in `versions` (nullopt values clear it);
// unknown names are ignored (upstream Cluster.SetUtilityDesiredVersions).
void SetUtilityDesiredVersions(UtilityMetadata& metadata, const UtilityVersionMap& versions);

// Records the installed version of a utility and clears its desired version (upstream
// Cluster.SetUtilityActualVersion). Unknown names are ignored.
void SetUtilityActualVersion(UtilityMetadata& metadata, std::string_view utility,
                             const std::optional<HelmUtilityVersion>& version);

// True if the desired chart is "unmanaged", or there is no desired chart and the actual one is
// "unmanaged".
bool UtilityIsUnmanaged(const std::optional<HelmUtilityVersion>& desired,
                        const std::optional<HelmUtilityVersion>& actual);

// The argocd registration rule for create and provision (spec §5.1): a `force` key resets
// `Registered`; then a non-empty map on an unregistered cluster copies `cluster-type` into
// ArgocdClusterRegister.ClusterType and sets ManagedByArgocd.
void ApplyArgocdRegistration(UtilityMetadata& metadata,
                             const std::map<std::string, std::string>& argocd_register);

}  // namespace cloud::model
