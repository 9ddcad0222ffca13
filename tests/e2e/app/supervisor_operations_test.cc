// The operation supervisors end to end through a real `cloud server` process on the sim backend
// (SQLite and PostgreSQL): a DB restoration and a DB migration triggered through the API with the
// C++ client; the supervisors run them, and the state changes the server announces through a
// legacy webhook (a loopback HTTP listener here) must follow upstream-core.md §1.8 / §1.9 to the
// final state, the installation going back to hibernating. A server whose sim fails every restore
// Job takes a restoration and a migration to their failed states instead. Every supervisor's step
// durations (a group roll and an installation deletion included) must show up in /metrics.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "client/client.h"
#include "common/id.h"
#include "e2e/app/cloud_binary.h"
#include "store/sql_database_store.h"
#include "testlib/child_process.h"
#include "testlib/test_database.h"

namespace cloud {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

// Receives the server's legacy webhook POSTs on 127.0.0.1 and keeps "old -> new" per resource ID
// in arrival order (deliveries are ordered per resource).
class OperationsWebhookSink {
 public:
  OperationsWebhookSink() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 64) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OperationsWebhookSink() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> Of(const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = changes_.find(id);
    return it == changes_.end() ? std::vector<std::string>{} : it->second;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) continue;
      std::string in;
      char buf[4096];
      size_t body_at = std::string::npos;
      size_t length = 0;
      while (true) {
        pollfd c{conn, POLLIN, 0};
        if (poll(&c, 1, 2000) <= 0) break;
        const ssize_t n = read(conn, buf, sizeof buf);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
        if (body_at == std::string::npos) {
          body_at = in.find("\r\n\r\n");
          if (body_at == std::string::npos) continue;
          body_at += 4;
          std::string head = in.substr(0, body_at);
          for (char& ch : head)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          const size_t cl = head.find("content-length:");
          if (cl != std::string::npos) length = std::stoul(head.substr(cl + 15));
        }
        if (in.size() >= body_at + length) break;
      }
      const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!write(conn, ok.data(), ok.size());
      close(conn);
      if (body_at == std::string::npos) continue;
      nlohmann::json j = nlohmann::json::parse(in.substr(body_at), nullptr, false);
      if (!j.is_object()) continue;
      std::lock_guard lock(mu_);
      changes_[j.value("id", "")].push_back(j.value("old_state", "") + " -> " +
                                            j.value("new_state", ""));
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::string>> changes_;
};

struct OperationsServer {
  pid_t pid = -1;
  int port = 0;
  int metrics_port = 0;
  std::string log_path;
};

OperationsServer StartOperationsServer(const std::string& database, const std::string& log_path,
                                       const std::vector<std::string>& extra) {
  OperationsServer s;
  s.port = testlib::FreeLoopbackPort();
  s.metrics_port = testlib::FreeLoopbackPort();
  s.log_path = log_path;
  std::vector<std::string> args = {testlib::kCloudBinary,
                                   "server",
                                   "--database",
                                   database,
                                   "--listen",
                                   "127.0.0.1:" + std::to_string(s.port),
                                   "--metrics-port",
                                   std::to_string(s.metrics_port),
                                   "--poll",
                                   "1",
                                   "--slow-poll",
                                   "1",
                                   "--installation-deletion-pending-time",
                                   "1s",
                                   "--group-supervisor",
                                   "--backup-supervisor",
                                   "--installation-db-restoration-supervisor",
                                   "--installation-db-migration-supervisor",
                                   "--webhook-deny-private-ranges=false"};
  args.insert(args.end(), extra.begin(), extra.end());
  s.pid = testlib::SpawnLogged(std::move(args), log_path);
  return s;
}

// Polls `done` every 20 ms until it is true or `timeout` passed.
bool WaitForOperations(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  for (auto deadline = Steady::now() + timeout; Steady::now() < deadline;) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

class SupervisorOperationsE2E : public testlib::DatabaseTest {
 protected:
  void StartServer(const std::vector<std::string>& extra = {}) {
    dir_ = std::filesystem::temp_directory_path() / ("cloud-operations-e2e-" + NewId());
    std::filesystem::create_directories(dir_);
    server_ = StartOperationsServer(test_db().url(), (dir_ / "server.log").string(), extra);
    ASSERT_GT(server_.pid, 0);
    client_ = std::make_unique<client::Client>("http://127.0.0.1:" + std::to_string(server_.port));
    const bool healthy = WaitForOperations(
        [&] {
          auto r = client_->Send(client::HttpMethod::kGet, "/healthz");
          return r && r->status == 200;
        },
        15s);
    ASSERT_TRUE(healthy) << "server did not become healthy; see " << server_.log_path;
    model::CreateWebhookRequest hook;
    hook.owner_id = "operations-e2e";
    hook.url = sink_.url();
    auto created = client_->CreateWebhook(hook);
    ASSERT_TRUE(created) << created.error().message;
  }
  void TearDown() override {
    if (server_.pid > 0) {
      kill(server_.pid, SIGTERM);
      int status = 0;
      waitpid(server_.pid, &status, 0);
      server_.pid = -1;
    }
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
    DatabaseTest::TearDown();
  }

  std::string CreateStableCluster() {
    model::CreateClusterRequest request;
    request.allow_installations = true;
    auto cluster = client_->CreateCluster(request);
    EXPECT_TRUE(cluster) << cluster.error().message;
    if (!cluster) return {};
    const std::string id = cluster->cluster.id;
    EXPECT_TRUE(WaitForOperations(
        [&] {
          auto got = client_->GetCluster(id);
          return got && *got && (*got)->cluster.state == model::ClusterState::kStable;
        },
        20s))
        << "cluster did not become stable";
    return id;
  }

  std::string InstallationState(const std::string& id) {
    auto got = client_->GetInstallation(id);
    return got && *got ? std::string(model::ToString((*got)->installation.state)) : "";
  }
  // The installation's last `n` state changes ("old -> new"), oldest first, from its events.
  std::vector<std::string> LastInstallationChanges(const std::string& id, size_t n) {
    client::ListStateChangeEventsRequest request;
    request.resource_type = "installation";
    request.resource_id = id;
    auto events = client_->ListStateChangeEvents(request);
    EXPECT_TRUE(events) << events.error().message;
    std::vector<std::string> changes;  // the list is newest first
    if (events) {
      for (const model::StateChangeEventData& e : *events) {
        if (changes.size() == n) break;
        changes.insert(changes.begin(),
                       e.state_change.old_state + " -> " + e.state_change.new_state);
      }
    }
    return changes;
  }
  bool WaitInstallationState(const std::string& id, std::string_view state) {
    return WaitForOperations([&] { return InstallationState(id) == state; }, 20s);
  }

  // A stable installation (multitenant database, backup-compatible filestore) made hibernating.
  std::string CreateHibernatingInstallation(const std::string& name,
                                            const std::string& group_id = {}) {
    model::CreateInstallationRequest request;
    request.owner_id = "operations-e2e";
    request.dns = name + ".example.com";
    request.database = "aws-multitenant-rds-postgres";
    request.filestore = "bifrost";
    request.affinity = "multitenant";
    request.group_id = group_id;
    auto created = client_->CreateInstallation(request);
    EXPECT_TRUE(created) << created.error().message;
    if (!created) return {};
    const std::string id = created->installation.id;
    EXPECT_TRUE(WaitInstallationState(id, "stable")) << InstallationState(id);
    auto hibernated = client_->HibernateInstallation(id);
    EXPECT_TRUE(hibernated) << hibernated.error().message;
    EXPECT_TRUE(WaitInstallationState(id, "hibernating")) << InstallationState(id);
    return id;
  }

  std::string SucceededBackup(const std::string& installation_id) {
    auto backup = client_->CreateInstallationBackup(installation_id);
    EXPECT_TRUE(backup) << backup.error().message;
    if (!backup) return {};
    const std::string id = backup->id;
    EXPECT_TRUE(WaitForOperations(
        [&] {
          auto got = client_->GetInstallationBackup(id);
          return got && got->state == model::BackupState::kBackupSucceeded;
        },
        20s));
    return id;
  }

  // Two multitenant databases in one VPC, the first holding the installation (the sim keeps no
  // multitenant database rows; the real provisioner's database layer would have made them).
  std::string SeedMultitenantDatabases(const std::string& installation_id) {
    store::SqlDatabaseStore databases(db(), SystemClock::Instance());
    model::MultitenantDatabase source;
    source.rds_cluster_id = "rds-source-" + NewId();
    source.vpc_id = "vpc-e2e";
    source.installations = std::vector<std::string>{installation_id};
    model::MultitenantDatabase destination = source;
    destination.rds_cluster_id = "rds-destination-" + NewId();
    destination.installations = std::vector<std::string>{};
    EXPECT_TRUE(databases.CreateMultitenantDatabase(source));
    auto created = databases.CreateMultitenantDatabase(destination);
    EXPECT_TRUE(created) << created.error().message;
    return created ? created->id : "";
  }

  std::string StartMigration(const std::string& installation_id) {
    model::InstallationDBMigrationRequest request;
    request.installation_id = installation_id;
    request.destination_database = "aws-multitenant-rds-postgres";
    request.destination_multi_tenant =
        model::MultiTenantDBMigrationData{SeedMultitenantDatabases(installation_id)};
    auto migration = client_->MigrateInstallationDatabase(request);
    EXPECT_TRUE(migration) << migration.error().message;
    return migration ? migration->id : "";
  }

  // Waits until the webhooks of `id` are exactly `expected` (they arrive asynchronously).
  void ExpectAnnounced(const std::string& id, const std::vector<std::string>& expected) {
    WaitForOperations([&] { return sink_.Of(id).size() >= expected.size(); }, 10s);
    std::this_thread::sleep_for(100ms);  // nothing more may follow
    EXPECT_EQ(sink_.Of(id), expected) << "state changes announced for " << id;
  }

  OperationsWebhookSink sink_;
  std::filesystem::path dir_;
  OperationsServer server_;
  std::unique_ptr<client::Client> client_;
};

const std::string kRestoration = "installation-db-restoration-";
const std::string kMigration = "installation-db-migration-";

TEST_P(SupervisorOperationsE2E, RestorationAndMigrationThroughTheApiReachTheirFinalStates) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  CreateStableCluster();

  // DB restoration (§1.8).
  const std::string restored = CreateHibernatingInstallation("restored");
  const std::string backup = SucceededBackup(restored);
  auto restoration = client_->RestoreInstallationDatabase(restored, backup);
  ASSERT_TRUE(restoration) << restoration.error().message;
  ASSERT_TRUE(WaitForOperations(
      [&] {
        auto got = client_->GetInstallationDBRestoration(restoration->id);
        return got && got->state == model::RestorationState::kSucceeded;
      },
      20s));
  EXPECT_TRUE(WaitInstallationState(restored, "hibernating"));
  // The installation was restoring in between (the sim's restore job takes a few ms, so a read
  // right after the request may already find it back in hibernating: its events tell).
  EXPECT_EQ(LastInstallationChanges(restored, 2),
            (std::vector<std::string>{"hibernating -> db-restoration-in-progress",
                                      "db-restoration-in-progress -> hibernating"}));
  ExpectAnnounced(restoration->id, {"n/a -> " + kRestoration + "requested",
                                    kRestoration + "requested -> " + kRestoration + "in-progress",
                                    kRestoration + "in-progress -> " + kRestoration + "finishing",
                                    kRestoration + "finishing -> " + kRestoration + "succeeded"});

  // DB migration (§1.9): a backup, the database switch, a restoration, back to hibernating.
  const std::string migrated = CreateHibernatingInstallation("migrated");
  const std::string migration = StartMigration(migrated);
  ASSERT_FALSE(migration.empty());
  ASSERT_TRUE(WaitForOperations(
      [&] {
        auto got = client_->GetInstallationDBMigrationOperation(migration);
        return got && got->state == model::MigrationState::kSucceeded;
      },
      30s))
      << "see " << server_.log_path;
  EXPECT_TRUE(WaitInstallationState(migrated, "hibernating"));
  ExpectAnnounced(
      migration,
      {"n/a -> " + kMigration + "requested",
       kMigration + "requested -> " + kMigration + "installation-backup-in-progress",
       kMigration + "installation-backup-in-progress -> " + kMigration + "database switch",
       kMigration + "database switch -> " + kMigration + "refresh-secrets",
       kMigration + "refresh-secrets -> " + kMigration + "trigger-restoration",
       kMigration + "trigger-restoration -> " + kMigration + "restoration-in-progress",
       kMigration + "restoration-in-progress -> " + kMigration + "updating-installation-config",
       kMigration + "updating-installation-config -> " + kMigration + "finalizing",
       kMigration + "finalizing -> " + kMigration + "succeeded"});
  auto op = client_->GetInstallationDBMigrationOperation(migration);
  ASSERT_TRUE(op);
  auto its_restoration =
      client_->GetInstallationDBRestoration(op->installation_db_restoration_operation_id);
  ASSERT_TRUE(its_restoration);
  EXPECT_EQ(its_restoration->state, model::RestorationState::kSucceeded);
  EXPECT_EQ(its_restoration->target_installation_state, "db-migration-in-progress");
  // The installation's own events: hibernating -> migrating -> restoring -> migrating ->
  // hibernating.
  EXPECT_EQ(LastInstallationChanges(migrated, 4),
            (std::vector<std::string>{"hibernating -> db-migration-in-progress",
                                      "db-migration-in-progress -> db-restoration-in-progress",
                                      "db-restoration-in-progress -> db-migration-in-progress",
                                      "db-migration-in-progress -> hibernating"}));

  // A group rolls its member to a new version (group supervisor); the restored installation is
  // deleted (deletion pending for 1 s: the installation deletion supervisor).
  model::CreateGroupRequest group_request;
  group_request.name = "e2e-group";
  group_request.version = "9.1.0";
  group_request.max_rolling = 1;
  auto group = client_->CreateGroup(group_request);
  ASSERT_TRUE(group) << group.error().message;
  model::CreateInstallationRequest member;
  member.owner_id = "operations-e2e";
  member.dns = "member.example.com";
  member.database = "aws-multitenant-rds-postgres";
  member.filestore = "aws-multitenant-s3";
  member.affinity = "multitenant";
  member.group_id = group->group.id;
  // The group supervisor may hold the group's lease for a moment (the API then answers 409).
  Result<model::InstallationDTO> created = Internal("not tried");
  WaitForOperations(
      [&] {
        created = client_->CreateInstallation(member);
        return created.has_value();
      },
      10s);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(WaitInstallationState(created->installation.id, "stable"));
  model::PatchGroupRequest patch;
  patch.id = group->group.id;
  patch.version = "9.2.0";
  EXPECT_TRUE(WaitForOperations([&] { return client_->UpdateGroup(patch).has_value(); }, 10s));
  ASSERT_TRUE(client_->DeleteInstallation(restored));

  // Every supervisor that ran reports its steps in /metrics.
  client::Client metrics("http://127.0.0.1:" + std::to_string(server_.metrics_port));
  const std::vector<std::string> supervisors = {
      "cluster", "installation", "cluster_installation", "installation_deletion",
      "group",   "backup",       "db_restoration",       "db_migration"};
  std::map<std::string, double> counts;
  std::string body;
  WaitForOperations(
      [&] {
        auto r = metrics.Send(client::HttpMethod::kGet, "/metrics");
        if (!r || r->status != 200) return false;
        body = r->body;
        counts.clear();
        std::istringstream lines(body);
        for (std::string line; std::getline(lines, line);) {
          if (line.rfind("provisioner_supervisor_step_duration_seconds_count{", 0) != 0) continue;
          const size_t at = line.find("supervisor=\"");
          if (at == std::string::npos) continue;
          const size_t end = line.find('"', at + 12);
          counts[line.substr(at + 12, end - at - 12)] += std::stod(line.substr(line.rfind(' ')));
        }
        for (const std::string& name : supervisors) {
          if (counts[name] <= 0) return false;
        }
        return true;
      },
      20s);
  for (const std::string& name : supervisors) {
    EXPECT_GT(counts[name], 0) << "no step durations of the " << name << " supervisor in\n" << body;
  }
  EXPECT_NE(body.find("# TYPE provisioner_supervisor_step_duration_seconds histogram"),
            std::string::npos);
  EXPECT_NE(body.find("provisioner_supervisor_step_duration_seconds_bucket{supervisor=\"db_"
                      "migration\",state=\"installation-db-migration-database switch\",le="),
            std::string::npos);
  // Upstream's request-to-settled histograms (upstream-core.md §8): installations created and
  // hibernated (ungrouped: group "none"; the member: its group), the cluster created, its
  // cluster installations reconciled.
  EXPECT_NE(body.find("# TYPE provisioner_app_installation_creation_duration_seconds histogram"),
            std::string::npos);
  for (const std::string& series :
       {std::string(
            "provisioner_app_installation_creation_duration_seconds_count{group=\"none\"} "),
        "provisioner_app_installation_creation_duration_seconds_count{group=\"" + group->group.id +
            "\"} ",
        std::string(
            "provisioner_app_installation_hibernation_duration_seconds_count{group=\"none\"} "),
        std::string("provisioner_app_cluster_creation_duration_seconds_count "),
        std::string("provisioner_app_cluster_installation_reconciling_duration_seconds_count{"
                    "cluster=\"")}) {
    EXPECT_NE(body.find(series), std::string::npos) << series << " missing in\n" << body;
  }
}

TEST_P(SupervisorOperationsE2E, FailedRestoreJobsEndInTheFailedStates) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--sim-fail-jobs", "restore"}));
  CreateStableCluster();

  const std::string restored = CreateHibernatingInstallation("restore-fails");
  const std::string backup = SucceededBackup(restored);  // backups still succeed
  auto restoration = client_->RestoreInstallationDatabase(restored, backup);
  ASSERT_TRUE(restoration) << restoration.error().message;
  ASSERT_TRUE(WaitForOperations(
      [&] {
        auto got = client_->GetInstallationDBRestoration(restoration->id);
        return got && got->state == model::RestorationState::kFailed;
      },
      20s));
  EXPECT_EQ(InstallationState(restored), "db-restoration-failed");
  ExpectAnnounced(restoration->id, {"n/a -> " + kRestoration + "requested",
                                    kRestoration + "requested -> " + kRestoration + "in-progress",
                                    kRestoration + "in-progress -> " + kRestoration + "failing",
                                    kRestoration + "failing -> " + kRestoration + "failed"});

  const std::string migrated = CreateHibernatingInstallation("migrate-fails");
  const std::string migration = StartMigration(migrated);
  ASSERT_FALSE(migration.empty());
  ASSERT_TRUE(WaitForOperations(
      [&] {
        auto got = client_->GetInstallationDBMigrationOperation(migration);
        return got && got->state == model::MigrationState::kFailed;
      },
      30s))
      << "see " << server_.log_path;
  EXPECT_EQ(InstallationState(migrated), "db-migration-failed");
  const std::string last = kMigration + "failing -> " + kMigration + "failed";
  WaitForOperations(
      [&] {
        const std::vector<std::string> got = sink_.Of(migration);
        return !got.empty() && got.back() == last;
      },
      10s);
  const std::vector<std::string> announced = sink_.Of(migration);
  ASSERT_GE(announced.size(), 2u);
  EXPECT_EQ(announced[announced.size() - 2],
            kMigration + "restoration-in-progress -> " + kMigration + "failing");
  EXPECT_EQ(announced.back(), last);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(SupervisorOperationsE2E);

}  // namespace
}  // namespace cloud
