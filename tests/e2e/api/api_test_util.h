// Shared fixture of the API route tests (tests/e2e/api/*_routes_test.cc): a migrated test
// database (each suite runs on SQLite and on PostgreSQL: CLOUD_INSTANTIATE_ENGINE_TESTS), the SQL
// stores, a recording supervisor notifier, the full route table (RegisterApiRoutes) served by the
// real HttpServer on 127.0.0.1 port 0, and a tiny loopback HTTP/1.1 client. Header-only: the tests
// link cloud::api (which links cloud::store) and cloud::testlib only.
//
//   class ClusterRoutes : public apitest::ApiTest {};
//   TEST_P(ClusterRoutes, GetUnknownIs404) {
//     WireResponse r = Get("/api/cluster/" + NewId());
//     EXPECT_EQ(r.status, 404);
//   }
//   CLOUD_INSTANTIATE_ENGINE_TESTS(ClusterRoutes);
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api_deps.h"
#include "api/api_routes.h"
#include "api/handler.h"
#include "api/http_server.h"
#include "api/router.h"
#include "common/clock.h"
#include "common/id.h"
#include "model/cluster_installation.h"
#include "model/cluster_states.h"
#include "model/installation_states.h"
#include "store/lock_store.h"
#include "store/sql_annotation_store.h"
#include "store/sql_backup_store.h"
#include "store/sql_cluster_installation_store.h"
#include "store/sql_cluster_store.h"
#include "store/sql_database_store.h"
#include "store/sql_db_migration_store.h"
#include "store/sql_db_restoration_store.h"
#include "store/sql_dns_record_store.h"
#include "store/sql_event_store.h"
#include "store/sql_group_store.h"
#include "store/sql_installation_store.h"
#include "store/sql_subscription_store.h"
#include "store/sql_webhook_store.h"
#include "supervisor/notifier.h"
#include "testlib/test_database.h"

namespace cloud::apitest {

using testlib::Engine;
using testlib::MakeMigratedTestDatabase;
using testlib::TestDatabase;
using testlib::TestLogger;

// One HTTP response as read off the wire.
struct WireResponse {
  int status = 0;                              // 0: no response (connection closed / timeout)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  // The body parsed as JSON (null when it is not JSON).
  nlohmann::ordered_json Json() const {
    return nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
  }
  // A string field of a JSON object body ("" when absent or not an object).
  std::string Field(const std::string& key) const {
    nlohmann::ordered_json j = Json();
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
    return j[key].get<std::string>();
  }
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// One keep-alive HTTP/1.1 connection to 127.0.0.1:port (reconnects when the server closed it).
// Reads time out after 20 s so a broken server fails the test instead of hanging it.
class LoopbackClient {
 public:
  explicit LoopbackClient(uint16_t port) : port_(port) {}
  ~LoopbackClient() { Close(); }
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  // Sends one request and reads its response; status 0 when none came.
  WireResponse Request(const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::vector<std::string>& extra_headers = {}) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return {};
      if (!Send(method, target, body, extra_headers)) {
        Close();
        continue;
      }
      std::optional<WireResponse> response = Read();
      if (response) {
        if (response->Header("connection") == "close") Close();
        return *response;
      }
      Close();
      if (attempt == 0 && sent_on_reused_) continue;  // stale keep-alive connection
      return {};
    }
    return {};
  }

 private:
  bool Connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      Close();
      return false;
    }
    timeval tv{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fresh_ = true;
    return true;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }
  bool Send(const std::string& method, const std::string& target, const std::string& body,
            const std::vector<std::string>& extra_headers) {
    sent_on_reused_ = !fresh_;
    fresh_ = false;
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    for (const std::string& h : extra_headers) request += h + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    size_t sent = 0;
    while (sent < request.size()) {
      ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  bool Fill() {
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  std::optional<WireResponse> Read() {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    WireResponse response;
    std::string head = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end + 4);
    size_t line_end = head.find("\r\n");
    response.status = std::stoi(head.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      std::string line = head.substr(pos, end - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers[name] = value;
      pos = end + 2;
    }
    size_t length = 0;
    if (auto it = response.headers.find("content-length"); it != response.headers.end()) {
      length = std::stoul(it->second);
    }
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  uint16_t port_;
  int fd_ = -1;
  bool fresh_ = false;
  bool sent_on_reused_ = false;
  std::string buffer_;
};

// A supervisor::Notifier that records every wake-up. Thread-safe.
class RecordingNotifier final : public supervisor::Notifier {
 public:
  struct Call {
    supervisor::ResourceKind kind;
    std::string id;  // "" for a kind-wide wake-up
  };
  void Notify(supervisor::ResourceKind kind) override { Record(kind, ""); }
  void Notify(supervisor::ResourceKind kind, std::string_view id) override {
    Record(kind, std::string(id));
  }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  // How many wake-ups of `kind` (any id) were recorded.
  size_t Count(supervisor::ResourceKind kind) const {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const Call& c : calls_) n += c.kind == kind ? 1 : 0;
    return n;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.clear();
  }

 private:
  void Record(supervisor::ResourceKind kind, std::string id) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back({kind, std::move(id)});
  }
  mutable std::mutex mu_;
  std::vector<Call> calls_;
};

// The server under test. Each test gets a fresh database (SQLite file or PostgreSQL schema,
// by the test parameter) and server.
class ApiTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam() == Engine::kPostgres && testlib::PostgresTestDsn().empty()) {
      if (testlib::PostgresSkipAllowed()) GTEST_SKIP() << testlib::MissingPostgresMessage();
      FAIL() << testlib::MissingPostgresMessage();
    }
    Result<std::unique_ptr<TestDatabase>> db = MakeMigratedTestDatabase(GetParam());
    ASSERT_TRUE(db.has_value()) << db.error().message;
    test_db_ = std::move(*db);
    store::SqlDatabase& sql = test_db_->db();
    locks_ = store::MakeSqlLockStore(sql, clock_);
    clusters_ = std::make_unique<store::SqlClusterStore>(sql, *locks_, clock_);
    installations_ = std::make_unique<store::SqlInstallationStore>(sql, *locks_, clock_);
    cluster_installations_ =
        std::make_unique<store::SqlClusterInstallationStore>(sql, *locks_, clock_);
    groups_ = std::make_unique<store::SqlGroupStore>(sql, *locks_, clock_);
    dns_records_ = std::make_unique<store::SqlDNSRecordStore>(sql, clock_);
    annotations_ = std::make_unique<store::SqlAnnotationStore>(sql);
    backups_ = std::make_unique<store::SqlBackupStore>(sql, *locks_, clock_);

    deps_.clusters = clusters_.get();
    deps_.installations = installations_.get();
    deps_.cluster_installations = cluster_installations_.get();
    deps_.groups = groups_.get();
    deps_.dns_records = dns_records_.get();
    deps_.annotations = annotations_.get();
    deps_.backups = backups_.get();
    deps_.locks = locks_.get();
    // As the server runs: installation bodies reused while the database is unchanged.
    installation_bodies_ =
        std::make_unique<api::ResponseCache>([&sql] { return sql.CommitVersion(); }, 1 << 20,
                                             [&sql] { return sql.CommitVersionFromMemory(); });
    deps_.installation_bodies = installation_bodies_.get();
    deps_.notifier = &notifier_;
    deps_.clock = &clock_;
    // Default installations (mysql-operator + minio-operator) are accepted.
    deps_.config.deploy_mysql_operator = true;
    deps_.config.deploy_minio_operator = true;
    ConfigureDeps(deps_);
    StartServer();
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    server_.reset();
  }

  // Override to change the config or add hooks before the routes are registered.
  virtual void ConfigureDeps(api::ApiDeps& deps) { (void)deps; }

  void StartServer() {
    api::RegisterApiRoutes(router_, env_, deps_);
    api::HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    options.workers = 4;
    server_ = std::make_unique<api::HttpServer>(
        std::move(options), [this](api::HttpRequest& r) { return router_.Dispatch(r); },
        logger_.log, [this](api::HttpRequest& r) { return router_.DispatchInline(r); });
    Result<void> started = server_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
    client_ = std::make_unique<LoopbackClient>(server_->port());
  }

  WireResponse Get(const std::string& target) { return client_->Request("GET", target); }
  WireResponse Post(const std::string& target, const std::string& body = "") {
    return client_->Request("POST", target, body);
  }
  WireResponse Put(const std::string& target, const std::string& body = "") {
    return client_->Request("PUT", target, body);
  }
  WireResponse Delete(const std::string& target, const std::string& body = "") {
    return client_->Request("DELETE", target, body);
  }

  // Holds the row lock of `id` as a supervisor would (for 409 tests); release with
  // locks_->Release(lease).
  store::Lease HoldLock(store::LockTable table, const std::string& id) {
    Result<store::Lease> lease = locks_->AcquireOne(table, id, "test-supervisor");
    EXPECT_TRUE(lease.has_value()) << (lease ? "" : lease.error().message);
    return lease ? *lease : store::Lease{};
  }

  // Seeding helpers: write a state as a supervisor would (under a short lease, no event).
  void SetClusterState(const std::string& id, model::ClusterState state) {
    store::Lease lease = HoldLock(store::LockTable::kCluster, id);
    Result<void> r = clusters_->UpdateClusterState(id, state, lease, store::EventOptions::None());
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    (void)locks_->Release(lease);
  }
  void SetInstallationState(const std::string& id, model::InstallationState state) {
    store::Lease lease = HoldLock(store::LockTable::kInstallation, id);
    Result<void> r =
        installations_->UpdateInstallationState(id, state, lease, store::EventOptions::None());
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    (void)locks_->Release(lease);
  }
  // Creates a cluster through the API (POST /api/clusters with `body`) and returns its ID.
  std::string CreateCluster(const std::string& body = "{}") {
    WireResponse r = Post("/api/clusters", body);
    EXPECT_EQ(r.status, 202) << r.body;
    return r.Field("ID");
  }
  // Creates an installation through the API and returns its ID.
  std::string CreateInstallation(const std::string& name, const std::string& extra = "") {
    std::string body = R"({"OwnerID":"owner1","DNS":")" + name + R"(.example.com")" +
                       (extra.empty() ? "" : "," + extra) + "}";
    WireResponse r = Post("/api/installations", body);
    EXPECT_EQ(r.status, 202) << r.body;
    return r.Field("ID");
  }
  // Creates a group through the API and returns its ID.
  std::string CreateGroup(const std::string& name, const std::string& extra = "") {
    std::string body = R"({"Name":")" + name + R"(")" + (extra.empty() ? "" : "," + extra) + "}";
    WireResponse r = Post("/api/groups", body);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Field("ID");
  }
  // Inserts a cluster installation directly (supervisors create them, not the API).
  model::ClusterInstallation AddClusterInstallation(const std::string& cluster_id,
                                                    const std::string& installation_id,
                                                    bool active = true) {
    model::ClusterInstallation ci;
    ci.cluster_id = cluster_id;
    ci.installation_id = installation_id;
    ci.namespace_ = installation_id;
    ci.state = model::ClusterInstallationState::kStable;
    ci.is_active = active;
    Result<model::ClusterInstallation> created =
        cluster_installations_->CreateClusterInstallation(ci, nullptr, store::EventOptions::None());
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    return created ? *created : ci;
  }

  ManualClock clock_;
  TestLogger logger_;
  std::unique_ptr<TestDatabase> test_db_;
  std::unique_ptr<store::LockStore> locks_;
  std::unique_ptr<store::SqlClusterStore> clusters_;
  std::unique_ptr<store::SqlInstallationStore> installations_;
  std::unique_ptr<store::SqlClusterInstallationStore> cluster_installations_;
  std::unique_ptr<store::SqlGroupStore> groups_;
  std::unique_ptr<store::SqlDNSRecordStore> dns_records_;
  std::unique_ptr<store::SqlAnnotationStore> annotations_;
  std::unique_ptr<store::SqlBackupStore> backups_;
  std::unique_ptr<api::ResponseCache> installation_bodies_;
  RecordingNotifier notifier_;
  api::ApiDeps deps_;
  api::HandlerEnv env_;
  api::Router router_;
  std::unique_ptr<api::HttpServer> server_;
  std::unique_ptr<LoopbackClient> client_;
};

// --- Backups, DB operations, webhooks, databases, subscriptions, events -----------------------

// A StateChangeHook that records the webhook-only state changes (backups, restorations,
// migrations) the stores report. Thread-safe.
class RecordingStateChangeHook {
 public:
  store::StateChangeHook Hook() {
    return [this](store::SqlExecutor&, const store::StateChangeRecord& change) -> Result<void> {
      std::lock_guard<std::mutex> lock(mu_);
      records_.push_back(change);
      return {};
    };
  }
  std::vector<store::StateChangeRecord> records() const {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    records_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<store::StateChangeRecord> records_;
};

// ApiTest serving the backup, DB restoration/migration, webhook, database, subscription and
// event routes with their SQL stores (the backup store is replaced by one reporting to
// `webhook_hook_`), and "test" as environment.
class OperationsApiTest : public ApiTest {
 protected:
  void ConfigureDeps(api::ApiDeps& deps) override {
    store::SqlDatabase& sql = test_db_->db();
    backups_ = std::make_unique<store::SqlBackupStore>(sql, *locks_, clock_, webhook_hook_.Hook());
    db_restorations_ =
        std::make_unique<store::SqlDBRestorationStore>(sql, *locks_, clock_, webhook_hook_.Hook());
    db_migrations_ =
        std::make_unique<store::SqlDBMigrationStore>(sql, *locks_, clock_, webhook_hook_.Hook());
    webhooks_ = std::make_unique<store::SqlWebhookStore>(sql, clock_);
    databases_ = std::make_unique<store::SqlDatabaseStore>(sql, clock_);
    subscriptions_ = std::make_unique<store::SqlSubscriptionStore>(sql, *locks_, clock_);
    events_ = std::make_unique<store::SqlEventStore>(sql);
    deps.backups = backups_.get();
    deps.db_restorations = db_restorations_.get();
    deps.db_migrations = db_migrations_.get();
    deps.webhooks = webhooks_.get();
    deps.databases = databases_.get();
    deps.subscriptions = subscriptions_.get();
    deps.events = events_.get();
    deps.environment = "test";
    ConfigureOperationDeps(deps);
  }
  // Override to set database services etc.
  virtual void ConfigureOperationDeps(api::ApiDeps& deps) { (void)deps; }

  // An installation created through the store and moved to `state` (no group; the first DNS
  // name "<name>.example.com").
  model::Installation MakeInstallation(const std::string& name, model::InstallationState state,
                                       std::string database = "aws-rds-postgres",
                                       std::string filestore = "bifrost") {
    model::Installation installation;
    installation.owner_id = "owner";
    installation.name = name;
    installation.size = "100users";
    installation.version = "9.0.0";
    installation.image = "mattermost/mattermost-enterprise-edition";
    installation.database = std::move(database);
    installation.filestore = std::move(filestore);
    installation.affinity = "multitenant";
    installation.group_id = "";
    Result<model::InstallationDTO> created = installations_->CreateInstallation(
        installation, {}, {name + ".example.com"}, store::EventOptions::IfChanged());
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    if (!created) return installation;
    std::string id = created->installation.id;
    if (state != model::InstallationState::kCreationRequested) SetInstallationState(id, state);
    Result<std::optional<model::Installation>> read =
        installations_->GetInstallation(id, store::GroupMerge::None());
    EXPECT_TRUE(read.has_value() && read->has_value());
    return read && *read ? **read : installation;
  }

  void SetInstallationState(const std::string& id, model::InstallationState state) {
    Result<store::Lease> lease = locks_->AcquireOne(store::LockTable::kInstallation, id, "test");
    ASSERT_TRUE(lease.has_value()) << lease.error().message;
    Result<void> updated = installations_->UpdateInstallationState(id, state, *lease);
    EXPECT_TRUE(updated.has_value()) << updated.error().message;
    ASSERT_TRUE(locks_->Release(*lease).has_value());
  }

  // A backup of `installation_id` created through the store and moved to `state`.
  model::InstallationBackup MakeBackup(const std::string& installation_id,
                                       model::BackupState state) {
    model::InstallationBackup backup;
    backup.installation_id = installation_id;
    backup.backed_up_database_type = "aws-rds-postgres";
    backup.state = model::BackupState::kBackupRequested;
    Result<model::InstallationBackup> created = backups_->CreateInstallationBackup(backup, {});
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    if (!created) return backup;
    if (state != created->state) {
      Result<store::Lease> lease =
          locks_->AcquireOne(store::LockTable::kInstallationBackup, created->id, "test");
      EXPECT_TRUE(lease.has_value());
      if (!lease) return *created;
      EXPECT_TRUE(backups_->UpdateInstallationBackupState(created->id, state, *lease, {}));
      EXPECT_TRUE(locks_->Release(*lease));
      created->state = state;
    }
    return *created;
  }

  RecordingStateChangeHook webhook_hook_;
  std::unique_ptr<store::SqlDBRestorationStore> db_restorations_;
  std::unique_ptr<store::SqlDBMigrationStore> db_migrations_;
  std::unique_ptr<store::SqlWebhookStore> webhooks_;
  std::unique_ptr<store::SqlDatabaseStore> databases_;
  std::unique_ptr<store::SqlSubscriptionStore> subscriptions_;
  std::unique_ptr<store::SqlEventStore> events_;
};

}  // namespace cloud::apitest
