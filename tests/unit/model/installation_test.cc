#include "model/installation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cloud::model {
namespace {

// Every key of §4.3 Installation, in the spec's order, each set to a non-empty value.
constexpr const char* kFullInstallation =
    R"({"ID":"inst1","OwnerID":"owner","GroupID":"group1","GroupSequence":3,)"
    R"("State":"update-requested","Size":"provisionerXL-2","Version":"9.0.0",)"
    R"("Image":"mattermost/mm-ee","command":["mattermost","server"],"Name":"acme",)"
    R"("Database":"aws-rds-postgres","SingleTenantDatabaseConfig":{"PrimaryInstanceType":)"
    R"("db.r5.large","ReplicaInstanceType":"db.r5.xlarge","ReplicasCount":2},)"
    R"("ExternalDatabaseConfig":{"SecretName":"ext-secret"},"Filestore":"bifrost",)"
    R"("License":"lic","AllowedIPRanges":[{"CIDRBlock":"10.0.0.0/8","Description":"office",)"
    R"("Enabled":true,"OwnerID":"owner"}],"Volumes":{"certs":{"Type":"secret",)"
    R"("BackingSecret":"installation-secret-inst1-5-certs","MountPath":"/certs",)"
    R"("ReadOnly":true}},"MattermostEnv":{"MM_A":{"value":"1"}},"PriorityEnv":{"MM_B":)"
    R"({"valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}},"Affinity":"multitenant",)"
    R"("CRVersion":"installation.mattermost.com/v1beta1","CreateAt":10,"DeleteAt":20,)"
    R"("DeletionPendingExpiry":30,"ScheduledDeletionTime":40,"APISecurityLock":true,)"
    R"("DeletionLocked":true,"LockAcquiredBy":"locker","LockAcquiredAt":50,)"
    R"("GroupOverrides":{"Group Version":"9.1.0","Installation Version":"9.0.0"},)"
    R"("PodProbeOverrides":{"LivenessProbeOverride":{"httpGet":{"path":"/ping","port":8065},)"
    R"("initialDelaySeconds":10},"ReadinessProbeOverride":{"failureThreshold":3}},)"
    R"("Scheduling":{"NodeSelector":{"pool":"a"},"Tolerations":[{"key":"k","operator":)"
    R"("Exists","effect":"NoSchedule"}]}})";

constexpr const char* kFullDTOTail =
    R"(,"Annotations":[{"ID":"ann1","Name":"multi-tenant"}],"DNS":"acme.example.com",)"
    R"("DNSRecords":[{"ID":"dns1","DomainName":"acme.example.com","InstallationID":"inst1",)"
    R"("IsPrimary":true,"CreateAt":10,"DeleteAt":0},{"ID":"dns2","DomainName":)"
    R"("acme.example.org","InstallationID":"inst1","IsPrimary":false,"CreateAt":11,)"
    R"("DeleteAt":0}],"ClusterIDs":["c1","c2"]})";

TEST(Installation, FullyPopulatedRoundTripsInSpecOrder) {
  Result<Installation> installation = DecodeJson<Installation>(kFullInstallation);
  ASSERT_TRUE(installation) << installation.error().message;
  EXPECT_EQ(EncodeJson(*installation), kFullInstallation);

  EXPECT_EQ(installation->state, InstallationState::kUpdateRequested);
  EXPECT_EQ(installation->group_id, "group1");
  EXPECT_EQ(installation->group_sequence, 3);
  EXPECT_EQ(installation->command, (std::vector<std::string>{"mattermost", "server"}));
  ASSERT_TRUE(installation->single_tenant_database_config);
  EXPECT_EQ(installation->single_tenant_database_config->replicas_count, 2);
  ASSERT_TRUE(installation->volumes);
  EXPECT_TRUE(installation->volumes->at("certs").read_only);
  ASSERT_TRUE(installation->pod_probe_overrides);
  EXPECT_EQ((*installation->pod_probe_overrides->liveness_probe_override)["initialDelaySeconds"],
            10);
  EXPECT_EQ(installation->lock_acquired_by, "locker");
}

TEST(Installation, ZeroValueNullsAndOmissions) {
  Installation installation;
  installation.id = "i";
  EXPECT_EQ(EncodeJson(installation),
            R"({"ID":"i","OwnerID":"","GroupID":null,"State":"creation-requested","Size":"",)"
            R"("Version":"","Image":"","Name":"","Database":"","Filestore":"","License":"",)"
            R"("AllowedIPRanges":null,"Volumes":null,"MattermostEnv":null,"PriorityEnv":null,)"
            R"("Affinity":"","CRVersion":"","CreateAt":0,"DeleteAt":0,"APISecurityLock":false,)"
            R"("DeletionLocked":false,"LockAcquiredBy":null,"LockAcquiredAt":0})");
}

TEST(Installation, NullVersusEmptyDistinctions) {
  struct Case {
    std::string name;
    void (*mutate)(Installation&);
    std::string fragment;  // must appear in the encoding
  };
  const std::vector<Case> cases = {
      {"GroupID empty string after group-less create", [](Installation& i) { i.group_id = ""; },
       R"("GroupID":"")"},
      {"GroupID null after leaving", [](Installation& i) { i.group_id.reset(); },
       R"("GroupID":null)"},
      {"GroupSequence zero pointer is kept", [](Installation& i) { i.group_sequence = 0; },
       R"("GroupSequence":0,)"},
      {"empty env round-trips as {}", [](Installation& i) { i.mattermost_env = EnvVarMap{}; },
       R"("MattermostEnv":{},)"},
      {"empty priority env", [](Installation& i) { i.priority_env = EnvVarMap{}; },
       R"("PriorityEnv":{},)"},
      {"empty ip range list", [](Installation& i) { i.allowed_ip_ranges = AllowedIPRanges{}; },
       R"("AllowedIPRanges":[],)"},
      {"empty volume map", [](Installation& i) { i.volumes = VolumeMap{}; }, R"("Volumes":{},)"},
      {"empty probe overrides object",
       [](Installation& i) { i.pod_probe_overrides = PodProbeOverrides{}; },
       R"("PodProbeOverrides":{})"},
      {"empty scheduling", [](Installation& i) { i.scheduling = Scheduling{}; },
       R"("Scheduling":{"NodeSelector":null,"Tolerations":null}})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Installation installation;
    c.mutate(installation);
    const std::string text = EncodeJson(installation);
    EXPECT_NE(text.find(c.fragment), std::string::npos) << text;
    Result<Installation> back = DecodeJson<Installation>(text);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, installation);
  }
}

TEST(Installation, OmitEmptyKeysAreAbsentWhenZero) {
  const std::string text = EncodeJson(Installation{});
  for (const char* key :
       {"\"GroupSequence\"", "\"command\"", "\"SingleTenantDatabaseConfig\"",
        "\"ExternalDatabaseConfig\"", "\"DeletionPendingExpiry\"", "\"ScheduledDeletionTime\"",
        "\"GroupOverrides\"", "\"PodProbeOverrides\"", "\"Scheduling\""}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(text.find(key), std::string::npos);
  }
}

TEST(Installation, DecodeMatchesKeysCaseInsensitively) {
  Result<Installation> installation =
      DecodeJson<Installation>(R"({"Command":["a"],"state":"stable","groupid":"g"})");
  ASSERT_TRUE(installation) << installation.error().message;
  EXPECT_EQ(installation->command, std::vector<std::string>{"a"});
  EXPECT_EQ(installation->state, InstallationState::kStable);
  EXPECT_EQ(installation->group_id, "g");
}

TEST(Installation, DecodeRejectsUnknownStateAndWrongTypes) {
  for (const char* text : {R"({"State":"running"})", R"({"CreateAt":"1"})",
                           R"({"command":"mattermost"})", R"({"Volumes":[]})"}) {
    SCOPED_TRACE(text);
    Result<Installation> installation = DecodeJson<Installation>(text);
    ASSERT_FALSE(installation);
    EXPECT_EQ(installation.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(InstallationDTO, FlattensInstallationThenDTOFields) {
  std::string full = kFullInstallation;
  full.pop_back();  // drop the closing brace
  full += kFullDTOTail;
  Result<InstallationDTO> dto = DecodeJson<InstallationDTO>(full);
  ASSERT_TRUE(dto) << dto.error().message;
  EXPECT_EQ(EncodeJson(*dto), full);
  EXPECT_EQ(dto->installation.id, "inst1");
  EXPECT_EQ(dto->dns, "acme.example.com");
  ASSERT_TRUE(dto->dns_records);
  EXPECT_EQ(dto->dns_records->size(), 2u);
  EXPECT_EQ(dto->annotations.at(0).name, "multi-tenant");
}

TEST(InstallationDTO, DNSRecordsNullAndOmittedLists) {
  InstallationDTO dto = ToDTO(Installation{}, {}, {}, {});
  const std::string text = EncodeJson(dto);
  EXPECT_NE(text.find(R"("LockAcquiredAt":0,"DNS":"","DNSRecords":null})"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("Annotations"), std::string::npos);
  EXPECT_EQ(text.find("ClusterIDs"), std::string::npos);
}

TEST(InstallationDTO, ToDTOTakesFirstPrimaryRecordAsDNS) {
  std::vector<InstallationDNS> records = {
      {"d1", "second.example.com", "i", false, 1, 0},
      {"d2", "first.example.com", "i", true, 2, 0},
      {"d3", "other.example.com", "i", true, 3, 0},
  };
  InstallationDTO dto = ToDTO(Installation{}, {Annotation{"a", "ann"}}, records, {"c"});
  EXPECT_EQ(dto.dns, "first.example.com");
  EXPECT_EQ(dto.dns_records, records);
  EXPECT_EQ(dto.cluster_ids, std::vector<std::string>{"c"});
  EXPECT_EQ(
      DNSNamesFromRecords(records),
      (std::vector<std::string>{"second.example.com", "first.example.com", "other.example.com"}));
  EXPECT_EQ(ToDTO(Installation{}, {}, {records[0]}, {}).dns, "");  // no primary
}

template <class T>
std::string RoundTrip(const std::string& text) {
  Result<T> value = DecodeJson<T>(text);
  return value ? EncodeJson(*value) : "error: " + value.error().message;
}

TEST(InstallationWireTypes, SmallTypesRoundTrip) {
  struct Case {
    std::string name;
    std::string text;
    std::string (*round_trip)(const std::string&);
  };
  const std::vector<Case> cases = {
      {"InstallationDNS",
       R"({"ID":"d","DomainName":"a.b","InstallationID":"i","IsPrimary":true,"CreateAt":1,)"
       R"("DeleteAt":2})",
       &RoundTrip<InstallationDNS>},
      {"AllowedIPRange",
       R"({"CIDRBlock":"1.2.3.4","Description":"d","Enabled":true,"OwnerID":"o"})",
       &RoundTrip<AllowedIPRange>},
      {"Volume", R"({"Type":"secret","BackingSecret":"b","MountPath":"/m","ReadOnly":false})",
       &RoundTrip<Volume>},
      {"SingleTenantDatabaseConfig zero",
       R"({"PrimaryInstanceType":"","ReplicaInstanceType":"","ReplicasCount":0})",
       &RoundTrip<SingleTenantDatabaseConfig>},
      {"ExternalDatabaseConfig", R"({"SecretName":"s"})", &RoundTrip<ExternalDatabaseConfig>},
      {"InstallationsCount", R"({"Count":7})", &RoundTrip<InstallationsCount>},
      {"InstallationsStatus",
       R"({"InstallationsTotal":9,"InstallationsStable":4,"InstallationsHibernating":2,)"
       R"("InstallationsPendingDeletion":1,"InstallationsUpdating":2})",
       &RoundTrip<InstallationsStatus>},
      {"PodProbeOverrides empty", R"({})", &RoundTrip<PodProbeOverrides>},
      {"PodProbeOverrides readiness only", R"({"ReadinessProbeOverride":{"periodSeconds":5}})",
       &RoundTrip<PodProbeOverrides>},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.round_trip(c.text), c.text);
  }
}

TEST(AllowedIPRanges, IsIPRangeValid) {
  struct Case {
    std::string range;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"10.0.0.1", true},
      {"10.0.0.0/8", true},
      {"10.0.0.1/32", true},
      {"0.0.0.0/0", true},
      {"192.168.1.1/24", true},
      {"10.0.0.0/008", true},
      {"::1", true},
      {"2001:db8::/32", true},
      {"2001:db8::1/128", true},
      {"::ffff:1.2.3.4/96", true},
      {"", false},
      {"10.0.0", false},
      {"10.0.0.256", false},
      {"010.0.0.1", false},
      {"10.0.0.0/33", false},
      {"10.0.0.0/", false},
      {"10.0.0.0/-1", false},
      {"10.0.0.0/8/9", false},
      {"10.0.0.0/ 8", false},
      {"2001:db8::/129", false},
      {"fe80::1%eth0", false},
      {"example.com", false},
      {" 10.0.0.1", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.range);
    EXPECT_EQ(IsIPRangeValid(c.range), c.valid);
  }
}

TEST(AllowedIPRanges, DisabledAndAnnotationString) {
  EXPECT_TRUE(AllIPRangeRulesAreDisabled(std::nullopt));
  EXPECT_TRUE(AllIPRangeRulesAreDisabled(AllowedIPRanges{}));
  AllowedIPRanges ranges = {{"1.1.1.1", "", false, ""}, {"2.2.2.0/24", "", false, ""}};
  EXPECT_TRUE(AllIPRangeRulesAreDisabled(ranges));
  EXPECT_EQ(IPRangesToAnnotationString(ranges), "1.1.1.1,2.2.2.0/24");
  ranges[1].enabled = true;
  EXPECT_FALSE(AllIPRangeRulesAreDisabled(ranges));
  EXPECT_EQ(IPRangesToAnnotationString(std::nullopt), "");
  EXPECT_EQ(
      IPRangesToAnnotationString(AllowedIPRanges{{"", "", true, ""}, {"3.3.3.3", "", true, ""}}),
      "3.3.3.3");
}

TEST(Installation, Helpers) {
  Installation installation;
  EXPECT_FALSE(installation.IsDeleted());
  EXPECT_FALSE(installation.IsInGroup());
  installation.group_id = "";
  EXPECT_TRUE(installation.IsInGroup());  // "" is non-null, as upstream
  EXPECT_FALSE(installation.HasVolumes());
  installation.volumes = VolumeMap{};
  EXPECT_TRUE(installation.HasVolumes());
  installation.delete_at = 1;
  EXPECT_TRUE(installation.IsDeleted());

  installation.database = "mysql-operator";
  installation.filestore = "local-ephemeral";
  EXPECT_TRUE(installation.InternalDatabase());
  EXPECT_FALSE(installation.ExternalDatabase());
  EXPECT_TRUE(installation.InternalFilestore());
  EXPECT_TRUE(installation.RequiresAWSInfrastructure());
  installation.database = "external";
  EXPECT_TRUE(installation.ExternalDatabase());
  EXPECT_TRUE(installation.RequiresAWSInfrastructure());  // no external filestore exists
}

TEST(Installation, DatabaseWeight) {
  for (InstallationState state : AllInstallationStates()) {
    SCOPED_TRACE(ToString(state));
    Installation installation;
    installation.state = state;
    const bool light = state == InstallationState::kHibernationRequested ||
                       state == InstallationState::kHibernationInProgress ||
                       state == InstallationState::kHibernating ||
                       state == InstallationState::kDeletionPendingRequested ||
                       state == InstallationState::kDeletionPendingInProgress ||
                       state == InstallationState::kDeletionPending;
    EXPECT_EQ(installation.GetDatabaseWeight(), light ? 0.75 : 1.0);
  }
}

TEST(Installation, GetEnvVarsPriorityWins) {
  Installation installation;
  EXPECT_TRUE(installation.GetEnvVars().empty());
  installation.mattermost_env = EnvVarMap{{"A", {"1", std::nullopt}}, {"B", {"2", std::nullopt}}};
  installation.priority_env = EnvVarMap{{"B", {"p", std::nullopt}}, {"C", {"3", std::nullopt}}};
  EXPECT_EQ(installation.GetEnvVars(), (EnvVarMap{{"A", {"1", std::nullopt}},
                                                  {"B", {"p", std::nullopt}},
                                                  {"C", {"3", std::nullopt}}}));
}

TEST(GroupMerge, OverrideKeys) {
  EXPECT_EQ(kGroupOverrideInstallationVersion, "Installation Version");
  EXPECT_EQ(kGroupOverrideGroupVersion, "Group Version");
  EXPECT_EQ(kGroupOverrideInstallationImage, "Installation Image");
  EXPECT_EQ(kGroupOverrideGroupImage, "Group Image");
  EXPECT_EQ(GroupOverrideInstallationEnvKey("MM_X"), "Installation MattermostEnv[MM_X]");
  EXPECT_EQ(GroupOverrideGroupEnvKey("MM_X"), "Group MattermostEnv[MM_X]");
}

TEST(GroupMerge, MergeWithGroup) {
  const EnvVar one{"1", std::nullopt};
  const EnvVar two{"2", std::nullopt};
  const EnvVar group_value{"g", std::nullopt};
  GroupConfig group;
  group.sequence = 7;
  group.version = "9.1.0";
  group.image = "group/image";
  group.mattermost_env = EnvVarMap{{"A", group_value}, {"NEW", group_value}};
  group.scheduling = Scheduling{std::map<std::string, std::string>{{"pool", "g"}}, std::nullopt};

  Installation installation;
  installation.version = "9.0.0";
  installation.image = "inst/image";
  installation.mattermost_env = EnvVarMap{{"A", one}, {"B", two}};
  installation.group_overrides = {{"stale", "x"}};

  MergeWithGroup(installation, group, /*include_overrides=*/true);
  EXPECT_EQ(installation.version, "9.1.0");
  EXPECT_EQ(installation.image, "group/image");
  EXPECT_EQ(installation.mattermost_env,
            (EnvVarMap{{"A", group_value}, {"B", two}, {"NEW", group_value}}));
  EXPECT_EQ(installation.scheduling, group.scheduling);
  EXPECT_EQ(installation.group_overrides,
            (std::map<std::string, std::string>{{"Installation Version", "9.0.0"},
                                                {"Group Version", "9.1.0"},
                                                {"Installation Image", "inst/image"},
                                                {"Group Image", "group/image"},
                                                {"Installation MattermostEnv[A]", "1"},
                                                {"Group MattermostEnv[A]", "g"}}));
  EXPECT_TRUE(installation.ConfigMergedWithGroup());
  EXPECT_FALSE(installation.InstallationSequenceMatchesMergedGroupSequence());  // no sequence
  installation.group_sequence = 6;
  EXPECT_FALSE(installation.InstallationSequenceMatchesMergedGroupSequence());
  installation.SyncGroupAndInstallationSequence();
  EXPECT_EQ(installation.group_sequence, 7);
  EXPECT_TRUE(installation.InstallationSequenceMatchesMergedGroupSequence());

  // A second merge is a no-op.
  GroupConfig other;
  other.version = "10.0.0";
  MergeWithGroup(installation, other, true);
  EXPECT_EQ(installation.version, "9.1.0");
}

TEST(GroupMerge, WithoutOverridesAndWithEmptyGroupValues) {
  Installation installation;
  installation.version = "9.0.0";
  installation.group_overrides = {{"stale", "x"}};
  GroupConfig group;  // empty version/image, null env and scheduling
  MergeWithGroup(installation, group, /*include_overrides=*/false);
  EXPECT_EQ(installation.version, "9.0.0");
  EXPECT_FALSE(installation.mattermost_env.has_value());
  EXPECT_TRUE(installation.group_overrides.empty());
  EXPECT_FALSE(installation.InstallationSequenceMatchesMergedGroupSequence());

  Installation plain;
  EXPECT_TRUE(plain.InstallationSequenceMatchesMergedGroupSequence());  // never merged

  Installation no_env;
  GroupConfig with_env;
  with_env.version = "9.0.0";
  with_env.mattermost_env = EnvVarMap{{"A", {"1", std::nullopt}}};
  no_env.version = "9.0.0";
  MergeWithGroup(no_env, with_env, true);
  EXPECT_EQ(no_env.mattermost_env, with_env.mattermost_env);
  EXPECT_TRUE(no_env.group_overrides.empty());  // same version, env key only on group side
}

}  // namespace
}  // namespace cloud::model
