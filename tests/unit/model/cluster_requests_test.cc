#include "model/cluster_requests.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/id.h"

namespace cloud::model {
namespace {

template <class T>
void ExpectRoundTrip(const std::string& text) {
  auto decoded = DecodeJson<T>(text);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(EncodeJson(*decoded), text);
}

const UtilityDefaultsOptions kGit{"https://git.example.com"};

bool IsSuffixed(const std::string& name, const std::string& prefix) {
  if (name.size() != prefix.size() + 7 || name.rfind(prefix + "-", 0) != 0) return false;
  for (char c : name.substr(prefix.size() + 1)) {
    if (kIdAlphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// JSON --------------------------------------------------------------------------------------

TEST(ClusterRequests, RoundTripFullyPopulated) {
  ExpectRoundTrip<CreateClusterRequest>(
      R"({"provider":"aws","zones":["us-east-1a","us-east-1b"],"version":"1.23","ami":"ami-1",)"
      R"("master-instance-type":"t3.medium","master-count":1,"node-instance-type":"m5.large",)"
      R"("node-min-count":2,"node-max-count":2,"allow-installations":true,)"
      R"("api-security-lock":true,"utility-versions":{"nginx":{"Chart":"1","ValuesPath":"p"},)"
      R"("thanos":null},"annotations":["abc"],"networking":"calico","vpc":"vpc-1",)"
      R"("max-pods-per-node":200,"cluster-role-arn":"arn:c","node-role-arn":"arn:n",)"
      R"("provisioner":"eks","additional-node-groups":{"gpu":{"Name":"","InstanceType":"p3",)"
      R"("MinCount":1,"MaxCount":1}},"nodegroup-with-public-subnet":["gpu"],)"
      R"("nodegroup-with-sg":["worker"],"kms-key-id":"k","argocd-register":{"cluster-type":"c"},)"
      R"("external-cluster-secret-name":"s","pgbouncer-config":{"MinPoolSize":1,)"
      R"("DefaultPoolSize":5,"ReservePoolSize":10,"MaxClientConnections":25000,)"
      R"("MaxDatabaseConnectionsPerPool":50,"ServerIdleTimeout":30,"ServerLifetime":300,)"
      R"("ServerResetQueryAlways":0}})");
  ExpectRoundTrip<ImportClusterRequest>(
      R"({"external-cluster-secret-name":"s","vpc-id":"vpc-1","annotations":["abc"],)"
      R"("allow-installations":true,"api-security-lock":true})");
  ExpectRoundTrip<UpdateClusterRequest>(R"({"Name":"n","AllowInstallations":false})");
  ExpectRoundTrip<PatchUpgradeClusterRequest>(
      R"({"version":"1.24","ami":"ami-2","rotatorConfig":{"use-rotator":true,"max-scaling":1,)"
      R"("max-drain-retries":2,"evict-grace-period":3,"wait-between-rotations":4,)"
      R"("wait-between-drains":5,"wait-between-pod-evictions":6},"MaxPodsPerNode":100,)"
      R"("kmsKeyId":"arn:aws:kms:us-east-1:1:key/ab"})");
  ExpectRoundTrip<PatchClusterSizeRequest>(
      R"({"node-instance-type":"m5.xlarge","node-min-count":2,"node-max-count":3,)"
      R"("rotatorConfig":{"use-rotator":false},"nodeGroups":["worker"],)"
      R"("master-instance-type":"t3.large"})");
  ExpectRoundTrip<ProvisionClusterRequest>(
      R"({"force":true,"utility-versions":{"nginx":{"Chart":"1","ValuesPath":""}},)"
      R"("argocd-register":{"cluster-type":"c","force":"true"},"pgbouncer-config":)"
      R"({"MinPoolSize":null,"DefaultPoolSize":3,"ReservePoolSize":null,)"
      R"("MaxClientConnections":null,"MaxDatabaseConnectionsPerPool":null,)"
      R"("ServerIdleTimeout":null,"ServerLifetime":null,"ServerResetQueryAlways":1}})");
  ExpectRoundTrip<CreateNodegroupsRequest>(
      R"({"nodegroups":{"gpu":{"Name":"","InstanceType":"p3","MinCount":1,"MaxCount":2}},)"
      R"("nodegroup-with-public-subnet":["gpu"],"nodegroup-with-sg":["worker"]})");
}

TEST(ClusterRequests, ZeroValuesAndOmitEmpty) {
  EXPECT_EQ(EncodeJson(CreateClusterRequest{}), "{}");
  CreateClusterRequest with_empty_argocd;
  with_empty_argocd.argocd_register.emplace();
  EXPECT_EQ(EncodeJson(with_empty_argocd), "{}");
  EXPECT_EQ(EncodeJson(ImportClusterRequest{}),
            R"({"allow-installations":false,"api-security-lock":false})");
  EXPECT_EQ(EncodeJson(UpdateClusterRequest{}), R"({"Name":null,"AllowInstallations":null})");
  EXPECT_EQ(EncodeJson(PatchUpgradeClusterRequest{}), R"({"MaxPodsPerNode":null})");
  EXPECT_EQ(EncodeJson(PatchClusterSizeRequest{}), "{}");
  EXPECT_EQ(EncodeJson(ProvisionClusterRequest{}), R"({"force":false})");
  EXPECT_EQ(EncodeJson(CreateNodegroupsRequest{}), R"({"nodegroups":null})");
}

TEST(ClusterRequests, DecodingFollowsGo) {
  auto r = DecodeJson<CreateClusterRequest>(
      R"({"MASTER-COUNT":3,"Provider":"aws","utility-versions":{"nginx":"4.0.0"},)"
      R"("argocd-register":{}})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->master_count, 3);
  EXPECT_EQ(r->provider, "aws");
  EXPECT_EQ(r->utility_versions.at("nginx"), (HelmUtilityVersion{"4.0.0", ""}));
  ASSERT_TRUE(r->argocd_register.has_value());
  EXPECT_TRUE(r->argocd_register->empty());

  auto upgrade = DecodeJson<PatchUpgradeClusterRequest>(R"({"maxpodspernode":50,"KMSKEYID":"k"})");
  ASSERT_TRUE(upgrade);
  EXPECT_EQ(upgrade->max_pods_per_node, 50);
  EXPECT_EQ(upgrade->kms_key_id, "k");

  EXPECT_FALSE(DecodeJson<CreateClusterRequest>(R"({"master-count":"3"})"));
  EXPECT_FALSE(DecodeJson<CreateClusterRequest>(R"({"master-count":1.5})"));
  EXPECT_FALSE(DecodeJson<PatchClusterSizeRequest>(R"({"nodeGroups":"worker"})"));
}

// Version and KMS patterns ------------------------------------------------------------------

TEST(ClusterRequests, ClusterVersionPattern) {
  struct Case {
    std::string version;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"latest", true}, {"1.23", true},     {"1.23.4", true},      {"123.456.789", true},
      {"1x23", true},   {"1-2-3", true},    {"123", true},         {"12345", true},
      {"1é23", true},   {"1.2.3.4", false}, {"1.2.", false},       {"", false},
      {"1", false},     {"12", false},      {"1.", false},         {"1234.1", true},
      {"1.2345", true}, {"latest ", false}, {" 1.23", false},      {"Latest", false},
      {"1\n23", false}, {"v1.23", false},   {"1.23.4.5.6", false}, {"1.2.3\n", false},
      {"a.b", false},   {"1.23a", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.version);
    EXPECT_EQ(IsValidClusterVersion(c.version), c.valid);
  }
}

TEST(ClusterRequests, KmsArnPattern) {
  struct Case {
    std::string arn;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", true},
      {"arn:aws:kms:US_East-1:1:key/a", true},
      {"arn:aws:kms:us-east-1:1:key/ABC", false},
      {"arn:aws:kms::1:key/ab", false},
      {"arn:aws:kms:us-east-1::key/ab", false},
      {"arn:aws:kms:us-east-1:1a:key/ab", false},
      {"arn:aws:kms:us-east-1:1:key/", false},
      {"arn:aws:kms:us-east-1:1:alias/ab", false},
      {"arn:aws:kms:us-east-1:1:key/ab ", false},
      {"arn:aws:s3:us-east-1:1:key/ab", false},
      {"", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.arn);
    EXPECT_EQ(IsValidKmsArn(c.arn), c.valid);
  }
}

// CreateClusterRequest ----------------------------------------------------------------------

TEST(CreateClusterRequest, SetDefaultsKops) {
  CreateClusterRequest r;
  r.SetDefaults(kGit);
  EXPECT_EQ(r.provider, "aws");
  EXPECT_EQ(r.provisioner, "kops");
  EXPECT_EQ(r.version, "latest");
  EXPECT_EQ(r.zones, std::vector<std::string>{"us-east-1a"});
  EXPECT_EQ(r.master_instance_type, "t3.medium");
  EXPECT_EQ(r.master_count, 1);
  EXPECT_EQ(r.node_instance_type, "m5.large");
  EXPECT_EQ(r.node_min_count, 2);
  EXPECT_EQ(r.node_max_count, 2);
  EXPECT_EQ(r.max_pods_per_node, 200);
  EXPECT_EQ(r.networking, "calico");
  EXPECT_EQ(r.pgbouncer_config, DefaultPgBouncerConfig());
  ASSERT_EQ(r.utility_versions.size(), 13u);
  for (std::string_view utility : AllUtilityNames()) {
    SCOPED_TRACE(std::string(utility));
    EXPECT_EQ(r.utility_versions.at(std::string(utility)), DefaultUtilityVersion(utility, kGit));
  }
  EXPECT_TRUE(r.Validate()) << r.Validate().error().message;
}

TEST(CreateClusterRequest, SetDefaultsEks) {
  CreateClusterRequest r;
  r.provisioner = "eks";
  r.node_min_count = 3;
  r.additional_node_groups["gpu"] = NodeGroupMetadata{};
  r.additional_node_groups["big"] = NodeGroupMetadata{"", "", "c5.xlarge", 4, 0, false, false};
  r.SetDefaults(kGit);
  EXPECT_EQ(r.version, "1.23");
  EXPECT_EQ(r.zones, (std::vector<std::string>{"us-east-1a", "us-east-1b"}));
  EXPECT_EQ(r.node_max_count, 3);
  EXPECT_EQ(r.additional_node_groups.at("gpu"),
            (NodeGroupMetadata{"", "", "m5.large", 2, 2, false, false}));
  EXPECT_EQ(r.additional_node_groups.at("big"),
            (NodeGroupMetadata{"", "", "c5.xlarge", 4, 4, false, false}));

  // Additional nodegroups get no defaults on kops.
  CreateClusterRequest kops;
  kops.additional_node_groups["gpu"] = NodeGroupMetadata{};
  kops.SetDefaults(kGit);
  EXPECT_EQ(kops.additional_node_groups.at("gpu"), NodeGroupMetadata{});
}

TEST(CreateClusterRequest, SetDefaultsKeepsGivenValues) {
  CreateClusterRequest r;
  r.provider = "gcp";
  r.version = "1.20";
  r.zones = {"eu-west-1a"};
  r.master_instance_type = "m";
  r.master_count = 3;
  r.node_instance_type = "n";
  r.node_min_count = 4;
  r.node_max_count = 5;
  r.max_pods_per_node = 50;
  r.networking = "weave";
  r.pgbouncer_config = PgBouncerConfig{0, 9, 0, 0, 0, 0, 0, 1};
  r.utility_versions["nginx"] = HelmUtilityVersion{"9.9.9", ""};
  r.utility_versions["thanos"] = HelmUtilityVersion{"", "custom"};
  r.utility_versions["velero"] = std::nullopt;  // upstream panics here; we use the default
  r.utility_versions["grafana"] = HelmUtilityVersion{"1", "x"};
  r.SetDefaults(kGit);
  EXPECT_EQ(r.provider, "gcp");
  EXPECT_EQ(r.version, "1.20");
  EXPECT_EQ(r.zones, std::vector<std::string>{"eu-west-1a"});
  EXPECT_EQ(r.master_instance_type, "m");
  EXPECT_EQ(r.master_count, 3);
  EXPECT_EQ(r.node_instance_type, "n");
  EXPECT_EQ(r.node_min_count, 4);
  EXPECT_EQ(r.node_max_count, 5);
  EXPECT_EQ(r.max_pods_per_node, 50);
  EXPECT_EQ(r.networking, "weave");
  EXPECT_EQ(r.pgbouncer_config, (PgBouncerConfig{1, 9, 10, 25000, 50, 30, 300, 1}));
  EXPECT_EQ(r.utility_versions.at("nginx"),
            (HelmUtilityVersion{"9.9.9", DefaultUtilityVersion("nginx", kGit)->values_path}));
  EXPECT_EQ(r.utility_versions.at("thanos"), (HelmUtilityVersion{"13.2.2", "custom"}));
  EXPECT_EQ(r.utility_versions.at("velero"), DefaultUtilityVersion("velero", kGit));
  EXPECT_EQ(r.utility_versions.at("grafana"), (HelmUtilityVersion{"1", "x"}));
  EXPECT_EQ(r.utility_versions.size(), 14u);

  CreateClusterRequest no_url;
  no_url.SetDefaults({});
  EXPECT_EQ(no_url.utility_versions.at("nginx"), (HelmUtilityVersion{"4.11.1", ""}));
}

CreateClusterRequest ValidEks() {
  CreateClusterRequest r;
  r.provisioner = "eks";
  r.ami = "ami-1";
  r.cluster_role_arn = "arn:c";
  r.node_role_arn = "arn:n";
  r.additional_node_groups["gpu"] = NodeGroupMetadata{};
  r.SetDefaults(kGit);
  return r;
}

TEST(CreateClusterRequest, Validate) {
  struct Case {
    std::string name;
    std::function<void(CreateClusterRequest&)> mutate;
    std::string error;  // "" = valid
    bool eks = false;
  };
  const std::vector<Case> cases = {
      {"kops defaults", [](auto&) {}, ""},
      {"eks valid", [](auto&) {}, "", true},
      {"provider", [](auto& r) { r.provider = "gcp"; }, "unsupported provider gcp"},
      {"provider external", [](auto& r) { r.provider = "external"; },
       "unsupported provider external"},
      {"provisioner", [](auto& r) { r.provisioner = "external"; },
       "unsupported provisioner external"},
      {"version", [](auto& r) { r.version = "v1"; }, "unsupported cluster version v1"},
      {"version with any-char dots", [](auto& r) { r.version = "1x23"; }, ""},
      {"master count", [](auto& r) { r.master_count = 0; },
       "master count (0) must be 1 or greater"},
      {"node min count", [](auto& r) { r.node_min_count = -1; },
       "node min count (-1) must be 1 or greater"},
      {"node max differs", [](auto& r) { r.node_max_count = 3; },
       "node min (2) and max (3) counts must match"},
      {"max pods", [](auto& r) { r.max_pods_per_node = 9; },
       "max pods per node (9) must be 10 or greater"},
      {"max pods 10", [](auto& r) { r.max_pods_per_node = 10; }, ""},
      {"argocd without cluster-type", [](auto& r) { r.argocd_register.emplace(); },
       "argocd register key cluster-type must be set"},
      {"argocd with cluster-type",
       [](auto& r) {
         r.argocd_register = std::map<std::string, std::string>{{"cluster-type", ""}};
       },
       ""},
      {"pgbouncer max db conns",
       [](auto& r) { r.pgbouncer_config->max_database_connections_per_pool = -1; },
       "pgbouncer config is not valid: MaxDatabaseConnectionsPerPool must be 1 or greater"},
      {"pgbouncer default pool", [](auto& r) { r.pgbouncer_config->default_pool_size = -1; },
       "pgbouncer config is not valid: DefaultPoolSize must be 1 or greater"},
      {"pgbouncer reset query", [](auto& r) { r.pgbouncer_config->server_reset_query_always = 2; },
       "pgbouncer config is not valid: ServerResetQueryAlways must be 0 or 1"},
      {"kops needs no ARNs or AMI", [](auto& r) { r.ami = ""; }, ""},
      {"eks cluster role", [](auto& r) { r.cluster_role_arn = ""; },
       "cluster role ARN for EKS cluster cannot be empty", true},
      {"eks node role", [](auto& r) { r.node_role_arn = ""; },
       "node role ARN for EKS cluster cannot be empty", true},
      {"eks ami", [](auto& r) { r.ami = ""; }, "AMI for EKS cluster cannot be empty", true},
      {"eks zones", [](auto& r) { r.zones = {"us-east-1a"}; },
       "EKS cluster needs at least two zones", true},
      {"eks worker additional group", [](auto& r) { r.additional_node_groups["worker"] = {}; },
       "additional node group name cannot be named worker", true},
      {"eks additional min", [](auto& r) { r.additional_node_groups["gpu"].min_count = 0; },
       "node min count (0) must be 1 or greater for node group gpu", true},
      {"eks additional max", [](auto& r) { r.additional_node_groups["gpu"].max_count = 5; },
       "node min (2) and max (5) counts must match for node group gpu", true},
      {"eks public subnet worker", [](auto& r) { r.nodegroup_with_public_subnet = {"worker"}; }, "",
       true},
      {"eks public subnet known", [](auto& r) { r.nodegroup_with_public_subnet = {"gpu"}; }, "",
       true},
      {"eks public subnet unknown", [](auto& r) { r.nodegroup_with_public_subnet = {"cpu"}; },
       "invalid nodegroup cpu to use public subnets", true},
      {"eks sg unknown",
       [](auto& r) {
         r.nodegroup_with_sg = {"worker", "cpu"};
       },
       "invalid nodegroup cpu to use security group", true},
      {"kops ignores nodegroup lists", [](auto& r) { r.nodegroup_with_sg = {"cpu"}; }, ""},
      {"networking", [](auto& r) { r.networking = "amazon-vpc-cni"; },
       "unsupported cluster networking option amazon-vpc-cni"},
      {"networking amazonvpc", [](auto& r) { r.networking = "amazonvpc"; }, ""},
      {"networking amazon-vpc-routed-eni", [](auto& r) { r.networking = "amazon-vpc-routed-eni"; },
       ""},
      {"networking weave", [](auto& r) { r.networking = "weave"; }, ""},
      {"networking canal", [](auto& r) { r.networking = "canal"; }, ""},
      {"first failure wins",
       [](auto& r) {
         r.master_count = 0;
         r.networking = "x";
       },
       "master count (0) must be 1 or greater"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    CreateClusterRequest r;
    if (c.eks) {
      r = ValidEks();
    } else {
      r.SetDefaults(kGit);
    }
    c.mutate(r);
    Result<void> result = r.Validate();
    EXPECT_EQ(result.has_value(), c.error.empty());
    if (!result) {
      EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
      EXPECT_EQ(result.error().message, c.error);
    }
  }
}

TEST(CreateClusterRequest, ParseWrapsErrors) {
  auto ok = ParseCreateClusterRequest("", kGit);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->provisioner, "kops");
  EXPECT_TRUE(ParseCreateClusterRequest("null", kGit));

  auto invalid = ParseCreateClusterRequest(R"({"provider":"gcp"})", kGit);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(invalid.error().message,
            "create cluster request failed validation: unsupported provider gcp");

  auto bad = ParseCreateClusterRequest(R"({"master-count":"x"})", kGit);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message.rfind("failed to decode create cluster request: ", 0), 0u);
}

// Other requests ----------------------------------------------------------------------------

TEST(ImportClusterRequest, Validate) {
  EXPECT_EQ(ImportClusterRequest{}.Validate().error().message,
            "external cluster secret name is empty");
  EXPECT_TRUE((ImportClusterRequest{"s", "", {}, false, false}.Validate()));
  EXPECT_EQ(ParseImportClusterRequest("{}").error().message,
            "import cluster request failed validation: external cluster secret name is empty");
  auto ok = ParseImportClusterRequest(R"({"external-cluster-secret-name":"s","vpc-id":"v"})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->vpc_id, "v");
}

TEST(PatchUpgradeClusterRequest, Validate) {
  struct Case {
    std::string name;
    PatchUpgradeClusterRequest request;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"empty", {}, ""},
      {"version", {"1.24", {}, {}, {}, {}}, ""},
      {"latest", {"latest", {}, {}, {}, {}}, ""},
      {"bad version", {"one", {}, {}, {}, {}}, "unsupported cluster version one"},
      {"empty version", {"", {}, {}, {}, {}}, "unsupported cluster version "},
      {"max pods", {{}, {}, {}, 10, {}}, ""},
      {"max pods low", {{}, {}, {}, 9, {}}, "max pods per node (9) must be 10 or greater"},
      {"kms", {{}, {}, {}, {}, "arn:aws:kms:us-east-1:1:key/ab-12"}, ""},
      {"bad kms", {{}, {}, {}, {}, "nope"}, "invalid KMS arn format nope"},
      {"rotator ok", {{}, {}, RotatorConfig{false, {}, {}, {}, {}, {}, {}}, {}, {}}, ""},
      {"rotator bad",
       {{}, {}, RotatorConfig{}, {}, {}},
       "rotator config use rotator should be set"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<void> r = c.request.Validate();
    EXPECT_EQ(r.has_value(), c.error.empty());
    if (!r) {
      EXPECT_EQ(r.error().message, c.error);
    }
  }
  EXPECT_EQ(ParsePatchUpgradeClusterRequest(R"({"MaxPodsPerNode":1})").error().message,
            "upgrade cluster request failed validation: max pods per node (1) must be 10 or "
            "greater");
  EXPECT_TRUE(ParsePatchUpgradeClusterRequest(""));
}

TEST(PatchClusterSizeRequest, Validate) {
  struct Case {
    std::string name;
    PatchClusterSizeRequest request;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"empty", {}, ""},
      {"instance type", {"m5.large", {}, {}, {}, {}, {}}, ""},
      {"blank instance type",
       {"", {}, {}, {}, {}, {}},
       "node instance type cannot be a blank value"},
      {"min 1", {{}, 1, {}, {}, {}, {}}, ""},
      {"min 0", {{}, 0, {}, {}, {}, {}}, "node min count has to be 1 or greater"},
      {"max only may be 0", {{}, {}, 0, {}, {}, {}}, ""},
      {"max below min",
       {{}, 3, 2, {}, {}, {}},
       "node max count (2) can't be less than min count (3)"},
      {"max equals min", {{}, 3, 3, {}, {}, {}}, ""},
      {"max above min", {{}, 3, 4, {}, {}, {}}, ""},
      {"rotator bad",
       {{}, {}, {}, RotatorConfig{true, {}, {}, {}, {}, {}, {}}, {}, {}},
       "rotator config evict grace period should be set"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<void> r = c.request.Validate();
    EXPECT_EQ(r.has_value(), c.error.empty());
    if (!r) {
      EXPECT_EQ(r.error().message, c.error);
    }
  }
  EXPECT_EQ(ParsePatchClusterSizeRequest(R"({"node-min-count":0})").error().message,
            "resize cluster request failed validation: node min count has to be 1 or greater");
}

TEST(ProvisionClusterRequest, Validate) {
  struct Case {
    std::string name;
    std::string body;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"empty", "", ""},
      {"force", R"({"force":true})", ""},
      {"patch ok", R"({"pgbouncer-config":{"DefaultPoolSize":1,"ServerResetQueryAlways":0}})", ""},
      {"max db conns", R"({"pgbouncer-config":{"MaxDatabaseConnectionsPerPool":0}})",
       "provision cluster request failed validation: pgbouncer config validation failed: "
       "MaxDatabaseConnectionsPerPool must be 1 or greater"},
      {"default pool", R"({"pgbouncer-config":{"DefaultPoolSize":0}})",
       "provision cluster request failed validation: pgbouncer config validation failed: "
       "DefaultPoolSize must be 1 or greater"},
      {"reset query", R"({"pgbouncer-config":{"ServerResetQueryAlways":3}})",
       "provision cluster request failed validation: pgbouncer config validation failed: "
       "ServerResetQueryAlways must be 0 or 1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = ParseProvisionClusterRequest(c.body);
    EXPECT_EQ(r.has_value(), c.error.empty());
    if (!r) {
      EXPECT_EQ(r.error().message, c.error);
    }
  }
  EXPECT_EQ(ParseProvisionClusterRequest(R"({"force":"yes"})")
                .error()
                .message.rfind("failed to decode provision cluster request: ", 0),
            0u);
}

TEST(CreateNodegroupsRequest, DefaultsAndValidate) {
  CreateNodegroupsRequest r;
  r.nodegroups = NodeGroupMetadataMap{{"a", {}},
                                      {"b", {"", "", "c5", 3, 0, false, false}},
                                      {"c", {"", "", "", 1, 4, false, false}}};
  r.SetDefaults();
  EXPECT_EQ(r.nodegroups->at("a"), (NodeGroupMetadata{"", "", "m5.large", 2, 2, false, false}));
  EXPECT_EQ(r.nodegroups->at("b"), (NodeGroupMetadata{"", "", "c5", 3, 3, false, false}));
  EXPECT_EQ(r.nodegroups->at("c"), (NodeGroupMetadata{"", "", "m5.large", 1, 4, false, false}));
  EXPECT_TRUE(r.Validate());

  struct Case {
    std::string name;
    std::string body;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"empty body", "", ""},
      {"defaults", R"({"nodegroups":{"gpu":{}}})", ""},
      {"min negative", R"({"nodegroups":{"gpu":{"MinCount":-1}}})",
       "nodegroup gpu min count has to be 1 or greater"},
      {"max below min", R"({"nodegroups":{"gpu":{"MinCount":3,"MaxCount":2}}})",
       "nodegroup gpu max count (2) can't be less than min count (3)"},
      {"unequal allowed", R"({"nodegroups":{"gpu":{"MinCount":1,"MaxCount":5}}})", ""},
      {"public subnet ok",
       R"({"nodegroups":{"gpu":{}},"nodegroup-with-public-subnet":["gpu","worker"]})", ""},
      {"public subnet unknown", R"({"nodegroups":{"gpu":{}},"nodegroup-with-public-subnet":["x"]})",
       "invalid nodegroup x to use public subnets"},
      {"sg unknown", R"({"nodegroups":{"gpu":{}},"nodegroup-with-sg":["x"]})",
       "invalid nodegroup x to use security group"},
      {"sg worker without nodegroups", R"({"nodegroup-with-sg":["worker"]})", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = ParseCreateNodegroupsRequest(c.body);
    EXPECT_EQ(parsed.has_value(), c.error.empty());
    if (!parsed) {
      EXPECT_EQ(parsed.error().message, "create nodegroups request failed validation: " + c.error);
    }
  }
}

TEST(UpdateClusterRequest, ParseAndApply) {
  auto r = ParseUpdateClusterRequest(R"({"name":"new","AllowInstallations":true})");
  ASSERT_TRUE(r);
  Cluster c;
  EXPECT_TRUE(ApplyClusterUpdatePatch(c, *r));
  EXPECT_EQ(c.name, "new");
  EXPECT_TRUE(c.allow_installations);
  EXPECT_FALSE(ApplyClusterUpdatePatch(c, *r));
  EXPECT_FALSE(ApplyClusterUpdatePatch(c, UpdateClusterRequest{}));
  EXPECT_TRUE(ApplyClusterUpdatePatch(c, UpdateClusterRequest{std::nullopt, false}));
  EXPECT_FALSE(c.allow_installations);
  EXPECT_FALSE(ParseUpdateClusterRequest(R"({"Name":1})"));
}

// Building clusters -------------------------------------------------------------------------

TEST(NewClusterFromCreateRequest, KopsDefaults) {
  CreateClusterRequest r;
  r.allow_installations = true;
  r.vpc = "vpc-1";
  r.kms_key_id = "ignored";
  r.SetDefaults({});
  auto c = NewClusterFromCreateRequest(r);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->provisioner_metadata_eks.has_value());
  const std::string versions =
      R"({"PrometheusOperator":{"Chart":"54.2.2","ValuesPath":""},)"
      R"("Thanos":{"Chart":"13.2.2","ValuesPath":""},"Nginx":{"Chart":"4.11.1","ValuesPath":""},)"
      R"("NginxInternal":{"Chart":"4.11.1","ValuesPath":""},)"
      R"("Fluentbit":{"Chart":"0.31.0","ValuesPath":""},)"
      R"("Teleport":{"Chart":"12.4.34","ValuesPath":""},)"
      R"("Pgbouncer":{"Chart":"1.2.1","ValuesPath":""},)"
      R"("Promtail":{"Chart":"6.15.5","ValuesPath":""},"Rtcd":{"Chart":"1.3.0","ValuesPath":""},)"
      R"("NodeProblemDetector":{"Chart":"2.3.12","ValuesPath":""},)"
      R"("MetricsServer":{"Chart":"3.12.1","ValuesPath":""},)"
      R"("Velero":{"Chart":"5.1.5","ValuesPath":""},)"
      R"("Cloudprober":{"Chart":"0.1.4","ValuesPath":""}})";
  const std::string nulls =
      R"({"PrometheusOperator":null,"Thanos":null,"Nginx":null,"NginxInternal":null,)"
      R"("Fluentbit":null,"Teleport":null,"Pgbouncer":null,"Promtail":null,"Rtcd":null,)"
      R"("NodeProblemDetector":null,"MetricsServer":null,"Velero":null,"Cloudprober":null})";
  EXPECT_EQ(EncodeJson(*c),
            R"({"ID":"","Name":"","State":"creation-requested","Provider":"aws",)"
            R"("ProviderMetadataAWS":{"Zones":["us-east-1a"]},"Provisioner":"kops",)"
            R"("ProvisionerMetadataKops":{"Name":"","Version":"","AMI":"",)"
            R"("MasterInstanceType":"","MasterCount":0,"NodeInstanceType":"","NodeMinCount":0,)"
            R"("NodeMaxCount":0,"MaxPodsPerNode":0,"VPC":"","Networking":"","KmsKeyId":"",)"
            R"("MasterInstanceGroups":null,"NodeInstanceGroups":null,)"
            R"("ChangeRequest":{"Version":"latest","MasterInstanceType":"t3.medium",)"
            R"("MasterCount":1,"NodeInstanceType":"m5.large","NodeMinCount":2,"NodeMaxCount":2,)"
            R"("MaxPodsPerNode":200,"Networking":"calico","VPC":"vpc-1"}},"Networking":"",)"
            R"("UtilityMetadata":{"DesiredVersions":)" +
                versions + R"(,"ActualVersions":)" + nulls +
                R"(,"ManagedByArgocd":false,"ArgocdClusterRegister":{}},)"
                R"("PgBouncerConfig":{"MinPoolSize":1,"DefaultPoolSize":5,"ReservePoolSize":10,)"
                R"("MaxClientConnections":25000,"MaxDatabaseConnectionsPerPool":50,)"
                R"("ServerIdleTimeout":30,"ServerLifetime":300,"ServerResetQueryAlways":0},)"
                R"("AllowInstallations":true,"CreateAt":0,"DeleteAt":0,"APISecurityLock":false,)"
                R"("SchedulingLockAcquiredBy":null,"SchedulingLockAcquiredAt":0,)"
                R"("LockAcquiredBy":null,"LockAcquiredAt":0})");
}

TEST(NewClusterFromCreateRequest, EksNodegroupsAndArgocd) {
  CreateClusterRequest r = ValidEks();
  r.vpc = "vpc-1";
  r.api_security_lock = true;
  r.nodegroup_with_public_subnet = {"gpu"};
  r.nodegroup_with_sg = {"worker", "gpu"};
  r.argocd_register = std::map<std::string, std::string>{{"cluster-type", "customer"}};
  ASSERT_TRUE(r.Validate());
  auto c = NewClusterFromCreateRequest(r);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->provisioner, ClusterProvisioner::kEks);
  EXPECT_TRUE(c->api_security_lock);
  EXPECT_FALSE(c->provisioner_metadata_kops.has_value());
  ASSERT_TRUE(c->provisioner_metadata_eks.has_value());
  const EKSMetadata& eks = *c->provisioner_metadata_eks;
  ASSERT_TRUE(eks.node_groups.has_value());
  EXPECT_TRUE(eks.node_groups->empty());
  ASSERT_TRUE(eks.change_request.has_value());
  const EKSMetadataRequestedState& cr = *eks.change_request;
  EXPECT_EQ(cr.version, "1.23");
  EXPECT_EQ(cr.ami, "ami-1");
  EXPECT_EQ(cr.max_pods_per_node, 200);
  EXPECT_EQ(cr.vpc, "vpc-1");
  EXPECT_EQ(cr.cluster_role_arn, "arn:c");
  EXPECT_EQ(cr.node_role_arn, "arn:n");
  EXPECT_EQ(cr.networking, "");
  ASSERT_EQ(cr.node_groups.size(), 2u);
  const NodeGroupMetadata& worker = cr.node_groups.at("worker");
  EXPECT_TRUE(IsSuffixed(worker.name, "worker")) << worker.name;
  EXPECT_EQ(worker.type, "worker");
  EXPECT_EQ(worker.instance_type, "m5.large");
  EXPECT_EQ(worker.min_count, 2);
  EXPECT_EQ(worker.max_count, 2);
  EXPECT_FALSE(worker.with_public_subnet);
  EXPECT_TRUE(worker.with_security_group);
  const NodeGroupMetadata& gpu = cr.node_groups.at("gpu");
  EXPECT_TRUE(IsSuffixed(gpu.name, "gpu")) << gpu.name;
  EXPECT_EQ(gpu.type, "gpu");
  EXPECT_TRUE(gpu.with_public_subnet);
  EXPECT_TRUE(gpu.with_security_group);
  const std::string json = EncodeJson(*c);
  EXPECT_NE(json.find(R"("NodeGroups":{},"ChangeRequest":{"Version":"1.23")"), std::string::npos)
      << json;
  ASSERT_TRUE(c->utility_metadata);
  EXPECT_TRUE(c->utility_metadata->managed_by_argocd);
  EXPECT_EQ(c->utility_metadata->argocd_cluster_register.cluster_type, "customer");
  EXPECT_FALSE(c->utility_metadata->argocd_cluster_register.registered);
  EXPECT_EQ(c->provider_metadata_aws->zones,
            (std::vector<std::string>{"us-east-1a", "us-east-1b"}));
}

TEST(NewClusterFromCreateRequest, RejectsUnvalidatedProviderOrProvisioner) {
  CreateClusterRequest r;
  r.SetDefaults({});
  r.provider = "gcp";
  EXPECT_FALSE(NewClusterFromCreateRequest(r));
  r.provider = "aws";
  r.provisioner = "external";
  EXPECT_FALSE(NewClusterFromCreateRequest(r));
}

TEST(NewClusterFromImportRequest, WithAndWithoutVpc) {
  Cluster with = NewClusterFromImportRequest({"secret", "vpc-1", {"abc"}, true, true});
  EXPECT_EQ(EncodeJson(with),
            R"({"ID":"","Name":"","State":"creation-requested","Provider":"external",)"
            R"("ProviderMetadataExternal":{"HasAWSInfrastructure":true},)"
            R"("Provisioner":"external","ProvisionerMetadataExternal":{"Name":"",)"
            R"("SecretName":"secret","Version":"","VPC":"vpc-1"},"Networking":"",)"
            R"("UtilityMetadata":null,"PgBouncerConfig":{"MinPoolSize":1,"DefaultPoolSize":5,)"
            R"("ReservePoolSize":10,"MaxClientConnections":25000,)"
            R"("MaxDatabaseConnectionsPerPool":50,"ServerIdleTimeout":30,"ServerLifetime":300,)"
            R"("ServerResetQueryAlways":0},"AllowInstallations":true,"CreateAt":0,"DeleteAt":0,)"
            R"("APISecurityLock":true,"SchedulingLockAcquiredBy":null,)"
            R"("SchedulingLockAcquiredAt":0,"LockAcquiredBy":null,"LockAcquiredAt":0})");
  Cluster without = NewClusterFromImportRequest({"secret", "", {}, false, false});
  EXPECT_FALSE(without.provider_metadata_external->has_aws_infrastructure);
  EXPECT_FALSE(without.pg_bouncer_config.has_value());
  EXPECT_FALSE(without.utility_metadata.has_value());
}

// Applying requests to metadata -------------------------------------------------------------

TEST(ApplyUpgradePatch, Kops) {
  KopsMetadata m;
  m.version = "1.23";
  m.ami = "ami-1";
  m.max_pods_per_node = 200;
  m.kms_key_id = "k1";

  PatchUpgradeClusterRequest same{"1.23", "ami-1", RotatorConfig{false, {}, {}, {}, {}, {}, {}},
                                  200, "k1"};
  EXPECT_FALSE(ApplyUpgradePatch(m, same));
  ASSERT_TRUE(m.rotator_request.has_value());  // always initialised
  EXPECT_EQ(EncodeJson(*m.rotator_request), R"({"Status":null,"Config":null})");
  EXPECT_FALSE(m.change_request.has_value());

  PatchUpgradeClusterRequest change{"1.24", "ami-1", RotatorConfig{false, {}, {}, {}, {}, {}, {}},
                                    100, "k2"};
  EXPECT_TRUE(ApplyUpgradePatch(m, change));
  ASSERT_TRUE(m.change_request);
  EXPECT_EQ(EncodeJson(*m.change_request),
            R"({"Version":"1.24","MaxPodsPerNode":100,"KmsKeyId":"k2"})");
  EXPECT_EQ(m.rotator_request->config, change.rotator_config);
}

TEST(ApplyUpgradePatch, Eks) {
  EKSMetadata m;
  m.version = "1.23";
  m.node_groups =
      NodeGroupMetadataMap{{"worker", {"worker-aaaaaa", "worker", "", 0, 0, false, false}},
                           {"gpu", {"gpu-bbbbbb", "gpu", "", 0, 0, false, false}}};
  EXPECT_FALSE(ApplyUpgradePatch(m, PatchUpgradeClusterRequest{"1.23", {}, {}, {}, "kms"}));
  EXPECT_FALSE(m.change_request);
  EXPECT_TRUE(ApplyUpgradePatch(m, PatchUpgradeClusterRequest{{}, "ami-2", {}, 50, {}}));
  ASSERT_TRUE(m.change_request);
  EXPECT_EQ(m.change_request->ami, "ami-2");
  EXPECT_EQ(m.change_request->max_pods_per_node, 50);
  ASSERT_EQ(m.change_request->node_groups.size(), 2u);
  for (const auto& [key, ng] : m.change_request->node_groups) {
    SCOPED_TRACE(key);
    EXPECT_TRUE(IsSuffixed(ng.name, key)) << ng.name;
    EXPECT_EQ(ng.type, "");
  }
}

TEST(ClusterSizePatch, Kops) {
  KopsMetadata m;
  m.node_instance_type = "m5.large";
  m.node_min_count = 3;
  m.node_max_count = 3;
  m.master_instance_type = "t3.medium";
  EXPECT_TRUE(ValidateClusterSizePatch(m, PatchClusterSizeRequest{}));
  EXPECT_EQ(
      ValidateClusterSizePatch(m, PatchClusterSizeRequest{{}, {}, 2, {}, {}, {}}).error().message,
      "resize patch would set max node count lower than min node count");
  EXPECT_TRUE(ValidateClusterSizePatch(m, PatchClusterSizeRequest{{}, 1, 2, {}, {}, {}}));

  EXPECT_FALSE(ApplyClusterSizePatch(m, PatchClusterSizeRequest{"m5.large", 3, 3, {}, {}, {}}));
  EXPECT_TRUE(m.rotator_request.has_value());
  EXPECT_FALSE(m.change_request.has_value());
  EXPECT_TRUE(
      ApplyClusterSizePatch(m, PatchClusterSizeRequest{"m5.xlarge", 3, 5, {}, {}, "t3.large"}));
  EXPECT_EQ(EncodeJson(*m.change_request),
            R"({"MasterInstanceType":"t3.large","NodeInstanceType":"m5.xlarge","NodeMaxCount":5})");
}

TEST(ClusterSizePatch, EksValidate) {
  EKSMetadata one;
  one.node_groups = NodeGroupMetadataMap{{"worker", {"w-1", "worker", "m5", 2, 4, false, false}}};
  EKSMetadata two = one;
  two.node_groups->emplace("gpu", NodeGroupMetadata{"g-1", "gpu", "p3", 1, 1, false, false});

  struct Case {
    std::string name;
    EKSMetadata metadata;
    PatchClusterSizeRequest patch;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"no nodegroups", EKSMetadata{}, {}, "no nodegroups available to resize"},
      {"single implied", one, {{}, 3, {}, {}, {}, {}}, ""},
      {"must specify", two, {{}, 1, {}, {}, {}, {}}, "must specify nodegroups to resize"},
      {"unknown", two, {{}, 1, {}, {}, {"cpu"}, {}}, "nodegroup cpu not found to resize"},
      {"min > max",
       one,
       {{}, 5, 4, {}, {}, {}},
       "min node count cannot be greater than max node count"},
      {"min above group max",
       one,
       {{}, 5, {}, {}, {}, {}},
       "resize patch would set min node count higher than max node count"},
      {"max below group min",
       two,
       {{}, {}, 1, {}, {"worker"}, {}},
       "resize patch would set max node count lower than min node count"},
      {"max ok", two, {{}, {}, 1, {}, {"gpu"}, {}}, ""},
      {"master type",
       one,
       {{}, {}, {}, {}, {}, "t3.large"},
       "master instance type cannot be changed on an EKS cluster"},
      {"master type with min and max",
       one,
       {{}, 2, 3, {}, {}, "t3.large"},
       "master instance type cannot be changed on an EKS cluster"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<void> r = ValidateClusterSizePatch(c.metadata, c.patch);
    EXPECT_EQ(r.has_value(), c.error.empty());
    if (!r) {
      EXPECT_EQ(r.error().message, c.error);
    }
  }
}

TEST(ClusterSizePatch, EksApply) {
  EKSMetadata m;
  m.node_groups = NodeGroupMetadataMap{{"worker", {"w-1", "worker", "m5", 2, 4, false, false}},
                                       {"gpu", {"g-1", "gpu", "p3", 1, 1, false, false}}};
  EXPECT_FALSE(ApplyClusterSizePatch(m, PatchClusterSizeRequest{}));
  EXPECT_FALSE(m.change_request);
  EXPECT_TRUE(ApplyClusterSizePatch(m, PatchClusterSizeRequest{{}, 3, {}, {}, {"gpu"}, {}}));
  ASSERT_EQ(m.change_request->node_groups.size(), 1u);
  const NodeGroupMetadata& gpu = m.change_request->node_groups.at("gpu");
  EXPECT_TRUE(IsSuffixed(gpu.name, "gpu"));
  EXPECT_EQ(gpu.min_count, 3);
  EXPECT_EQ(gpu.max_count, 0);
  EXPECT_TRUE(ApplyClusterSizePatch(m, PatchClusterSizeRequest{"c5", {}, {}, {}, {}, {}}));
  EXPECT_EQ(m.change_request->node_groups.size(), 2u);
  EXPECT_EQ(m.change_request->node_groups.at("worker").instance_type, "c5");
}

TEST(Nodegroups, CreateAndDelete) {
  EKSMetadata m;
  m.node_groups =
      NodeGroupMetadataMap{{"worker", {"worker-abcdef", "worker", "m5", 2, 2, false, false}}};

  CreateNodegroupsRequest empty;
  EXPECT_EQ(ValidateNodegroupsCreateRequest(m, empty).error().message,
            "must specify at least one nodegroup to create");
  CreateNodegroupsRequest exists;
  exists.nodegroups = NodeGroupMetadataMap{{"worker", {}}};
  EXPECT_EQ(ValidateNodegroupsCreateRequest(m, exists).error().message,
            "nodegroup worker already exists");

  auto request = ParseCreateNodegroupsRequest(
      R"({"nodegroups":{"gpu":{"InstanceType":"p3","MinCount":1,"MaxCount":2}},)"
      R"("nodegroup-with-public-subnet":["gpu"],"nodegroup-with-sg":["gpu"]})");
  ASSERT_TRUE(request) << request.error().message;
  ASSERT_TRUE(ValidateNodegroupsCreateRequest(m, *request));
  ApplyNodegroupsCreateRequest(m, *request);
  ASSERT_TRUE(m.change_request);
  ASSERT_EQ(m.change_request->node_groups.size(), 1u);
  const NodeGroupMetadata& gpu = m.change_request->node_groups.at("gpu");
  EXPECT_TRUE(IsSuffixed(gpu.name, "gpu"));
  EXPECT_EQ(gpu, (NodeGroupMetadata{gpu.name, "gpu", "p3", 1, 2, true, true}));

  EXPECT_EQ(ValidateNodegroupDeleteRequest(m, "gpu").error().message,
            "nodegroup gpu not found to delete");
  ASSERT_TRUE(ValidateNodegroupDeleteRequest(m, "worker"));
  ApplyNodegroupDeleteRequest(m, "worker");
  EXPECT_EQ(EncodeJson(*m.change_request), R"({"NodeGroups":{"worker":{"Name":"worker-abcdef"}}})");
}

TEST(ProvisionClusterRequest, SupplyDefaultDesiredUtilityVersions) {
  Cluster c;
  c.utility_metadata.emplace();
  c.utility_metadata->actual_versions.nginx = HelmUtilityVersion{"4.0.0", "nginx-path"};
  c.utility_metadata->actual_versions.thanos = HelmUtilityVersion{"13.0.0", "thanos-path"};
  c.utility_metadata->actual_versions.velero = HelmUtilityVersion{"5.0.0", "velero-path"};

  ProvisionClusterRequest r;
  r.force = true;
  r.utility_versions["nginx"] = HelmUtilityVersion{"4.1.0", ""};
  r.utility_versions["thanos"] = std::nullopt;
  r.utility_versions["teleport"] = HelmUtilityVersion{"", "tp"};
  SupplyDefaultDesiredUtilityVersions(r, c);
  EXPECT_EQ(r.utility_versions.size(), 13u);
  EXPECT_EQ(r.utility_versions.at("nginx"), (HelmUtilityVersion{"4.1.0", "nginx-path"}));
  EXPECT_EQ(r.utility_versions.at("thanos"), (HelmUtilityVersion{"13.0.0", "thanos-path"}));
  EXPECT_EQ(r.utility_versions.at("velero"), (HelmUtilityVersion{"5.0.0", "velero-path"}));
  EXPECT_EQ(r.utility_versions.at("teleport"), (HelmUtilityVersion{"", "tp"}));  // no actual
  EXPECT_FALSE(r.utility_versions.at("rtcd").has_value());

  SetUtilityDesiredVersions(c, r.utility_versions);
  EXPECT_EQ(c.utility_metadata->desired_versions.nginx,
            (HelmUtilityVersion{"4.1.0", "nginx-path"}));
  EXPECT_FALSE(c.utility_metadata->desired_versions.rtcd.has_value());

  ProvisionClusterRequest none;
  SupplyDefaultDesiredUtilityVersions(none, Cluster{});
  EXPECT_EQ(none.utility_versions.size(), 13u);
}

}  // namespace
}  // namespace cloud::model
