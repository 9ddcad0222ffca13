// Cluster request bodies with their defaults and validation (spec upstream-api.md §4.2, §5.1),
// plus the functions the API applies them with: building a new cluster from a create/import
// request and applying update, upgrade, resize and nodegroup requests to cluster metadata.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/cluster.h"
#include "model/json_codec.h"
#include "model/utility_metadata.h"

namespace cloud::model {

// True if `version` matches upstream's cluster version regex
// ^(([0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3})|([0-9]{1,3}.[0-9]{1,3})|(latest))$ whose dots are
// unescaped: each `.` is any character but a newline ("1x23" and "123" are valid).
bool IsValidClusterVersion(std::string_view version);

// True if `arn` matches ^arn:aws:kms:[a-zA-Z0-9_-]+:[0-9]+:key/[a-f0-9-]+$.
bool IsValidKmsArn(std::string_view arn);

// Networking options a create request accepts:
// amazon-vpc-routed-eni, amazonvpc, weave, canal, calico.
std::span<const std::string_view> SupportedCniList();

// POST /api/clusters. Every key is omitempty.
struct CreateClusterRequest {
  std::string provider;
  std::vector<std::string> zones;
  std::string version;
  std::string ami;
  std::string master_instance_type;
  int64_t master_count = 0;
  std::string node_instance_type;
  int64_t node_min_count = 0;
  int64_t node_max_count = 0;
  bool allow_installations = false;
  bool api_security_lock = false;
  UtilityVersionMap utility_versions;
  std::vector<std::string> annotations;
  std::string networking;
  std::string vpc;
  int64_t max_pods_per_node = 0;
  std::string cluster_role_arn;
  std::string node_role_arn;
  std::string provisioner;
  NodeGroupMetadataMap additional_node_groups;
  std::vector<std::string> nodegroup_with_public_subnet;
  std::vector<std::string> nodegroup_with_sg;
  std::string kms_key_id;                                             // accepted, unused
  std::optional<std::map<std::string, std::string>> argocd_register;  // {} differs from null
  std::string external_cluster_secret_name;                           // accepted, unused
  std::optional<PgBouncerConfig> pgbouncer_config;

  // Fills every default of spec §5.1 (provider aws, provisioner kops, version, zones, sizes,
  // networking calico, EKS additional nodegroup sizes, the 13 utility versions, PgBouncer).
  // A utility whose value is null is treated as missing (upstream panics on it).
  void SetDefaults(const UtilityDefaultsOptions& options);
  // The rules of spec §5.1 in upstream's order; the first failure wins.
  // Errors: kInvalidArgument with upstream's message ("unsupported provider gcp", ...).
  Result<void> Validate() const;

  friend bool operator==(const CreateClusterRequest&, const CreateClusterRequest&) = default;
};

template <class V>
void JsonFields(V& v, CreateClusterRequest& r) {
  v("provider", r.provider, kOmitEmpty);
  v("zones", r.zones, kOmitEmpty);
  v("version", r.version, kOmitEmpty);
  v("ami", r.ami, kOmitEmpty);
  v("master-instance-type", r.master_instance_type, kOmitEmpty);
  v("master-count", r.master_count, kOmitEmpty);
  v("node-instance-type", r.node_instance_type, kOmitEmpty);
  v("node-min-count", r.node_min_count, kOmitEmpty);
  v("node-max-count", r.node_max_count, kOmitEmpty);
  v("allow-installations", r.allow_installations, kOmitEmpty);
  v("api-security-lock", r.api_security_lock, kOmitEmpty);
  v("utility-versions", r.utility_versions, kOmitEmpty);
  v("annotations", r.annotations, kOmitEmpty);
  v("networking", r.networking, kOmitEmpty);
  v("vpc", r.vpc, kOmitEmpty);
  v("max-pods-per-node", r.max_pods_per_node, kOmitEmpty);
  v("cluster-role-arn", r.cluster_role_arn, kOmitEmpty);
  v("node-role-arn", r.node_role_arn, kOmitEmpty);
  v("provisioner", r.provisioner, kOmitEmpty);
  v("additional-node-groups", r.additional_node_groups, kOmitEmpty);
  v("nodegroup-with-public-subnet", r.nodegroup_with_public_subnet, kOmitEmpty);
  v("nodegroup-with-sg", r.nodegroup_with_sg, kOmitEmpty);
  v("kms-key-id", r.kms_key_id, kOmitEmpty);
  v("argocd-register", r.argocd_register, kOmitEmpty);
  v("external-cluster-secret-name", r.external_cluster_secret_name, kOmitEmpty);
  v("pgbouncer-config", r.pgbouncer_config, kOmitEmpty);
}

// POST /api/clusters/import.
struct ImportClusterRequest {
  std::string external_cluster_secret_name;
  std::string vpc_id;
  std::vector<std::string> annotations;
  bool allow_installations = false;
  bool api_security_lock = false;

  // Errors: kInvalidArgument "external cluster secret name is empty".
  Result<void> Validate() const;
  friend bool operator==(const ImportClusterRequest&, const ImportClusterRequest&) = default;
};

template <class V>
void JsonFields(V& v, ImportClusterRequest& r) {
  v("external-cluster-secret-name", r.external_cluster_secret_name, kOmitEmpty);
  v("vpc-id", r.vpc_id, kOmitEmpty);
  v("annotations", r.annotations, kOmitEmpty);
  v("allow-installations", r.allow_installations);
  v("api-security-lock", r.api_security_lock);
}

// PUT /api/cluster/{id}. Go field names as keys; null = keep.
struct UpdateClusterRequest {
  std::optional<std::string> name;
  std::optional<bool> allow_installations;
  friend bool operator==(const UpdateClusterRequest&, const UpdateClusterRequest&) = default;
};

template <class V>
void JsonFields(V& v, UpdateClusterRequest& r) {
  v("Name", r.name);
  v("AllowInstallations", r.allow_installations);
}

// PUT /api/cluster/{id}/kubernetes. `MaxPodsPerNode` has no JSON tag upstream: Go-cased key,
// no omitempty.
struct PatchUpgradeClusterRequest {
  std::optional<std::string> version;
  std::optional<std::string> ami;
  std::optional<RotatorConfig> rotator_config;
  std::optional<int64_t> max_pods_per_node;
  std::optional<std::string> kms_key_id;

  // Errors: kInvalidArgument ("unsupported cluster version x", "max pods per node (5) must be
  // 10 or greater", "invalid KMS arn format x", or a RotatorConfig error).
  Result<void> Validate() const;
  friend bool operator==(const PatchUpgradeClusterRequest&,
                         const PatchUpgradeClusterRequest&) = default;
};

template <class V>
void JsonFields(V& v, PatchUpgradeClusterRequest& r) {
  v("version", r.version, kOmitEmpty);
  v("ami", r.ami, kOmitEmpty);
  v("rotatorConfig", r.rotator_config, kOmitEmpty);
  v("MaxPodsPerNode", r.max_pods_per_node);
  v("kmsKeyId", r.kms_key_id, kOmitEmpty);
}

// PUT /api/cluster/{id}/size. Every key is omitempty.
struct PatchClusterSizeRequest {
  std::optional<std::string> node_instance_type;
  std::optional<int64_t> node_min_count;
  std::optional<int64_t> node_max_count;
  std::optional<RotatorConfig> rotator_config;
  std::vector<std::string> node_groups;
  std::optional<std::string> master_instance_type;

  // Errors: kInvalidArgument ("node instance type cannot be a blank value", "node min count
  // has to be 1 or greater", "node max count (1) can't be less than min count (2)", or a
  // RotatorConfig error).
  Result<void> Validate() const;
  friend bool operator==(const PatchClusterSizeRequest&, const PatchClusterSizeRequest&) = default;
};

template <class V>
void JsonFields(V& v, PatchClusterSizeRequest& r) {
  v("node-instance-type", r.node_instance_type, kOmitEmpty);
  v("node-min-count", r.node_min_count, kOmitEmpty);
  v("node-max-count", r.node_max_count, kOmitEmpty);
  v("rotatorConfig", r.rotator_config, kOmitEmpty);
  v("nodeGroups", r.node_groups, kOmitEmpty);
  v("master-instance-type", r.master_instance_type, kOmitEmpty);
}

// POST /api/cluster/{id}/provision.
struct ProvisionClusterRequest {
  bool force = false;
  UtilityVersionMap utility_versions;
  std::map<std::string, std::string> argocd_register;
  std::optional<PatchPgBouncerConfig> pgbouncer_config;

  // Errors: kInvalidArgument "pgbouncer config validation failed: <PgBouncer rule>".
  Result<void> Validate() const;
  friend bool operator==(const ProvisionClusterRequest&, const ProvisionClusterRequest&) = default;
};

template <class V>
void JsonFields(V& v, ProvisionClusterRequest& r) {
  v("force", r.force);
  v("utility-versions", r.utility_versions, kOmitEmpty);
  v("argocd-register", r.argocd_register, kOmitEmpty);
  v("pgbouncer-config", r.pgbouncer_config, kOmitEmpty);
}

// POST /api/cluster/{id}/nodegroups. `nodegroups` is not omitempty (null when nil).
struct CreateNodegroupsRequest {
  std::optional<NodeGroupMetadataMap> nodegroups;
  std::vector<std::string> nodegroup_with_public_subnet;
  std::vector<std::string> nodegroup_with_sg;

  // Per nodegroup: InstanceType m5.large, MinCount 0 -> 2, MaxCount 0 -> MinCount.
  void SetDefaults();
  // Errors: kInvalidArgument ("nodegroup x min count has to be 1 or greater", "nodegroup x max
  // count (1) can't be less than min count (2)", "invalid nodegroup x to use public subnets",
  // "invalid nodegroup x to use security group").
  Result<void> Validate() const;
  friend bool operator==(const CreateNodegroupsRequest&, const CreateNodegroupsRequest&) = default;
};

template <class V>
void JsonFields(V& v, CreateNodegroupsRequest& r) {
  v("nodegroups", r.nodegroups);
  v("nodegroup-with-public-subnet", r.nodegroup_with_public_subnet, kOmitEmpty);
  v("nodegroup-with-sg", r.nodegroup_with_sg, kOmitEmpty);
}

// Request body parsers as the API uses them (upstream New*RequestFromReader): decode (an empty
// body is the zero request), apply defaults where the request has them, validate.
// Errors: kInvalidArgument "failed to decode <noun> request: ..." or "<noun> request failed
// validation: ...". (Upstream answers 500 for a bad provision body; the status is the API's
// choice.)
Result<CreateClusterRequest> ParseCreateClusterRequest(std::string_view body,
                                                       const UtilityDefaultsOptions& options);
Result<ImportClusterRequest> ParseImportClusterRequest(std::string_view body);
Result<UpdateClusterRequest> ParseUpdateClusterRequest(std::string_view body);
Result<PatchUpgradeClusterRequest> ParsePatchUpgradeClusterRequest(std::string_view body);
Result<PatchClusterSizeRequest> ParsePatchClusterSizeRequest(std::string_view body);
Result<ProvisionClusterRequest> ParseProvisionClusterRequest(std::string_view body);
Result<CreateNodegroupsRequest> ParseCreateNodegroupsRequest(std::string_view body);

// Builds the cluster POST /api/clusters stores (spec §3.1 (2), §4.1): state
// creation-requested; provider, zones, provisioner, PgBouncer config, AllowInstallations and
// APISecurityLock from the request; ProvisionerMetadataEKS (eks) or ProvisionerMetadataKops
// (otherwise) holding only a ChangeRequest with the requested values; desired utility versions;
// the argocd registration rule. ID, CreateAt, Name and Networking are left empty (the store
// assigns ID and CreateAt). Precondition: `request` went through SetDefaults and Validate.
// Errors: kInvalidArgument if provider or provisioner is not a known value.
Result<Cluster> NewClusterFromCreateRequest(const CreateClusterRequest& request);

// Builds the cluster POST /api/clusters/import stores: provider and provisioner external,
// HasAWSInfrastructure = (vpc-id != ""), secret name and VPC in the external metadata,
// default PgBouncer config only with AWS infrastructure, UtilityMetadata null.
Cluster NewClusterFromImportRequest(const ImportClusterRequest& request);

// The kops ChangeRequest of a create request (every requested value but KmsKeyId).
KopsMetadataRequestedState KopsChangeRequestFromCreateRequest(const CreateClusterRequest& request);
// The EKS metadata of a create request: NodeGroups {} and a ChangeRequest with version, AMI,
// max pods, VPC, role ARNs and one nodegroup per key (`worker` from the node-* values plus the
// additional nodegroups), each named "<key>-<NewNodeGroupSuffix()>" with Type <key>.
EKSMetadata EksMetadataFromCreateRequest(const CreateClusterRequest& request);

// Applies PUT /api/cluster/{id}; returns true if Name or AllowInstallations changed.
bool ApplyClusterUpdatePatch(Cluster& cluster, const UpdateClusterRequest& patch);

// Upgrade (PUT .../kubernetes). Kops: ChangeRequest = the differing Version, AMI,
// MaxPodsPerNode, KmsKeyId and RotatorRequest.Config = the request's rotatorConfig; a missing
// RotatorRequest is always initialised. EKS: differing Version, AMI, MaxPodsPerNode (KMS
// ignored) and a fresh name for every existing nodegroup. Returns true if anything applied.
bool ApplyUpgradePatch(KopsMetadata& metadata, const PatchUpgradeClusterRequest& patch);
bool ApplyUpgradePatch(EKSMetadata& metadata, const PatchUpgradeClusterRequest& patch);

// Resize checks that need the cluster (spec §3.1 (9)). Errors: kInvalidArgument.
Result<void> ValidateClusterSizePatch(const KopsMetadata& metadata,
                                      const PatchClusterSizeRequest& patch);
Result<void> ValidateClusterSizePatch(const EKSMetadata& metadata,
                                      const PatchClusterSizeRequest& patch);
// Resize. Kops: ChangeRequest = the differing NodeInstanceType, NodeMinCount, NodeMaxCount,
// MasterInstanceType (+ RotatorRequest.Config); a missing RotatorRequest is always
// initialised. EKS: ChangeRequest.NodeGroups[ng] = {Name: "<ng>-<suffix>", the given values}
// for the named (or all) nodegroups. Returns true if anything applied.
bool ApplyClusterSizePatch(KopsMetadata& metadata, const PatchClusterSizeRequest& patch);
bool ApplyClusterSizePatch(EKSMetadata& metadata, const PatchClusterSizeRequest& patch);

// Nodegroup creation on EKS. Errors: kInvalidArgument "must specify at least one nodegroup to
// create" or "nodegroup x already exists".
Result<void> ValidateNodegroupsCreateRequest(const EKSMetadata& metadata,
                                             const CreateNodegroupsRequest& request);
// ChangeRequest = the requested nodegroups, each named "<key>-<suffix>" with Type <key> and the
// public-subnet / security-group flags from the request's lists.
void ApplyNodegroupsCreateRequest(EKSMetadata& metadata, const CreateNodegroupsRequest& request);

// Nodegroup deletion on EKS. Errors: kInvalidArgument "nodegroup x not found to delete".
Result<void> ValidateNodegroupDeleteRequest(const EKSMetadata& metadata,
                                            std::string_view nodegroup);
// ChangeRequest = {NodeGroups: {<nodegroup>: {Name: <its current name>}}}.
void ApplyNodegroupDeleteRequest(EKSMetadata& metadata, std::string_view nodegroup);

// Provision with `force`: every utility missing from the request (or null there) gets the
// cluster's actual version; present ones with an empty Chart/ValuesPath inherit it from the
// actual version. A cluster without UtilityMetadata has no actual versions.
void SupplyDefaultDesiredUtilityVersions(ProvisionClusterRequest& request, const Cluster& cluster);

}  // namespace cloud::model
