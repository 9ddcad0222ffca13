#include "model/cluster_requests.h"

#include <algorithm>
#include <array>

namespace cloud::model {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Width of the UTF-8 sequence at s[pos] as Go's utf8.DecodeRuneInString sees it: an invalid
// sequence is one byte (U+FFFD).
size_t RuneWidth(std::string_view s, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  const unsigned char b0 = byte(pos);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(pos + 1) ? 2 : 1;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(pos + 1) || !cont(pos + 2)) return 1;
    const unsigned char b1 = byte(pos + 1);
    if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F)) return 1;
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(pos + 1) || !cont(pos + 2) || !cont(pos + 3)) return 1;
    const unsigned char b1 = byte(pos + 1);
    if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 > 0x8F)) return 1;
    return 4;
  }
  return 1;
}

// Backtracking match of `s` against a pattern of tokens: 'D' = [0-9]{1,3}, '.' = any rune but
// '\n'. The whole of `s` must match.
bool MatchVersionPattern(std::string_view s, size_t pos, std::string_view pattern) {
  if (pattern.empty()) return pos == s.size();
  if (pattern.front() == '.') {
    if (pos >= s.size() || s[pos] == '\n') return false;
    return MatchVersionPattern(s, pos + RuneWidth(s, pos), pattern.substr(1));
  }
  for (size_t n = 1; n <= 3 && pos + n <= s.size() && IsDigit(s[pos + n - 1]); ++n) {
    if (MatchVersionPattern(s, pos + n, pattern.substr(1))) return true;
  }
  return false;
}

template <class Pred>
size_t SpanOf(std::string_view s, size_t pos, Pred pred) {
  size_t end = pos;
  while (end < s.size() && pred(s[end])) ++end;
  return end - pos;
}

constexpr std::array<std::string_view, 5> kSupportedCni = {"amazon-vpc-routed-eni", "amazonvpc",
                                                           "weave", "canal", "calico"};

void SetNodeGroupDefaults(NodeGroupMetadata& ng) {
  if (ng.instance_type.empty()) ng.instance_type = "m5.large";
  if (ng.min_count == 0) ng.min_count = 2;
  if (ng.max_count == 0) ng.max_count = ng.min_count;
}

// The nodegroups of a public-subnet / security-group list must be `worker` or requested.
Result<void> ValidateNodeGroupLists(const std::vector<std::string>& public_subnet,
                                    const std::vector<std::string>& security_group,
                                    const NodeGroupMetadataMap* requested) {
  const auto known = [&](const std::string& ng) {
    return ng == kNodeGroupWorker || (requested != nullptr && requested->contains(ng));
  };
  for (const std::string& ng : public_subnet) {
    if (!known(ng)) return InvalidArgument("invalid nodegroup " + ng + " to use public subnets");
  }
  for (const std::string& ng : security_group) {
    if (!known(ng)) return InvalidArgument("invalid nodegroup " + ng + " to use security group");
  }
  return Ok();
}

// The ChangeRequest nodegroups for a set of requested groups (create cluster, create
// nodegroups): flags from the lists, fresh names, Type = key.
NodeGroupMetadataMap NamedNodeGroups(NodeGroupMetadataMap groups,
                                     const std::vector<std::string>& public_subnet,
                                     const std::vector<std::string>& security_group) {
  for (const std::string& ng : public_subnet) groups[ng].with_public_subnet = true;
  for (const std::string& ng : security_group) groups[ng].with_security_group = true;
  NodeGroupMetadataMap out;
  for (const auto& [key, ng] : groups) {
    NodeGroupMetadata named = ng;
    named.name = key + "-" + NewNodeGroupSuffix();
    named.type = key;
    out[key] = std::move(named);
  }
  return out;
}

std::string Num(int64_t n) { return std::to_string(n); }

template <class T>
Result<T> DecodeRequest(std::string_view body, std::string_view noun) {
  Result<T> decoded = DecodeJson<T>(body);
  if (!decoded) {
    return decoded.error().WithContext("failed to decode " + std::string(noun) + " request");
  }
  return decoded;
}

Error ValidationError(const Error& error, std::string_view noun) {
  return error.WithContext(std::string(noun) + " request failed validation");
}

}  // namespace

bool IsValidClusterVersion(std::string_view version) {
  return version == "latest" || MatchVersionPattern(version, 0, "D.D.D") ||
         MatchVersionPattern(version, 0, "D.D");
}

bool IsValidKmsArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:kms:";
  if (!arn.starts_with(kPrefix)) return false;
  size_t pos = kPrefix.size();
  const size_t region = SpanOf(arn, pos, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '-';
  });
  if (region == 0) return false;
  pos += region;
  if (pos >= arn.size() || arn[pos] != ':') return false;
  ++pos;
  const size_t account = SpanOf(arn, pos, IsDigit);
  if (account == 0) return false;
  pos += account;
  if (arn.substr(pos, 5) != ":key/") return false;
  pos += 5;
  const size_t key =
      SpanOf(arn, pos, [](char c) { return (c >= 'a' && c <= 'f') || IsDigit(c) || c == '-'; });
  return key > 0 && pos + key == arn.size();
}

std::span<const std::string_view> SupportedCniList() { return kSupportedCni; }

// CreateClusterRequest -----------------------------------------------------------------------

void CreateClusterRequest::SetDefaults(const UtilityDefaultsOptions& options) {
  if (provider.empty()) provider = kProviderAws;
  if (provisioner.empty()) provisioner = kProvisionerKops;
  const bool eks = provisioner == kProvisionerEks;
  if (version.empty()) version = eks ? "1.23" : "latest";
  if (zones.empty()) {
    zones = eks ? std::vector<std::string>{"us-east-1a", "us-east-1b"}
                : std::vector<std::string>{"us-east-1a"};
  }
  if (master_instance_type.empty()) master_instance_type = "t3.medium";
  if (master_count == 0) master_count = 1;
  if (node_instance_type.empty()) node_instance_type = "m5.large";
  if (node_min_count == 0) node_min_count = 2;
  if (node_max_count == 0) node_max_count = node_min_count;
  if (max_pods_per_node == 0) max_pods_per_node = 200;
  if (networking.empty()) networking = kNetworkingCalico;

  if (eks) {
    for (auto& [name, ng] : additional_node_groups) SetNodeGroupDefaults(ng);
  }

  for (std::string_view utility : AllUtilityNames()) {
    const HelmUtilityVersion fallback = *DefaultUtilityVersion(utility, options);
    std::optional<HelmUtilityVersion>& entry = utility_versions[std::string(utility)];
    if (!entry.has_value()) {
      entry = fallback;
      continue;
    }
    if (entry->chart.empty()) entry->chart = fallback.chart;
    if (entry->values_path.empty()) entry->values_path = fallback.values_path;
  }

  if (!pgbouncer_config) pgbouncer_config.emplace();
  pgbouncer_config->SetDefaults();
}

Result<void> CreateClusterRequest::Validate() const {
  if (provider != kProviderAws) return InvalidArgument("unsupported provider " + provider);
  if (provisioner != kProvisionerKops && provisioner != kProvisionerEks) {
    return InvalidArgument("unsupported provisioner " + provisioner);
  }
  if (!IsValidClusterVersion(version)) {
    return InvalidArgument("unsupported cluster version " + version);
  }
  if (master_count < 1) {
    return InvalidArgument("master count (" + Num(master_count) + ") must be 1 or greater");
  }
  if (node_min_count < 1) {
    return InvalidArgument("node min count (" + Num(node_min_count) + ") must be 1 or greater");
  }
  if (node_max_count != node_min_count) {
    return InvalidArgument("node min (" + Num(node_min_count) + ") and max (" +
                           Num(node_max_count) + ") counts must match");
  }
  if (max_pods_per_node < 10) {
    return InvalidArgument("max pods per node (" + Num(max_pods_per_node) +
                           ") must be 10 or greater");
  }
  if (argocd_register && !argocd_register->contains("cluster-type")) {
    return InvalidArgument("argocd register key cluster-type must be set");
  }
  if (pgbouncer_config) {
    if (Result<void> r = pgbouncer_config->Validate(); !r) {
      return r.error().WithContext("pgbouncer config is not valid");
    }
  }
  if (provisioner == kProvisionerEks) {
    if (cluster_role_arn.empty()) {
      return InvalidArgument("cluster role ARN for EKS cluster cannot be empty");
    }
    if (node_role_arn.empty()) {
      return InvalidArgument("node role ARN for EKS cluster cannot be empty");
    }
    if (ami.empty()) return InvalidArgument("AMI for EKS cluster cannot be empty");
    if (zones.size() < 2) return InvalidArgument("EKS cluster needs at least two zones");
    if (additional_node_groups.contains(std::string(kNodeGroupWorker))) {
      return InvalidArgument("additional node group name cannot be named worker");
    }
    for (const auto& [name, ng] : additional_node_groups) {
      if (ng.min_count < 1) {
        return InvalidArgument("node min count (" + Num(ng.min_count) +
                               ") must be 1 or greater for node group " + name);
      }
      if (ng.max_count != ng.min_count) {
        return InvalidArgument("node min (" + Num(ng.min_count) + ") and max (" +
                               Num(ng.max_count) + ") counts must match for node group " + name);
      }
    }
    CLOUD_TRY_VOID(ValidateNodeGroupLists(nodegroup_with_public_subnet, nodegroup_with_sg,
                                          &additional_node_groups));
  }
  if (std::ranges::find(kSupportedCni, networking) == kSupportedCni.end()) {
    return InvalidArgument("unsupported cluster networking option " + networking);
  }
  return Ok();
}

// Other requests -----------------------------------------------------------------------------

Result<void> ImportClusterRequest::Validate() const {
  if (external_cluster_secret_name.empty()) {
    return InvalidArgument("external cluster secret name is empty");
  }
  return Ok();
}

Result<void> PatchUpgradeClusterRequest::Validate() const {
  if (version && !IsValidClusterVersion(*version)) {
    return InvalidArgument("unsupported cluster version " + *version);
  }
  if (max_pods_per_node && *max_pods_per_node < 10) {
    return InvalidArgument("max pods per node (" + Num(*max_pods_per_node) +
                           ") must be 10 or greater");
  }
  if (kms_key_id && !IsValidKmsArn(*kms_key_id)) {
    return InvalidArgument("invalid KMS arn format " + *kms_key_id);
  }
  if (rotator_config) CLOUD_TRY_VOID(rotator_config->Validate());
  return Ok();
}

Result<void> PatchClusterSizeRequest::Validate() const {
  if (node_instance_type && node_instance_type->empty()) {
    return InvalidArgument("node instance type cannot be a blank value");
  }
  if (node_min_count && *node_min_count < 1) {
    return InvalidArgument("node min count has to be 1 or greater");
  }
  if (node_min_count && node_max_count && *node_max_count < *node_min_count) {
    return InvalidArgument("node max count (" + Num(*node_max_count) +
                           ") can't be less than min count (" + Num(*node_min_count) + ")");
  }
  if (rotator_config) CLOUD_TRY_VOID(rotator_config->Validate());
  return Ok();
}

Result<void> ProvisionClusterRequest::Validate() const {
  if (pgbouncer_config) {
    if (Result<void> r = pgbouncer_config->Validate(); !r) {
      return r.error().WithContext("pgbouncer config validation failed");
    }
  }
  return Ok();
}

void CreateNodegroupsRequest::SetDefaults() {
  if (!nodegroups) return;
  for (auto& [name, ng] : *nodegroups) SetNodeGroupDefaults(ng);
}

Result<void> CreateNodegroupsRequest::Validate() const {
  if (nodegroups) {
    for (const auto& [name, ng] : *nodegroups) {
      if (ng.min_count < 1) {
        return InvalidArgument("nodegroup " + name + " min count has to be 1 or greater");
      }
      if (ng.max_count < ng.min_count) {
        return InvalidArgument("nodegroup " + name + " max count (" + Num(ng.max_count) +
                               ") can't be less than min count (" + Num(ng.min_count) + ")");
      }
    }
  }
  return ValidateNodeGroupLists(nodegroup_with_public_subnet, nodegroup_with_sg,
                                nodegroups ? &*nodegroups : nullptr);
}

// Parsers ------------------------------------------------------------------------------------

Result<CreateClusterRequest> ParseCreateClusterRequest(std::string_view body,
                                                       const UtilityDefaultsOptions& options) {
  CLOUD_TRY(CreateClusterRequest request,
            DecodeRequest<CreateClusterRequest>(body, "create cluster"));
  request.SetDefaults(options);
  if (Result<void> r = request.Validate(); !r) return ValidationError(r.error(), "create cluster");
  return request;
}

Result<ImportClusterRequest> ParseImportClusterRequest(std::string_view body) {
  CLOUD_TRY(ImportClusterRequest request,
            DecodeRequest<ImportClusterRequest>(body, "import cluster"));
  if (Result<void> r = request.Validate(); !r) return ValidationError(r.error(), "import cluster");
  return request;
}

Result<UpdateClusterRequest> ParseUpdateClusterRequest(std::string_view body) {
  return DecodeRequest<UpdateClusterRequest>(body, "update cluster");
}

Result<PatchUpgradeClusterRequest> ParsePatchUpgradeClusterRequest(std::string_view body) {
  CLOUD_TRY(PatchUpgradeClusterRequest request,
            DecodeRequest<PatchUpgradeClusterRequest>(body, "upgrade cluster"));
  if (Result<void> r = request.Validate(); !r) {
    return ValidationError(r.error(), "upgrade cluster");
  }
  return request;
}

Result<PatchClusterSizeRequest> ParsePatchClusterSizeRequest(std::string_view body) {
  CLOUD_TRY(PatchClusterSizeRequest request,
            DecodeRequest<PatchClusterSizeRequest>(body, "resize cluster"));
  if (Result<void> r = request.Validate(); !r) return ValidationError(r.error(), "resize cluster");
  return request;
}

Result<ProvisionClusterRequest> ParseProvisionClusterRequest(std::string_view body) {
  CLOUD_TRY(ProvisionClusterRequest request,
            DecodeRequest<ProvisionClusterRequest>(body, "provision cluster"));
  if (Result<void> r = request.Validate(); !r) {
    return ValidationError(r.error(), "provision cluster");
  }
  return request;
}

Result<CreateNodegroupsRequest> ParseCreateNodegroupsRequest(std::string_view body) {
  CLOUD_TRY(CreateNodegroupsRequest request,
            DecodeRequest<CreateNodegroupsRequest>(body, "create nodegroups"));
  request.SetDefaults();
  if (Result<void> r = request.Validate(); !r) {
    return ValidationError(r.error(), "create nodegroups");
  }
  return request;
}

// Building and patching clusters -------------------------------------------------------------

KopsMetadataRequestedState KopsChangeRequestFromCreateRequest(const CreateClusterRequest& request) {
  KopsMetadataRequestedState change;
  change.version = request.version;
  change.ami = request.ami;
  change.master_instance_type = request.master_instance_type;
  change.master_count = request.master_count;
  change.node_instance_type = request.node_instance_type;
  change.node_min_count = request.node_min_count;
  change.node_max_count = request.node_max_count;
  change.max_pods_per_node = request.max_pods_per_node;
  change.networking = request.networking;
  change.vpc = request.vpc;
  return change;
}

EKSMetadata EksMetadataFromCreateRequest(const CreateClusterRequest& request) {
  EKSMetadataRequestedState change;
  change.version = request.version;
  change.ami = request.ami;
  change.max_pods_per_node = request.max_pods_per_node;
  change.vpc = request.vpc;
  change.cluster_role_arn = request.cluster_role_arn;
  change.node_role_arn = request.node_role_arn;

  NodeGroupMetadataMap groups = request.additional_node_groups;
  NodeGroupMetadata worker;
  worker.instance_type = request.node_instance_type;
  worker.min_count = request.node_min_count;
  worker.max_count = request.node_max_count;
  groups[std::string(kNodeGroupWorker)] = worker;
  change.node_groups = NamedNodeGroups(std::move(groups), request.nodegroup_with_public_subnet,
                                       request.nodegroup_with_sg);

  EKSMetadata metadata;
  metadata.node_groups.emplace();
  metadata.change_request = std::move(change);
  return metadata;
}

Result<Cluster> NewClusterFromCreateRequest(const CreateClusterRequest& request) {
  Cluster cluster;
  if (!ParseEnum(request.provider, cluster.provider) || request.provider.empty()) {
    return InvalidArgument("unsupported provider " + request.provider);
  }
  if (!ParseEnum(request.provisioner, cluster.provisioner) ||
      cluster.provisioner == ClusterProvisioner::kExternal) {
    return InvalidArgument("unsupported provisioner " + request.provisioner);
  }
  cluster.state = ClusterState::kCreationRequested;
  cluster.provider_metadata_aws = AWSMetadata{request.zones};
  cluster.pg_bouncer_config = request.pgbouncer_config;
  cluster.allow_installations = request.allow_installations;
  cluster.api_security_lock = request.api_security_lock;
  if (cluster.provisioner == ClusterProvisioner::kEks) {
    cluster.provisioner_metadata_eks = EksMetadataFromCreateRequest(request);
  } else {
    cluster.provisioner_metadata_kops.emplace();
    cluster.provisioner_metadata_kops->change_request = KopsChangeRequestFromCreateRequest(request);
  }
  SetUtilityDesiredVersions(cluster, request.utility_versions);
  SetManagedByArgocd(cluster,
                     request.argocd_register.value_or(std::map<std::string, std::string>{}));
  return cluster;
}

Cluster NewClusterFromImportRequest(const ImportClusterRequest& request) {
  Cluster cluster;
  cluster.state = ClusterState::kCreationRequested;
  cluster.provider = ClusterProvider::kExternal;
  cluster.provider_metadata_external = ExternalProviderMetadata{!request.vpc_id.empty()};
  cluster.provisioner = ClusterProvisioner::kExternal;
  cluster.provisioner_metadata_external.emplace();
  cluster.provisioner_metadata_external->secret_name = request.external_cluster_secret_name;
  cluster.provisioner_metadata_external->vpc = request.vpc_id;
  cluster.allow_installations = request.allow_installations;
  cluster.api_security_lock = request.api_security_lock;
  if (cluster.provider_metadata_external->has_aws_infrastructure) {
    cluster.pg_bouncer_config = DefaultPgBouncerConfig();
  }
  return cluster;
}

bool ApplyClusterUpdatePatch(Cluster& cluster, const UpdateClusterRequest& patch) {
  bool applied = false;
  if (patch.name && *patch.name != cluster.name) {
    cluster.name = *patch.name;
    applied = true;
  }
  if (patch.allow_installations && *patch.allow_installations != cluster.allow_installations) {
    cluster.allow_installations = *patch.allow_installations;
    applied = true;
  }
  return applied;
}

bool ApplyUpgradePatch(KopsMetadata& metadata, const PatchUpgradeClusterRequest& patch) {
  KopsMetadataRequestedState changes;
  bool applied = false;
  if (patch.version && *patch.version != metadata.version) {
    changes.version = *patch.version;
    applied = true;
  }
  if (patch.ami && *patch.ami != metadata.ami) {
    changes.ami = *patch.ami;
    applied = true;
  }
  if (patch.max_pods_per_node && *patch.max_pods_per_node != metadata.max_pods_per_node) {
    changes.max_pods_per_node = *patch.max_pods_per_node;
    applied = true;
  }
  if (patch.kms_key_id && *patch.kms_key_id != metadata.kms_key_id) {
    changes.kms_key_id = *patch.kms_key_id;
    applied = true;
  }
  if (!metadata.rotator_request) metadata.rotator_request.emplace();
  if (applied) {
    metadata.change_request = std::move(changes);
    metadata.rotator_request->config = patch.rotator_config;
  }
  return applied;
}

bool ApplyUpgradePatch(EKSMetadata& metadata, const PatchUpgradeClusterRequest& patch) {
  EKSMetadataRequestedState changes;
  bool applied = false;
  if (patch.version && *patch.version != metadata.version) {
    changes.version = *patch.version;
    applied = true;
  }
  if (patch.ami && *patch.ami != metadata.ami) {
    changes.ami = *patch.ami;
    applied = true;
  }
  if (patch.max_pods_per_node && *patch.max_pods_per_node != metadata.max_pods_per_node) {
    changes.max_pods_per_node = *patch.max_pods_per_node;
    applied = true;
  }
  if (applied) {
    if (metadata.node_groups) {
      for (const auto& [key, ng] : *metadata.node_groups) {
        changes.node_groups[key].name = key + "-" + NewNodeGroupSuffix();
      }
    }
    metadata.change_request = std::move(changes);
  }
  return applied;
}

Result<void> ValidateClusterSizePatch(const KopsMetadata& metadata,
                                      const PatchClusterSizeRequest& patch) {
  if (!patch.node_min_count && patch.node_max_count &&
      *patch.node_max_count < metadata.node_min_count) {
    return InvalidArgument("resize patch would set max node count lower than min node count");
  }
  return Ok();
}

namespace {

// The nodegroups a resize touches: the named ones, or all of them.
std::vector<std::string> NodeGroupsToResize(const EKSMetadata& metadata,
                                            const PatchClusterSizeRequest& patch) {
  if (!patch.node_groups.empty()) return patch.node_groups;
  std::vector<std::string> all;
  if (metadata.node_groups) {
    for (const auto& [key, ng] : *metadata.node_groups) all.push_back(key);
  }
  return all;
}

}  // namespace

Result<void> ValidateClusterSizePatch(const EKSMetadata& metadata,
                                      const PatchClusterSizeRequest& patch) {
  const NodeGroupMetadataMap empty;
  const NodeGroupMetadataMap& existing = metadata.node_groups ? *metadata.node_groups : empty;
  if (existing.empty()) return InvalidArgument("no nodegroups available to resize");
  if (patch.node_groups.empty() && existing.size() > 1) {
    return InvalidArgument("must specify nodegroups to resize");
  }
  const std::vector<std::string> targets = NodeGroupsToResize(metadata, patch);
  for (const std::string& ng : targets) {
    if (!existing.contains(ng)) return InvalidArgument("nodegroup " + ng + " not found to resize");
  }
  if (patch.node_min_count && patch.node_max_count) {
    if (*patch.node_min_count > *patch.node_max_count) {
      return InvalidArgument("min node count cannot be greater than max node count");
    }
  } else if (patch.node_min_count) {
    for (const std::string& ng : targets) {
      if (*patch.node_min_count > existing.at(ng).max_count) {
        return InvalidArgument("resize patch would set min node count higher than max node count");
      }
    }
  } else if (patch.node_max_count) {
    for (const std::string& ng : targets) {
      if (*patch.node_max_count < existing.at(ng).min_count) {
        return InvalidArgument("resize patch would set max node count lower than min node count");
      }
    }
  }
  if (patch.master_instance_type) {
    return InvalidArgument("master instance type cannot be changed on an EKS cluster");
  }
  return Ok();
}

bool ApplyClusterSizePatch(KopsMetadata& metadata, const PatchClusterSizeRequest& patch) {
  KopsMetadataRequestedState changes;
  bool applied = false;
  if (patch.node_instance_type && *patch.node_instance_type != metadata.node_instance_type) {
    changes.node_instance_type = *patch.node_instance_type;
    applied = true;
  }
  if (patch.node_min_count && *patch.node_min_count != metadata.node_min_count) {
    changes.node_min_count = *patch.node_min_count;
    applied = true;
  }
  if (patch.node_max_count && *patch.node_max_count != metadata.node_max_count) {
    changes.node_max_count = *patch.node_max_count;
    applied = true;
  }
  if (patch.master_instance_type && *patch.master_instance_type != metadata.master_instance_type) {
    changes.master_instance_type = *patch.master_instance_type;
    applied = true;
  }
  if (!metadata.rotator_request) metadata.rotator_request.emplace();
  if (applied) {
    metadata.change_request = std::move(changes);
    metadata.rotator_request->config = patch.rotator_config;
  }
  return applied;
}

bool ApplyClusterSizePatch(EKSMetadata& metadata, const PatchClusterSizeRequest& patch) {
  const bool applied = patch.node_instance_type || patch.node_min_count || patch.node_max_count;
  if (!applied) return false;
  EKSMetadataRequestedState changes;
  for (const std::string& ng : NodeGroupsToResize(metadata, patch)) {
    NodeGroupMetadata change;
    change.name = ng + "-" + NewNodeGroupSuffix();
    if (patch.node_instance_type) change.instance_type = *patch.node_instance_type;
    if (patch.node_min_count) change.min_count = *patch.node_min_count;
    if (patch.node_max_count) change.max_count = *patch.node_max_count;
    changes.node_groups[ng] = std::move(change);
  }
  metadata.change_request = std::move(changes);
  return true;
}

Result<void> ValidateNodegroupsCreateRequest(const EKSMetadata& metadata,
                                             const CreateNodegroupsRequest& request) {
  if (!request.nodegroups || request.nodegroups->empty()) {
    return InvalidArgument("must specify at least one nodegroup to create");
  }
  for (const auto& [name, ng] : *request.nodegroups) {
    if (metadata.node_groups && metadata.node_groups->contains(name)) {
      return InvalidArgument("nodegroup " + name + " already exists");
    }
  }
  return Ok();
}

void ApplyNodegroupsCreateRequest(EKSMetadata& metadata, const CreateNodegroupsRequest& request) {
  EKSMetadataRequestedState changes;
  changes.node_groups =
      NamedNodeGroups(request.nodegroups.value_or(NodeGroupMetadataMap{}),
                      request.nodegroup_with_public_subnet, request.nodegroup_with_sg);
  metadata.change_request = std::move(changes);
}

Result<void> ValidateNodegroupDeleteRequest(const EKSMetadata& metadata,
                                            std::string_view nodegroup) {
  if (!metadata.node_groups || !metadata.node_groups->contains(std::string(nodegroup))) {
    return InvalidArgument("nodegroup " + std::string(nodegroup) + " not found to delete");
  }
  return Ok();
}

void ApplyNodegroupDeleteRequest(EKSMetadata& metadata, std::string_view nodegroup) {
  if (!metadata.node_groups) return;
  const std::string key(nodegroup);
  NodeGroupMetadata entry;
  if (auto it = metadata.node_groups->find(key); it != metadata.node_groups->end()) {
    entry.name = it->second.name;
  }
  EKSMetadataRequestedState changes;
  changes.node_groups[key] = std::move(entry);
  metadata.change_request = std::move(changes);
}

void SupplyDefaultDesiredUtilityVersions(ProvisionClusterRequest& request, const Cluster& cluster) {
  const UtilityGroupVersions actual_versions =
      cluster.utility_metadata ? cluster.utility_metadata->actual_versions : UtilityGroupVersions{};
  for (const auto& [utility, actual] : actual_versions.AsMap()) {
    auto it = request.utility_versions.find(utility);
    if (it == request.utility_versions.end() || !it->second.has_value()) {
      request.utility_versions[utility] = actual;
      continue;
    }
    if (!actual) continue;
    if (it->second->values_path.empty()) it->second->values_path = actual->values_path;
    if (it->second->chart.empty()) it->second->chart = actual->chart;
  }
}

}  // namespace cloud::model
