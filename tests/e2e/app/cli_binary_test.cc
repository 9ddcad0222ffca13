// The real `cloud` binary end to end: `cloud schema migrate` and `cloud server` (fresh SQLite
// file, simulated cloud) as child processes on loopback, driven by `cloud <noun> ...` child
// processes whose exit codes, stdout JSON and stderr lines are checked. HOME points at a
// scratch folder so contexts.json is the test's own.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "e2e/app/cloud_binary.h"
#include "testlib/child_process.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CloudBinary {
 public:
  explicit CloudBinary(fs::path home) : home_(std::move(home)) {
    for (char** e = environ; *e != nullptr; ++e) {
      std::string var = *e;
      if (var.rfind("HOME=", 0) == 0 || var.rfind("CP_", 0) == 0) continue;
      env_.push_back(var);
    }
    env_.push_back("HOME=" + home_.string());
  }

  // Starts `cloud args...` with stdout/stderr to files under HOME; returns its PID.
  pid_t Spawn(const std::vector<std::string>& args, const std::string& log_name) {
    std::vector<std::string> argv_s = {cloud::testlib::kCloudBinary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = (home_ / (log_name + ".out")).string();
    const std::string err = (home_ / (log_name + ".err")).string();
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, cloud::testlib::kCloudBinary, &actions, nullptr, argv.data(),
                               envp.data());
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "posix_spawn " << cloud::testlib::kCloudBinary;
    return pid;
  }

  // Runs `cloud args...` to completion.
  Output Run(const std::vector<std::string>& args) {
    const std::string name = "cmd" + std::to_string(++runs_);
    pid_t pid = Spawn(args, name);
    int status = 0;
    waitpid(pid, &status, 0);
    Output o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = ReadFile(home_ / (name + ".out"));
    o.err = ReadFile(home_ / (name + ".err"));
    return o;
  }

  const fs::path& home() const { return home_; }

 private:
  fs::path home_;
  std::vector<std::string> env_;
  int runs_ = 0;
};

std::string Describe(const Output& o) {
  return "exit " + std::to_string(o.exit_code) + "\nstdout:\n" + o.out + "\nstderr:\n" + o.err;
}

json ParseJson(const Output& o) {
  json j = json::parse(o.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << Describe(o);
  return j;
}

class CliBinaryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    home_ = fs::temp_directory_path() / ("cloud_cli_e2e_" + std::to_string(getpid()));
    fs::create_directories(home_);
    cloud_ = new CloudBinary(home_);
    const std::string db = "sqlite://" + (home_ / "cloud.db").string();
    Output migrated = cloud_->Run({"schema", "migrate", "--database", db});
    ASSERT_EQ(migrated.exit_code, 0) << Describe(migrated);
    const int port = cloud::testlib::FreeLoopbackPort();
    server_url_ = "http://127.0.0.1:" + std::to_string(port);
    server_pid_ =
        cloud_->Spawn({"server", "--listen", "127.0.0.1:" + std::to_string(port), "--metrics-port",
                       std::to_string(cloud::testlib::FreeLoopbackPort()), "--database", db,
                       "--deploy-minio-operator", "--deploy-mysql-operator", "--poll", "1"},
                      "server");
    for (int i = 0; i < 100; ++i) {
      if (cloud_->Run({"cluster", "list", "--server", server_url_}).exit_code == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "cloud server did not answer; its log:\n" << ReadFile(home_ / "server.err");
  }

  static void TearDownTestSuite() {
    if (server_pid_ > 0) {
      kill(server_pid_, SIGTERM);
      int status = 0;
      waitpid(server_pid_, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << "cloud server did not stop cleanly on SIGTERM";
    }
    delete cloud_;
    fs::remove_all(home_);
  }

  Output Cloud(std::vector<std::string> args) {
    args.push_back("--server");
    args.push_back(server_url_);
    return cloud_->Run(args);
  }

  json CloudJson(const std::vector<std::string>& args) {
    Output o = Cloud(args);
    EXPECT_EQ(o.exit_code, 0) << Describe(o);
    return ParseJson(o);
  }

  static inline fs::path home_;
  static inline CloudBinary* cloud_ = nullptr;
  static inline std::string server_url_;
  static inline pid_t server_pid_ = -1;
};

TEST_F(CliBinaryTest, ClusterAndInstallationLifecycleWithWait) {
  Output created = Cloud({"cluster", "create", "--wait", "--wait-timeout", "60s"});
  ASSERT_EQ(created.exit_code, 0) << Describe(created);
  const std::string cluster_id = ParseJson(created)["ID"];
  EXPECT_NE(created.err.find("cluster " + cluster_id + ": stable"), std::string::npos)
      << "progress lines on stderr:\n"
      << created.err;
  EXPECT_EQ(CloudJson({"cluster", "get", "--cluster", cluster_id})["State"], "stable");

  Output inst = Cloud({"installation", "create", "--owner", "e2e", "--dns", "e2e.example.com",
                       "--affinity", "multitenant", "--wait", "--wait-timeout", "60s"});
  ASSERT_EQ(inst.exit_code, 0) << Describe(inst);
  const json created_inst = ParseJson(inst);
  EXPECT_EQ(created_inst["State"], "creation-requested");
  EXPECT_EQ(created_inst["OwnerID"], "e2e");
  const std::string id = created_inst["ID"];

  json got = CloudJson({"installation", "get", "--installation", id});
  EXPECT_EQ(got["State"], "stable");
  EXPECT_EQ(got["DNSRecords"][0]["DomainName"], "e2e.example.com");

  json listed = CloudJson({"installation", "list", "--owner", "e2e"});
  ASSERT_TRUE(listed.is_array());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["ID"], id);
  Output table = Cloud({"installation", "list", "--owner", "e2e", "--table"});
  EXPECT_EQ(table.exit_code, 0) << Describe(table);
  EXPECT_NE(table.out.find("| " + id + " | stable"), std::string::npos) << table.out;

  json updated = CloudJson({"installation", "update", "--installation", id, "--version", "9.11.0",
                            "--wait", "--wait-timeout", "60s"});
  EXPECT_EQ(updated["Version"], "9.11.0");
  EXPECT_EQ(CloudJson({"installation", "get", "--installation", id})["State"], "stable");

  Output hibernated =
      Cloud({"installation", "hibernate", "--installation", id, "--wait", "--wait-timeout", "60s"});
  ASSERT_EQ(hibernated.exit_code, 0) << Describe(hibernated);
  EXPECT_EQ(CloudJson({"installation", "get", "--installation", id})["State"], "hibernating");
  Output woken =
      Cloud({"installation", "wake-up", "--installation", id, "--wait", "--wait-timeout", "60s"});
  ASSERT_EQ(woken.exit_code, 0) << Describe(woken);
  EXPECT_EQ(CloudJson({"installation", "get", "--installation", id})["State"], "stable");

  Output deleted =
      Cloud({"installation", "delete", "--installation", id, "--wait", "--wait-timeout", "60s"});
  ASSERT_EQ(deleted.exit_code, 0) << Describe(deleted);
  const std::string state = CloudJson({"installation", "get", "--installation", id})["State"];
  EXPECT_TRUE(state == "deletion-pending" || state == "deleted") << state;
}

TEST_F(CliBinaryTest, GroupCreateListGetUpdateDelete) {
  json group =
      CloudJson({"group", "create", "--name", "g-e2e", "--version", "9.1.0", "--max-rolling", "3"});
  const std::string id = group["ID"];
  EXPECT_EQ(group["Name"], "g-e2e");
  EXPECT_EQ(group["MaxRolling"], 3);
  json listed = CloudJson({"group", "list"});
  bool found = false;
  for (const json& g : listed) found = found || g["ID"] == id;
  EXPECT_TRUE(found) << listed.dump();
  json updated = CloudJson({"group", "update", "--group", id, "--version", "9.2.0"});
  EXPECT_EQ(updated["Version"], "9.2.0");
  EXPECT_EQ(CloudJson({"group", "get", "--group", id})["Version"], "9.2.0");
  Output deleted = Cloud({"group", "delete", "--group", id});
  ASSERT_EQ(deleted.exit_code, 0) << Describe(deleted);
  Output gone = Cloud({"group", "get", "--group", id});
  EXPECT_EQ(gone.exit_code, 0) << Describe(gone);  // upstream prints nothing for a deleted group
  json after = CloudJson({"group", "list"});
  for (const json& g : after) EXPECT_NE(g["ID"], id);
}

TEST_F(CliBinaryTest, WebhookAndSubscriptionCreateListDelete) {
  json hook = CloudJson({"webhook", "create", "--owner", "e2e", "--url", "http://127.0.0.1:9/h"});
  const std::string hook_id = hook["ID"];
  json hooks = CloudJson({"webhook", "list", "--owner", "e2e"});
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0]["URL"], "http://127.0.0.1:9/h");
  EXPECT_EQ(Cloud({"webhook", "delete", "--webhook", hook_id}).exit_code, 0);
  EXPECT_TRUE(CloudJson({"webhook", "list", "--owner", "e2e"}).empty());

  json sub = CloudJson({"subscription", "create", "--owner", "e2e", "--url", "http://127.0.0.1:9/s",
                        "--name", "s-e2e", "--event-type", "resourceStateChange"});
  const std::string sub_id = sub["ID"];
  EXPECT_EQ(sub["EventType"], "resourceStateChange");
  EXPECT_EQ(CloudJson({"subscription", "get", "--subscription", sub_id})["Name"], "s-e2e");
  EXPECT_EQ(Cloud({"subscription", "delete", "--subscription", sub_id}).exit_code, 0);
}

// Beyond upstream: a subscription's deliveries, listed and redelivered through the CLI. The
// target is a private address, which this (non --dev) server refuses to call: every delivery
// fails at once (a permanent policy refusal, not retried) and records why.
TEST_F(CliBinaryTest, SubscriptionDeliveriesAndRedeliver) {
  json sub =
      CloudJson({"subscription", "create", "--owner", "deliv", "--url", "http://10.255.255.1:9/s",
                 "--name", "s-deliv", "--event-type", "resourceStateChange"});
  const std::string sub_id = sub["ID"];
  json inst = CloudJson({"installation", "create", "--owner", "deliv", "--dns", "deliv.example.com",
                         "--affinity", "multitenant"});
  // Newest event first; the oldest rows of each resource are attempted first (in order).
  json attempted;
  for (int i = 0; i < 100 && attempted.is_null(); ++i) {
    json rows = CloudJson({"subscription", "deliveries", "--subscription", sub_id});
    for (const json& row : rows) {
      if (row["Attempts"].get<int>() > 0) attempted = row;
    }
    if (attempted.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(attempted.is_null()) << "no delivery was attempted";
  EXPECT_EQ(attempted["SubscriptionID"], sub_id);
  EXPECT_EQ(attempted["Status"], "failed") << attempted.dump();
  EXPECT_EQ(attempted["Attempts"], 1) << attempted.dump();
  EXPECT_NE(attempted["LastError"].get<std::string>().find("private"), std::string::npos)
      << attempted.dump();
  EXPECT_NE(attempted["LastError"].get<std::string>().find("permanent"), std::string::npos)
      << attempted.dump();
  const std::string event_id = attempted["EventID"];
  json again =
      CloudJson({"subscription", "redeliver", "--subscription", sub_id, "--event", event_id});
  EXPECT_EQ(again["EventID"], event_id);
  Output unknown = Cloud({"subscription", "redeliver", "--subscription", sub_id, "--event",
                          "nosucheventnosucheventnosu"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("404"), std::string::npos) << unknown.err;
}

TEST_F(CliBinaryTest, DryRunPrintsTheRequestAndSendsNothing) {
  const size_t before = CloudJson({"installation", "list", "--owner", "dry"}).size();
  Output dry =
      Cloud({"installation", "create", "--owner", "dry", "--dns", "dry.example.com", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << Describe(dry);
  json request = ParseJson(dry);
  EXPECT_EQ(request["OwnerID"], "dry");
  EXPECT_EQ(CloudJson({"installation", "list", "--owner", "dry"}).size(), before);
}

TEST_F(CliBinaryTest, ContextsSelectTheServer) {
  Output created = cloud_->Run(
      {"contexts", "create", "--server-url", server_url_, "--alias", "e2e", "--skip-auth"});
  ASSERT_EQ(created.exit_code, 0) << Describe(created);
  ASSERT_TRUE(fs::exists(home_ / ".cloud" / "contexts.json"));
  Output used = cloud_->Run({"contexts", "set-current", "e2e"});
  ASSERT_EQ(used.exit_code, 0) << Describe(used);
  // No --server: the current context's URL is used.
  Output listed = cloud_->Run({"cluster", "list"});
  EXPECT_EQ(listed.exit_code, 0) << Describe(listed);
  EXPECT_TRUE(ParseJson(listed).is_array());
}

TEST_F(CliBinaryTest, BadFlagsAndAnUnreachableServerGiveOneClearLine) {
  Output bad = Cloud(
      {"installation", "create", "--owner", "x", "--dns", "x.example.com", "--size", "huge-size"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(bad.out.empty()) << bad.out;
  EXPECT_NE(bad.err.find("400"), std::string::npos) << bad.err;

  Output unknown = Cloud({"cluster", "list", "--no-such-flag"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("--no-such-flag"), std::string::npos) << unknown.err;

  Output missing = Cloud({"installation", "get"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("--installation"), std::string::npos) << missing.err;

  Output down = cloud_->Run({"cluster", "list", "--server", "http://127.0.0.1:1"});
  EXPECT_NE(down.exit_code, 0);
  EXPECT_EQ(std::count(down.err.begin(), down.err.end(), '\n'), 1) << down.err;
  EXPECT_NE(down.err.find("127.0.0.1:1"), std::string::npos) << down.err;
}

// `cloud apikey create|list|delete --database` with the real binary, against a real
// `cloud server --require-api-key` on its own SQLite file: the created key authenticates, no
// key or a revoked key is 401. The key is printed once (create) and never listed.
TEST(CliApiKeyTest, CreatedKeyAuthenticatesUntilDeleted) {
  const fs::path home =
      fs::temp_directory_path() / ("cloud_apikey_e2e_" + std::to_string(getpid()));
  fs::create_directories(home);
  CloudBinary cloud(home);
  const std::string db = "sqlite://" + (home / "keys.db").string();
  Output migrated = cloud.Run({"schema", "migrate", "--database", db});
  ASSERT_EQ(migrated.exit_code, 0) << Describe(migrated);

  Output created = cloud.Run({"apikey", "create", "--name", "deployer", "--database", db});
  ASSERT_EQ(created.exit_code, 0) << Describe(created);
  std::string key, key_id;
  std::istringstream lines(created.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("cak_", 0) == 0) key = line;
    const std::string prefix = "Created API key ";
    if (line.rfind(prefix, 0) == 0) key_id = line.substr(prefix.size(), 26);
  }
  ASSERT_FALSE(key.empty()) << Describe(created);
  ASSERT_EQ(key_id.size(), 26u) << Describe(created);
  Output empty_name = cloud.Run({"apikey", "create", "--name", "", "--database", db});
  EXPECT_NE(empty_name.exit_code, 0);
  EXPECT_NE(empty_name.err.find("--name"), std::string::npos) << Describe(empty_name);

  Output listed = cloud.Run({"apikey", "list", "--database", db});
  ASSERT_EQ(listed.exit_code, 0) << Describe(listed);
  EXPECT_NE(listed.out.find(key_id), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("deployer"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find(key), std::string::npos) << "list must not print the key";

  const int port = cloud::testlib::FreeLoopbackPort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const pid_t server =
      cloud.Spawn({"server", "--listen", "127.0.0.1:" + std::to_string(port), "--metrics-port",
                   std::to_string(cloud::testlib::FreeLoopbackPort()), "--database", db,
                   "--require-api-key", "--disable-all-supervisors"},
                  "keyserver");
  cloud::client::Client with_key(url, {{"Authorization", "Bearer " + key}});
  cloud::client::Client without_key(url);
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    auto r = without_key.Send(cloud::client::HttpMethod::kGet, "/api/clusters");
    if (r) {
      status = r->status;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 401) << "server log:\n" << ReadFile(home / "keyserver.err");

  auto ok = with_key.Send(cloud::client::HttpMethod::kGet, "/api/clusters");
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->status, 200) << ok->body;
  auto group = with_key.Send(cloud::client::HttpMethod::kPost, "/api/groups", {},
                             std::string(R"({"Name":"g-key"})"));
  ASSERT_TRUE(group.has_value()) << group.error().message;
  EXPECT_EQ(group->status, 200) << group->body;
  auto anonymous_write = without_key.Send(cloud::client::HttpMethod::kPost, "/api/groups", {},
                                          std::string(R"({"Name":"g-nokey"})"));
  ASSERT_TRUE(anonymous_write.has_value()) << anonymous_write.error().message;
  EXPECT_EQ(anonymous_write->status, 401);

  Output unknown =
      cloud.Run({"apikey", "delete", "--apikey", "nosuchkeynosuchkeynosuchk", "--database", db});
  EXPECT_NE(unknown.exit_code, 0) << Describe(unknown);
  EXPECT_NE(unknown.err.find("--apikey"), std::string::npos) << Describe(unknown);
  Output deleted = cloud.Run({"apikey", "delete", "--apikey", key_id, "--database", db});
  ASSERT_EQ(deleted.exit_code, 0) << Describe(deleted);
  auto revoked = with_key.Send(cloud::client::HttpMethod::kGet, "/api/clusters");
  ASSERT_TRUE(revoked.has_value()) << revoked.error().message;
  EXPECT_EQ(revoked->status, 401) << revoked->body;
  Output after = cloud.Run({"apikey", "list", "--database", db});
  ASSERT_EQ(after.exit_code, 0) << Describe(after);
  EXPECT_NE(after.out.find(key_id), std::string::npos) << after.out;
  EXPECT_EQ(after.out.find(key), std::string::npos);

  kill(server, SIGTERM);
  int wait_status = 0;
  waitpid(server, &wait_status, 0);
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0)
      << ReadFile(home / "keyserver.err");
  const std::string server_log = ReadFile(home / "keyserver.err");
  EXPECT_EQ(server_log.find(key), std::string::npos) << "the key must never be logged";
  fs::remove_all(home);
}

// `cloud server` on its own SQLite file reuses GET /api/installation/{id} bodies while nothing
// is committed, and sees a commit made by another process (the sqlite3 shell) at once; the
// lookups are counted on /metrics.
TEST(CliResponseCacheTest, InstallationBodiesLastUntilAnotherProcessCommits) {
  const fs::path home = fs::temp_directory_path() / ("cloud_cache_e2e_" + std::to_string(getpid()));
  fs::create_directories(home);
  CloudBinary cloud(home);
  const fs::path file = home / "cache.db";
  const std::string db = "sqlite://" + file.string();
  Output migrated = cloud.Run({"schema", "migrate", "--database", db});
  ASSERT_EQ(migrated.exit_code, 0) << Describe(migrated);
  const int port = cloud::testlib::FreeLoopbackPort();
  const int metrics_port = cloud::testlib::FreeLoopbackPort();
  const pid_t server =
      cloud.Spawn({"server", "--listen", "127.0.0.1:" + std::to_string(port), "--metrics-port",
                   std::to_string(metrics_port), "--database", db, "--deploy-minio-operator",
                   "--deploy-mysql-operator", "--disable-all-supervisors"},
                  "cacheserver");
  cloud::client::Client api("http://127.0.0.1:" + std::to_string(port));
  cloud::client::Client metrics("http://127.0.0.1:" + std::to_string(metrics_port));
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    up = api.Send(cloud::client::HttpMethod::kGet, "/api/clusters").has_value();
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(up) << ReadFile(home / "cacheserver.err");

  auto created = api.Send(cloud::client::HttpMethod::kPost, "/api/installations", {},
                          std::string(R"({"OwnerID":"cache","DNS":"cache.example.com"})"));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  ASSERT_EQ(created->status, 202) << created->body;
  const std::string id = json::parse(created->body)["ID"];
  auto get = [&] {
    auto r = api.Send(cloud::client::HttpMethod::kGet, "/api/installation/" + id);
    EXPECT_TRUE(r.has_value() && r->status == 200) << (r ? r->body : r.error().message);
    return r ? json::parse(r->body, nullptr, false) : json();
  };
  const json first = get();
  EXPECT_EQ(first["State"], "creation-requested");
  EXPECT_EQ(get(), first);

  const std::string shell = "sqlite3 '" + file.string() +
                            "' \"PRAGMA busy_timeout=5000; UPDATE Installation SET State = "
                            "'stable' WHERE ID = '" +
                            id + "';\"";
  ASSERT_EQ(std::system(shell.c_str()), 0)
      << "needs the sqlite3 shell (scripts/install-deps --test)";
  EXPECT_EQ(get()["State"], "stable");
  EXPECT_EQ(get()["State"], "stable");

  auto scraped = metrics.Send(cloud::client::HttpMethod::kGet, "/metrics");
  ASSERT_TRUE(scraped.has_value()) << scraped.error().message;
  // Four GETs: the first after the create and the first after the shell's commit read the
  // store, the two others were answered from the cache. (A read connection the server opens
  // meanwhile, having nothing to compare with, may count as a change: one more miss.)
  auto counted = [&](const std::string& result) {
    const std::string series =
        "provisioner_api_response_cache_lookups_total{result=\"" + result + "\"} ";
    const size_t at = scraped->body.find(series);
    return at == std::string::npos ? -1 : std::atoi(scraped->body.c_str() + at + series.size());
  };
  EXPECT_EQ(counted("hit") + counted("miss"), 4) << scraped->body;
  EXPECT_GE(counted("hit"), 1) << scraped->body;

  kill(server, SIGTERM);
  int status = 0;
  waitpid(server, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(home / "cacheserver.err");
  fs::remove_all(home);
}

}  // namespace
