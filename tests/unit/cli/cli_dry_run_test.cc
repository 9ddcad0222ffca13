// --dry-run on every command upstream implements it for (spec upstream-api.md §7.1, the
// commands marked [dry-run] in §7.2): the exact request JSON is printed (4-space indent,
// trailing newline) and nothing is sent.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "common/clock.h"
#include "model/json_codec.h"
#include "unit/cli/cli_test_home.h"

namespace cloud::cli {
namespace {

class CountingTransport final : public client::HttpTransport {
 public:
  explicit CountingTransport(int* calls) : calls_(calls) {}
  Result<client::HttpResponse> Do(const client::HttpRequest&) override {
    ++*calls_;
    return client::HttpResponse{500, "", {}};
  }

 private:
  int* calls_;
};

constexpr int64_t kNow = 1'700'000'000'000;  // ms

class DryRunTest : public TempHomeTest {
 protected:
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    CLI::App app{"cloud"};
    CliIo io;
    io.out = &out_;
    io.err = &err_;
    io.clock = &clock_;
    io.transport_factory = [this] { return std::make_unique<CountingTransport>(&calls_); };
    RegisterCliCommands(app, io);
    args.insert(args.begin(), "cloud");
    return RunCli(app, args, out_, err_);
  }

  ManualClock clock_{kNow};
  std::ostringstream out_;
  std::ostringstream err_;
  int calls_ = 0;
};

struct Case {
  std::vector<std::string> args;
  std::string expected;
};

TEST_F(DryRunTest, PrintsTheExactRequestAndSendsNothing) {
  const std::vector<Case> cases = {
      {{"cluster", "update", "--cluster", "c1", "--name", "n1", "--dry-run"},
       "{\n    \"Name\": \"n1\",\n    \"AllowInstallations\": null\n}\n"},
      {{"cluster", "update", "--cluster", "c1", "--allow-installations=false", "--dry-run"},
       "{\n    \"Name\": null,\n    \"AllowInstallations\": false\n}\n"},
      {{"cluster", "import", "--secret-name", "s1", "--annotation", "abc", "--dry-run"},
       "{\n    \"external-cluster-secret-name\": \"s1\",\n    \"annotations\": [\n        "
       "\"abc\"\n    ],\n    \"allow-installations\": true,\n    \"api-security-lock\": "
       "false\n}\n"},
      {{"cluster", "annotation", "add", "--cluster", "c1", "--annotation", "a1", "--annotation",
        "a2", "--dry-run"},
       "{\n    \"annotations\": [\n        \"a1\",\n        \"a2\"\n    ]\n}\n"},
      {{"cluster", "upgrade", "--cluster", "c1", "--version", "1.28", "--dry-run"},
       "{\n    \"version\": \"1.28\",\n    \"rotatorConfig\": {\n        \"use-rotator\": true,\n"
       "        \"max-scaling\": 5,\n        \"max-drain-retries\": 10,\n"
       "        \"evict-grace-period\": 3600,\n        \"wait-between-rotations\": 120,\n"
       "        \"wait-between-drains\": 900,\n        \"wait-between-pod-evictions\": 5\n    },\n"
       "    \"MaxPodsPerNode\": null\n}\n"},
      {{"cluster", "resize", "--cluster", "c1", "--size", "SizeAlef1000", "--size-node-max-count",
        "6", "--use-rotator=false", "--dry-run"},
       "{\n    \"node-instance-type\": \"m5.large\",\n    \"node-min-count\": 4,\n"
       "    \"node-max-count\": 6,\n    \"rotatorConfig\": {\n        \"use-rotator\": false,\n"
       "        \"max-scaling\": 5,\n        \"max-drain-retries\": 10,\n"
       "        \"evict-grace-period\": 3600,\n        \"wait-between-rotations\": 120,\n"
       "        \"wait-between-drains\": 900,\n        \"wait-between-pod-evictions\": 5\n    "
       "}\n}\n"},
      {{"cluster", "nodegroup", "create", "--cluster", "c1", "--nodegroups", "ng1=SizeAlefDev",
        "--nodegroups-with-sg", "ng1", "--dry-run"},
       "{\n    \"nodegroups\": {\n        \"ng1\": {\n            \"Name\": \"\",\n"
       "            \"InstanceType\": \"t3.medium\",\n            \"MinCount\": 2,\n"
       "            \"MaxCount\": 2\n        }\n    },\n    \"nodegroup-with-sg\": [\n"
       "        \"ng1\"\n    ]\n}\n"},
      {{"installation", "dns", "add", "--installation", "i1", "--domain", "a.example.com",
        "--dry-run"},
       "{\n    \"DNS\": \"a.example.com\"\n}\n"},
      {{"installation", "annotation", "add", "--installation", "i1", "--annotation", "x1",
        "--dry-run"},
       "{\n    \"annotations\": [\n        \"x1\"\n    ]\n}\n"},
      {{"group", "annotation", "add", "--group", "g1", "--annotation", "x1", "--dry-run"},
       "{\n    \"annotations\": [\n        \"x1\"\n    ]\n}\n"},
      {{"installation", "update", "--installation", "i1", "--version", "9.0", "--mattermost-env",
        "A=b=c", "--dry-run"},
       "{\n    \"OwnerID\": null,\n    \"Image\": null,\n    \"Version\": \"9.0\",\n"
       "    \"Size\": null,\n    \"License\": null,\n    \"AllowedIPRanges\": null,\n"
       "    \"OverrideIPRanges\": null,\n    \"PriorityEnv\": null,\n"
       "    \"MattermostEnv\": {\n        \"A\": {\n            \"value\": \"b=c\"\n        }\n"
       "    },\n    \"PodProbeOverrides\": null,\n    \"Command\": null\n}\n"},
      {{"installation", "update", "--installation", "i1", "--priority-env-clear",
        "--probe-liveness-failure-threshold", "3", "--dry-run"},
       "{\n    \"OwnerID\": null,\n    \"Image\": null,\n    \"Version\": null,\n"
       "    \"Size\": null,\n    \"License\": null,\n    \"AllowedIPRanges\": null,\n"
       "    \"OverrideIPRanges\": null,\n    \"PriorityEnv\": {},\n    \"MattermostEnv\": null,\n"
       "    \"PodProbeOverrides\": {\n        \"LivenessProbeOverride\": {\n"
       "            \"failureThreshold\": 3\n        }\n    },\n    \"Command\": null\n}\n"},
      {{"installation", "create-volume", "--installation", "i1", "--volume-name", "vol",
        "--filename", "f.txt", "--data", "hi", "--mount-path", "/mnt", "--dry-run"},
       "{\n    \"Name\": \"vol\",\n    \"Data\": {\n        \"f.txt\": \"aGk=\"\n    },\n"
       "    \"Volume\": {\n        \"Type\": \"secret\",\n        \"BackingSecret\": \"\",\n"
       "        \"MountPath\": \"/mnt\",\n        \"ReadOnly\": true\n    }\n}\n"},
      {{"installation", "update-volume", "--installation", "i1", "--volume-name", "vol",
        "--read-only=false", "--dry-run"},
       "{\n    \"Data\": {},\n    \"MountPath\": null,\n    \"ReadOnly\": false\n}\n"},
      {{"installation", "update-deletion", "--installation", "i1", "--future-expiry", "1h",
        "--dry-run"},
       "{\n    \"DeletionPendingExpiry\": 1700003600000\n}\n"},
      {{"installation", "update-deletion", "--installation", "i1", "--dry-run"},
       "{\n    \"DeletionPendingExpiry\": null\n}\n"},
      {{"installation", "schedule-deletion", "--installation", "i1", "--dry-run"},
       "{\n    \"ScheduledDeletionTime\": null\n}\n"},
      {{"installation", "schedule-deletion", "--installation", "i1", "--scheduled-deletion-time",
        "0", "--dry-run"},
       "{\n    \"ScheduledDeletionTime\": 0\n}\n"},
      {{"installation", "schedule-deletion", "--installation", "i1", "--scheduled-deletion-time",
        "2m", "--dry-run"},
       "{\n    \"ScheduledDeletionTime\": 1700000120000\n}\n"},
      {{"installation", "operation", "db-migration", "request", "--installation", "i1",
        "--multi-tenant-db", "db1", "--dry-run"},
       "{\n    \"InstallationID\": \"i1\",\n    \"DestinationDatabase\": "
       "\"aws-multitenant-rds-postgres\",\n    \"DestinationMultiTenant\": {\n"
       "        \"DatabaseID\": \"db1\"\n    }\n}\n"},
      {{"group", "update", "--group", "g1", "--max-rolling", "2", "--dry-run"},
       "{\n    \"ID\": \"g1\",\n    \"MaxRolling\": 2,\n    \"Name\": null,\n"
       "    \"Description\": null,\n    \"Version\": null,\n    \"Image\": null,\n"
       "    \"MattermostEnv\": null,\n    \"Scheduling\": null,\n"
       "    \"ForceSequenceUpdate\": false,\n    \"ForceInstallationsRestart\": false\n}\n"},
      {{"group", "create", "--name", "g", "--dry-run"},
       "{\n    \"Name\": \"g\",\n    \"Description\": \"\",\n    \"Version\": \"\",\n"
       "    \"Image\": \"\",\n    \"MaxRolling\": 1,\n    \"APISecurityLock\": false,\n"
       "    \"MattermostEnv\": null,\n    \"Scheduling\": null,\n    \"Annotations\": []\n}\n"},
      {{"database", "multitenant", "update", "--multitenant-database", "m1",
        "--max-installations-per-logical-db", "20", "--dry-run"},
       "{\n    \"MaxInstallationsPerLogicalDatabase\": 20\n}\n"},
      {{"subscription", "create", "--url", "http://x", "--owner", "o", "--event-type",
        "resourceStateChange", "--failure-threshold", "1m", "--dry-run"},
       "{\n    \"Name\": \"\",\n    \"URL\": \"http://x\",\n    \"OwnerID\": \"o\",\n"
       "    \"EventType\": \"resourceStateChange\",\n    \"FailureThreshold\": 60000000000,\n"
       "    \"Headers\": null\n}\n"},
  };
  for (const Case& c : cases) {
    std::string joined;
    for (const std::string& a : c.args) joined += a + " ";
    SCOPED_TRACE(joined);
    calls_ = 0;
    EXPECT_EQ(Run(c.args), 0) << err_.str();
    EXPECT_EQ(out_.str(), c.expected);
    EXPECT_EQ(calls_, 0);
  }
}

TEST_F(DryRunTest, ClusterCreateBuildsUpstreamsRequest) {
  ASSERT_EQ(Run({"cluster", "create", "--dry-run", "--eks", "--zones", "us-east-1a,us-east-1b",
                 "--size", "SizeAlef1000", "--size-node-count", "3", "--additional-nodegroups",
                 "extra=SizeAlefDev", "--nodegroups-with-public-subnet", "extra", "--nginx-version",
                 "4.0.0", "--argocd-register", "cluster-type=customer"}),
            0)
      << err_.str();
  EXPECT_EQ(calls_, 0);
  Result<model::Json> json = model::ParseJson(out_.str());
  ASSERT_TRUE(json) << out_.str();
  const model::Json& j = *json;
  EXPECT_EQ(j["provider"], "aws");
  EXPECT_EQ(j["zones"], model::Json::array({"us-east-1a", "us-east-1b"}));
  EXPECT_EQ(j["version"], "latest");
  EXPECT_EQ(j["master-instance-type"], "t3.large");
  EXPECT_EQ(j["master-count"], 1);
  EXPECT_EQ(j["node-instance-type"], "m5.large");
  EXPECT_EQ(j["node-min-count"], 3);
  EXPECT_EQ(j["node-max-count"], 3);
  EXPECT_EQ(j["allow-installations"], true);
  EXPECT_EQ(j["provisioner"], "eks");
  EXPECT_EQ(j["networking"], "calico");
  EXPECT_EQ(j["utility-versions"].size(), 13u);
  EXPECT_EQ(j["utility-versions"]["nginx"]["Chart"], "4.0.0");
  EXPECT_EQ(j["utility-versions"]["thanos"]["Chart"], "");
  EXPECT_EQ(j["additional-node-groups"]["extra"]["InstanceType"], "t3.medium");
  EXPECT_EQ(j["nodegroup-with-public-subnet"], model::Json::array({"extra"}));
  EXPECT_EQ(j["argocd-register"]["cluster-type"], "customer");
  EXPECT_EQ(j["pgbouncer-config"]["MaxDatabaseConnectionsPerPool"], 20);
  EXPECT_EQ(j["pgbouncer-config"]["MinPoolSize"], 1);
  EXPECT_FALSE(j.contains("annotations"));
}

TEST_F(DryRunTest, InstallationCreateBuildsUpstreamsRequest) {
  ASSERT_EQ(Run({"installation", "create", "--dry-run", "--owner", "me", "--dns", "a.example.com",
                 "--database", "aws-rds", "--rds-replicas-count", "2", "--scheduled-deletion-time",
                 "1h", "--probe-readiness-period-seconds", "7"}),
            0)
      << err_.str();
  EXPECT_EQ(calls_, 0);
  Result<model::Json> json = model::ParseJson(out_.str());
  ASSERT_TRUE(json) << out_.str();
  const model::Json& j = *json;
  EXPECT_EQ(j["OwnerID"], "me");
  EXPECT_EQ(j["DNS"], "a.example.com");
  EXPECT_TRUE(j["DNSNames"].is_null());
  EXPECT_EQ(j["Version"], "stable");
  EXPECT_EQ(j["Image"], "mattermost/mattermost-enterprise-edition");
  EXPECT_EQ(j["Size"], "100users");
  EXPECT_EQ(j["Affinity"], "isolated");
  EXPECT_EQ(j["Database"], "aws-rds");
  EXPECT_EQ(j["Filestore"], "minio-operator");
  EXPECT_TRUE(j["MattermostEnv"].is_null());
  EXPECT_EQ(j["Annotations"], model::Json::array());
  EXPECT_EQ(j["ScheduledDeletionTime"], kNow + 3600 * 1000);
  EXPECT_EQ(j["SingleTenantDatabaseConfig"]["ReplicasCount"], 2);
  EXPECT_EQ(j["PodProbeOverrides"]["ReadinessProbeOverride"]["periodSeconds"], 7);
  EXPECT_FALSE(j["PodProbeOverrides"].contains("LivenessProbeOverride"));
  EXPECT_TRUE(j["Command"].is_null());

  ASSERT_EQ(Run({"installation", "create", "--dry-run", "--owner", "me", "--dns",
                 "a.example.com,b.example.com"}),
            0);
  json = model::ParseJson(out_.str());
  ASSERT_TRUE(json);
  EXPECT_EQ((*json)["DNS"], "");
  EXPECT_EQ((*json)["DNSNames"], model::Json::array({"a.example.com", "b.example.com"}));
}

TEST_F(DryRunTest, ProvisionSendsOnlyChangedPgBouncerValues) {
  ASSERT_EQ(Run({"cluster", "provision", "--cluster", "c1", "--dry-run",
                 "--pgbouncer-min-pool-size", "3", "--reprovision-all-utilities"}),
            0)
      << err_.str();
  Result<model::Json> json = model::ParseJson(out_.str());
  ASSERT_TRUE(json) << out_.str();
  EXPECT_EQ((*json)["force"], true);
  EXPECT_EQ((*json)["pgbouncer-config"]["MinPoolSize"], 3);
  EXPECT_TRUE((*json)["pgbouncer-config"]["DefaultPoolSize"].is_null());
  EXPECT_EQ((*json)["utility-versions"].size(), 13u);
  EXPECT_FALSE(json->contains("argocd-register"));
  EXPECT_EQ(calls_, 0);
}

TEST_F(DryRunTest, LocalValidationErrorsNameTheProblem) {
  EXPECT_EQ(
      Run({"cluster", "create", "--dry-run", "--additional-nodegroups", "worker=SizeAlef500"}), 1);
  EXPECT_EQ(err_.str(), "Error: worker nodegroup can only be specified with --size flag\n");
  EXPECT_EQ(Run({"cluster", "create", "--dry-run", "--size", "Huge"}), 1);
  EXPECT_EQ(err_.str(), "Error: failed to apply size values: Huge is not a valid size\n");
  EXPECT_EQ(Run({"installation", "update", "--installation", "i", "--dry-run", "--mattermost-env",
                 "A=1", "--mattermost-env-clear"}),
            1);
  EXPECT_NE(err_.str().find("mattermost-env-clear"), std::string::npos);
  EXPECT_EQ(Run({"installation", "update-volume", "--installation", "i", "--volume-name", "v",
                 "--data", "x", "--dry-run"}),
            1);
  EXPECT_EQ(err_.str(), "Error: must provide --filename when changing --data\n");
  EXPECT_EQ(calls_, 0);
}

}  // namespace
}  // namespace cloud::cli
