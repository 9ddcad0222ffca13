// Three real `cloud server` processes on one PostgreSQL database with a 2 s lease expiry: 300
// installations (and a cluster) created through their APIs, one process SIGKILLed midway. All
// installations must end stable, and the simulated cloud calls of all processes must show that
// leases worked: no step ever ran on one resource in two places at once, and one-shot steps ran
// once per installation — twice only when the killed process had started it.
//
// Each process has its own in-memory sim, so the calls are read from the processes' logs:
// `--sim-log-calls` makes the sim log "sim call started" / "sim call" records (JSON with
// --machine-readable-logs, flushed per record, so a SIGKILLed process's records survive).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "client/client.h"
#include "common/id.h"
#include "e2e/app/cloud_binary.h"
#include "testlib/child_process.h"
#include "testlib/test_database.h"

namespace cloud {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ServerProcess {
  pid_t pid = -1;
  int port = 0;
  std::string log_path;
  bool killed = false;
  int64_t killed_at_ms = 0;
};

ServerProcess StartServer(const std::string& database, const std::string& log_path, int index) {
  ServerProcess p;
  p.port = testlib::FreeLoopbackPort();
  const int metrics_port = testlib::FreeLoopbackPort();
  p.log_path = log_path;
  std::vector<std::string> args = {testlib::kCloudBinary,
                                   "server",
                                   "--database",
                                   database,
                                   "--listen",
                                   "127.0.0.1:" + std::to_string(p.port),
                                   "--metrics-port",
                                   std::to_string(metrics_port),
                                   "--machine-readable-logs",
                                   "--sim-log-calls",
                                   "--lease-expiry",
                                   "2s",
                                   "--poll",
                                   "1"};
  // Each instance needs its own lock holder ID (upstream: $HOSTNAME).
  p.pid = testlib::SpawnLogged(std::move(args), log_path,
                               {"HOSTNAME=multi-instance-" + std::to_string(index)});
  return p;
}

bool WaitHealthy(client::Client& c, std::chrono::milliseconds timeout) {
  const auto deadline = Steady::now() + timeout;
  while (Steady::now() < deadline) {
    auto r = c.Send(client::HttpMethod::kGet, "/healthz");
    if (r && r->status == 200) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

struct SimCall {
  int process = 0;
  std::string step;
  std::vector<std::string> resources;
  int64_t start_ms = 0;
  int64_t end_ms = 0;  // for an unfinished call of the killed process: the kill time
};

// The sim calls a process logged; started-but-unfinished calls end at `end_if_unfinished`.
std::vector<SimCall> ReadSimCalls(const ServerProcess& p, int index, int64_t end_if_unfinished) {
  std::vector<SimCall> calls;
  std::map<std::string, SimCall> open;  // key: step|resources|nth
  std::ifstream in(p.log_path);
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("msg")) continue;
    const std::string msg = j["msg"].get<std::string>();
    if (msg != "sim call" && msg != "sim call started") continue;
    const std::string key =
        j.value("step", "") + "|" + j.value("resources", "") + "|" + j.value("nth", "");
    if (msg == "sim call started") {
      SimCall call;
      call.process = index;
      call.step = j.value("step", "");
      std::string resources = j.value("resources", "");
      for (size_t pos = 0; pos <= resources.size();) {
        size_t comma = resources.find(',', pos);
        if (comma == std::string::npos) comma = resources.size();
        if (comma > pos) call.resources.push_back(resources.substr(pos, comma - pos));
        pos = comma + 1;
      }
      call.start_ms = std::stoll(j.value("start_ms", "0"));
      open[key] = call;
    } else {
      auto it = open.find(key);
      if (it == open.end()) continue;
      it->second.end_ms = std::stoll(j.value("end_ms", "0"));
      calls.push_back(it->second);
      open.erase(it);
    }
  }
  for (auto& [key, call] : open) {
    call.end_ms = end_if_unfinished;
    calls.push_back(call);
  }
  return calls;
}

TEST(MultiInstance, ThreeServersOneKilledAllInstallationsStableNoStepRanTwiceUnderALease) {
  CLOUD_REQUIRE_POSTGRES();
  auto test_db = testlib::MakeMigratedTestDatabase(testlib::Engine::kPostgres);
  ASSERT_TRUE(test_db) << test_db.error().message;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cloud-multi-instance-" + NewId());
  std::filesystem::create_directories(dir);

  std::vector<ServerProcess> servers;
  for (int i = 0; i < 3; ++i) {
    servers.push_back(StartServer((*test_db)->url(),
                                  (dir / ("server-" + std::to_string(i) + ".log")).string(), i));
    ASSERT_GT(servers.back().pid, 0);
  }
  auto stop_all = [&] {
    for (ServerProcess& p : servers) {
      if (p.killed || p.pid <= 0) continue;
      kill(p.pid, SIGTERM);
      int status = 0;
      waitpid(p.pid, &status, 0);
      p.pid = -1;
    }
  };
  // Also on a failed ASSERT: never leave servers running.
  struct Guard {
    std::function<void()> fn;
    ~Guard() { fn(); }
  } guard{stop_all};
  std::vector<client::Client> clients;
  for (const ServerProcess& p : servers) {
    clients.emplace_back("http://127.0.0.1:" + std::to_string(p.port));
  }
  for (size_t i = 0; i < clients.size(); ++i) {
    if (!WaitHealthy(clients[i], 15s)) {
      stop_all();
      FAIL() << "server " << i << " did not become healthy; see " << servers[i].log_path;
    }
  }

  // A cluster to schedule on.
  model::CreateClusterRequest cluster_request;
  cluster_request.allow_installations = true;
  auto cluster = clients[0].CreateCluster(cluster_request);
  ASSERT_TRUE(cluster) << cluster.error().message;
  const std::string cluster_id = cluster->cluster.id;
  bool cluster_stable = false;
  for (auto deadline = Steady::now() + 15s; Steady::now() < deadline && !cluster_stable;) {
    auto got = clients[1].GetCluster(cluster_id);
    cluster_stable = got && *got && (*got)->cluster.state == model::ClusterState::kStable;
    if (!cluster_stable) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(cluster_stable) << "cluster " << cluster_id << " did not become stable";

  // 300 installations, round-robin over the live servers; server 2 is killed after 150.
  constexpr int kInstallations = 300;
  constexpr int kKilled = 2;
  const auto started = Steady::now();
  std::vector<std::string> ids;
  for (int n = 0; n < kInstallations; ++n) {
    if (n == kInstallations / 2) {
      ASSERT_EQ(kill(servers[kKilled].pid, SIGKILL), 0);
      servers[kKilled].killed_at_ms = NowMs();
      servers[kKilled].killed = true;
      int status = 0;
      waitpid(servers[kKilled].pid, &status, 0);
    }
    int target = n % 3;
    if (servers[target].killed) target = (target + 1) % 3;
    model::CreateInstallationRequest request;
    request.owner_id = "multi";
    request.dns = "multi-" + std::to_string(n) + ".example.com";
    // Multitenant database and filestore: the server's defaults need operators not deployed.
    request.database = "aws-multitenant-rds-postgres";
    request.filestore = "aws-multitenant-s3";
    request.affinity = "multitenant";
    auto created = clients[target].CreateInstallation(request);
    ASSERT_TRUE(created) << created.error().message;
    ids.push_back(created->installation.id);
  }

  // All stable (the killed process's leases expire after 2 s and are taken over).
  int64_t stable = 0;
  for (auto deadline = Steady::now() + 40s; Steady::now() < deadline;) {
    auto status = clients[0].GetInstallationsStatus();
    stable = status && *status ? (*status)->installations_stable : 0;
    if (stable == kInstallations) break;
    std::this_thread::sleep_for(100ms);
  }
  const double all_stable_s = std::chrono::duration<double>(Steady::now() - started).count();
  std::printf(
      "%lld of %d installations stable %.2f s after the first create (server %d "
      "SIGKILLed after %d creates)\n",
      static_cast<long long>(stable), kInstallations, all_stable_s, kKilled, kInstallations / 2);
  stop_all();
  EXPECT_EQ(stable, kInstallations);

  // --- the sim calls of all three processes -------------------------------------------------
  std::vector<SimCall> calls;
  for (int i = 0; i < 3; ++i) {
    std::vector<SimCall> mine = ReadSimCalls(servers[i], i, servers[kKilled].killed_at_ms);
    calls.insert(calls.end(), mine.begin(), mine.end());
  }
  ASSERT_FALSE(calls.empty()) << "no sim call records in the server logs";

  // (1) Mutual exclusion: calls of one step on one leased row (an installation or a cluster
  // installation: the first resource of its calls) never overlap in time. Calls on the cluster
  // itself (get-cluster-resources, prepare-cluster-utilities, ...) are made by many
  // installation passes at once, none of which leases the cluster, so they are left out.
  std::map<std::pair<std::string, std::string>, std::vector<const SimCall*>> by_step_resource;
  int checked = 0;
  for (const SimCall& c : calls) {
    if (c.resources.empty() || c.resources.front() == cluster_id) continue;
    by_step_resource[{c.step, c.resources.front()}].push_back(&c);
    ++checked;
  }
  EXPECT_GT(checked, kInstallations);
  int overlaps = 0;
  for (auto& [key, list] : by_step_resource) {
    std::sort(list.begin(), list.end(),
              [](const SimCall* a, const SimCall* b) { return a->start_ms < b->start_ms; });
    for (size_t k = 1; k < list.size(); ++k) {
      if (list[k]->start_ms < list[k - 1]->end_ms && list[k]->process != list[k - 1]->process) {
        ++overlaps;
        ADD_FAILURE() << key.first << " on " << key.second << " ran in processes "
                      << list[k - 1]->process << " and " << list[k]->process << " at once";
      }
    }
  }
  EXPECT_EQ(overlaps, 0);

  // (2) One-shot steps of installation creation: once per installation; a second time only
  // when the killed process had started it, and then only after the kill.
  const std::set<std::string> kOneShot = {"provision-database", "provision-filestore",
                                          "create-cluster-installation"};
  int installations_redone = 0;
  int total_killed_calls = 0;
  for (const SimCall& c : calls) total_killed_calls += c.process == kKilled ? 1 : 0;
  for (const std::string& id : ids) {
    bool redone = false;
    for (const std::string& step : kOneShot) {
      std::vector<const SimCall*> by_killed, by_survivors;
      for (const SimCall& c : calls) {
        if (c.step != step ||
            std::find(c.resources.begin(), c.resources.end(), id) == c.resources.end())
          continue;
        (c.process == kKilled ? by_killed : by_survivors).push_back(&c);
      }
      EXPECT_EQ(by_killed.size() + by_survivors.size() >= 1, true)
          << step << " never ran for " << id;
      EXPECT_LE(by_killed.size(), 1u) << step << " ran twice in one process for " << id;
      EXPECT_LE(by_survivors.size(), 1u) << step << " ran twice among the survivors for " << id;
      if (!by_killed.empty() && !by_survivors.empty()) {
        redone = true;
        EXPECT_GE(by_survivors.front()->start_ms, servers[kKilled].killed_at_ms)
            << step << " for " << id << " re-ran before the killed process died";
      }
    }
    installations_redone += redone ? 1 : 0;
  }
  std::printf(
      "%zu sim calls logged (%d by the killed process); %d installations had a one-shot "
      "step re-run after the kill\n",
      calls.size(), total_killed_calls, installations_redone);
  EXPECT_GT(total_killed_calls, 0) << "the killed process did no work before it was killed";
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cloud
