#include "model/installation_requests.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace cloud::model {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kFiveMinutes = 5 * 60 * 1000;

const EnvVar kOne{"1", std::nullopt};
const EnvVar kTwo{"2", std::nullopt};

InstallationValidationOptions AllOperators() {
  return InstallationValidationOptions{true, true, false, kNow};
}

// A request that passes Validate with AllOperators().
CreateInstallationRequest ValidCreate() {
  CreateInstallationRequest r;
  r.name = "acme";
  r.owner_id = "owner";
  r.dns_names = {"acme.example.com"};
  r.version = "stable";
  r.image = "mattermost/mattermost-enterprise-edition";
  r.size = "100users";
  r.affinity = "isolated";
  r.database = "aws-multitenant-rds-postgres";
  r.filestore = "bifrost";
  return r;
}

void ExpectInvalid(const Result<void>& result, const std::string& message) {
  ASSERT_FALSE(result) << "expected error containing: " << message;
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find(message), std::string::npos) << result.error().message;
}

// Wire ---------------------------------------------------------------------------------------

TEST(CreateInstallationRequest, RoundTripsWithGoFieldNames) {
  const std::string text =
      R"({"Name":"acme","OwnerID":"o","GroupID":"g","Version":"9.0.0","Image":"img","DNS":)"
      R"("acme.example.com","DNSNames":["acme.example.org"],"License":"lic","Size":"miniHA",)"
      R"("Affinity":"multitenant","Database":"aws-rds","Filestore":"aws-s3","APISecurityLock":)"
      R"(true,"DeletionLocked":true,"MattermostEnv":{"A":{"value":"1"}},"PriorityEnv":{"B":)"
      R"({"value":"2"}},"Annotations":["ann-one"],"GroupSelectionAnnotations":["sel"],)"
      R"("ScheduledDeletionTime":123,"SingleTenantDatabaseConfig":{"PrimaryInstanceType":"p",)"
      R"("ReplicaInstanceType":"r","ReplicasCount":1},"ExternalDatabaseConfig":{"SecretName":)"
      R"("s"},"PodProbeOverrides":{"LivenessProbeOverride":{"periodSeconds":5}},"Command":)"
      R"(["x"]})";
  Result<CreateInstallationRequest> request = DecodeJson<CreateInstallationRequest>(text);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(EncodeJson(*request), text);
  EXPECT_TRUE(request->deletion_locked);
  EXPECT_EQ(request->single_tenant_database_config.replicas_count, 1);
}

TEST(CreateInstallationRequest, ZeroValueEncoding) {
  EXPECT_EQ(EncodeJson(CreateInstallationRequest{}),
            R"({"Name":"","OwnerID":"","GroupID":"","Version":"","Image":"","DNS":"",)"
            R"("DNSNames":[],"License":"","Size":"","Affinity":"","Database":"","Filestore":"",)"
            R"("APISecurityLock":false,"DeletionLocked":false,"MattermostEnv":null,)"
            R"("PriorityEnv":null,"Annotations":[],"GroupSelectionAnnotations":[],)"
            R"("ScheduledDeletionTime":0,"SingleTenantDatabaseConfig":{"PrimaryInstanceType":)"
            R"("","ReplicaInstanceType":"","ReplicasCount":0},"ExternalDatabaseConfig":)"
            R"({"SecretName":""},"PodProbeOverrides":null,"Command":null})");
}

TEST(InstallationRequests, OtherRequestsRoundTrip) {
  struct Case {
    std::string name;
    std::string text;
    std::function<std::string(const std::string&)> round_trip;
  };
  auto rt = [](auto tag) {
    using T = decltype(tag);
    return [](const std::string& text) {
      Result<T> value = DecodeJson<T>(text);
      return value ? EncodeJson(*value) : "error: " + value.error().message;
    };
  };
  const std::vector<Case> cases = {
      {"PatchInstallationRequest full",
       R"({"OwnerID":"o","Image":"i","Version":"v","Size":"miniHA","License":"l",)"
       R"("AllowedIPRanges":[{"CIDRBlock":"1.2.3.4/32","Description":"d","Enabled":true,)"
       R"("OwnerID":"o"}],"OverrideIPRanges":false,"PriorityEnv":{},"MattermostEnv":{"A":)"
       R"({"value":"1"}},"PodProbeOverrides":{},"Command":[]})",
       rt(PatchInstallationRequest{})},
      {"PatchInstallationRequest empty",
       R"({"OwnerID":null,"Image":null,"Version":null,"Size":null,"License":null,)"
       R"("AllowedIPRanges":null,"OverrideIPRanges":null,"PriorityEnv":null,)"
       R"("MattermostEnv":null,"PodProbeOverrides":null,"Command":null})",
       rt(PatchInstallationRequest{})},
      {"CreateInstallationVolumeRequest",
       R"({"Name":"certs","Data":{"ca.pem":"aGVsbG8="},"Volume":{"Type":"secret",)"
       R"("BackingSecret":"","MountPath":"/certs","ReadOnly":true}})",
       rt(CreateInstallationVolumeRequest{})},
      {"CreateInstallationVolumeRequest empty", R"({"Name":"","Data":null,"Volume":null})",
       rt(CreateInstallationVolumeRequest{})},
      {"PatchInstallationVolumeRequest",
       R"({"Data":{"k":"AAE="},"MountPath":"/m","ReadOnly":false})",
       rt(PatchInstallationVolumeRequest{})},
      {"PatchInstallationVolumeRequest empty", R"({"Data":{},"MountPath":null,"ReadOnly":null})",
       rt(PatchInstallationVolumeRequest{})},
      {"PatchInstallationDeletionRequest", R"({"DeletionPendingExpiry":5})",
       rt(PatchInstallationDeletionRequest{})},
      {"PatchInstallationDeletionRequest null", R"({"DeletionPendingExpiry":null})",
       rt(PatchInstallationDeletionRequest{})},
      {"PatchInstallationScheduledDeletionRequest", R"({"ScheduledDeletionTime":0})",
       rt(PatchInstallationScheduledDeletionRequest{})},
      {"AssignInstallationGroupRequest", R"({"GroupSelectionAnnotations":["a","b"]})",
       rt(AssignInstallationGroupRequest{})},
      {"AddDNSRecordRequest", R"({"DNS":"acme.example.com"})", rt(AddDNSRecordRequest{})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.round_trip(c.text), c.text);
  }
}

TEST(CreateInstallationVolumeRequest, DataIsBase64) {
  Result<CreateInstallationVolumeRequest> request =
      DecodeJson<CreateInstallationVolumeRequest>(R"({"Data":{"k":"aGVsbG8="}})");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->data->at("k").data, "hello");
  Result<CreateInstallationVolumeRequest> bad =
      DecodeJson<CreateInstallationVolumeRequest>(R"({"Data":{"k":"%%%"}})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

// SetDefaults --------------------------------------------------------------------------------

TEST(CreateInstallationRequest, SetDefaultsFillsEveryDefault) {
  CreateInstallationRequest r;
  r.SetDefaults();
  EXPECT_EQ(r.name, "");
  EXPECT_TRUE(r.dns_names.empty());
  EXPECT_EQ(r.version, "stable");
  EXPECT_EQ(r.image, "mattermost/mattermost-enterprise-edition");
  EXPECT_EQ(r.size, "100users");
  EXPECT_EQ(r.affinity, "isolated");
  EXPECT_EQ(r.database, "mysql-operator");
  EXPECT_EQ(r.filestore, "minio-operator");
  EXPECT_EQ(r.single_tenant_database_config, SingleTenantDatabaseConfig{});  // not RDS
}

TEST(CreateInstallationRequest, SetDefaultsCases) {
  struct Case {
    std::string name;
    std::function<void(CreateInstallationRequest&)> given;
    std::function<void(const CreateInstallationRequest&)> check;
  };
  const std::vector<Case> cases = {
      {"DNS prepended, everything lower-cased, Name from DNS",
       [](auto& r) {
         r.dns = "ACME.Example.com";
         r.dns_names = {"Acme.Example.ORG"};
       },
       [](const auto& r) {
         EXPECT_EQ(r.dns, "acme.example.com");
         EXPECT_EQ(r.dns_names, (std::vector<std::string>{"acme.example.com", "acme.example.org"}));
         EXPECT_EQ(r.name, "acme");
       }},
      {"given Name wins over DNS and is lower-cased",
       [](auto& r) {
         r.name = "MyName";
         r.dns = "other.example.com";
       },
       [](const auto& r) { EXPECT_EQ(r.name, "myname"); }},
      {"Name is not derived from DNSNames", [](auto& r) { r.dns_names = {"acme.example.com"}; },
       [](const auto& r) {
         EXPECT_EQ(r.name, "");
         EXPECT_EQ(r.dns_names, std::vector<std::string>{"acme.example.com"});
       }},
      {"given values are kept",
       [](auto& r) {
         r.version = "9.0.0";
         r.image = "img";
         r.size = "miniHA";
         r.affinity = "multitenant";
         r.database = "perseus";
         r.filestore = "bifrost";
       },
       [](const auto& r) {
         EXPECT_EQ(r.version, "9.0.0");
         EXPECT_EQ(r.image, "img");
         EXPECT_EQ(r.size, "miniHA");
         EXPECT_EQ(r.affinity, "multitenant");
         EXPECT_EQ(r.database, "perseus");
         EXPECT_EQ(r.filestore, "bifrost");
       }},
      {"aws-rds gets instance type defaults", [](auto& r) { r.database = "aws-rds"; },
       [](const auto& r) {
         EXPECT_EQ(r.single_tenant_database_config.primary_instance_type, "db.t4g.medium");
         EXPECT_EQ(r.single_tenant_database_config.replica_instance_type, "db.t4g.medium");
       }},
      {"aws-rds-postgres keeps a given primary type",
       [](auto& r) {
         r.database = "aws-rds-postgres";
         r.single_tenant_database_config.primary_instance_type = "db.r5.large";
       },
       [](const auto& r) {
         EXPECT_EQ(r.single_tenant_database_config.primary_instance_type, "db.r5.large");
         EXPECT_EQ(r.single_tenant_database_config.replica_instance_type, "db.t4g.medium");
       }},
      {"multitenant database gets no instance types",
       [](auto& r) { r.database = "aws-multitenant-rds"; },
       [](const auto& r) { EXPECT_EQ(r.single_tenant_database_config.primary_instance_type, ""); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    CreateInstallationRequest r;
    c.given(r);
    r.SetDefaults();
    c.check(r);
  }
}

// Validate -----------------------------------------------------------------------------------

TEST(CreateInstallationRequest, ValidateRules) {
  struct Case {
    std::string name;
    std::function<void(CreateInstallationRequest&, InstallationValidationOptions&)> mutate;
    std::string error;  // "" = valid
  };
  using R = CreateInstallationRequest;
  using O = InstallationValidationOptions;
  const std::string long_label(63, 'a');
  const std::string too_long_label(64, 'a');
  const std::vector<Case> cases = {
      {"baseline", [](R&, O&) {}, ""},
      // 1, 2
      {"name empty", [](R& r, O&) { r.name = ""; }, "name needs to be specified"},
      {"owner empty", [](R& r, O&) { r.owner_id = ""; }, "must specify owner"},
      // 3: DNS names
      {"no DNS names", [](R& r, O&) { r.dns_names.clear(); }, "at least one DNS name is required"},
      {"first label of 2 bytes accepted",
       [](R& r, O&) {
         r.name = "ab";
         r.dns_names = {"ab.example.com"};
       },
       ""},
      {"first label of 1 byte rejected",
       [](R& r, O&) {
         r.name = "a";
         r.dns_names = {"a.example.com"};
       },
       "DNS subdomain names must be between 3 and 64 characters"},
      {"first label of 63 bytes accepted",
       [long_label](R& r, O&) {
         r.name = long_label;
         r.dns_names = {long_label + ".example.com"};
       },
       ""},
      {"first label of 64 bytes rejected",
       [too_long_label](R& r, O&) {
         r.name = too_long_label;
         r.dns_names = {too_long_label + ".example.com"};
       },
       "DNS subdomain names must be between 3 and 64 characters"},
      {"name of 253 bytes accepted",
       [](R& r, O&) { r.dns_names = {"acme." + std::string(244, 'b') + ".com"}; }, ""},
      {"name of 254 bytes rejected",
       [](R& r, O&) { r.dns_names = {"acme." + std::string(245, 'b') + ".com"}; },
       "must be less than 254 characters"},
      {"underscore rejected", [](R& r, O&) { r.dns_names = {"acme.my_domain.com"}; },
       "failed hostname pattern check"},
      {"space rejected", [](R& r, O&) { r.dns_names = {"acme.my domain.com"}; },
       "failed hostname pattern check"},
      {"leading hyphen rejected",
       [](R& r, O&) {
         r.name = "-acme";
         r.dns_names = {"-acme.example.com"};
       },
       "failed hostname pattern check"},
      {"consecutive dots accepted (no label rules)",
       [](R& r, O&) { r.dns_names = {"acme..example.com"}; }, ""},
      {"trailing dot accepted", [](R& r, O&) { r.dns_names = {"acme.example.com."}; }, ""},
      {"label starting with hyphen after a dot accepted",
       [](R& r, O&) { r.dns_names = {"acme.-example.com"}; }, ""},
      {"single label accepted", [](R& r, O&) { r.dns_names = {"acme"}; }, ""},
      {"upper case is not checked here",
       [](R& r, O&) {
         r.name = "Acme";
         r.dns_names = {"Acme.Example.com"};
       },
       ""},
      {"first label must equal Name", [](R& r, O&) { r.dns_names = {"other.example.com"}; },
       "domain name must start with Installation Name"},
      {"every name must start with Name",
       [](R& r, O&) {
         r.dns_names = {"acme.example.com", "acmex.example.org"};
       },
       "domain name must start with Installation Name"},
      {"non-ASCII rejected", [](R& r, O&) { r.dns_names = {"acme.ex\xc3\xa4mple.com"}; },
       "failed hostname pattern check"},
      // 4
      {"invalid size", [](R& r, O&) { r.size = "huge"; }, "invalid Installation size"},
      {"provisioner size accepted", [](R& r, O&) { r.size = "provisionerXL-8"; }, ""},
      // 5 (only reachable without SetDefaults)
      {"DNS with empty scheme", [](R& r, O&) { r.dns = ":acme"; }, "missing protocol scheme"},
      {"DNS with colon in first segment", [](R& r, O&) { r.dns = "1acme:80"; },
       "first path segment in URL cannot contain colon"},
      {"DNS with control byte", [](R& r, O&) { r.dns = "acme\x01"; }, "invalid control character"},
      // 6, 7, 8
      {"invalid affinity", [](R& r, O&) { r.affinity = "shared"; }, "unsupported affinity shared"},
      {"invalid database", [](R& r, O&) { r.database = "sqlite"; }, "unsupported database sqlite"},
      {"invalid filestore", [](R& r, O&) { r.filestore = "nfs"; }, "unsupported filestore nfs"},
      // 9
      {"env entry without value",
       [](R& r, O&) {
         r.mattermost_env = EnvVarMap{{"MM_X", EnvVar{}}};
       },
       "invalid env var settings"},
      {"priority env entry without value",
       [](R& r, O&) {
         r.priority_env = EnvVarMap{{"MM_X", EnvVar{}}};
       },
       "invalid priority env var settings"},
      {"env with valueFrom accepted",
       [](R& r, O&) {
         r.mattermost_env = EnvVarMap{{"MM_X", EnvVar{"", Json::object()}}};
       },
       ""},
      {"empty env maps accepted",
       [](R& r, O&) {
         r.mattermost_env = EnvVarMap{};
         r.priority_env = EnvVarMap{};
       },
       ""},
      // 10
      {"annotations required by flag", [](R&, O& o) { o.require_annotated_installations = true; },
       "at least one annotation is required"},
      {"annotations present with flag",
       [](R& r, O& o) {
         o.require_annotated_installations = true;
         r.annotations = {"anything"};
       },
       ""},
      // 11
      {"invalid group selection annotation",
       [](R& r, O&) {
         r.group_selection_annotations = {"good-one", "Bad"};
       },
       "invalid group selection annotation"},
      {"valid group selection annotations",
       [](R& r, O&) {
         r.group_selection_annotations = {"abc", "a1_-"};
       },
       ""},
      // 12
      {"single tenant replicas 15 accepted",
       [](R& r, O&) {
         r.database = "aws-rds";
         r.single_tenant_database_config.replicas_count = 15;
       },
       ""},
      {"single tenant replicas 16 rejected",
       [](R& r, O&) {
         r.database = "aws-rds-postgres";
         r.single_tenant_database_config.replicas_count = 16;
       },
       "replicas count must be between 0 and 15"},
      {"single tenant replicas -1 rejected",
       [](R& r, O&) {
         r.database = "aws-rds";
         r.single_tenant_database_config.replicas_count = -1;
       },
       "replicas count must be between 0 and 15"},
      {"replicas ignored for other databases",
       [](R& r, O&) { r.single_tenant_database_config.replicas_count = 99; }, ""},
      // 13
      {"external without secret", [](R& r, O&) { r.database = "external"; },
       "no external database secret name"},
      {"external with secret",
       [](R& r, O&) {
         r.database = "external";
         r.external_database_config.secret_name = "s";
       },
       ""},
      // 14
      {"minio without operator flag",
       [](R& r, O& o) {
         r.filestore = "minio-operator";
         o.deploy_minio_operator = false;
       },
       "minio filestore cannot be used when minio operator is not deployed"},
      {"mysql without operator flag",
       [](R& r, O& o) {
         r.database = "mysql-operator";
         o.deploy_mysql_operator = false;
       },
       "mysql operator database cannot be used when mysql operator is not deployed"},
      {"default database and filestore without flags: minio reported first",
       [](R& r, O& o) {
         r.filestore = "minio-operator";
         r.database = "mysql-operator";
         o = InstallationValidationOptions{false, false, false, kNow};
       },
       "minio filestore"},
      {"defaults accepted with both flags",
       [](R& r, O&) {
         r.filestore = "minio-operator";
         r.database = "mysql-operator";
       },
       ""},
      // 15
      {"negative scheduled deletion", [](R& r, O&) { r.scheduled_deletion_time = -1; },
       "scheduled deletion time cannot be negative"},
      {"scheduled deletion just under 5 minutes",
       [](R& r, O&) { r.scheduled_deletion_time = kNow + kFiveMinutes - 1; },
       "at least 5 minutes in the future"},
      {"scheduled deletion exactly 5 minutes ahead",
       [](R& r, O&) { r.scheduled_deletion_time = kNow + kFiveMinutes; }, ""},
      {"scheduled deletion 1 ms in the past", [](R& r, O&) { r.scheduled_deletion_time = 1; },
       "at least 5 minutes in the future"},
      // 16
      {"space in DNS", [](R& r, O&) { r.dns = "acme example"; }, "cannot have spaces in dns"},
      {"space in Version", [](R& r, O&) { r.version = "9.0 .1"; },
       "cannot have spaces in version field. Version=9.0 .1"},
      {"space in Image", [](R& r, O&) { r.image = "mm /ee"; }, "cannot have spaces in image"},
      {"space in License", [](R& r, O&) { r.license = "lic ense"; },
       "cannot have spaces in license"},
      {"space in GroupID", [](R& r, O&) { r.group_id = "g 1"; }, "cannot have spaces in group"},
      {"tab is not a space", [](R& r, O&) { r.version = "9.0\t1"; }, ""},
      // Order: the first failing rule wins.
      {"name checked before owner",
       [](R& r, O&) {
         r.name = "";
         r.owner_id = "";
       },
       "name needs to be specified"},
      {"DNS checked before size",
       [](R& r, O&) {
         r.dns_names.clear();
         r.size = "bad";
       },
       "at least one DNS name"},
      {"operator flags checked before spaces",
       [](R& r, O& o) {
         o.deploy_minio_operator = false;
         r.filestore = "minio-operator";
         r.version = "a b";
       },
       "minio filestore"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    CreateInstallationRequest request = ValidCreate();
    InstallationValidationOptions options = AllOperators();
    c.mutate(request, options);
    Result<void> result = request.Validate(options);
    if (c.error.empty()) {
      EXPECT_TRUE(result) << result.error().message;
    } else {
      ExpectInvalid(result, c.error);
    }
  }
}

TEST(CreateInstallationRequest, FromJsonDecodesDefaultsAndValidates) {
  // With default server flags the default database/filestore are rejected.
  Result<CreateInstallationRequest> rejected = NewCreateInstallationRequestFromJson(
      R"({"OwnerID":"o","DNS":"Acme.Example.com"})", InstallationValidationOptions{});
  ASSERT_FALSE(rejected);
  EXPECT_NE(rejected.error().message.find("minio filestore"), std::string::npos);

  Result<CreateInstallationRequest> accepted = NewCreateInstallationRequestFromJson(
      R"({"ownerid":"o","DNS":"Acme.Example.com","Database":"aws-multitenant-rds-postgres",)"
      R"("Filestore":"bifrost"})",
      InstallationValidationOptions{});
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->name, "acme");
  EXPECT_EQ(accepted->dns_names, std::vector<std::string>{"acme.example.com"});

  Result<CreateInstallationRequest> empty =
      NewCreateInstallationRequestFromJson("", AllOperators());
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("name needs to be specified"), std::string::npos);

  Result<CreateInstallationRequest> bad_type =
      NewCreateInstallationRequestFromJson(R"({"Name":5})", AllOperators());
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(bad_type.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_type.error().message.find("failed to decode"), std::string::npos);
}

TEST(CreateInstallationRequest, NewInstallationAndRecords) {
  CreateInstallationRequest request = ValidCreate();
  request.dns_names = {"acme.example.com", "acme.example.org"};
  request.deletion_locked = true;
  request.api_security_lock = true;
  request.license = "lic";
  request.scheduled_deletion_time = 99;
  request.mattermost_env = EnvVarMap{{"A", kOne}};
  request.command = std::vector<std::string>{"x"};
  request.single_tenant_database_config.primary_instance_type = "p";
  request.external_database_config.secret_name = "s";

  Installation installation = NewInstallationFromRequest(request);
  EXPECT_EQ(installation.state, InstallationState::kCreationRequested);
  EXPECT_EQ(installation.cr_version, "installation.mattermost.com/v1beta1");
  EXPECT_EQ(installation.group_id, "");  // non-null even without a group
  EXPECT_FALSE(installation.deletion_locked);
  EXPECT_TRUE(installation.api_security_lock);
  EXPECT_EQ(installation.name, "acme");
  EXPECT_EQ(installation.owner_id, "owner");
  EXPECT_EQ(installation.license, "lic");
  EXPECT_EQ(installation.scheduled_deletion_time, 99);
  EXPECT_EQ(installation.mattermost_env, request.mattermost_env);
  EXPECT_FALSE(installation.priority_env.has_value());
  EXPECT_EQ(installation.command, request.command);
  EXPECT_FALSE(installation.single_tenant_database_config.has_value());
  EXPECT_FALSE(installation.external_database_config.has_value());
  EXPECT_FALSE(installation.allowed_ip_ranges.has_value());
  EXPECT_FALSE(installation.volumes.has_value());

  request.database = "aws-rds";
  EXPECT_EQ(NewInstallationFromRequest(request).single_tenant_database_config,
            request.single_tenant_database_config);
  request.database = "external";
  EXPECT_EQ(NewInstallationFromRequest(request).external_database_config,
            request.external_database_config);

  std::vector<InstallationDNS> records = NewDNSRecordsFromRequest(request);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].domain_name, "acme.example.com");
  EXPECT_TRUE(records[0].is_primary);
  EXPECT_EQ(records[1].domain_name, "acme.example.org");
  EXPECT_FALSE(records[1].is_primary);
}

// Patch --------------------------------------------------------------------------------------

TEST(PatchInstallationRequest, ValidateRules) {
  struct Case {
    std::string name;
    std::function<void(PatchInstallationRequest&)> mutate;
    std::string error;
  };
  using P = PatchInstallationRequest;
  const std::vector<Case> cases = {
      {"empty patch", [](P&) {}, ""},
      {"blank version", [](P& p) { p.version = ""; }, "provided version update value was blank"},
      {"blank image", [](P& p) { p.image = ""; }, "provided image update value was blank"},
      {"blank owner and license allowed",
       [](P& p) {
         p.owner_id = "";
         p.license = "";
       },
       ""},
      {"invalid CIDR",
       [](P& p) {
         p.allowed_ip_ranges = AllowedIPRanges{{"10.0.0.0/33", "", true, ""}};
       },
       "provided ip ranges update value was blank"},
      {"valid CIDRs",
       [](P& p) {
         p.allowed_ip_ranges =
             AllowedIPRanges{{"10.0.0.0/8", "", true, ""}, {"::1", "", false, ""}};
       },
       ""},
      {"empty range list", [](P& p) { p.allowed_ip_ranges = AllowedIPRanges{}; }, ""},
      {"invalid size", [](P& p) { p.size = "provisionerXL-"; }, "invalid size"},
      {"empty size", [](P& p) { p.size = ""; }, "invalid size"},
      {"valid size", [](P& p) { p.size = "provisionerXL-3"; }, ""},
      {"valueless env entries are not validated",
       [](P& p) {
         p.mattermost_env = EnvVarMap{{"A", EnvVar{}}};
         p.priority_env = EnvVarMap{{"B", EnvVar{}}};
       },
       ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    PatchInstallationRequest patch;
    c.mutate(patch);
    Result<void> result = patch.Validate();
    if (c.error.empty()) {
      EXPECT_TRUE(result) << result.error().message;
    } else {
      ExpectInvalid(result, c.error);
    }
  }
  EXPECT_FALSE(NewPatchInstallationRequestFromJson(R"({"Version":""})"));
  EXPECT_FALSE(NewPatchInstallationRequestFromJson(R"({"Version":1})"));
  EXPECT_TRUE(NewPatchInstallationRequestFromJson(""));
}

Installation PatchBase() {
  Installation installation;
  installation.owner_id = "owner";
  installation.version = "9.0.0";
  installation.image = "img";
  installation.size = "100users";
  installation.license = "lic";
  installation.mattermost_env = EnvVarMap{{"A", kOne}};
  return installation;
}

TEST(PatchInstallationRequest, ApplySemantics) {
  const AllowedIPRange a{"10.0.0.0/8", "a", true, "o"};
  const AllowedIPRange b{"192.168.0.0/16", "b", true, "o"};
  const AllowedIPRange b_disabled{"192.168.0.0/16", "b2", false, "o"};
  const AllowedIPRange c_range{"1.2.3.4", "c", true, "o"};
  const Json probe = Json::parse(R"({"periodSeconds":5})");

  struct Case {
    std::string name;
    std::function<void(Installation&)> given;
    std::function<void(PatchInstallationRequest&)> patch;
    bool applied;
    std::function<void(Installation&)> want;  // applied to a copy of the given installation
  };
  using P = PatchInstallationRequest;
  using I = Installation;
  const std::vector<Case> cases = {
      {"empty patch", [](I&) {}, [](P&) {}, false, [](I&) {}},
      {"same scalar values", [](I&) {},
       [](P& p) {
         p.owner_id = "owner";
         p.version = "9.0.0";
         p.image = "img";
         p.size = "100users";
         p.license = "lic";
       },
       false, [](I&) {}},
      {"owner", [](I&) {}, [](P& p) { p.owner_id = "new"; }, true,
       [](I& i) { i.owner_id = "new"; }},
      {"version", [](I&) {}, [](P& p) { p.version = "9.1.0"; }, true,
       [](I& i) { i.version = "9.1.0"; }},
      {"image", [](I&) {}, [](P& p) { p.image = "img2"; }, true, [](I& i) { i.image = "img2"; }},
      {"size", [](I&) {}, [](P& p) { p.size = "miniHA"; }, true, [](I& i) { i.size = "miniHA"; }},
      {"license cleared", [](I&) {}, [](P& p) { p.license = ""; }, true,
       [](I& i) { i.license = ""; }},
      {"ranges on an installation without ranges", [](I&) {},
       [a](P& p) { p.allowed_ip_ranges = AllowedIPRanges{a}; }, true,
       [a](I& i) { i.allowed_ip_ranges = AllowedIPRanges{a}; }},
      {"identical ranges still count as applied",
       [a](I& i) { i.allowed_ip_ranges = AllowedIPRanges{a}; },
       [a](P& p) { p.allowed_ip_ranges = AllowedIPRanges{a}; }, true, [](I&) {}},
      {"ranges merged by CIDRBlock, patch wins",
       [a, b](I& i) {
         i.allowed_ip_ranges = AllowedIPRanges{a, b};
       },
       [b_disabled, c_range](P& p) {
         p.allowed_ip_ranges = AllowedIPRanges{b_disabled, c_range};
       },
       true,
       [a, b_disabled, c_range](I& i) {
         i.allowed_ip_ranges = AllowedIPRanges{a, b_disabled, c_range};
       }},
      {"explicit OverrideIPRanges false merges",
       [a](I& i) { i.allowed_ip_ranges = AllowedIPRanges{a}; },
       [c_range](P& p) {
         p.allowed_ip_ranges = AllowedIPRanges{c_range};
         p.override_ip_ranges = false;
       },
       true,
       [a, c_range](I& i) {
         i.allowed_ip_ranges = AllowedIPRanges{a, c_range};
       }},
      {"OverrideIPRanges replaces",
       [a, b](I& i) {
         i.allowed_ip_ranges = AllowedIPRanges{a, b};
       },
       [c_range](P& p) {
         p.allowed_ip_ranges = AllowedIPRanges{c_range};
         p.override_ip_ranges = true;
       },
       true, [c_range](I& i) { i.allowed_ip_ranges = AllowedIPRanges{c_range}; }},
      {"override with an empty list leaves []",
       [a](I& i) { i.allowed_ip_ranges = AllowedIPRanges{a}; },
       [](P& p) {
         p.allowed_ip_ranges = AllowedIPRanges{};
         p.override_ip_ranges = true;
       },
       true, [](I& i) { i.allowed_ip_ranges = AllowedIPRanges{}; }},
      {"merging two empty lists gives null", [](I& i) { i.allowed_ip_ranges = AllowedIPRanges{}; },
       [](P& p) { p.allowed_ip_ranges = AllowedIPRanges{}; }, true,
       [](I& i) { i.allowed_ip_ranges.reset(); }},
      {"OverrideIPRanges without ranges does nothing", [](I&) {},
       [](P& p) { p.override_ip_ranges = true; }, false, [](I&) {}},
      {"env null leaves it", [](I&) {}, [](P& p) { p.mattermost_env.reset(); }, false, [](I&) {}},
      {"env {} clears", [](I&) {}, [](P& p) { p.mattermost_env = EnvVarMap{}; }, true,
       [](I& i) { i.mattermost_env.reset(); }},
      {"env {} on null env is not applied", [](I& i) { i.mattermost_env.reset(); },
       [](P& p) { p.mattermost_env = EnvVarMap{}; }, false, [](I&) {}},
      {"env key added and updated", [](I&) {},
       [](P& p) {
         p.mattermost_env = EnvVarMap{{"A", kTwo}, {"B", kOne}};
       },
       true,
       [](I& i) {
         i.mattermost_env = EnvVarMap{{"A", kTwo}, {"B", kOne}};
       }},
      {"env valueless key deletes",
       [](I& i) {
         i.mattermost_env = EnvVarMap{{"A", kOne}, {"B", kTwo}};
       },
       [](P& p) {
         p.mattermost_env = EnvVarMap{{"A", EnvVar{}}};
       },
       true,
       [](I& i) {
         i.mattermost_env = EnvVarMap{{"B", kTwo}};
       }},
      {"priority env patched", [](I&) {},
       [](P& p) {
         p.priority_env = EnvVarMap{{"P", kOne}};
       },
       true,
       [](I& i) {
         i.priority_env = EnvVarMap{{"P", kOne}};
       }},
      {"probe overrides replaced",
       [probe](I& i) {
         i.pod_probe_overrides = PodProbeOverrides{probe, probe};
       },
       [probe](P& p) {
         p.pod_probe_overrides = PodProbeOverrides{std::nullopt, probe};
       },
       true,
       [probe](I& i) {
         i.pod_probe_overrides = PodProbeOverrides{std::nullopt, probe};
       }},
      {"identical probe overrides still applied",
       [probe](I& i) {
         i.pod_probe_overrides = PodProbeOverrides{probe, std::nullopt};
       },
       [probe](P& p) {
         p.pod_probe_overrides = PodProbeOverrides{probe, std::nullopt};
       },
       true, [](I&) {}},
      {"command replaced",
       [](I& i) {
         i.command = std::vector<std::string>{"a", "b"};
       },
       [](P& p) { p.command = std::vector<std::string>{"c"}; }, true,
       [](I& i) { i.command = std::vector<std::string>{"c"}; }},
      {"identical command still applied", [](I& i) { i.command = std::vector<std::string>{"a"}; },
       [](P& p) { p.command = std::vector<std::string>{"a"}; }, true, [](I&) {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Installation installation = PatchBase();
    c.given(installation);
    Installation want = installation;
    c.want(want);
    PatchInstallationRequest patch;
    c.patch(patch);
    EXPECT_EQ(patch.Apply(installation), c.applied);
    EXPECT_EQ(installation, want) << EncodeJson(installation) << "\nwant\n" << EncodeJson(want);
  }
}

// Volumes ------------------------------------------------------------------------------------

CreateInstallationVolumeRequest ValidVolumeRequest() {
  CreateInstallationVolumeRequest r;
  r.name = "certs";
  r.data = std::map<std::string, Bytes>{{"ca.pem", Bytes{"pem"}}};
  r.volume = Volume{"secret", "", "/certs", true};
  return r;
}

TEST(CreateInstallationVolumeRequest, ValidateRules) {
  struct Case {
    std::string name;
    std::function<void(CreateInstallationVolumeRequest&)> mutate;
    std::string error;
  };
  using C = CreateInstallationVolumeRequest;
  const std::vector<Case> cases = {
      {"valid", [](C&) {}, ""},
      {"empty data map accepted", [](C& c) { c.data = std::map<std::string, Bytes>{}; }, ""},
      {"no name", [](C& c) { c.name = ""; }, "name needs to be specified"},
      {"null data", [](C& c) { c.data.reset(); }, "no secret data provided"},
      {"no volume", [](C& c) { c.volume.reset(); }, "no volume metadata provided"},
      {"backing secret set", [](C& c) { c.volume->backing_secret = "x"; },
       "backing secret should not be set on requests"},
      {"wrong type", [](C& c) { c.volume->type = "configmap"; },
       "configmap is an invalid volume type"},
      {"empty mount path", [](C& c) { c.volume->mount_path = ""; }, "mount path is empty"},
      {"bad name format is left to Apply", [](C& c) { c.name = "Bad Name"; }, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    CreateInstallationVolumeRequest request = ValidVolumeRequest();
    c.mutate(request);
    Result<void> result = request.Validate();
    if (c.error.empty()) {
      EXPECT_TRUE(result) << result.error().message;
    } else {
      ExpectInvalid(result, c.error);
    }
  }
}

TEST(CreateInstallationVolumeRequest, TooManyDataEntries) {
  CreateInstallationVolumeRequest request = ValidVolumeRequest();
  std::map<std::string, Bytes> data;
  for (size_t i = 0; i <= kMaxVolumeDataEntries; ++i) data.emplace(std::to_string(i), Bytes{});
  request.data = data;
  ExpectInvalid(request.Validate(), "secret data is too long");
  data.erase(data.begin());
  request.data = std::move(data);
  EXPECT_TRUE(request.Validate());

  PatchInstallationVolumeRequest patch;
  patch.data = *request.data;
  EXPECT_TRUE(patch.Validate());
  patch.data.emplace("extra", Bytes{});
  ExpectInvalid(patch.Validate(), "secret data is too long");
}

TEST(CreateInstallationVolumeRequest, ApplyRules) {
  struct Case {
    std::string name;
    std::function<void(Installation&, CreateInstallationVolumeRequest&)> mutate;
    std::string error;
  };
  using I = Installation;
  using C = CreateInstallationVolumeRequest;
  const std::vector<Case> cases = {
      {"first volume", [](I&, C&) {}, ""},
      {"name of 3 bytes", [](I&, C& c) { c.name = "abc"; }, ""},
      {"name of 64 bytes", [](I&, C& c) { c.name = std::string(64, 'a'); }, ""},
      {"name with digits, _ and -", [](I&, C& c) { c.name = "a1_b-2"; }, ""},
      {"name of 2 bytes", [](I&, C& c) { c.name = "ab"; },
       "volume names must be between 3 and 64 characters long"},
      {"name of 65 bytes", [](I&, C& c) { c.name = std::string(65, 'a'); },
       "volume names must be between 3 and 64 characters long"},
      {"name starting with a digit", [](I&, C& c) { c.name = "1abc"; },
       "volumes must start with a letter"},
      {"upper case name", [](I&, C& c) { c.name = "Certs"; }, "volumes must start with a letter"},
      {"name with a dot", [](I&, C& c) { c.name = "ce.rts"; }, "volumes must start with a letter"},
      {"existing name",
       [](I& i, C&) {
         i.volumes = VolumeMap{{"certs", Volume{"secret", "old", "/other", false}}};
       },
       "cannot create new volume, certs already exists"},
      {"mount path in use",
       [](I& i, C&) {
         i.volumes = VolumeMap{{"other", Volume{"secret", "s", "/certs", false}}};
       },
       "mount path /certs conflicts with volume other"},
      {"second volume on another path",
       [](I& i, C&) {
         i.volumes = VolumeMap{{"other", Volume{"secret", "s", "/o", false}}};
       },
       ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Installation installation;
    installation.id = "inst1";
    CreateInstallationVolumeRequest request = ValidVolumeRequest();
    c.mutate(installation, request);
    const Installation before = installation;
    Result<Volume> added = request.Apply(installation, kNow);
    if (c.error.empty()) {
      ASSERT_TRUE(added) << added.error().message;
      const std::string secret =
          "installation-secret-inst1-" + std::to_string(kNow) + "-" + request.name;
      EXPECT_EQ(added->backing_secret, secret);
      ASSERT_TRUE(installation.volumes);
      EXPECT_EQ(installation.volumes->at(request.name),
                (Volume{"secret", secret, request.volume->mount_path, true}));
      EXPECT_EQ(installation.volumes->size(), before.volumes ? before.volumes->size() + 1 : 1);
    } else {
      ASSERT_FALSE(added);
      EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument);
      EXPECT_NE(added.error().message.find(c.error), std::string::npos) << added.error().message;
      EXPECT_EQ(installation, before);
    }
  }
  EXPECT_EQ(VolumeBackingSecretName("i", 5, "v"), "installation-secret-i-5-v");
}

TEST(PatchInstallationVolumeRequest, ValidateAndApply) {
  PatchInstallationVolumeRequest patch;
  EXPECT_TRUE(patch.Validate());
  patch.mount_path = "";
  ExpectInvalid(patch.Validate(), "mount path is empty");

  Installation installation;
  installation.volumes = VolumeMap{{"one", Volume{"secret", "s1", "/one", false}},
                                   {"two", Volume{"secret", "s2", "/two", false}}};
  const Installation before = installation;

  patch.mount_path = "/two";
  Result<std::string> conflict = patch.Apply(installation, "one");
  ASSERT_FALSE(conflict);
  EXPECT_NE(conflict.error().message.find("mount path /two conflicts with volume two"),
            std::string::npos);
  EXPECT_EQ(installation, before);

  Result<std::string> missing = patch.Apply(installation, "three");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot update volume three as it doesn't exist"),
            std::string::npos);
  Installation no_volumes;
  EXPECT_FALSE(patch.Apply(no_volumes, "one"));

  patch.mount_path = "/one";  // its own path is no conflict
  patch.read_only = true;
  Result<std::string> secret = patch.Apply(installation, "one");
  ASSERT_TRUE(secret) << secret.error().message;
  EXPECT_EQ(*secret, "s1");
  EXPECT_EQ(installation.volumes->at("one"), (Volume{"secret", "s1", "/one", true}));

  PatchInstallationVolumeRequest move;
  move.mount_path = "/new";
  ASSERT_TRUE(move.Apply(installation, "two"));
  EXPECT_EQ(installation.volumes->at("two"), (Volume{"secret", "s2", "/new", false}));
}

TEST(DeleteInstallationVolume, RemovesAndNullsEmptyMap) {
  Installation installation;
  Result<Volume> none = DeleteInstallationVolume(installation, "one");
  ASSERT_FALSE(none);  // upstream panics here
  EXPECT_EQ(none.error().code, ErrorCode::kInvalidArgument);

  installation.volumes = VolumeMap{{"one", Volume{"secret", "s1", "/one", false}},
                                   {"two", Volume{"secret", "s2", "/two", false}}};
  EXPECT_FALSE(DeleteInstallationVolume(installation, "three"));
  Result<Volume> one = DeleteInstallationVolume(installation, "one");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->backing_secret, "s1");
  EXPECT_EQ(installation.volumes->size(), 1u);
  ASSERT_TRUE(DeleteInstallationVolume(installation, "two"));
  EXPECT_FALSE(installation.volumes.has_value());
}

// Deletion -----------------------------------------------------------------------------------

TEST(PatchInstallationDeletionRequest, ValidateAndApply) {
  struct Case {
    std::string name;
    std::optional<int64_t> expiry;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"unset", std::nullopt, true},
      {"now", kNow, true},
      {"future", kNow + 1000, true},
      {"exactly now - 5 s", kNow - 5000, true},
      {"older than now - 5 s", kNow - 5001, false},
      {"zero", 0, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    PatchInstallationDeletionRequest patch{c.expiry};
    Result<void> result = patch.Validate(kNow);
    if (c.valid) {
      EXPECT_TRUE(result);
    } else {
      ExpectInvalid(result,
                    "DeletionPendingExpiry must be " + std::to_string(kNow - 5000) + " or higher");
    }
  }
  Installation installation;
  installation.deletion_pending_expiry = 10;
  EXPECT_FALSE(PatchInstallationDeletionRequest{}.Apply(installation));
  EXPECT_FALSE(PatchInstallationDeletionRequest{10}.Apply(installation));
  EXPECT_TRUE(PatchInstallationDeletionRequest{20}.Apply(installation));
  EXPECT_EQ(installation.deletion_pending_expiry, 20);
}

TEST(PatchInstallationScheduledDeletionRequest, ValidateAndApply) {
  struct Case {
    std::string name;
    std::optional<int64_t> time;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"unset", std::nullopt, ""},
      {"zero cancels", 0, ""},
      {"one ms ahead", kNow + 1, ""},
      {"now", kNow, "scheduled deletion time must be in the future"},
      {"past", 5, "scheduled deletion time must be in the future"},
      {"negative", -1, "scheduled deletion time cannot be negative"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<void> result = PatchInstallationScheduledDeletionRequest{c.time}.Validate(kNow);
    if (c.error.empty()) {
      EXPECT_TRUE(result) << result.error().message;
    } else {
      ExpectInvalid(result, c.error);
    }
  }
  Installation installation;
  installation.scheduled_deletion_time = 10;
  EXPECT_FALSE(PatchInstallationScheduledDeletionRequest{}.Apply(installation));
  EXPECT_TRUE(PatchInstallationScheduledDeletionRequest{10}.Apply(installation));  // unchanged
  EXPECT_TRUE(PatchInstallationScheduledDeletionRequest{0}.Apply(installation));
  EXPECT_EQ(installation.scheduled_deletion_time, 0);
}

// Groups and DNS -----------------------------------------------------------------------------

TEST(AssignInstallationGroupRequest, NeedsAnnotations) {
  ExpectInvalid(AssignInstallationGroupRequest{}.Validate(), "must not be empty");
  EXPECT_TRUE(AssignInstallationGroupRequest{{"group-a"}}.Validate());
}

TEST(AddDNSRecordRequest, ValidateRules) {
  struct Case {
    std::string name;
    std::string dns;
    bool require_name_match;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"valid", "acme.example.org", false, ""},
      {"upper case is accepted (not lower-cased)", "ACME.Example.org", false, ""},
      {"other first label allowed without name match", "other.example.org", false, ""},
      {"name match required", "other.example.org", true,
       "domain name must start with Installation Name"},
      {"name match satisfied", "acme.example.org", true, ""},
      {"short first label", "a.example.org", false, "dns is invalid: DNS subdomain names"},
      {"underscore", "acme_1.example.org", false, "failed hostname pattern check"},
      {"empty", "", false, "dns is invalid"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<void> result = AddDNSRecordRequest{c.dns}.Validate("acme", c.require_name_match);
    if (c.error.empty()) {
      EXPECT_TRUE(result) << result.error().message;
    } else {
      ExpectInvalid(result, c.error);
    }
  }
  EXPECT_EQ(FirstDNSLabel("acme.example.com"), "acme");
  EXPECT_EQ(FirstDNSLabel("acme"), "acme");
  EXPECT_EQ(FirstDNSLabel(".acme"), "");
}

}  // namespace
}  // namespace cloud::model
