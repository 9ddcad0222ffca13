#include "model/cluster.h"

#include <gtest/gtest.h>

#include "common/id.h"

namespace cloud::model {
namespace {

const std::string kIg = R"({"NodeInstanceType":"m5.large","NodeMinCount":1,"NodeMaxCount":2,)"
                        R"("AMI":"ami-1"})";

const std::string kKopsJson =
    R"({"Name":"c1-kops.k8s.local","Version":"1.23.1","AMI":"ami-1",)"
    R"("MasterInstanceType":"t3.medium","MasterCount":1,"NodeInstanceType":"m5.large",)"
    R"("NodeMinCount":2,"NodeMaxCount":2,"MaxPodsPerNode":200,"VPC":"vpc-1",)"
    R"("Networking":"calico","KmsKeyId":"arn:aws:kms:us-east-1:1:key/ab",)"
    R"("MasterInstanceGroups":{"master-a":)" +
    kIg +
    R"(},)"
    R"("NodeInstanceGroups":{"nodes-a":)" +
    kIg + R"(,"nodes-b":)" + kIg +
    R"(},)"
    R"("CustomInstanceGroups":{"custom":)" +
    kIg +
    R"(},)"
    R"("ChangeRequest":{"Version":"1.24","AMI":"ami-2","MasterInstanceType":"t3.large",)"
    R"("MasterCount":3,"NodeInstanceType":"m5.xlarge","NodeMinCount":3,"NodeMaxCount":4,)"
    R"("MaxPodsPerNode":100,"Networking":"weave","VPC":"vpc-2","KmsKeyId":"k2"},)"
    R"("RotatorRequest":{"Status":{"MasterGroups":[{"Name":"m","DesiredCapacity":1,)"
    R"("Nodes":["n1","n2"]}],"WorkerGroups":[{"Name":"w","DesiredCapacity":2,"Nodes":null}]},)"
    R"("Config":{"use-rotator":true,"max-scaling":5,"max-drain-retries":10,)"
    R"("evict-grace-period":60,"wait-between-rotations":30,"wait-between-drains":20,)"
    R"("wait-between-pod-evictions":5}},"Warnings":["w1","w2"]})";

const std::string kNodeGroup = R"({"Name":"worker-abcdef","Type":"worker",)"
                               R"("InstanceType":"m5.large","MinCount":2,"MaxCount":3,)"
                               R"("WithPublicSubnet":true,"WithSecurityGroup":true})";

const std::string kEksJson =
    R"({"Name":"c1-eks-k8s-local","Version":"1.23","AMI":"ami-1","VPC":"vpc-1",)"
    R"("Networking":"amazon-vpc-routed-eni","ClusterRoleARN":"arn:c","NodeRoleARN":"arn:n",)"
    R"("MaxPodsPerNode":110,"NodeGroups":{"worker":)" +
    kNodeGroup +
    R"(},)"
    R"("ChangeRequest":{"Version":"1.24","AMI":"ami-2","MaxPodsPerNode":120,)"
    R"("Networking":"calico","VPC":"vpc-2","ClusterRoleARN":"arn:c2","NodeRoleARN":"arn:n2",)"
    R"("NodeGroups":{"worker":)" +
    kNodeGroup + R"(}},"Warnings":["w"]})";

const std::string kExternalJson =
    R"({"Name":"ext","SecretName":"secret","Version":"1.27","VPC":"vpc-9","Warnings":["x"]})";

const std::string kPgBouncerJson =
    R"({"MinPoolSize":1,"DefaultPoolSize":5,"ReservePoolSize":10,"MaxClientConnections":25000,)"
    R"("MaxDatabaseConnectionsPerPool":50,"ServerIdleTimeout":30,"ServerLifetime":300,)"
    R"("ServerResetQueryAlways":1})";

const std::string kUtilityJson = [] {
  std::string versions = "{";
  bool first = true;
  for (const char* key : {"PrometheusOperator", "Thanos", "Nginx", "NginxInternal", "Fluentbit",
                          "Teleport", "Pgbouncer", "Promtail", "Rtcd", "NodeProblemDetector",
                          "MetricsServer", "Velero", "Cloudprober"}) {
    versions += std::string(first ? "" : ",") + "\"" + key + R"(":{"Chart":"1","ValuesPath":"v"})";
    first = false;
  }
  versions += "}";
  return R"({"DesiredVersions":)" + versions + R"(,"ActualVersions":)" + versions +
         R"(,"ManagedByArgocd":true,"ArgocdClusterRegister":{"ClusterType":"t","Registered":true}})";
}();

// Every key of Cluster, every metadata set (Go's declaration order).
const std::string kClusterJson =
    R"({"ID":"c1","Name":"name","State":"stable","Provider":"aws",)"
    R"("ProviderMetadataAWS":{"Zones":["us-east-1a","us-east-1b"]},)"
    R"("ProviderMetadataExternal":{"HasAWSInfrastructure":true},"Provisioner":"kops",)"
    R"("ProvisionerMetadataKops":)" +
    kKopsJson + R"(,"ProvisionerMetadataEKS":)" + kEksJson + R"(,"ProvisionerMetadataExternal":)" +
    kExternalJson + R"(,"Networking":"calico","UtilityMetadata":)" + kUtilityJson +
    R"(,"PgBouncerConfig":)" + kPgBouncerJson +
    R"(,"AllowInstallations":true,"CreateAt":1700000000000,"DeleteAt":1700000000001,)"
    R"("APISecurityLock":true,"SchedulingLockAcquiredBy":"sched","SchedulingLockAcquiredAt":5,)"
    R"("LockAcquiredBy":"locker","LockAcquiredAt":6})";

template <class T>
void ExpectRoundTrip(const std::string& text) {
  auto decoded = DecodeJson<T>(text);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(EncodeJson(*decoded), text);
  auto again = DecodeJson<T>(EncodeJson(*decoded));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *decoded);
}

TEST(Cluster, RoundTripEveryWireType) {
  ExpectRoundTrip<Cluster>(kClusterJson);
  ExpectRoundTrip<KopsMetadata>(kKopsJson);
  ExpectRoundTrip<EKSMetadata>(kEksJson);
  ExpectRoundTrip<ExternalClusterMetadata>(kExternalJson);
  ExpectRoundTrip<PgBouncerConfig>(kPgBouncerJson);
  ExpectRoundTrip<NodeGroupMetadata>(kNodeGroup);
  ExpectRoundTrip<KopsInstanceGroupMetadata>(kIg);
  ExpectRoundTrip<AWSMetadata>(R"({"Zones":["a"]})");
  ExpectRoundTrip<ExternalProviderMetadata>(R"({"HasAWSInfrastructure":true})");
  ExpectRoundTrip<PatchPgBouncerConfig>(
      R"({"MinPoolSize":1,"DefaultPoolSize":2,"ReservePoolSize":3,"MaxClientConnections":4,)"
      R"("MaxDatabaseConnectionsPerPool":5,"ServerIdleTimeout":6,"ServerLifetime":7,)"
      R"("ServerResetQueryAlways":0})");
  ExpectRoundTrip<AutoscalingGroup>(R"({"Name":"a","DesiredCapacity":3,"Nodes":["x"]})");
}

TEST(Cluster, DecodedFieldsLandInTheRightMembers) {
  auto c = DecodeJson<Cluster>(kClusterJson);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->state, ClusterState::kStable);
  EXPECT_EQ(c->provider, ClusterProvider::kAws);
  EXPECT_EQ(c->provisioner, ClusterProvisioner::kKops);
  EXPECT_EQ(c->provisioner_metadata_kops->node_instance_groups->size(), 2u);
  EXPECT_EQ(c->provisioner_metadata_kops->rotator_request->config->max_scaling, 5);
  EXPECT_FALSE(c->provisioner_metadata_kops->rotator_request->status->worker_groups[0].nodes);
  EXPECT_EQ(c->provisioner_metadata_eks->node_groups->at("worker").name, "worker-abcdef");
  EXPECT_EQ(c->pg_bouncer_config->server_reset_query_always, 1);
  EXPECT_EQ(c->scheduling_lock_acquired_by, "sched");
  EXPECT_EQ(c->lock_acquired_at, 6);
  EXPECT_TRUE(c->IsDeleted());
}

TEST(Cluster, ZeroValuesAndOmitEmpty) {
  EXPECT_EQ(EncodeJson(Cluster{}),
            R"({"ID":"","Name":"","State":"creation-requested","Provider":"aws",)"
            R"("Provisioner":"kops","Networking":"","UtilityMetadata":null,)"
            R"("PgBouncerConfig":null,"AllowInstallations":false,"CreateAt":0,"DeleteAt":0,)"
            R"("APISecurityLock":false,"SchedulingLockAcquiredBy":null,)"
            R"("SchedulingLockAcquiredAt":0,"LockAcquiredBy":null,"LockAcquiredAt":0})");
  // KopsMetadata: instance group maps are null until filled; CustomInstanceGroups, ChangeRequest,
  // RotatorRequest and Warnings are omitted when empty.
  EXPECT_EQ(EncodeJson(KopsMetadata{}),
            R"({"Name":"","Version":"","AMI":"","MasterInstanceType":"","MasterCount":0,)"
            R"("NodeInstanceType":"","NodeMinCount":0,"NodeMaxCount":0,"MaxPodsPerNode":0,)"
            R"("VPC":"","Networking":"","KmsKeyId":"","MasterInstanceGroups":null,)"
            R"("NodeInstanceGroups":null})");
  EXPECT_EQ(EncodeJson(KopsMetadataRequestedState{}), "{}");
  EXPECT_EQ(EncodeJson(RotatorMetadata{}), R"({"Status":null,"Config":null})");
  EXPECT_EQ(EncodeJson(RotatorStatus{}), "{}");
  EXPECT_EQ(EncodeJson(RotatorConfig{}), "{}");
  EXPECT_EQ(EncodeJson(RotatorConfig{false, 0, {}, {}, {}, {}, {}}),
            R"({"use-rotator":false,"max-scaling":0})");
  EXPECT_EQ(EncodeJson(AutoscalingGroup{}), R"({"Name":"","DesiredCapacity":0,"Nodes":null})");
  EXPECT_EQ(EncodeJson(EKSMetadata{}),
            R"({"Name":"","Version":"","AMI":"","VPC":"","Networking":"","ClusterRoleARN":"",)"
            R"("NodeRoleARN":"","MaxPodsPerNode":0,"NodeGroups":null})");
  EKSMetadata created;
  created.node_groups.emplace();
  EXPECT_NE(EncodeJson(created).find(R"("NodeGroups":{})"), std::string::npos);
  EXPECT_EQ(EncodeJson(EKSMetadataRequestedState{}), "{}");
  EXPECT_EQ(EncodeJson(NodeGroupMetadata{}), R"({"Name":""})");
  EXPECT_EQ(EncodeJson(ExternalClusterMetadata{}), R"({"Name":"","SecretName":"","Version":""})");
  EXPECT_EQ(EncodeJson(AWSMetadata{}), R"({"Zones":[]})");
  EXPECT_EQ(EncodeJson(PatchPgBouncerConfig{}),
            R"({"MinPoolSize":null,"DefaultPoolSize":null,"ReservePoolSize":null,)"
            R"("MaxClientConnections":null,"MaxDatabaseConnectionsPerPool":null,)"
            R"("ServerIdleTimeout":null,"ServerLifetime":null,"ServerResetQueryAlways":null})");
}

TEST(ClusterDTO, FlattensClusterAndOmitsEmptyAnnotations) {
  ClusterDTO dto;
  dto.cluster.id = "c1";
  const std::string cluster_json = EncodeJson(dto.cluster);
  EXPECT_EQ(EncodeJson(dto), cluster_json);
  dto.annotations = {{"a1", "abc"}, {"a2", "def"}};
  const std::string with = EncodeJson(dto);
  EXPECT_EQ(with, cluster_json.substr(0, cluster_json.size() - 1) +
                      R"(,"Annotations":[{"ID":"a1","Name":"abc"},{"ID":"a2","Name":"def"}]})");
  auto back = DecodeJson<ClusterDTO>(with);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, dto);

  const std::string full = kClusterJson.substr(0, kClusterJson.size() - 1) +
                           R"(,"Annotations":[{"ID":"x","Name":"xyz"}]})";
  ExpectRoundTrip<ClusterDTO>(full);
}

TEST(Cluster, EnumsOnTheWire) {
  struct Case {
    std::string json;
    bool ok;
  };
  const std::vector<Case> cases = {
      {R"({"Provisioner":"eks"})", true},
      {R"({"Provisioner":"external"})", true},
      {R"({"Provisioner":"EKS"})", false},
      {R"({"Provisioner":"gke"})", false},
      {R"({"Provider":"external"})", true},
      {R"({"Provider":"gcp"})", false},
      {R"({"Provider":""})", false},
      {R"({"State":"deleted"})", true},
      {R"({"State":"Deleted"})", false},
      {R"({"State":""})", false},
      {R"({"State":5})", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    auto r = DecodeJson<Cluster>(c.json);
    EXPECT_EQ(r.has_value(), c.ok);
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
  // An empty stored provisioner reads back as kops.
  auto empty = DecodeJson<Cluster>(R"({"Provisioner":""})");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->provisioner, ClusterProvisioner::kKops);
  EXPECT_NE(EncodeJson(*empty).find(R"("Provisioner":"kops")"), std::string::npos);
}

TEST(Cluster, HelpersVpcAndInfrastructure) {
  Cluster kops;
  kops.provisioner_metadata_kops = KopsMetadata{};
  kops.provisioner_metadata_kops->vpc = "vpc-k";
  EXPECT_EQ(kops.VpcId(), "vpc-k");
  EXPECT_TRUE(kops.HasAWSInfrastructure());
  EXPECT_FALSE(kops.IsExternallyManaged());

  Cluster eks;
  eks.provisioner = ClusterProvisioner::kEks;
  EXPECT_EQ(eks.VpcId(), "");
  eks.provisioner_metadata_eks = EKSMetadata{};
  eks.provisioner_metadata_eks->vpc = "vpc-e";
  EXPECT_EQ(eks.VpcId(), "vpc-e");

  Cluster ext;
  ext.provider = ClusterProvider::kExternal;
  ext.provisioner = ClusterProvisioner::kExternal;
  ext.provider_metadata_external = ExternalProviderMetadata{false};
  EXPECT_FALSE(ext.HasAWSInfrastructure());
  EXPECT_TRUE(ext.IsExternallyManaged());
  ext.provider_metadata_external->has_aws_infrastructure = true;
  EXPECT_TRUE(ext.HasAWSInfrastructure());
}

TEST(Cluster, CanScheduleInstallations) {
  Cluster c;
  c.state = ClusterState::kStable;
  auto r = CanScheduleInstallations(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cluster set to not allow for new installation scheduling");
  c.allow_installations = true;
  EXPECT_TRUE(CanScheduleInstallations(c));
  c.state = ClusterState::kDeletionRequested;
  r = CanScheduleInstallations(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.error().message,
            "not in a state to accept new installations (currently deletion-requested)");
}

TEST(PgBouncerConfig, DefaultsValidateAndPatch) {
  PgBouncerConfig config;
  config.SetDefaults();
  EXPECT_EQ(config, (PgBouncerConfig{1, 5, 10, 25000, 50, 30, 300, 0}));
  EXPECT_EQ(DefaultPgBouncerConfig(), config);
  PgBouncerConfig custom{7, 8, 9, 10, 11, 12, 13, 1};
  custom.SetDefaults();
  EXPECT_EQ(custom, (PgBouncerConfig{7, 8, 9, 10, 11, 12, 13, 1}));

  struct Case {
    std::string name;
    PgBouncerConfig config;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"defaults", DefaultPgBouncerConfig(), ""},
      {"max db conns 0",
       {1, 5, 10, 1, 0, 1, 1, 0},
       "MaxDatabaseConnectionsPerPool must be 1 or greater"},
      {"default pool 0", {1, 0, 10, 1, 1, 1, 1, 0}, "DefaultPoolSize must be 1 or greater"},
      {"reset query 2", {1, 1, 10, 1, 1, 1, 1, 2}, "ServerResetQueryAlways must be 0 or 1"},
      {"reset query -1", {1, 1, 10, 1, 1, 1, 1, -1}, "ServerResetQueryAlways must be 0 or 1"},
      {"reset query 1", {1, 1, 10, 1, 1, 1, 1, 1}, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<void> r = c.config.Validate();
    EXPECT_EQ(r.has_value(), c.error.empty());
    if (!r) {
      EXPECT_EQ(r.error().message, c.error);
    }
  }

  PatchPgBouncerConfig patch;
  patch.default_pool_size = 20;
  patch.server_reset_query_always = 1;
  config.ApplyPatch(patch);
  EXPECT_EQ(config, (PgBouncerConfig{1, 20, 10, 25000, 50, 30, 300, 1}));
  EXPECT_TRUE(patch.Validate());
  patch.max_database_connections_per_pool = 0;
  EXPECT_EQ(patch.Validate().error().message, "MaxDatabaseConnectionsPerPool must be 1 or greater");
  EXPECT_TRUE(PatchPgBouncerConfig{}.Validate());
}

TEST(RotatorConfig, Validate) {
  struct Case {
    std::string name;
    RotatorConfig config;
    std::string error;
  };
  const RotatorConfig full{true, 1, 2, 3, 4, 5, 6};
  auto without = [&](std::optional<int64_t> RotatorConfig::*field) {
    RotatorConfig c = full;
    c.*field = std::nullopt;
    return c;
  };
  const std::vector<Case> cases = {
      {"unset", {}, "rotator config use rotator should be set"},
      {"disabled", {false, {}, {}, {}, {}, {}, {}}, ""},
      {"full", full, ""},
      {"no evict grace period", without(&RotatorConfig::evict_grace_period),
       "rotator config evict grace period should be set"},
      {"no max drain retries", without(&RotatorConfig::max_drain_retries),
       "rotator config max drain retries should be set"},
      {"no max scaling", without(&RotatorConfig::max_scaling),
       "rotator config max scaling should be set"},
      {"no wait between rotations", without(&RotatorConfig::wait_between_rotations),
       "rotator config wait between rotations should be set"},
      {"no wait between drains", without(&RotatorConfig::wait_between_drains),
       "rotator config wait between drains should be set"},
      {"no wait between pod evictions", without(&RotatorConfig::wait_between_pod_evictions),
       "rotator config wait between pod evictions should be set"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<void> r = c.config.Validate();
    EXPECT_EQ(r.has_value(), c.error.empty());
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
      EXPECT_EQ(r.error().message, c.error);
    }
  }
}

TEST(NodeGroupMetadata, CopyMissingFieldsFrom) {
  NodeGroupMetadata ng{"n", "", "", 0, 5, false, true};
  ng.CopyMissingFieldsFrom(NodeGroupMetadata{"other", "t", "m5.large", 2, 9, true, false});
  EXPECT_EQ(ng, (NodeGroupMetadata{"n", "t", "m5.large", 2, 5, true, true}));
}

TEST(Cluster, UtilityHelpersCreateMetadataWhenNeeded) {
  Cluster c;
  SetManagedByArgocd(c, {});
  EXPECT_FALSE(c.utility_metadata.has_value());
  SetUtilityDesiredVersions(c, {});
  ASSERT_TRUE(c.utility_metadata.has_value());
  Cluster d;
  SetManagedByArgocd(d, {{"cluster-type", "x"}});
  ASSERT_TRUE(d.utility_metadata.has_value());
  EXPECT_TRUE(d.utility_metadata->managed_by_argocd);
  EXPECT_EQ(d.utility_metadata->argocd_cluster_register.cluster_type, "x");
}

TEST(Cluster, NodeGroupSuffixIsSixIdCharacters) {
  for (int i = 0; i < 20; ++i) {
    const std::string suffix = NewNodeGroupSuffix();
    ASSERT_EQ(suffix.size(), 6u);
    for (char ch : suffix) EXPECT_NE(kIdAlphabet.find(ch), std::string_view::npos) << suffix;
  }
}

}  // namespace
}  // namespace cloud::model
