// ClusterInstallation: the placement of an installation on a cluster (a namespace), its
// states, Kubernetes status and the migration request/response (spec upstream-api.md §3.6,
// §4.4, §5.8).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/json_codec.h"

namespace cloud::model {

// The 8 cluster installation states, in upstream's AllClusterInstallationStates order.
enum class ClusterInstallationState {
  kCreationRequested,
  kCreationFailed,
  kDeletionRequested,
  kDeletionFailed,
  kDeleted,
  kReconciling,
  kReady,
  kStable,
};

std::string_view ToString(ClusterInstallationState state);
bool ParseEnum(std::string_view text, ClusterInstallationState& out);
std::span<const ClusterInstallationState> AllClusterInstallationStates();
// creation-requested, reconciling, ready, deletion-requested.
std::span<const ClusterInstallationState> AllClusterInstallationStatesPendingWork();
// creation-requested 3, reconciling 2, ready 1, others 0.
int ClusterInstallationStateWorkPriority(ClusterInstallationState state);

struct ClusterInstallation {
  std::string id;
  std::string cluster_id;
  std::string installation_id;
  std::string namespace_;  // JSON "Namespace"
  ClusterInstallationState state = ClusterInstallationState::kCreationRequested;
  int64_t create_at = 0;
  int64_t delete_at = 0;
  bool api_security_lock = false;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;
  bool is_active = false;

  bool IsDeleted() const { return delete_at != 0; }
  friend bool operator==(const ClusterInstallation&, const ClusterInstallation&) = default;
};

template <class V>
void JsonFields(V& v, ClusterInstallation& c) {
  v("ID", c.id);
  v("ClusterID", c.cluster_id);
  v("InstallationID", c.installation_id);
  v("Namespace", c.namespace_);
  v("State", c.state);
  v("CreateAt", c.create_at);
  v("DeleteAt", c.delete_at);
  v("APISecurityLock", c.api_security_lock);
  v("LockAcquiredBy", c.lock_acquired_by);
  v("LockAcquiredAt", c.lock_acquired_at);
  v("IsActive", c.is_active);
}

// Pod counts of the Mattermost deployment as Kubernetes reports them (GET .../status).
struct ClusterInstallationStatus {
  bool installation_found = false;
  std::optional<int32_t> replicas;
  std::optional<int32_t> total_pod;
  std::optional<int32_t> running_pod;
  std::optional<int32_t> ready_pod;
  std::optional<int32_t> started_pod;
  std::optional<int32_t> ready_local_server;
  friend bool operator==(const ClusterInstallationStatus&,
                         const ClusterInstallationStatus&) = default;
};

template <class V>
void JsonFields(V& v, ClusterInstallationStatus& s) {
  v("InstallationFound", s.installation_found, kOmitEmpty);
  v("Replicas", s.replicas, kOmitEmpty);
  v("TotalPod", s.total_pod, kOmitEmpty);
  v("RunningPod", s.running_pod, kOmitEmpty);
  v("ReadyPod", s.ready_pod, kOmitEmpty);
  v("StartedPod", s.started_pod, kOmitEmpty);
  v("ReadyLocalServer", s.ready_local_server, kOmitEmpty);
}

// Body of the /api/cluster_installations/migrate* routes.
struct MigrateClusterInstallationRequest {
  std::string installation_id;  // optional filter
  std::string source_cluster_id;
  std::string target_cluster_id;
  bool dns_switch = false;  // accepted, unused
  bool lock_installation = false;

  // SourceClusterID and TargetClusterID must be non-empty. Errors: kInvalidArgument.
  Result<void> Validate() const;
  friend bool operator==(const MigrateClusterInstallationRequest&,
                         const MigrateClusterInstallationRequest&) = default;
};

template <class V>
void JsonFields(V& v, MigrateClusterInstallationRequest& r) {
  v("InstallationID", r.installation_id);
  v("SourceClusterID", r.source_cluster_id);
  v("TargetClusterID", r.target_cluster_id);
  v("DNSSwitch", r.dns_switch);
  v("LockInstallation", r.lock_installation);
}

// The Operation of a migration response.
enum class ClusterInstallationOperation {
  kMigration,            // "MigratingClusterInstallation"
  kDNSSwitch,            // "DNSSwitch"
  kSwitchClusterRoles,   // "SwitchClusterRoles"
  kDeletingInActiveCIs,  // "DeletingInActiveClusterInstallations"
};

std::string_view ToString(ClusterInstallationOperation operation);
bool ParseEnum(std::string_view text, ClusterInstallationOperation& out);

struct MigrateClusterInstallationResponse {
  std::string source_cluster_id;
  std::string target_cluster_id;
  ClusterInstallationOperation operation = ClusterInstallationOperation::kMigration;
  int total_cluster_installations = 0;
  friend bool operator==(const MigrateClusterInstallationResponse&,
                         const MigrateClusterInstallationResponse&) = default;
};

template <class V>
void JsonFields(V& v, MigrateClusterInstallationResponse& r) {
  v("SourceClusterID", r.source_cluster_id);
  v("TargetClusterID", r.target_cluster_id);
  v("Operation", r.operation);
  v("TotalClusterInstallations", r.total_cluster_installations);
}

// Commands allowed by POST /api/cluster_installation/{id}/exec/{command}.
inline constexpr std::string_view kExecCommandMmctl = "mmctl";
inline constexpr std::string_view kExecCommandMattermost = "mattermost";
bool IsSupportedExecCommand(std::string_view command);

}  // namespace cloud::model
