// The noun commands end to end: `cloud ...` through RunCli and the real HTTP client against a
// loopback server, checking what is sent (method, path, query, body, headers) and what is
// printed; flag errors name the flag; an unreachable server gives one clear line.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/output.h"
#include "common/clock.h"
#include "e2e/client/loopback_http_server.h"
#include "model/cluster.h"
#include "model/installation.h"
#include "unit/cli/cli_test_home.h"

namespace cloud::cli {
namespace {

using cloud::testing::CannedResponse;
using cloud::testing::LoopbackHttpServer;
using cloud::testing::RecordedRequest;

model::ClusterDTO SampleCluster(model::ClusterState state = model::ClusterState::kStable) {
  model::ClusterDTO dto;
  dto.cluster.id = "c1";
  dto.cluster.state = state;
  dto.cluster.allow_installations = true;
  dto.cluster.create_at = 1234;
  model::KopsMetadata kops;
  kops.version = "1.28";
  kops.master_count = 1;
  kops.master_instance_type = "t3.small";
  kops.node_instance_type = "m5.large";
  kops.node_min_count = 2;
  kops.node_max_count = 4;
  kops.ami = "ami-1";
  kops.networking = "calico";
  kops.vpc = "vpc-1";
  dto.cluster.provisioner_metadata_kops = kops;
  dto.annotations = {{"a1", "team-a"}};
  return dto;
}

class CliNounsTest : public TempHomeTest {
 protected:
  // Runs `cloud <args> --server <loopback>`.
  int Run(std::vector<std::string> args, bool with_server = true) {
    out_.str("");
    err_.str("");
    CLI::App app{"cloud"};
    CliIo io;
    io.out = &out_;
    io.err = &err_;
    io.clock = &clock_;
    io.sleep = [this](int64_t millis) { clock_.Advance(millis); };
    RegisterCliCommands(app, io);
    args.insert(args.begin(), "cloud");
    if (with_server) {
      args.push_back("--server");
      args.push_back(server_.url());
    }
    return RunCli(app, args, out_, err_);
  }

  RecordedRequest Last() const {
    std::vector<RecordedRequest> all = server_.requests();
    return all.empty() ? RecordedRequest{} : all.back();
  }

  // The handler answers from `responses_` by "METHOD path", 404 otherwise.
  std::map<std::string, CannedResponse> responses_;
  std::map<std::string, std::vector<CannedResponse>> sequences_;
  LoopbackHttpServer server_{[this](const RecordedRequest& r) -> CannedResponse {
    const std::string key = r.method + " " + r.Path();
    auto seq = sequences_.find(key);
    if (seq != sequences_.end() && !seq->second.empty()) {
      CannedResponse next = seq->second.front();
      if (seq->second.size() > 1) seq->second.erase(seq->second.begin());
      return next;
    }
    auto it = responses_.find(key);
    return it == responses_.end() ? CannedResponse{404, "", {}} : it->second;
  }};
  ManualClock clock_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CliNounsTest, ClusterGetPrintsTheClusterAndNothingOn404) {
  const model::ClusterDTO cluster = SampleCluster();
  responses_["GET /api/cluster/c1"] = {200, model::EncodeJson(cluster), {}};
  ASSERT_EQ(Run({"cluster", "get", "--cluster", "c1"}), 0) << err_.str();
  EXPECT_EQ(Last().method, "GET");
  EXPECT_EQ(Last().target, "/api/cluster/c1");
  EXPECT_EQ(out_.str(), IndentJson(model::ToJson(cluster)));

  ASSERT_EQ(Run({"cluster", "get", "--cluster", "missing"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliNounsTest, ClusterListSendsPagingAndRendersTheDefaultTable) {
  responses_["GET /api/clusters"] = {200, "[" + model::EncodeJson(SampleCluster()) + "]", {}};
  ASSERT_EQ(Run({"cluster", "list", "--page", "2", "--per-page", "5", "--table", "--show-tags"}), 0)
      << err_.str();
  const std::string query = Last().Query();
  EXPECT_NE(query.find("page=2"), std::string::npos) << query;
  EXPECT_NE(query.find("per_page=5"), std::string::npos) << query;
  EXPECT_EQ(query.find("include_deleted"), std::string::npos) << query;
  const std::string table = out_.str();
  for (const char* cell : {"ID", "MASTER NODES", "1 x t3.small", "2 x m5.large (max 4)", "online",
                           "vpc-1", "TAG", "team-a"}) {
    EXPECT_NE(table.find(cell), std::string::npos) << cell << "\n" << table;
  }
}

TEST_F(CliNounsTest, RequestsCarryUpstreamsMethodsPathsAndBodies) {
  struct Case {
    std::vector<std::string> args;
    std::string method;
    std::string target;  // path, or path?query
    std::string body;    // exact body; "-" = not checked
    int status = 200;
  };
  const std::vector<Case> cases = {
      {{"cluster", "update", "--cluster", "c1", "--name", "x"},
       "PUT",
       "/api/cluster/c1",
       "{\"Name\":\"x\",\"AllowInstallations\":null}",
       202},
      {{"cluster", "delete", "--cluster", "c1"}, "DELETE", "/api/cluster/c1", "", 202},
      {{"cluster", "create", "--cluster", "c1"}, "POST", "/api/cluster/c1", "null", 202},
      {{"cluster", "nodegroup", "delete", "--cluster", "c1", "--nodegroup", "ng"},
       "DELETE",
       "/api/cluster/c1/nodegroup/ng",
       "",
       202},
      {{"cluster", "annotation", "delete", "--cluster", "c1", "--annotation", "a1"},
       "DELETE",
       "/api/cluster/c1/annotation/a1",
       "",
       204},
      {{"cluster", "installation", "config", "set", "--cluster-installation", "ci1", "--key",
        "ServiceSettings.SiteURL", "--value", "https://x"},
       "PUT",
       "/api/cluster_installation/ci1/config",
       "{\"ServiceSettings\":{\"SiteURL\":\"https://x\"}}",
       200},
      {{"installation", "hibernate", "--installation", "i1"},
       "POST",
       "/api/installation/i1/hibernate",
       "null",
       202},
      {{"installation", "delete", "--installation", "i1"},
       "DELETE",
       "/api/installation/i1",
       "",
       202},
      {{"installation", "cancel-deletion", "--installation", "i1"},
       "POST",
       "/api/installation/i1/deletion/cancel",
       "-",
       202},
      {{"group", "join", "--group", "g1", "--installation", "i1"},
       "PUT",
       "/api/installation/i1/group/g1",
       "null",
       200},
      {{"group", "leave", "--installation", "i1", "--retain-config=false"},
       "DELETE",
       "/api/installation/i1/group?retain_config=false",
       "",
       200},
      {{"group", "assign", "--installation", "i1", "--group-selection-annotation", "x1"},
       "POST",
       "/api/installation/i1/group/assign",
       "{\"GroupSelectionAnnotations\":[\"x1\"]}",
       200},
      {{"security", "cluster", "api-lock", "--cluster", "c1"},
       "POST",
       "/api/security/cluster/c1/api/lock",
       "null",
       200},
      {{"security", "installation", "deletion-unlock", "--installation", "i1"},
       "POST",
       "/api/security/installation/i1/deletion/unlock",
       "null",
       200},
      {{"security", "backup", "api-unlock", "--backup", "b1"},
       "POST",
       "/api/security/installation/backup/b1/api/unlock",
       "null",
       200},
      {{"database", "multitenant", "delete", "--multitenant-database", "m1", "--force"},
       "DELETE",
       "/api/databases/multitenant_database/m1?force=true",
       "",
       204},
      {{"installation", "backup", "delete", "--backup", "b1"},
       "DELETE",
       "/api/installations/backup/b1",
       "",
       202},
      {{"webhook", "delete", "--webhook", "w1"}, "DELETE", "/api/webhook/w1", "", 200},
      {{"subscription", "delete", "--subscription", "s1"},
       "DELETE",
       "/api/subscription/s1",
       "",
       200},
  };
  for (const Case& c : cases) {
    std::string joined;
    for (const std::string& a : c.args) joined += a + " ";
    SCOPED_TRACE(joined);
    const std::string path = c.target.substr(0, c.target.find('?'));
    responses_[c.method + " " + path] = {c.status, "{}", {}};
    EXPECT_EQ(Run(c.args), 0) << err_.str();
    const RecordedRequest r = Last();
    EXPECT_EQ(r.method, c.method);
    EXPECT_EQ(r.target, c.target);
    if (c.body != "-") {
      EXPECT_EQ(r.body, c.body);
    }
  }
}

TEST_F(CliNounsTest, InstallationCreatePostsTheRequestAndPrintsTheResult) {
  model::InstallationDTO created;
  created.installation.id = "i1";
  created.installation.owner_id = "me";
  created.dns = "a.example.com";
  responses_["POST /api/installations"] = {202, model::EncodeJson(created), {}};
  ASSERT_EQ(Run({"installation", "create", "--owner", "me", "--dns", "a.example.com",
                 "--mattermost-env", "K=V", "--annotation", "team-a"}),
            0)
      << err_.str();
  const RecordedRequest r = Last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/installations");
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  Result<model::Json> body = model::ParseJson(r.body);
  ASSERT_TRUE(body) << r.body;
  EXPECT_EQ((*body)["OwnerID"], "me");
  EXPECT_EQ((*body)["DNS"], "a.example.com");
  EXPECT_EQ((*body)["MattermostEnv"]["K"]["value"], "V");
  EXPECT_EQ((*body)["Annotations"], model::Json::array({"team-a"}));
  EXPECT_EQ(out_.str(), IndentJson(model::ToJson(created)));
}

TEST_F(CliNounsTest, InstallationGetHidesLicenseAndEnvUnlessAsked) {
  model::InstallationDTO dto;
  dto.installation.id = "i1";
  dto.installation.license = "secret";
  dto.installation.mattermost_env =
      model::EnvVarMap{{"A", {"1", std::nullopt}}, {"B", {"2", std::nullopt}}};
  responses_["GET /api/installation/i1"] = {200, model::EncodeJson(dto), {}};
  ASSERT_EQ(Run({"installation", "get", "--installation", "i1"}), 0) << err_.str();
  EXPECT_EQ(Last().Query(), "");
  Result<model::Json> printed = model::ParseJson(out_.str());
  ASSERT_TRUE(printed);
  EXPECT_EQ((*printed)["License"], "hidden (--hide-license=true)");
  EXPECT_EQ((*printed)["MattermostEnv"],
            model::Json::parse(R"j({"hidden (2 env vars) (--hide-env=true)":{}})j"));

  ASSERT_EQ(Run({"installation", "get", "--installation", "i1", "--hide-license=false",
                 "--hide-env=false", "--include-group-config=false"}),
            0);
  EXPECT_EQ(Last().Query(), "include_group_config=false");
  printed = model::ParseJson(out_.str());
  ASSERT_TRUE(printed);
  EXPECT_EQ((*printed)["License"], "secret");
  EXPECT_EQ((*printed)["MattermostEnv"]["B"]["value"], "2");
}

TEST_F(CliNounsTest, InstallationListSendsUpstreamsFilters) {
  responses_["GET /api/installations"] = {200, "[]", {}};
  ASSERT_EQ(Run({"installation", "list", "--owner", "me", "--deletion-locked"}), 0) << err_.str();
  const std::string query = Last().Query();
  for (const char* part :
       {"owner=me", "group=", "state=", "dns_name=", "name=", "allowed-ip-ranges=",
        "override-ip-ranges=false", "deletion_locked=true", "page=0", "per_page=100"}) {
    EXPECT_NE(query.find(part), std::string::npos) << part << " in " << query;
  }
  EXPECT_EQ(query.find("include_group_config"), std::string::npos) << query;
  EXPECT_EQ(out_.str(), "[]\n");
}

TEST_F(CliNounsTest, WebhookCreateSendsHeadersInBodyAndOnTheCall) {
  responses_["POST /api/webhooks"] = {202, R"({"ID":"w1","OwnerID":"o","URL":"http://h"})", {}};
  ASSERT_EQ(Run({"webhook", "create", "--owner", "o", "--url", "http://h", "--header", "X-A=1",
                 "--header-from-env", "X-B=ENV_B"}),
            0)
      << err_.str();
  const RecordedRequest r = Last();
  EXPECT_EQ(r.Header("X-A"), "1");
  EXPECT_EQ(r.body, R"({"OwnerID":"o","URL":"http://h","Headers":[{"key":"X-A","value":"1"},)"
                    R"({"key":"X-B","value_from_env":"ENV_B"}]})");
}

TEST_F(CliNounsTest, GetsThatUpstreamTreatsDifferentlyOn404) {
  ASSERT_EQ(Run({"subscription", "get", "--subscription", "s1"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "null\n");
  EXPECT_EQ(Run({"installation", "backup", "get", "--backup", "b1"}), 1);
  EXPECT_NE(err_.str().find("failed with status code 404"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"group", "get", "--group", "g1"}), 0);
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliNounsTest, MmctlPrintsOutputEvenOnError) {
  responses_["POST /api/cluster_installation/ci1/exec/mmctl"] = {500, "boom output", {}};
  EXPECT_EQ(Run({"cluster", "installation", "mmctl", "--cluster-installation", "ci1", "--command",
                 "user list"}),
            1);
  EXPECT_EQ(out_.str(), "boom output\n");
  EXPECT_EQ(Last().body, R"(["user","list"])");
  EXPECT_NE(err_.str().find("failed to run mattermost CLI command"), std::string::npos);
}

TEST_F(CliNounsTest, MigrationRunsItselfOrItsSubcommand) {
  responses_["POST /api/cluster_installations/migrate"] = {200, "{}", {}};
  responses_["POST /api/cluster_installations/migrate/dns"] = {200, "{}", {}};
  ASSERT_EQ(Run({"cluster", "installation", "migration", "--source-cluster", "s",
                 "--target-cluster", "t"}),
            0)
      << err_.str();
  EXPECT_EQ(Last().Path(), "/api/cluster_installations/migrate");
  EXPECT_EQ(Last().body, R"({"InstallationID":"","SourceClusterID":"s","TargetClusterID":"t",)"
                         R"("DNSSwitch":false,"LockInstallation":false})");
  ASSERT_EQ(Run({"cluster", "installation", "migration", "dns", "--source-cluster", "s",
                 "--target-cluster", "t"}),
            0)
      << err_.str();
  EXPECT_EQ(Last().Path(), "/api/cluster_installations/migrate/dns");
  EXPECT_EQ(server_.requests().size(), 2u);
  EXPECT_EQ(Run({"cluster", "installation", "migration", "--target-cluster", "t"}), 1);
  EXPECT_EQ(err_.str(), "Error: --source-cluster is required\n");
}

TEST_F(CliNounsTest, WaitFollowsTheClusterUntilStable) {
  responses_["PUT /api/cluster/c1"] = {202, model::EncodeJson(SampleCluster()), {}};
  sequences_["GET /api/cluster/c1"] = {
      {200, model::EncodeJson(SampleCluster(model::ClusterState::kProvisioningRequested)), {}},
      {200, model::EncodeJson(SampleCluster(model::ClusterState::kStable)), {}}};
  ASSERT_EQ(Run({"cluster", "update", "--cluster", "c1", "--name", "n", "--wait"}), 0)
      << err_.str();
  EXPECT_NE(err_.str().find("cluster c1: provisioning-requested"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("cluster c1: stable"), std::string::npos) << err_.str();

  sequences_["GET /api/cluster/c1"] = {
      {200, model::EncodeJson(SampleCluster(model::ClusterState::kUpgradeFailed)), {}}};
  responses_["PUT /api/cluster/c1/kubernetes"] = {202, model::EncodeJson(SampleCluster()), {}};
  EXPECT_EQ(Run({"cluster", "upgrade", "--cluster", "c1", "--wait"}), 1);
  EXPECT_NE(err_.str().find("upgrade-failed"), std::string::npos) << err_.str();
}

TEST_F(CliNounsTest, BadFlagsNameTheFlag) {
  EXPECT_NE(Run({"cluster", "get"}), 0);
  EXPECT_NE(err_.str().find("--cluster"), std::string::npos) << err_.str();
  EXPECT_NE(Run({"cluster", "get", "--cluster", "c1", "--bogus"}), 0);
  EXPECT_NE((err_.str() + out_.str()).find("--bogus"), std::string::npos) << err_.str();
  EXPECT_NE(Run({"cluster", "list", "--page", "two"}), 0);
  EXPECT_NE((err_.str() + out_.str()).find("--page"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"installation", "create", "--owner", "o", "--dns", "a.b.c",
                 "--scheduled-deletion-time", "soon"}),
            1);
  EXPECT_NE(err_.str().find("--scheduled-deletion-time"), std::string::npos) << err_.str();
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(CliNounsTest, UnreachableServerGivesOneLine) {
  EXPECT_EQ(Run({"cluster", "get", "--cluster", "c1", "--server", "http://127.0.0.1:1"}, false), 1);
  const std::string err = err_.str();
  EXPECT_EQ(err.rfind("Error: ", 0), 0u) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find("failed to query cluster"), std::string::npos) << err;
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliNounsTest, NotSupportedCommandsSaySo) {
  EXPECT_EQ(Run({"workbench", "cluster", "--cluster", "c1"}), 1);
  EXPECT_NE(err_.str().find("not supported"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"dashboard", "--refresh-seconds", "0"}, false), 1);
  EXPECT_NE(err_.str().find("refresh seconds"), std::string::npos) << err_.str();
  EXPECT_TRUE(server_.requests().empty());
}

}  // namespace
}  // namespace cloud::cli
