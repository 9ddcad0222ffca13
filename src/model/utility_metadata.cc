#include "model/utility_metadata.h"

#include <algorithm>
#include <array>

namespace cloud::model {

namespace {

struct UtilityInfo {
  std::string_view name;
  std::optional<HelmUtilityVersion> UtilityGroupVersions::*field;
  std::string_view default_chart;
  std::string_view values_file;
};

constexpr std::array<UtilityInfo, 13> kUtilities = {{
    {kPrometheusOperatorCanonicalName, &UtilityGroupVersions::prometheus_operator, "54.2.2",
     "prometheus_operator_values.yaml"},
    {kThanosCanonicalName, &UtilityGroupVersions::thanos, "13.2.2", "thanos_values.yaml"},
    {kNginxCanonicalName, &UtilityGroupVersions::nginx, "4.11.1", "nginx_values.yaml"},
    {kNginxInternalCanonicalName, &UtilityGroupVersions::nginx_internal, "4.11.1",
     "nginx_internal_values.yaml"},
    {kFluentbitCanonicalName, &UtilityGroupVersions::fluentbit, "0.31.0", "fluent-bit_values.yaml"},
    {kTeleportCanonicalName, &UtilityGroupVersions::teleport, "12.4.34", "teleport_values.yaml"},
    {kPgbouncerCanonicalName, &UtilityGroupVersions::pgbouncer, "1.2.1", "pgbouncer_values.yaml"},
    {kPromtailCanonicalName, &UtilityGroupVersions::promtail, "6.15.5", "promtail_values.yaml"},
    {kRtcdCanonicalName, &UtilityGroupVersions::rtcd, "1.3.0", "rtcd_values.yaml"},
    {kNodeProblemDetectorCanonicalName, &UtilityGroupVersions::node_problem_detector, "2.3.12",
     "node_problem_detector_values.yaml"},
    {kMetricsServerCanonicalName, &UtilityGroupVersions::metrics_server, "3.12.1",
     "metrics_server_values.yaml"},
    {kVeleroCanonicalName, &UtilityGroupVersions::velero, "5.1.5", "velero_values.yaml"},
    {kCloudproberCanonicalName, &UtilityGroupVersions::cloudprober, "0.1.4",
     "cloudprober_values.yaml"},
}};

constexpr std::array<std::string_view, 13> kUtilityNames = [] {
  std::array<std::string_view, 13> names{};
  for (size_t i = 0; i < kUtilities.size(); ++i) names[i] = kUtilities[i].name;
  return names;
}();

const UtilityInfo* FindUtility(std::string_view utility) {
  for (const UtilityInfo& info : kUtilities) {
    if (info.name == utility) return &info;
  }
  return nullptr;
}

// Go's strings.Trim(s, `"`).
std::string TrimQuotes(std::string_view s) {
  const size_t begin = s.find_first_not_of('"');
  if (begin == std::string_view::npos) return "";
  const size_t end = s.find_last_not_of('"');
  return std::string(s.substr(begin, end - begin + 1));
}

}  // namespace

std::span<const std::string_view> AllUtilityNames() { return kUtilityNames; }

bool IsKnownUtility(std::string_view utility) { return FindUtility(utility) != nullptr; }

bool HelmUtilityVersion::IsEmpty() const {
  if (chart == kUnmanagedUtilityVersion) return false;
  return values_path.empty() || chart.empty();
}

Json ToJsonValue(const HelmUtilityVersion& version) {
  Json out = Json::object();
  out["Chart"] = version.chart;
  out["ValuesPath"] = version.values_path;
  return out;
}

Result<void> FromJsonValue(const Json& j, HelmUtilityVersion& out, std::string& /*path*/) {
  // Mirrors upstream's UnmarshalJSON: try the object form; on any decode error fall back to the
  // raw text (quotes trimmed) as the chart version. It never fails.
  if (j.is_null()) return Ok();
  if (j.is_string()) {
    out.chart = TrimQuotes(j.get_ref<const std::string&>());
    return Ok();
  }
  if (!j.is_object()) {
    out.chart = TrimQuotes(DumpGoJson(j));
    return Ok();
  }
  bool failed = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string* field = nullptr;
    if (json_internal::EqualFoldAscii(it.key(), "Chart")) {
      field = &out.chart;
    } else if (json_internal::EqualFoldAscii(it.key(), "ValuesPath")) {
      field = &out.values_path;
    } else {
      continue;
    }
    if (it.value().is_string()) {
      *field = it.value().get<std::string>();
    } else if (!it.value().is_null()) {
      failed = true;  // Go keeps decoding the other fields, then reports the error
    }
  }
  if (failed) out.chart = TrimQuotes(DumpGoJson(j));
  return Ok();
}

std::optional<HelmUtilityVersion>* UtilityGroupVersions::Find(std::string_view utility) {
  const UtilityInfo* info = FindUtility(utility);
  return info == nullptr ? nullptr : &(this->*(info->field));
}

const std::optional<HelmUtilityVersion>* UtilityGroupVersions::Find(
    std::string_view utility) const {
  const UtilityInfo* info = FindUtility(utility);
  return info == nullptr ? nullptr : &(this->*(info->field));
}

UtilityVersionMap UtilityGroupVersions::AsMap() const {
  UtilityVersionMap out;
  for (const UtilityInfo& info : kUtilities) out[std::string(info.name)] = this->*(info.field);
  return out;
}

std::string BuildUtilityValuesPath(std::string_view git_url, std::string_view file_name) {
  std::string out(git_url);
  out += "/api/v4/projects/295/repository/files/dev%2F";
  out += file_name;
  out += "?ref=master";
  return out;
}

std::string_view DefaultUtilityChartVersion(std::string_view utility) {
  const UtilityInfo* info = FindUtility(utility);
  return info == nullptr ? std::string_view() : info->default_chart;
}

std::string_view DefaultUtilityValuesFileName(std::string_view utility) {
  const UtilityInfo* info = FindUtility(utility);
  return info == nullptr ? std::string_view() : info->values_file;
}

std::optional<HelmUtilityVersion> DefaultUtilityVersion(std::string_view utility,
                                                        const UtilityDefaultsOptions& options) {
  const UtilityInfo* info = FindUtility(utility);
  if (info == nullptr) return std::nullopt;
  HelmUtilityVersion version{std::string(info->default_chart), ""};
  if (!options.utilities_git_url.empty()) {
    version.values_path = BuildUtilityValuesPath(options.utilities_git_url, info->values_file);
  }
  return version;
}

void SetUtilityDesiredVersions(UtilityMetadata& metadata, const UtilityVersionMap& versions) {
  for (const auto& [utility, version] : versions) {
    if (auto* field = metadata.desired_versions.Find(utility)) *field = version;
  }
}

void SetUtilityActualVersion(UtilityMetadata& metadata, std::string_view utility,
                             const std::optional<HelmUtilityVersion>& version) {
  if (auto* actual = metadata.actual_versions.Find(utility)) *actual = version;
  if (auto* desired = metadata.desired_versions.Find(utility)) desired->reset();
}

bool UtilityIsUnmanaged(const std::optional<HelmUtilityVersion>& desired,
                        const std::optional<HelmUtilityVersion>& actual) {
  const std::string_view desired_chart = desired ? std::string_view(desired->chart) : "";
  const std::string_view actual_chart = actual ? std::string_view(actual->chart) : "";
  if (desired_chart == kUnmanagedUtilityVersion) return true;
  return desired_chart.empty() && actual_chart == kUnmanagedUtilityVersion;
}

void ApplyArgocdRegistration(UtilityMetadata& metadata,
                             const std::map<std::string, std::string>& argocd_register) {
  if (argocd_register.contains("force")) metadata.argocd_cluster_register.registered = false;
  if (argocd_register.empty() || metadata.argocd_cluster_register.registered) return;
  if (auto it = argocd_register.find("cluster-type"); it != argocd_register.end()) {
    metadata.argocd_cluster_register.cluster_type = it->second;
  }
  metadata.managed_by_argocd = true;
}

}  // namespace cloud::model
