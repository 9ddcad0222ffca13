// Cluster wire types: Cluster, ClusterDTO and the provider/provisioner metadata they carry
// (kops, EKS, external), rotator metadata and PgBouncer configuration
// (spec upstream-api.md §4.1, §5.3, §5.8).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/annotation.h"
#include "model/cluster_states.h"
#include "model/json_codec.h"
#include "model/utility_metadata.h"

namespace cloud::model {

// Cloud provider of a cluster: "aws" or "external" (imported clusters).
enum class ClusterProvider { kAws, kExternal };

std::string_view ToString(ClusterProvider provider);
bool ParseEnum(std::string_view text, ClusterProvider& out);

// Provisioner of a cluster: "kops", "eks" or "external". An empty string parses as kKops
// (upstream reads an empty stored provisioner as kops).
enum class ClusterProvisioner { kKops, kEks, kExternal };

std::string_view ToString(ClusterProvisioner provisioner);
bool ParseEnum(std::string_view text, ClusterProvisioner& out);

inline constexpr std::string_view kProviderAws = "aws";
inline constexpr std::string_view kProviderExternal = "external";
inline constexpr std::string_view kProvisionerKops = "kops";
inline constexpr std::string_view kProvisionerEks = "eks";
inline constexpr std::string_view kProvisionerExternal = "external";

// The reserved name of the default EKS nodegroup.
inline constexpr std::string_view kNodeGroupWorker = "worker";

// Networking (CNI) option names; kNetworkingVpcCni is defined upstream but not accepted.
inline constexpr std::string_view kNetworkingCalico = "calico";
inline constexpr std::string_view kNetworkingAmazon = "amazon-vpc-routed-eni";
inline constexpr std::string_view kNetworkingVpcCni = "amazon-vpc-cni";

// AWS provider metadata.
struct AWSMetadata {
  std::vector<std::string> zones;
  friend bool operator==(const AWSMetadata&, const AWSMetadata&) = default;
};

template <class V>
void JsonFields(V& v, AWSMetadata& m) {
  v("Zones", m.zones);
}

// Provider metadata of an imported (external) cluster.
struct ExternalProviderMetadata {
  bool has_aws_infrastructure = false;
  friend bool operator==(const ExternalProviderMetadata&,
                         const ExternalProviderMetadata&) = default;
};

template <class V>
void JsonFields(V& v, ExternalProviderMetadata& m) {
  v("HasAWSInfrastructure", m.has_aws_infrastructure);
}

// Provisioner metadata of an imported (external) cluster.
struct ExternalClusterMetadata {
  std::string name;
  std::string secret_name;
  std::string version;
  std::string vpc;
  std::vector<std::string> warnings;
  friend bool operator==(const ExternalClusterMetadata&, const ExternalClusterMetadata&) = default;
};

template <class V>
void JsonFields(V& v, ExternalClusterMetadata& m) {
  v("Name", m.name);
  v("SecretName", m.secret_name);
  v("Version", m.version);
  v("VPC", m.vpc, kOmitEmpty);
  v("Warnings", m.warnings, kOmitEmpty);
}

struct KopsInstanceGroupMetadata {
  std::string node_instance_type;
  int64_t node_min_count = 0;
  int64_t node_max_count = 0;
  std::string ami;
  friend bool operator==(const KopsInstanceGroupMetadata&,
                         const KopsInstanceGroupMetadata&) = default;
};

template <class V>
void JsonFields(V& v, KopsInstanceGroupMetadata& m) {
  v("NodeInstanceType", m.node_instance_type);
  v("NodeMinCount", m.node_min_count);
  v("NodeMaxCount", m.node_max_count);
  v("AMI", m.ami);
}

using KopsInstanceGroupsMetadata = std::map<std::string, KopsInstanceGroupMetadata>;

// Requested kops changes (every key omitempty).
struct KopsMetadataRequestedState {
  std::string version;
  std::string ami;
  std::string master_instance_type;
  int64_t master_count = 0;
  std::string node_instance_type;
  int64_t node_min_count = 0;
  int64_t node_max_count = 0;
  int64_t max_pods_per_node = 0;
  std::string networking;
  std::string vpc;
  std::string kms_key_id;
  friend bool operator==(const KopsMetadataRequestedState&,
                         const KopsMetadataRequestedState&) = default;
};

template <class V>
void JsonFields(V& v, KopsMetadataRequestedState& m) {
  v("Version", m.version, kOmitEmpty);
  v("AMI", m.ami, kOmitEmpty);
  v("MasterInstanceType", m.master_instance_type, kOmitEmpty);
  v("MasterCount", m.master_count, kOmitEmpty);
  v("NodeInstanceType", m.node_instance_type, kOmitEmpty);
  v("NodeMinCount", m.node_min_count, kOmitEmpty);
  v("NodeMaxCount", m.node_max_count, kOmitEmpty);
  v("MaxPodsPerNode", m.max_pods_per_node, kOmitEmpty);
  v("Networking", m.networking, kOmitEmpty);
  v("VPC", m.vpc, kOmitEmpty);
  v("KmsKeyId", m.kms_key_id, kOmitEmpty);
}

// An AWS autoscaling group as the rotator tracks it (mattermost/rotator AutoscalingGroup).
struct AutoscalingGroup {
  std::string name;
  int64_t desired_capacity = 0;
  std::optional<std::vector<std::string>> nodes;  // null when unset
  friend bool operator==(const AutoscalingGroup&, const AutoscalingGroup&) = default;
};

template <class V>
void JsonFields(V& v, AutoscalingGroup& g) {
  v("Name", g.name);
  v("DesiredCapacity", g.desired_capacity);
  v("Nodes", g.nodes);
}

// Progress of a node rotation (mattermost/rotator RotatorMetadata).
struct RotatorStatus {
  std::vector<AutoscalingGroup> master_groups;
  std::vector<AutoscalingGroup> worker_groups;
  friend bool operator==(const RotatorStatus&, const RotatorStatus&) = default;
};

template <class V>
void JsonFields(V& v, RotatorStatus& s) {
  v("MasterGroups", s.master_groups, kOmitEmpty);
  v("WorkerGroups", s.worker_groups, kOmitEmpty);
}

// Rotator settings of an upgrade or resize request (every key omitempty; nullopt = unset).
struct RotatorConfig {
  std::optional<bool> use_rotator;
  std::optional<int64_t> max_scaling;
  std::optional<int64_t> max_drain_retries;
  std::optional<int64_t> evict_grace_period;
  std::optional<int64_t> wait_between_rotations;
  std::optional<int64_t> wait_between_drains;
  std::optional<int64_t> wait_between_pod_evictions;

  // `use-rotator` must be set; when true, every other setting must be set too.
  // Errors: kInvalidArgument with upstream's message ("rotator config use rotator should be
  // set", "rotator config evict grace period should be set", ...).
  Result<void> Validate() const;
  friend bool operator==(const RotatorConfig&, const RotatorConfig&) = default;
};

template <class V>
void JsonFields(V& v, RotatorConfig& c) {
  v("use-rotator", c.use_rotator, kOmitEmpty);
  v("max-scaling", c.max_scaling, kOmitEmpty);
  v("max-drain-retries", c.max_drain_retries, kOmitEmpty);
  v("evict-grace-period", c.evict_grace_period, kOmitEmpty);
  v("wait-between-rotations", c.wait_between_rotations, kOmitEmpty);
  v("wait-between-drains", c.wait_between_drains, kOmitEmpty);
  v("wait-between-pod-evictions", c.wait_between_pod_evictions, kOmitEmpty);
}

struct RotatorMetadata {
  std::optional<RotatorStatus> status;
  std::optional<RotatorConfig> config;
  friend bool operator==(const RotatorMetadata&, const RotatorMetadata&) = default;
};

template <class V>
void JsonFields(V& v, RotatorMetadata& m) {
  v("Status", m.status);
  v("Config", m.config);
}

// Kops provisioner metadata. The top-level fields are filled by the supervisor; on create only
// ChangeRequest is set.
struct KopsMetadata {
  std::string name;
  std::string version;
  std::string ami;
  std::string master_instance_type;
  int64_t master_count = 0;
  std::string node_instance_type;
  int64_t node_min_count = 0;
  int64_t node_max_count = 0;
  int64_t max_pods_per_node = 0;
  std::string vpc;
  std::string networking;
  std::string kms_key_id;
  std::optional<KopsInstanceGroupsMetadata> master_instance_groups;  // null until filled
  std::optional<KopsInstanceGroupsMetadata> node_instance_groups;    // null until filled
  KopsInstanceGroupsMetadata custom_instance_groups;                 // omitempty
  std::optional<KopsMetadataRequestedState> change_request;
  std::optional<RotatorMetadata> rotator_request;
  std::vector<std::string> warnings;
  friend bool operator==(const KopsMetadata&, const KopsMetadata&) = default;
};

template <class V>
void JsonFields(V& v, KopsMetadata& m) {
  v("Name", m.name);
  v("Version", m.version);
  v("AMI", m.ami);
  v("MasterInstanceType", m.master_instance_type);
  v("MasterCount", m.master_count);
  v("NodeInstanceType", m.node_instance_type);
  v("NodeMinCount", m.node_min_count);
  v("NodeMaxCount", m.node_max_count);
  v("MaxPodsPerNode", m.max_pods_per_node);
  v("VPC", m.vpc);
  v("Networking", m.networking);
  v("KmsKeyId", m.kms_key_id);
  v("MasterInstanceGroups", m.master_instance_groups);
  v("NodeInstanceGroups", m.node_instance_groups);
  v("CustomInstanceGroups", m.custom_instance_groups, kOmitEmpty);
  v("ChangeRequest", m.change_request, kOmitEmpty);
  v("RotatorRequest", m.rotator_request, kOmitEmpty);
  v("Warnings", m.warnings, kOmitEmpty);
}

// One EKS nodegroup. `Name` is the AWS name ("<type>-<6-char suffix>"), `Type` the key.
struct NodeGroupMetadata {
  std::string name;
  std::string type;
  std::string instance_type;
  int64_t min_count = 0;
  int64_t max_count = 0;
  bool with_public_subnet = false;
  bool with_security_group = false;

  // Copies every empty/zero/false field from `other` (upstream CopyMissingFieldsFrom).
  void CopyMissingFieldsFrom(const NodeGroupMetadata& other);
  friend bool operator==(const NodeGroupMetadata&, const NodeGroupMetadata&) = default;
};

template <class V>
void JsonFields(V& v, NodeGroupMetadata& m) {
  v("Name", m.name);
  v("Type", m.type, kOmitEmpty);
  v("InstanceType", m.instance_type, kOmitEmpty);
  v("MinCount", m.min_count, kOmitEmpty);
  v("MaxCount", m.max_count, kOmitEmpty);
  v("WithPublicSubnet", m.with_public_subnet, kOmitEmpty);
  v("WithSecurityGroup", m.with_security_group, kOmitEmpty);
}

using NodeGroupMetadataMap = std::map<std::string, NodeGroupMetadata>;

// Requested EKS changes (every key omitempty).
struct EKSMetadataRequestedState {
  std::string version;
  std::string ami;
  int64_t max_pods_per_node = 0;
  std::string networking;
  std::string vpc;
  std::string cluster_role_arn;
  std::string node_role_arn;
  NodeGroupMetadataMap node_groups;
  friend bool operator==(const EKSMetadataRequestedState&,
                         const EKSMetadataRequestedState&) = default;
};

template <class V>
void JsonFields(V& v, EKSMetadataRequestedState& m) {
  v("Version", m.version, kOmitEmpty);
  v("AMI", m.ami, kOmitEmpty);
  v("MaxPodsPerNode", m.max_pods_per_node, kOmitEmpty);
  v("Networking", m.networking, kOmitEmpty);
  v("VPC", m.vpc, kOmitEmpty);
  v("ClusterRoleARN", m.cluster_role_arn, kOmitEmpty);
  v("NodeRoleARN", m.node_role_arn, kOmitEmpty);
  v("NodeGroups", m.node_groups, kOmitEmpty);
}

// EKS provisioner metadata.
struct EKSMetadata {
  std::string name;
  std::string version;
  std::string ami;
  std::string vpc;
  std::string networking;
  std::string cluster_role_arn;
  std::string node_role_arn;
  int64_t max_pods_per_node = 0;
  std::optional<NodeGroupMetadataMap> node_groups;  // null when nil, {} right after create
  std::optional<EKSMetadataRequestedState> change_request;
  std::vector<std::string> warnings;
  friend bool operator==(const EKSMetadata&, const EKSMetadata&) = default;
};

template <class V>
void JsonFields(V& v, EKSMetadata& m) {
  v("Name", m.name);
  v("Version", m.version);
  v("AMI", m.ami);
  v("VPC", m.vpc);
  v("Networking", m.networking);
  v("ClusterRoleARN", m.cluster_role_arn);
  v("NodeRoleARN", m.node_role_arn);
  v("MaxPodsPerNode", m.max_pods_per_node);
  v("NodeGroups", m.node_groups);
  v("ChangeRequest", m.change_request, kOmitEmpty);
  v("Warnings", m.warnings, kOmitEmpty);
}

inline constexpr int64_t kPgBouncerDefaultMinPoolSize = 1;
inline constexpr int64_t kPgBouncerDefaultDefaultPoolSize = 5;
inline constexpr int64_t kPgBouncerDefaultReservePoolSize = 10;
inline constexpr int64_t kPgBouncerDefaultMaxClientConnections = 25000;
inline constexpr int64_t kPgBouncerDefaultMaxDatabaseConnectionsPerPool = 50;
inline constexpr int64_t kPgBouncerDefaultServerIdleTimeout = 30;
inline constexpr int64_t kPgBouncerDefaultServerLifetime = 300;
inline constexpr int64_t kPgBouncerDefaultServerResetQueryAlways = 0;

struct PatchPgBouncerConfig;

// PgBouncer settings of a cluster.
struct PgBouncerConfig {
  int64_t min_pool_size = 0;
  int64_t default_pool_size = 0;
  int64_t reserve_pool_size = 0;
  int64_t max_client_connections = 0;
  int64_t max_database_connections_per_pool = 0;
  int64_t server_idle_timeout = 0;
  int64_t server_lifetime = 0;
  int64_t server_reset_query_always = 0;

  // Every zero field gets its default (ServerResetQueryAlways stays 0).
  void SetDefaults();
  // Errors: kInvalidArgument ("MaxDatabaseConnectionsPerPool must be 1 or greater",
  // "DefaultPoolSize must be 1 or greater", "ServerResetQueryAlways must be 0 or 1").
  Result<void> Validate() const;
  // Sets every field the patch holds.
  void ApplyPatch(const PatchPgBouncerConfig& patch);
  friend bool operator==(const PgBouncerConfig&, const PgBouncerConfig&) = default;
};

// A PgBouncerConfig with every default set (upstream NewDefaultPgBouncerConfig).
PgBouncerConfig DefaultPgBouncerConfig();

template <class V>
void JsonFields(V& v, PgBouncerConfig& c) {
  v("MinPoolSize", c.min_pool_size);
  v("DefaultPoolSize", c.default_pool_size);
  v("ReservePoolSize", c.reserve_pool_size);
  v("MaxClientConnections", c.max_client_connections);
  v("MaxDatabaseConnectionsPerPool", c.max_database_connections_per_pool);
  v("ServerIdleTimeout", c.server_idle_timeout);
  v("ServerLifetime", c.server_lifetime);
  v("ServerResetQueryAlways", c.server_reset_query_always);
}

// A partial PgBouncerConfig (nullopt/null = keep the current value).
struct PatchPgBouncerConfig {
  std::optional<int64_t> min_pool_size;
  std::optional<int64_t> default_pool_size;
  std::optional<int64_t> reserve_pool_size;
  std::optional<int64_t> max_client_connections;
  std::optional<int64_t> max_database_connections_per_pool;
  std::optional<int64_t> server_idle_timeout;
  std::optional<int64_t> server_lifetime;
  std::optional<int64_t> server_reset_query_always;

  // The PgBouncerConfig rules, applied to the fields that are set.
  Result<void> Validate() const;
  friend bool operator==(const PatchPgBouncerConfig&, const PatchPgBouncerConfig&) = default;
};

template <class V>
void JsonFields(V& v, PatchPgBouncerConfig& c) {
  v("MinPoolSize", c.min_pool_size);
  v("DefaultPoolSize", c.default_pool_size);
  v("ReservePoolSize", c.reserve_pool_size);
  v("MaxClientConnections", c.max_client_connections);
  v("MaxDatabaseConnectionsPerPool", c.max_database_connections_per_pool);
  v("ServerIdleTimeout", c.server_idle_timeout);
  v("ServerLifetime", c.server_lifetime);
  v("ServerResetQueryAlways", c.server_reset_query_always);
}

// A Kubernetes cluster managed (or imported) by the provisioner.
//
// Invariant kept by the API and the store: only the provider metadata matching `provider` and
// the provisioner metadata matching `provisioner` are set. `name` is internal (always "" from
// the API); `networking` is copied on read from the kops/EKS metadata.
struct Cluster {
  std::string id;
  std::string name;
  ClusterState state = ClusterState::kCreationRequested;
  ClusterProvider provider = ClusterProvider::kAws;
  std::optional<AWSMetadata> provider_metadata_aws;
  std::optional<ExternalProviderMetadata> provider_metadata_external;
  ClusterProvisioner provisioner = ClusterProvisioner::kKops;
  std::optional<KopsMetadata> provisioner_metadata_kops;
  std::optional<EKSMetadata> provisioner_metadata_eks;
  std::optional<ExternalClusterMetadata> provisioner_metadata_external;
  std::string networking;
  std::optional<UtilityMetadata> utility_metadata;
  std::optional<PgBouncerConfig> pg_bouncer_config;
  bool allow_installations = false;
  int64_t create_at = 0;
  int64_t delete_at = 0;
  bool api_security_lock = false;
  std::optional<std::string> scheduling_lock_acquired_by;
  int64_t scheduling_lock_acquired_at = 0;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;

  bool IsDeleted() const { return delete_at != 0; }
  // The VPC of the cluster's provisioner metadata, "" if none.
  std::string VpcId() const;
  // True unless the cluster is external without AWS infrastructure.
  bool HasAWSInfrastructure() const;
  bool IsExternallyManaged() const { return provider == ClusterProvider::kExternal; }

  friend bool operator==(const Cluster&, const Cluster&) = default;
};

template <class V>
void JsonFields(V& v, Cluster& c) {
  v("ID", c.id);
  v("Name", c.name);
  v("State", c.state);
  v("Provider", c.provider);
  v("ProviderMetadataAWS", c.provider_metadata_aws, kOmitEmpty);
  v("ProviderMetadataExternal", c.provider_metadata_external, kOmitEmpty);
  v("Provisioner", c.provisioner);
  v("ProvisionerMetadataKops", c.provisioner_metadata_kops, kOmitEmpty);
  v("ProvisionerMetadataEKS", c.provisioner_metadata_eks, kOmitEmpty);
  v("ProvisionerMetadataExternal", c.provisioner_metadata_external, kOmitEmpty);
  v("Networking", c.networking);
  v("UtilityMetadata", c.utility_metadata);
  v("PgBouncerConfig", c.pg_bouncer_config);
  v("AllowInstallations", c.allow_installations);
  v("CreateAt", c.create_at);
  v("DeleteAt", c.delete_at);
  v("APISecurityLock", c.api_security_lock);
  v("SchedulingLockAcquiredBy", c.scheduling_lock_acquired_by);
  v("SchedulingLockAcquiredAt", c.scheduling_lock_acquired_at);
  v("LockAcquiredBy", c.lock_acquired_by);
  v("LockAcquiredAt", c.lock_acquired_at);
}

// A cluster with its annotations, as the API returns it: the Cluster keys flattened into one
// object, followed by `Annotations` (omitted when empty).
struct ClusterDTO {
  Cluster cluster;
  std::vector<Annotation> annotations;
  friend bool operator==(const ClusterDTO&, const ClusterDTO&) = default;
};

template <class V>
void JsonFields(V& v, ClusterDTO& d) {
  JsonFields(v, d.cluster);
  v("Annotations", d.annotations, kOmitEmpty);
}

// Whether new installations may be scheduled on the cluster.
// Errors: kFailedPrecondition "cluster set to not allow for new installation scheduling" or
// "not in a state to accept new installations (currently <state>)".
Result<void> CanScheduleInstallations(const Cluster& cluster);

// Sets desired utility versions, creating UtilityMetadata if the cluster has none.
void SetUtilityDesiredVersions(Cluster& cluster, const UtilityVersionMap& versions);

// The argocd registration rule (see ApplyArgocdRegistration), creating UtilityMetadata if the
// cluster has none.
void SetManagedByArgocd(Cluster& cluster, const std::map<std::string, std::string>& values);

// A fresh EKS nodegroup name suffix: the first 6 characters of cloud::NewId().
std::string NewNodeGroupSuffix();

}  // namespace cloud::model
