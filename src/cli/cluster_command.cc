// `cloud cluster ...` (upstream cmd/cloud/cluster.go, cluster_flag.go, nodegroup.go,
// cluster_annotation.go; spec upstream-api.md §7.2).
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "model/cluster.h"
#include "model/cluster_requests.h"
#include "model/cluster_states.h"

namespace cloud::cli {
namespace {

// Rotator defaults of `cluster upgrade` / `cluster resize`.
constexpr bool kUseRotatorDefault = true;
constexpr int64_t kMaxScalingDefault = 5;
constexpr int64_t kMaxDrainRetriesDefault = 10;
constexpr int64_t kEvictGracePeriodDefault = 3600;
constexpr int64_t kWaitBetweenRotationsDefault = 120;
constexpr int64_t kWaitBetweenDrainsDefault = 900;
constexpr int64_t kWaitBetweenPodEvictionsDefault = 5;

// The cluster size dictionary (upstream clusterdictionary.ValidSizes).
struct ClusterSize {
  std::string master_instance_type;
  int64_t master_count = 0;
  std::string node_instance_type;
  int64_t node_min_count = 0;
  int64_t node_max_count = 0;
};

const std::map<std::string, ClusterSize>& ValidSizes() {
  static const std::map<std::string, ClusterSize> sizes = {
      {"SizeAlefDev", {"t3.small", 1, "t3.medium", 2, 2}},
      {"SizeAlef500", {"t3.small", 1, "m5.large", 2, 2}},
      {"SizeAlef1000", {"t3.large", 1, "m5.large", 4, 4}},
      {"SizeAlef5000", {"t3.large", 1, "m5.large", 6, 6}},
      {"SizeAlef10000", {"t3.large", 3, "m5.large", 10, 10}},
  };
  return sizes;
}

Result<ClusterSize> LookupSize(const std::string& size) {
  auto it = ValidSizes().find(size);
  if (it == ValidSizes().end()) return InvalidArgument(size + " is not a valid size");
  return it->second;
}

// Sizes of nodegroups given as name=SIZE (clusterdictionary.AddTo*Request).
Result<model::NodeGroupMetadataMap> NodegroupsFromSizes(
    const std::map<std::string, std::string>& sizes) {
  model::NodeGroupMetadataMap out;
  for (const auto& [name, size_name] : sizes) {
    CLOUD_TRY(ClusterSize size, LookupSize(size_name));
    model::NodeGroupMetadata ng;
    ng.instance_type = size.node_instance_type;
    ng.min_count = size.node_min_count;
    ng.max_count = size.node_max_count;
    out[name] = ng;
  }
  return out;
}

// --<utility>-version / --<utility>-values for the 13 utilities and --argocd-register.
struct UtilityFlags {
  std::map<std::string, std::string> versions;
  std::map<std::string, std::string> values;
  std::vector<std::string> argocd_register;

  void Add(CLI::App* cmd) {
    for (std::string_view name : model::AllUtilityNames()) {
      const std::string utility(name);
      cmd->add_option("--" + utility + "-version", versions[utility],
                      "The version of " + utility +
                          " to provision. Use 'stable' to provision the latest stable version "
                          "published upstream.");
      cmd->add_option("--" + utility + "-values", values[utility],
                      "The full Git URL of the desired chart values for " + utility);
    }
    AddStringToString(cmd, "argocd-register", argocd_register,
                      "Register a cluster into Argocd format: cluster-type=customer,force=true");
  }

  // upstream processUtilityFlags: all 13 utilities, empty strings when not given.
  model::UtilityVersionMap VersionMap() const {
    model::UtilityVersionMap out;
    for (std::string_view name : model::AllUtilityNames()) {
      const std::string utility(name);
      model::HelmUtilityVersion version;
      version.chart = versions.at(utility);
      version.values_path = values.at(utility);
      out[utility] = version;
    }
    return out;
  }
};

struct PgBouncerFlags {
  int64_t min_pool_size = model::kPgBouncerDefaultMinPoolSize;
  int64_t default_pool_size = model::kPgBouncerDefaultDefaultPoolSize;
  int64_t reserve_pool_size = model::kPgBouncerDefaultReservePoolSize;
  int64_t max_client_connections = model::kPgBouncerDefaultMaxClientConnections;
  int64_t max_connections_per_pool = model::kPgBouncerDefaultMaxDatabaseConnectionsPerPool;
  int64_t server_idle_timeout = model::kPgBouncerDefaultServerIdleTimeout;
  int64_t server_lifetime = model::kPgBouncerDefaultServerLifetime;
  int64_t server_reset_query_always = model::kPgBouncerDefaultServerResetQueryAlways;

  void Add(CLI::App* cmd) {
    cmd->add_option("--pgbouncer-min-pool-size", min_pool_size,
                    "The PgBouncer config for min pool size.")
        ->capture_default_str();
    cmd->add_option("--pgbouncer-default-pool-size", default_pool_size,
                    "The PgBouncer config for default pool size per user.")
        ->capture_default_str();
    cmd->add_option("--pgbouncer-reserve-pool-size", reserve_pool_size,
                    "The PgBouncer config for reserve pool size per logical database.")
        ->capture_default_str();
    cmd->add_option("--pgbouncer-max-client-connections", max_client_connections,
                    "The PgBouncer config for max client connections.")
        ->capture_default_str();
    cmd->add_option("--pgbouncer-max-connections-per-pool", max_connections_per_pool,
                    "The PgBouncer config for maximum number of proxy database connections per "
                    "pool (logical database).")
        ->capture_default_str();
    cmd->add_option("--pgbouncer-server-idle-timeout", server_idle_timeout,
                    "The PgBouncer config for server idle timeout.")
        ->capture_default_str();
    cmd->add_option("--pgbouncer-server-lifetime", server_lifetime,
                    "The PgBouncer config for server lifetime.")
        ->capture_default_str();
    cmd->add_option("--pgbouncer-server-reset-query-always", server_reset_query_always,
                    "The PgBouncer config for whether server_reset_query should be run in all "
                    "pooling modes.")
        ->capture_default_str();
  }

  // Upstream GetPgBouncerConfig: only four flags are used, the rest is hard-coded.
  model::PgBouncerConfig Config() const {
    model::PgBouncerConfig config;
    config.min_pool_size = min_pool_size;
    config.default_pool_size = default_pool_size;
    config.reserve_pool_size = reserve_pool_size;
    config.max_client_connections = max_client_connections;
    config.max_database_connections_per_pool = 20;
    config.server_idle_timeout = 30;
    config.server_lifetime = 300;
    config.server_reset_query_always = 0;
    return config;
  }

  // Upstream GetPatchPgBouncerConfig: the flags given on the command line.
  model::PatchPgBouncerConfig Patch(const CommandContext& ctx) const {
    model::PatchPgBouncerConfig patch;
    if (ctx.Changed("pgbouncer-min-pool-size")) patch.min_pool_size = min_pool_size;
    if (ctx.Changed("pgbouncer-default-pool-size")) patch.default_pool_size = default_pool_size;
    if (ctx.Changed("pgbouncer-reserve-pool-size")) patch.reserve_pool_size = reserve_pool_size;
    if (ctx.Changed("pgbouncer-max-client-connections")) {
      patch.max_client_connections = max_client_connections;
    }
    if (ctx.Changed("pgbouncer-max-connections-per-pool")) {
      patch.max_database_connections_per_pool = max_connections_per_pool;
    }
    if (ctx.Changed("pgbouncer-server-idle-timeout")) {
      patch.server_idle_timeout = server_idle_timeout;
    }
    if (ctx.Changed("pgbouncer-server-lifetime")) patch.server_lifetime = server_lifetime;
    if (ctx.Changed("pgbouncer-server-reset-query-always")) {
      patch.server_reset_query_always = server_reset_query_always;
    }
    return patch;
  }
};

struct RotatorFlags {
  bool use_rotator = kUseRotatorDefault;
  int64_t max_scaling = kMaxScalingDefault;
  int64_t max_drain_retries = kMaxDrainRetriesDefault;
  int64_t evict_grace_period = kEvictGracePeriodDefault;
  int64_t wait_between_rotations = kWaitBetweenRotationsDefault;
  int64_t wait_between_drains = kWaitBetweenDrainsDefault;
  int64_t wait_between_pod_evictions = kWaitBetweenPodEvictionsDefault;

  void Add(CLI::App* cmd) {
    cmd->add_flag("--use-rotator", use_rotator,
                  "Whether the cluster will be upgraded using the node rotator.")
        ->capture_default_str();
    cmd->add_option("--max-scaling", max_scaling,
                    "The maximum number of nodes to rotate every time. If the number is bigger "
                    "than the number of nodes, then the number of nodes will be the maximum "
                    "number.")
        ->capture_default_str();
    cmd->add_option("--max-drain-retries", max_drain_retries,
                    "The number of times to retry a node drain.")
        ->capture_default_str();
    cmd->add_option("--evict-grace-period", evict_grace_period,
                    "The pod eviction grace period when draining in seconds.")
        ->capture_default_str();
    cmd->add_option("--wait-between-rotations", wait_between_rotations,
                    "The time in seconds to wait between each rotation of a group of nodes.")
        ->capture_default_str();
    cmd->add_option("--wait-between-drains", wait_between_drains,
                    "The time in seconds to wait between each node drain in a group of nodes.")
        ->capture_default_str();
    cmd->add_option("--wait-between-pod-evictions", wait_between_pod_evictions,
                    "The time in seconds to wait between each pod eviction in a node drain.")
        ->capture_default_str();
  }

  model::RotatorConfig Config() const {
    model::RotatorConfig config;
    config.use_rotator = use_rotator;
    config.max_scaling = max_scaling;
    config.max_drain_retries = max_drain_retries;
    config.evict_grace_period = evict_grace_period;
    config.wait_between_rotations = wait_between_rotations;
    config.wait_between_drains = wait_between_drains;
    config.wait_between_pod_evictions = wait_between_pod_evictions;
    return config;
  }
};

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// ---- create ---------------------------------------------------------------------------------

struct CreateFlags {
  std::string provider = "aws";
  std::string version = "latest";
  std::string ami;
  std::string zones = "us-east-1a";
  bool allow_installations = true;
  std::vector<std::string> annotations;
  std::string networking = "calico";
  std::string vpc;
  std::string cluster_role_arn;
  std::string node_role_arn;
  bool eks = false;
  std::vector<std::string> additional_nodegroups;
  std::vector<std::string> nodegroups_with_public_subnet;
  std::vector<std::string> nodegroups_with_sg;
  UtilityFlags utilities;
  std::string size = "SizeAlef500";
  std::string master_instance_type;
  int64_t master_count = 0;
  std::string node_instance_type;
  int64_t node_count = 0;
  int64_t max_pods_per_node = 0;
  PgBouncerFlags pgbouncer;
  std::string cluster;
  WaitFlags wait;
};

Result<model::CreateClusterRequest> BuildCreateRequest(const CreateFlags& f) {
  CLOUD_TRY(auto additional, ParseKeyValues(f.additional_nodegroups));
  model::CreateClusterRequest request;
  request.provider = f.provider;
  request.version = f.version;
  request.ami = f.ami;
  request.zones = SplitComma(f.zones);
  request.allow_installations = f.allow_installations;
  request.utility_versions = f.utilities.VersionMap();
  request.annotations = f.annotations;
  request.networking = f.networking;
  request.vpc = f.vpc;
  request.provisioner = std::string(model::kProvisionerKops);
  if (!f.utilities.argocd_register.empty()) {
    CLOUD_TRY(auto argocd, ParseKeyValues(f.utilities.argocd_register));
    request.argocd_register = std::move(argocd);
  }
  request.pgbouncer_config = f.pgbouncer.Config();
  if (f.eks) {
    request.provisioner = std::string(model::kProvisionerEks);
    request.cluster_role_arn = f.cluster_role_arn;
    request.node_role_arn = f.node_role_arn;
    request.nodegroup_with_public_subnet = f.nodegroups_with_public_subnet;
    request.nodegroup_with_sg = f.nodegroups_with_sg;
  }
  if (additional.count(std::string(model::kNodeGroupWorker)) > 0) {
    return InvalidArgument("worker nodegroup can only be specified with --size flag");
  }
  for (const auto* list : {&f.nodegroups_with_public_subnet, &f.nodegroups_with_sg}) {
    for (const std::string& ng : *list) {
      if (ng == model::kNodeGroupWorker) continue;
      if (additional.count(ng) == 0) {
        return InvalidArgument("nodegroup " + ng + " not provided as additional nodegroups");
      }
    }
  }
  if (!f.size.empty()) {
    Result<ClusterSize> size = LookupSize(f.size);
    if (!size) return size.error().WithContext("failed to apply size values");
    request.master_instance_type = size->master_instance_type;
    request.master_count = size->master_count;
    request.node_instance_type = size->node_instance_type;
    request.node_min_count = size->node_min_count;
    request.node_max_count = size->node_max_count;
  }
  if (!additional.empty()) {
    Result<model::NodeGroupMetadataMap> groups = NodegroupsFromSizes(additional);
    if (!groups) {
      return groups.error().WithContext("failed to apply size values for additional nodegroups");
    }
    request.additional_node_groups = std::move(*groups);
  }
  if (!f.master_instance_type.empty()) request.master_instance_type = f.master_instance_type;
  if (f.master_count != 0) request.master_count = f.master_count;
  if (!f.node_instance_type.empty()) request.node_instance_type = f.node_instance_type;
  if (f.node_count != 0) {
    request.node_min_count = f.node_count;
    request.node_max_count = f.node_count;
  }
  if (f.max_pods_per_node != 0) request.max_pods_per_node = f.max_pods_per_node;
  return request;
}

void AddCreate(CommandGroup& group) {
  auto f = std::make_shared<CreateFlags>();
  CLI::App* cmd =
      group.AddCommand("create", "Create a cluster.", [f](CommandContext& ctx) -> Result<void> {
        if (!f->cluster.empty()) {
          Result<void> retried = ctx.client().RetryCreateCluster(f->cluster);
          if (!retried) return retried.error().WithContext("failed to retry cluster creation");
          return WaitForCluster(ctx, f->wait, f->cluster, WaitGoal::kStable);
        }
        CLOUD_TRY(model::CreateClusterRequest request, BuildCreateRequest(*f));
        if (ctx.DryRun(request)) return Ok();
        Result<model::ClusterDTO> cluster = ctx.client().CreateCluster(request);
        if (!cluster) return cluster.error().WithContext("failed to create cluster");
        ctx.PrintJson(*cluster);
        return WaitForCluster(ctx, f->wait, cluster->cluster.id, WaitGoal::kStable);
      });
  cmd->add_option("--provider", f->provider, "Cloud provider hosting the cluster.")
      ->capture_default_str();
  cmd->add_option("--version", f->version,
                  "The Kubernetes version to target. Use 'latest' or versions such as '1.16.10'.")
      ->capture_default_str();
  cmd->add_option("--ami", f->ami, "The AMI to use for the cluster hosts.");
  cmd->add_option("--zones", f->zones,
                  "The zones where the cluster will be deployed. Use commas to separate multiple "
                  "zones.")
      ->capture_default_str();
  cmd->add_flag("--allow-installations", f->allow_installations,
                "Whether the cluster will allow for new installations to be scheduled.")
      ->capture_default_str();
  AddStringArray(cmd, "annotation", f->annotations,
                 "Additional annotations for the cluster. Accepts multiple values, for example: "
                 "'... --annotation abc --annotation def'");
  cmd->add_option("--networking", f->networking,
                  "Networking mode to use, for example: weave, calico, canal, "
                  "amazon-vpc-routed-eni")
      ->capture_default_str();
  cmd->add_option("--vpc", f->vpc, "Set to use a shared VPC");
  cmd->add_option("--cluster-role-arn", f->cluster_role_arn, "AWS role ARN for cluster.");
  cmd->add_option("--node-role-arn", f->node_role_arn, "AWS role ARN for node.");
  cmd->add_flag("--eks", f->eks, "Create EKS cluster.");
  AddStringToString(cmd, "additional-nodegroups", f->additional_nodegroups,
                    "Additional nodegroups to create. The key is the name of the nodegroup and "
                    "the value is the size constant.");
  AddStringSlice(cmd, "nodegroups-with-public-subnet", f->nodegroups_with_public_subnet,
                 "Nodegroups to create with public subnet. The value is the name of the "
                 "nodegroup.");
  AddStringSlice(cmd, "nodegroups-with-sg", f->nodegroups_with_sg,
                 "Nodegroups to create with dedicated security group. The value is the name of "
                 "the nodegroup.");
  f->utilities.Add(cmd);
  cmd->add_option("--size", f->size, "The size constant describing the master & worker nodegroups.")
      ->capture_default_str();
  cmd->add_option("--size-master-instance-type", f->master_instance_type,
                  "The instance type describing the k8s master nodes. Overwrites value from "
                  "'size'.");
  cmd->add_option("--size-master-count", f->master_count,
                  "The number of k8s master nodes. Overwrites value from 'size'.")
      ->capture_default_str();
  cmd->add_option("--size-node-instance-type", f->node_instance_type,
                  "The instance type describing the k8s worker nodes. Overwrites value from "
                  "'size'.");
  cmd->add_option("--size-node-count", f->node_count,
                  "The number of k8s worker nodes. Overwrites value from 'size'.")
      ->capture_default_str();
  cmd->add_option("--max-pods-per-node", f->max_pods_per_node,
                  "The maximum number of pods that can run on a single worker node.")
      ->capture_default_str();
  f->pgbouncer.Add(cmd);
  cmd->add_option("--cluster", f->cluster,
                  "The id of the cluster. If provided and the cluster exists the creation will be "
                  "retried ignoring other parameters.");
  AddWaitFlags(cmd, f->wait);
}

// ---- import, provision, update, upgrade, resize ---------------------------------------------

void AddImport(CommandGroup& group) {
  struct Flags {
    std::string secret_name;
    std::string vpc_id;
    bool allow_installations = true;
    std::vector<std::string> annotations;
    WaitFlags wait;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = group.AddCommand(
      "import", "Import an exisiting cluster that is managed externally.",
      [f](CommandContext& ctx) -> Result<void> {
        model::ImportClusterRequest request;
        request.external_cluster_secret_name = f->secret_name;
        request.vpc_id = f->vpc_id;
        request.annotations = f->annotations;
        request.allow_installations = f->allow_installations;
        if (ctx.DryRun(request)) return Ok();
        Result<model::ClusterDTO> cluster = ctx.client().ImportCluster(request);
        if (!cluster) return cluster.error().WithContext("failed to import cluster");
        ctx.PrintJson(*cluster);
        return WaitForCluster(ctx, f->wait, cluster->cluster.id, WaitGoal::kStable);
      });
  cmd->add_option("--secret-name", f->secret_name,
                  "The name of the AWS Secret Manager secret containing the cluster kubeconfig.")
      ->required();
  cmd->add_option("--vpc-id", f->vpc_id,
                  "Optional VPC ID for clusters running in our managed VPCs. This must be "
                  "provided for allowing installations to be scheduled with our managed backends "
                  "(ex. pgbouncer and bifrost).");
  cmd->add_flag("--allow-installations", f->allow_installations,
                "Whether the cluster will allow for new installations to be scheduled.")
      ->capture_default_str();
  AddStringArray(cmd, "annotation", f->annotations,
                 "Additional annotations for the cluster. Accepts multiple values, for example: "
                 "'... --annotation abc --annotation def'");
  AddWaitFlags(cmd, f->wait);
}

void AddProvision(CommandGroup& group) {
  struct Flags {
    UtilityFlags utilities;
    PgBouncerFlags pgbouncer;
    std::string cluster;
    bool reprovision_all_utilities = false;
    WaitFlags wait;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = group.AddCommand(
      "provision", "Provision/Re-provision a cluster's k8s resources.",
      [f](CommandContext& ctx) -> Result<void> {
        model::ProvisionClusterRequest request;
        request.force = f->reprovision_all_utilities;
        request.utility_versions = f->utilities.VersionMap();
        CLOUD_TRY(request.argocd_register, ParseKeyValues(f->utilities.argocd_register));
        request.pgbouncer_config = f->pgbouncer.Patch(ctx);
        if (ctx.DryRun(request)) return Ok();
        Result<model::ClusterDTO> cluster = ctx.client().ProvisionCluster(f->cluster, request);
        if (!cluster) return cluster.error().WithContext("failed to provision cluster");
        ctx.PrintJson(*cluster);
        return WaitForCluster(ctx, f->wait, f->cluster, WaitGoal::kStable);
      });
  f->utilities.Add(cmd);
  f->pgbouncer.Add(cmd);
  cmd->add_option("--cluster", f->cluster, "The id of the cluster to be provisioned.")->required();
  cmd->add_flag("--reprovision-all-utilities", f->reprovision_all_utilities,
                "Set to true if all utilities should be reprovisioned and not just ones with new "
                "versions");
  AddWaitFlags(cmd, f->wait);
}

void AddUpdate(CommandGroup& group) {
  struct Flags {
    std::string cluster;
    std::string name;
    bool allow_installations = true;
    WaitFlags wait;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = group.AddCommand(
      "update", "Updates a cluster's configuration.", [f](CommandContext& ctx) -> Result<void> {
        model::UpdateClusterRequest request;
        if (ctx.Changed("name")) request.name = f->name;
        if (ctx.Changed("allow-installations")) {
          request.allow_installations = f->allow_installations;
        }
        if (ctx.DryRun(request)) return Ok();
        Result<model::ClusterDTO> cluster = ctx.client().UpdateCluster(f->cluster, request);
        if (!cluster) return cluster.error().WithContext("failed to update cluster");
        ctx.PrintJson(*cluster);
        return WaitForCluster(ctx, f->wait, f->cluster, WaitGoal::kStable);
      });
  cmd->add_option("--cluster", f->cluster, "The id of the cluster to be updated.")->required();
  cmd->add_option("--name", f->name, "An optional name value to identify the cluster.");
  cmd->add_flag("--allow-installations", f->allow_installations,
                "Whether the cluster will allow for new installations to be scheduled.")
      ->capture_default_str();
  AddWaitFlags(cmd, f->wait);
}

void AddUpgrade(CommandGroup& group) {
  struct Flags {
    RotatorFlags rotator;
    std::string cluster;
    std::string version;
    std::string ami;
    int64_t max_pods_per_node = 0;
    std::string kms_key_id;
    WaitFlags wait;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = group.AddCommand(
      "upgrade", "Upgrade k8s on a cluster.", [f](CommandContext& ctx) -> Result<void> {
        model::PatchUpgradeClusterRequest request;
        request.rotator_config = f->rotator.Config();
        if (ctx.Changed("version")) request.version = f->version;
        if (ctx.Changed("ami")) request.ami = f->ami;
        if (ctx.Changed("max-pods-per-node")) request.max_pods_per_node = f->max_pods_per_node;
        if (ctx.Changed("kms-key-id")) request.kms_key_id = f->kms_key_id;
        if (ctx.DryRun(request)) return Ok();
        Result<model::ClusterDTO> cluster = ctx.client().UpgradeCluster(f->cluster, request);
        if (!cluster) return cluster.error().WithContext("failed to upgrade cluster");
        ctx.PrintJson(*cluster);
        return WaitForCluster(ctx, f->wait, f->cluster, WaitGoal::kStable);
      });
  f->rotator.Add(cmd);
  cmd->add_option("--cluster", f->cluster, "The id of the cluster to be upgraded.")->required();
  cmd->add_option("--version", f->version,
                  "The Kubernetes version to target. Use 'latest' or versions such as '1.16.10'.");
  cmd->add_option("--ami", f->ami,
                  "The AMI Name to use for the cluster hosts. Note: AMI ID is still supported for "
                  "backwards compatibility, but fails in cases you have ARM nodegroups.");
  cmd->add_option("--max-pods-per-node", f->max_pods_per_node,
                  "The maximum number of pods that can run on a single worker node.")
      ->capture_default_str();
  cmd->add_option("--kms-key-id", f->kms_key_id, "Custom KMS key for enterprise customers.");
  AddWaitFlags(cmd, f->wait);
}

void AddResize(CommandGroup& group) {
  struct Flags {
    RotatorFlags rotator;
    std::string cluster;
    std::string size;
    std::string node_instance_type;
    int64_t node_min_count = 0;
    int64_t node_max_count = 0;
    std::vector<std::string> nodegroups;
    std::string master_instance_type;
    WaitFlags wait;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      group.AddCommand("resize", "Resize a k8s cluster", [f](CommandContext& ctx) -> Result<void> {
        model::PatchClusterSizeRequest request;
        request.rotator_config = f->rotator.Config();
        request.node_groups = f->nodegroups;
        if (!f->size.empty()) {
          Result<ClusterSize> size = LookupSize(f->size);
          if (!size) return size.error().WithContext("failed to apply size values");
          request.node_instance_type = size->node_instance_type;
          request.node_min_count = size->node_min_count;
          request.node_max_count = size->node_max_count;
        }
        if (!f->node_instance_type.empty()) request.node_instance_type = f->node_instance_type;
        if (f->node_min_count != 0) request.node_min_count = f->node_min_count;
        if (f->node_max_count != 0) request.node_max_count = f->node_max_count;
        if (!f->master_instance_type.empty()) {
          request.master_instance_type = f->master_instance_type;
        }
        if (ctx.DryRun(request)) return Ok();
        Result<model::ClusterDTO> cluster = ctx.client().ResizeCluster(f->cluster, request);
        if (!cluster) return cluster.error().WithContext("failed to resize cluster");
        ctx.PrintJson(*cluster);
        return WaitForCluster(ctx, f->wait, f->cluster, WaitGoal::kStable);
      });
  f->rotator.Add(cmd);
  cmd->add_option("--cluster", f->cluster, "The id of the cluster to be resized.")->required();
  cmd->add_option("--size", f->size, "The size constant describing the cluster");
  cmd->add_option("--size-node-instance-type", f->node_instance_type,
                  "The instance type describing the k8s worker nodes. Overwrites value from "
                  "'size'.");
  cmd->add_option("--size-node-min-count", f->node_min_count,
                  "The minimum number of k8s worker nodes. Overwrites value from 'size'.")
      ->capture_default_str();
  cmd->add_option("--size-node-max-count", f->node_max_count,
                  "The maximum number of k8s worker nodes. Overwrites value from 'size'.")
      ->capture_default_str();
  AddStringSlice(cmd, "nodegroups", f->nodegroups,
                 "The list of nodegroups to resize. Must specify if the cluster has multiple "
                 "nodegroups.");
  cmd->add_option("--size-master-instance-type", f->master_instance_type,
                  "The instance type describing the k8s master nodes. Overwrites value from "
                  "'size'.");
  AddWaitFlags(cmd, f->wait);
}

// ---- nodegroup ------------------------------------------------------------------------------

void AddNodegroup(CommandGroup& parent) {
  CommandGroup group =
      parent.AddGroup("nodegroup", "Manipulate nodegroups of an existing cluster.");
  struct CreateNgFlags {
    std::string cluster;
    std::vector<std::string> nodegroups;
    std::vector<std::string> with_public_subnet;
    std::vector<std::string> with_sg;
    WaitFlags wait;
  };
  auto c = std::make_shared<CreateNgFlags>();
  CLI::App* create = group.AddCommand(
      "create", "Create new nodegroups in an existing cluster.",
      [c](CommandContext& ctx) -> Result<void> {
        CLOUD_TRY(auto sizes, ParseKeyValues(c->nodegroups));
        if (sizes.empty()) return InvalidArgument("nodegroups must be provided");
        for (const auto* list : {&c->with_public_subnet, &c->with_sg}) {
          for (const std::string& ng : *list) {
            if (sizes.count(ng) == 0) {
              return InvalidArgument("nodegroup " + ng + " not provided in nodegroups");
            }
          }
        }
        model::CreateNodegroupsRequest request;
        request.nodegroup_with_public_subnet = c->with_public_subnet;
        request.nodegroup_with_sg = c->with_sg;
        Result<model::NodeGroupMetadataMap> groups = NodegroupsFromSizes(sizes);
        if (!groups)
          return groups.error().WithContext("failed to apply size values for nodegroups");
        request.nodegroups = std::move(*groups);
        if (ctx.DryRun(request)) return Ok();
        Result<model::ClusterDTO> result = ctx.client().CreateNodegroups(c->cluster, request);
        if (!result) return result.error().WithContext("failed to create cluster");
        ctx.PrintJson(*result);
        return WaitForCluster(ctx, c->wait, c->cluster, WaitGoal::kStable);
      });
  create->add_option("--cluster", c->cluster, "The id of the cluster to be modified.")->required();
  AddStringToString(create, "nodegroups", c->nodegroups,
                    "Additional nodegroups to create. The key is the name of the nodegroup and "
                    "the value is the size constant.")
      ->required();
  AddStringSlice(create, "nodegroups-with-public-subnet", c->with_public_subnet,
                 "Nodegroups to create with public subnet. The value is the name of the "
                 "nodegroup.");
  AddStringSlice(create, "nodegroups-with-sg", c->with_sg,
                 "Nodegroups to create with dedicated security group. The value is the name of "
                 "the nodegroup.");
  AddWaitFlags(create, c->wait);

  struct DeleteNgFlags {
    std::string cluster;
    std::string nodegroup;
    WaitFlags wait;
  };
  auto d = std::make_shared<DeleteNgFlags>();
  CLI::App* del = group.AddCommand(
      "delete", "Delete a nodegroup from an existing cluster.",
      [d](CommandContext& ctx) -> Result<void> {
        if (d->nodegroup.empty()) return InvalidArgument("nodegroup must be provided");
        Result<model::ClusterDTO> result = ctx.client().DeleteNodegroup(d->cluster, d->nodegroup);
        if (!result) return result.error().WithContext("failed to delete nodegroup");
        ctx.PrintJson(*result);
        return WaitForCluster(ctx, d->wait, d->cluster, WaitGoal::kStable);
      });
  del->add_option("--cluster", d->cluster, "The id of the cluster to be modified.")->required();
  del->add_option("--nodegroup", d->nodegroup, "The name of the nodegroup to delete.")->required();
  AddWaitFlags(del, d->wait);
}

// ---- delete, get, list, utilities, dictionary, state-report ---------------------------------

void AddDelete(CommandGroup& group) {
  struct Flags {
    std::string cluster;
    WaitFlags wait;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      group.AddCommand("delete", "Delete a cluster.", [f](CommandContext& ctx) -> Result<void> {
        Result<void> deleted = ctx.client().DeleteCluster(f->cluster);
        if (!deleted) return deleted.error().WithContext("failed to delete cluster");
        return WaitForCluster(ctx, f->wait, f->cluster, WaitGoal::kDeleted);
      });
  cmd->add_option("--cluster", f->cluster, "The id of the cluster to be deleted.")->required();
  AddWaitFlags(cmd, f->wait);
}

void AddGet(CommandGroup& group) {
  auto id = std::make_shared<std::string>();
  CLI::App* cmd = group.AddCommand(
      "get", "Get a particular cluster.", [id](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::ClusterDTO>> cluster = ctx.client().GetCluster(*id);
        if (!cluster) return cluster.error().WithContext("failed to query cluster");
        if (*cluster) ctx.PrintJson(**cluster);
        return Ok();
      });
  cmd->add_option("--cluster", *id, "The id of the cluster to be fetched.")->required();
}

Table DefaultClustersTable(const std::vector<model::ClusterDTO>& clusters) {
  Table table;
  table.headers = {"ID",           "NAME",        "STATE",      "VERSION", "MASTER NODES",
                   "WORKER NODES", "AMI ID/NAME", "NETWORKING", "VPC",     "STATUS"};
  for (const model::ClusterDTO& dto : clusters) {
    const model::Cluster& c = dto.cluster;
    std::string version, master, worker, ami, networking, vpc;
    auto worker_entry = [](int64_t min, const std::string& type, int64_t max) {
      return std::to_string(min) + " x " + type + " (max " + std::to_string(max) + ")";
    };
    if (c.provisioner == model::ClusterProvisioner::kKops && c.provisioner_metadata_kops) {
      const model::KopsMetadata& m = *c.provisioner_metadata_kops;
      version = m.version;
      master = std::to_string(m.master_count) + " x " + m.master_instance_type;
      worker = worker_entry(m.node_min_count, m.node_instance_type, m.node_max_count);
      ami = m.ami;
      networking = m.networking;
      vpc = m.vpc;
    } else if (c.provisioner == model::ClusterProvisioner::kEks && c.provisioner_metadata_eks) {
      const model::EKSMetadata& m = *c.provisioner_metadata_eks;
      model::NodeGroupMetadata worker_group;
      if (m.node_groups) {
        auto it = m.node_groups->find(std::string(model::kNodeGroupWorker));
        if (it != m.node_groups->end()) worker_group = it->second;
      }
      version = m.version;
      master = "eks";
      worker =
          worker_entry(worker_group.min_count, worker_group.instance_type, worker_group.max_count);
      ami = m.ami;
      networking = m.networking;
      vpc = m.vpc;
    } else if (c.provisioner == model::ClusterProvisioner::kExternal &&
               c.provisioner_metadata_external) {
      version = c.provisioner_metadata_external->version;
      master = worker = ami = networking = vpc = "external";
      if (c.HasAWSInfrastructure()) vpc = c.VpcId();
    }
    table.rows.push_back({c.id, c.name, std::string(ToString(c.state)), version, master, worker,
                          ami, networking, vpc, c.allow_installations ? "online" : "offline"});
  }
  return table;
}

void AddList(CommandGroup& group) {
  struct Flags {
    PagingFlags paging;
    TableFlags table;
    bool show_tags = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      group.AddCommand("list", "List created clusters.", [f](CommandContext& ctx) -> Result<void> {
        client::GetClustersRequest request;
        request.paging = f->paging.ToPaging();
        Result<std::vector<model::ClusterDTO>> clusters = ctx.client().GetClusters(request);
        if (!clusters) return clusters.error().WithContext("failed to query clusters");
        if (!f->table.Enabled()) {
          ctx.PrintJson(*clusters);
          return Ok();
        }
        Table table;
        if (!f->table.custom_columns.empty()) {
          Result<Table> custom =
              PrepareTableData(f->table.custom_columns, model::ToJson(*clusters));
          if (!custom) return custom.error().WithContext("failed to prepare table output");
          table = std::move(*custom);
        } else {
          table = DefaultClustersTable(*clusters);
        }
        if (f->show_tags) {
          table.headers.push_back("TAG");
          for (size_t i = 0; i < table.rows.size() && i < clusters->size(); ++i) {
            std::string tags;
            for (const model::Annotation& a : (*clusters)[i].annotations) {
              if (!tags.empty()) tags += ",";
              tags += a.name;
            }
            table.rows[i].push_back(tags);
          }
        }
        ctx.out() << RenderTable(table);
        return Ok();
      });
  AddPagingFlags(cmd, f->paging);
  AddTableFlags(cmd, f->table);
  cmd->add_flag("--show-tags", f->show_tags, "When printing, show all tags as the last column");
}

void AddUtilities(CommandGroup& group) {
  auto id = std::make_shared<std::string>();
  CLI::App* cmd = group.AddCommand(
      "utilities", "Show metadata regarding utility services running in a cluster.",
      [id](CommandContext& ctx) -> Result<void> {
        CLOUD_TRY(model::UtilityMetadata metadata, ctx.client().GetClusterUtilities(*id));
        ctx.PrintJson(metadata);
        return Ok();
      });
  cmd->add_option("--cluster", *id, "The id of the cluster whose utilities are to be fetched.")
      ->required();
}

void AddDictionary(CommandGroup& group) {
  group.AddCommand("dictionary", "Shows predefined cluster size templates.",
                   [](CommandContext& ctx) -> Result<void> {
                     model::Json out = model::Json::object();
                     for (const auto& [name, size] : ValidSizes()) {  // sorted, as Go's maps
                       model::Json entry = model::Json::object();
                       entry["MasterInstanceType"] = size.master_instance_type;
                       entry["MasterCount"] = size.master_count;
                       entry["NodeInstanceType"] = size.node_instance_type;
                       entry["NodeMinCount"] = size.node_min_count;
                       entry["NodeMaxCount"] = size.node_max_count;
                       out[name] = std::move(entry);
                     }
                     ctx.PrintJsonValue(out);
                     return Ok();
                   });
}

void AddStateReport(CommandGroup& group) {
  group.AddCommand("state-report", "Shows information regarding changing cluster state.",
                   [](CommandContext& ctx) -> Result<void> {
                     model::Json report = model::Json::array();
                     for (model::ClusterState requested : model::kClusterRequestStates) {
                       model::Json valid = nullptr;
                       model::Json invalid = nullptr;
                       for (model::ClusterState state : model::AllClusterStates()) {
                         model::Json& list =
                             model::IsClusterTransitionAllowed(state, requested) ? valid : invalid;
                         if (list.is_null()) list = model::Json::array();
                         list.push_back(std::string(ToString(state)));
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

// ---- annotation -----------------------------------------------------------------------------

void AddAnnotation(CommandGroup& parent) {
  CommandGroup group = parent.AddGroup(
      "annotation", "Manipulate annotations of clusters managed by the provisioning server.");
  struct AddFlags {
    std::string cluster;
    std::vector<std::string> annotations;
  };
  auto a = std::make_shared<AddFlags>();
  CLI::App* add = group.AddCommand(
      "add", "Adds annotations to the cluster.", [a](CommandContext& ctx) -> Result<void> {
        model::AddAnnotationsRequest request;
        request.annotations = a->annotations;
        if (ctx.DryRun(request)) return Ok();
        Result<model::ClusterDTO> cluster = ctx.client().AddClusterAnnotations(a->cluster, request);
        if (!cluster) return cluster.error().WithContext("failed to add cluster annotations");
        ctx.PrintJson(*cluster);
        return Ok();
      });
  add->add_option("--cluster", a->cluster, "The id of the cluster to be annotated.")->required();
  AddStringArray(add, "annotation", a->annotations,
                 "Additional annotations for the cluster. Accepts multiple values, for example: "
                 "'... --annotation abc --annotation def'")
      ->required();

  struct DeleteFlags {
    std::string cluster;
    std::string annotation;
  };
  auto d = std::make_shared<DeleteFlags>();
  CLI::App* del = group.AddCommand(
      "delete", "Deletes Annotation from the Cluster.", [d](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().DeleteClusterAnnotation(d->cluster, d->annotation);
        if (!r) return r.error().WithContext("failed to delete cluster annotations");
        return Ok();
      });
  del->add_option("--cluster", d->cluster,
                  "The id of the cluster from which annotation should be removed.")
      ->required();
  del->add_option("--annotation", d->annotation,
                  "Name of the annotation to be removed from the cluster.")
      ->required();
}

}  // namespace

void AddClusterCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup cluster = CommandGroup::Add(
      cli, root, "cluster", "Manipulate clusters managed by the provisioning server.");
  AddCreate(cluster);
  AddImport(cluster);
  AddProvision(cluster);
  AddUpdate(cluster);
  AddUpgrade(cluster);
  AddResize(cluster);
  AddNodegroup(cluster);
  AddDelete(cluster);
  AddGet(cluster);
  AddList(cluster);
  AddUtilities(cluster);
  AddDictionary(cluster);
  AddStateReport(cluster);
  AddAnnotation(cluster);
  AddClusterInstallationCommands(cluster);
}

}  // namespace cloud::cli
