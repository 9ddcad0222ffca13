// The real `cloud server --import-supervisor --awat <fake AWAT>` (SQLite, sim cloud): an
// installation created through the API is imported when AWAT hands out an import for it
// (stable -> import-in-progress -> import-complete), and goes back to stable once AWAT lists the
// import as complete; AWAT sees our ProvisionerID, the lock release and no error report.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "common/id.h"
#include "e2e/app/cloud_binary.h"
#include "fakes/fake_awat_server.h"
#include "testlib/child_process.h"

namespace cloud {
namespace {

using namespace std::chrono_literals;
using ImportSteady = std::chrono::steady_clock;

template <class Pred>
bool ImportWaitUntil(std::chrono::milliseconds timeout, Pred pred) {
  for (auto deadline = ImportSteady::now() + timeout; ImportSteady::now() < deadline;) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

TEST(ImportBinary, ServerImportsAnInstallationHandedOutByAwat) {
  testing::FakeAwatServer awat;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cloud-import-e2e-" + NewId());
  std::filesystem::create_directories(dir);
  const std::string database = "sqlite://" + (dir / "cloud.db").string();
  const std::string log_path = (dir / "server.log").string();

  pid_t migrate =
      testlib::SpawnLogged({testlib::kCloudBinary, "schema", "migrate", "--database", database},
                           (dir / "migrate.log").string(), {"HOSTNAME=import-e2e"});
  ASSERT_GT(migrate, 0);
  int status = 0;
  waitpid(migrate, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  const int port = testlib::FreeLoopbackPort();
  pid_t server =
      testlib::SpawnLogged({testlib::kCloudBinary, "server", "--database", database, "--listen",
                            "127.0.0.1:" + std::to_string(port), "--metrics-port",
                            std::to_string(testlib::FreeLoopbackPort()), "--machine-readable-logs",
                            "--poll", "1", "--import-supervisor", "--awat", awat.url()},
                           log_path, {"HOSTNAME=import-e2e-instance"});
  ASSERT_GT(server, 0);
  struct Guard {
    std::function<void()> fn;
    ~Guard() { fn(); }
  } guard{[&] {
    if (server > 0) {
      kill(server, SIGTERM);
      int s = 0;
      waitpid(server, &s, 0);
      server = -1;
    }
  }};
  client::Client c("http://127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(ImportWaitUntil(15s,
                              [&] {
                                auto r = c.Send(client::HttpMethod::kGet, "/healthz");
                                return r && r->status == 200;
                              }))
      << "server did not become healthy; see " << log_path;

  model::CreateClusterRequest cluster_request;
  cluster_request.allow_installations = true;
  auto cluster = c.CreateCluster(cluster_request);
  ASSERT_TRUE(cluster) << cluster.error().message;
  model::CreateInstallationRequest request;
  request.owner_id = "importer";
  request.dns = "importee.example.com";
  request.database = "aws-multitenant-rds-postgres";
  request.filestore = "bifrost";
  request.affinity = "multitenant";
  auto created = c.CreateInstallation(request);
  ASSERT_TRUE(created) << created.error().message;
  const std::string id = created->installation.id;
  auto state_of = [&]() -> std::string {
    auto got = c.GetInstallation(id, {});
    return got && *got ? std::string(model::ToString((*got)->installation.state)) : "";
  };
  ASSERT_TRUE(ImportWaitUntil(30s, [&] { return state_of() == "stable"; }))
      << "installation not stable: " << state_of() << "; see " << log_path;

  const std::string import_id = awat.AddReadyImport(id, 25, "imported-team", "slack");
  const auto handed_out = ImportSteady::now();
  ASSERT_TRUE(ImportWaitUntil(15s, [&] { return state_of() == "import-complete"; }))
      << "installation not import-complete: " << state_of() << "; see " << log_path;
  auto claimed = awat.Get(import_id);
  ASSERT_TRUE(claimed);
  EXPECT_NE(claimed->start_at, 0);
  EXPECT_EQ(claimed->import_by, "");  // released
  EXPECT_EQ(awat.Count("GET", "/import/" + import_id + "/release"), 1);
  EXPECT_TRUE(awat.completions().empty());

  const double to_import_complete_s =
      std::chrono::duration<double>(ImportSteady::now() - handed_out).count();
  awat.AwatSeesInstallationImportComplete(import_id);
  const auto awat_completed = ImportSteady::now();
  ASSERT_TRUE(ImportWaitUntil(40s, [&] { return state_of() == "stable"; }))
      << "installation not back to stable: " << state_of() << "; see " << log_path;
  std::printf(
      "import handed out -> installation import-complete: %.2f s; AWAT complete -> "
      "stable: %.2f s (--poll 1)\n",
      to_import_complete_s,
      std::chrono::duration<double>(ImportSteady::now() - awat_completed).count());

  bool provisioner_id_sent = false;
  for (const auto& r : awat.requests()) {
    if (r.method != "POST" || r.Path() != "/import") continue;
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    provisioner_id_sent =
        provisioner_id_sent ||
        (!body.is_discarded() && body.value("ProvisionerID", "") == "import-e2e-instance");
  }
  EXPECT_TRUE(provisioner_id_sent);

  guard.fn();
  std::ifstream log(log_path);
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("import supervisor enabled"), std::string::npos);
  EXPECT_NE(text.str().find("AWAT completed the import; installation back to stable"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cloud
