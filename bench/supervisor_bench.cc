// Supervisor latency and throughput on the sim cloud with zero step latency, through the real
// stores, supervisors and schedulers (cluster, installation, cluster installation) as
// `cloud server` composes them (4 workers per kind, 30 s safety-net poll, default backoffs):
//   (a) create -> stable latency of one installation at a time (p50 / p99; target p50 <= 50 ms)
//   (b) --burst installations created at once, by --create-threads concurrent "API clients"
//       -> time until all are stable (target <= 5 s)
//   (c) head-of-line: one installation whose provision-database takes --slow-ms, then --others
//       installations: their completion times (they must not wait for the slow one)
// Each section runs on a fresh database. Installations are created as the API does (store write,
// then Notifier::Notify(kind, id)). PostgreSQL is read from CLOUD_TEST_POSTGRES_DSN (a scratch
// schema is created and dropped); SQLite uses a temporary file.
//   usage: supervisor_bench [--engine pg|sqlite|both] [--latency N] [--burst N] [--others N]
//                           [--slow-ms MS] [--workers W] [--burst-timeout-s S]
//                           [--create-threads T] [--sections abc] [--pool P] [--count 1]
// (--pool: PostgreSQL connection pool size, default the store's default; --count 1: count the
// statements each section sends, by kind, and print them per installation — the counting
// wrapper costs a mutex per statement, so do not time with it)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "common/logging.h"
#include "model/installation_enums.h"
#include "provisioner/sim/sim_cloud.h"
#include "store/lock_store.h"
#include "store/migrations.h"
#include "store/sql/sql_connection.h"
#include "store/sql_annotation_store.h"
#include "store/sql_backup_store.h"
#include "store/sql_cluster_installation_store.h"
#include "store/sql_cluster_store.h"
#include "store/sql_db_migration_store.h"
#include "store/sql_db_restoration_store.h"
#include "store/sql_dns_record_store.h"
#include "store/sql_group_store.h"
#include "store/sql_installation_store.h"
#include "supervisor/cluster_installation_supervisor.h"
#include "supervisor/cluster_supervisor.h"
#include "supervisor/installation_supervisor.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/scheduler_set.h"

namespace {

using namespace cloud;
using Steady = std::chrono::steady_clock;
using provisioner::sim::SimStep;
using supervisor::ResourceKind;

struct Options {
  std::string engine = "both";
  int latency = 200;
  int burst = 1000;
  int others = 100;
  int64_t slow_ms = 30'000;
  int64_t burst_timeout_s = 60;
  int workers = 4;
  int create_threads = 16;
  std::string sections = "abc";
  int pool = store::DatabaseOptions{}.pool_size;
  bool count = false;
};

// Counts the statements sent through it by kind (the SQL text up to its first parameter or
// 72 characters), to find where the work per installation goes.
class StatementCounts {
 public:
  void Add(std::string_view sql) {
    std::string key(sql.substr(0, std::min<size_t>(sql.size(), 72)));
    if (size_t dollar = key.find('$'); dollar != std::string::npos) key.resize(dollar);
    std::lock_guard lock(mu_);
    ++counts_[key];
    ++total_;
  }
  void Print(const char* engine, int installations) {
    std::lock_guard lock(mu_);
    std::vector<std::pair<int64_t, std::string>> sorted;
    for (const auto& [key, n] : counts_) sorted.emplace_back(n, key);
    std::sort(sorted.rbegin(), sorted.rend());
    std::printf("%-8s statements: %lld in all, %.1f per installation\n", engine,
                static_cast<long long>(total_),
                static_cast<double>(total_) / std::max(1, installations));
    for (const auto& [n, key] : sorted) {
      std::printf("  %7.2f  %s\n", static_cast<double>(n) / std::max(1, installations),
                  key.c_str());
    }
  }

 private:
  std::mutex mu_;
  std::map<std::string, int64_t> counts_;
  int64_t total_ = 0;
};

class CountingTransaction final : public store::SqlTransaction {
 public:
  CountingTransaction(std::unique_ptr<store::SqlTransaction> tx, StatementCounts& counts)
      : tx_(std::move(tx)), counts_(counts) {}
  Result<int64_t> Exec(std::string_view sql, const store::SqlParams& params) override {
    counts_.Add(sql);
    return tx_->Exec(sql, params);
  }
  Result<store::Rows> Query(std::string_view sql, const store::SqlParams& params) override {
    counts_.Add(sql);
    return tx_->Query(sql, params);
  }
  store::Dialect dialect() const override { return tx_->dialect(); }
  Result<void> Commit() override {
    counts_.Add("COMMIT");
    return tx_->Commit();
  }
  Result<void> Rollback() override {
    counts_.Add("ROLLBACK");
    return tx_->Rollback();
  }

 private:
  std::unique_ptr<store::SqlTransaction> tx_;
  StatementCounts& counts_;
};

class CountingDatabase final : public store::SqlDatabase {
 public:
  explicit CountingDatabase(store::SqlDatabase& db) : db_(db) {}
  Result<int64_t> Exec(std::string_view sql, const store::SqlParams& params) override {
    counts_.Add(sql);
    return db_.Exec(sql, params);
  }
  Result<store::Rows> Query(std::string_view sql, const store::SqlParams& params) override {
    counts_.Add(sql);
    return db_.Query(sql, params);
  }
  store::Dialect dialect() const override { return db_.dialect(); }
  Result<std::unique_ptr<store::SqlTransaction>> Begin() override {
    counts_.Add("BEGIN");
    CLOUD_TRY(std::unique_ptr<store::SqlTransaction> tx, db_.Begin());
    return std::unique_ptr<store::SqlTransaction>(
        std::make_unique<CountingTransaction>(std::move(tx), counts_));
  }
  std::string redacted_url() const override { return db_.redacted_url(); }
  StatementCounts& counts() { return counts_; }

 private:
  store::SqlDatabase& db_;
  StatementCounts counts_;
};

Logger Silent() { return Logger(std::make_shared<CapturingLogSink>()); }

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// One server's worth of stores, sim, supervisors and schedulers on `db`.
class Stack {
 public:
  Stack(store::SqlDatabase& db, int workers) : db_(db) {
    const Clock& clock = SystemClock::Instance();
    Logger log = Silent();
    locks_ = store::MakeSqlLockStore(db, clock);
    clusters_ = std::make_unique<store::SqlClusterStore>(db, *locks_, clock);
    installations_ = std::make_unique<store::SqlInstallationStore>(db, *locks_, clock);
    cis_ = std::make_unique<store::SqlClusterInstallationStore>(db, *locks_, clock);
    groups_ = std::make_unique<store::SqlGroupStore>(db, *locks_, clock);
    dns_ = std::make_unique<store::SqlDNSRecordStore>(db, clock);
    annotations_ = std::make_unique<store::SqlAnnotationStore>(db);
    backups_ = std::make_unique<store::SqlBackupStore>(db, *locks_, clock);
    migrations_ = std::make_unique<store::SqlDBMigrationStore>(db, *locks_, clock);
    restorations_ = std::make_unique<store::SqlDBRestorationStore>(db, *locks_, clock);
    sim_ = std::make_unique<provisioner::sim::SimCloud>(
        clock, log, provisioner::sim::SimOptions{.default_duration_ms = 0});
    provisioners_ = std::make_unique<provisioner::ProvisionerSet>(sim_->MakeProvisionerSet());
    renewer_ = std::make_unique<supervisor::LeaseRenewer>(*locks_, clock, log);
    renewer_->Start();
    set_ = std::make_unique<supervisor::SchedulerSet>(log);
    const std::string instance = "bench-" + NewId();
    cluster_supervisor_ = std::make_unique<supervisor::ClusterSupervisor>(
        *clusters_, *locks_, *provisioners_, renewer_.get(),
        supervisor::ClusterSupervisorOptions{instance, "dev"}, log);
    supervisor::InstallationSupervisorOptions io;
    io.instance_id = instance;
    io.environment = "dev";
    io.notifier = set_.get();
    installation_supervisor_ = std::make_unique<supervisor::InstallationSupervisor>(
        supervisor::InstallationSupervisorStores{*installations_, *cis_, *clusters_, *groups_,
                                                 *dns_, *annotations_, *backups_, *migrations_,
                                                 *restorations_, *locks_},
        *provisioners_, renewer_.get(), io, log);
    ci_supervisor_ = std::make_unique<supervisor::ClusterInstallationSupervisor>(
        supervisor::ClusterInstallationSupervisorStores{*cis_, *clusters_, *installations_, *dns_,
                                                        *backups_, *locks_},
        *provisioners_, renewer_.get(),
        supervisor::ClusterInstallationSupervisorOptions{instance, "dev", set_.get()}, log);
    supervisor::SchedulerOptions options;  // the server's defaults but for the workers
    options.workers = workers;
    set_->Add(ResourceKind::kCluster,
              std::make_unique<supervisor::Scheduler>(*cluster_supervisor_, options, clock, log));
    set_->Add(ResourceKind::kInstallation, std::make_unique<supervisor::Scheduler>(
                                               *installation_supervisor_, options, clock, log));
    set_->Add(ResourceKind::kClusterInstallation,
              std::make_unique<supervisor::Scheduler>(*ci_supervisor_, options, clock, log));
  }
  ~Stack() {
    sim_->Shutdown();
    set_->Stop();
    renewer_->Stop();
  }

  provisioner::sim::SimCloud& sim() { return *sim_; }

  bool Start() {
    model::Cluster c;
    c.state = model::ClusterState::kStable;
    c.provider = model::ClusterProvider::kAws;
    c.provider_metadata_aws = model::AWSMetadata{{"us-east-1a"}};
    c.provisioner = model::ClusterProvisioner::kKops;
    c.provisioner_metadata_kops.emplace();
    c.provisioner_metadata_kops->node_min_count = 2;
    c.provisioner_metadata_kops->node_max_count = 2;
    c.allow_installations = true;
    auto dto = clusters_->CreateCluster(c, {}, store::EventOptions::IfChanged());
    if (!dto || !sim_->CreateCluster(dto->cluster)) {
      std::fprintf(stderr, "cannot create the cluster\n");
      return false;
    }
    set_->Start();
    return true;
  }

  // Creates an installation as the API does and (unless told not to) wakes its supervisor;
  // returns its ID.
  std::string CreateInstallation(bool notify = true) {
    static std::atomic<int> counter = 0;
    const std::string name = "bench" + std::to_string(++counter) + "x" + NewId().substr(0, 6);
    model::Installation i;
    i.owner_id = "bench";
    i.name = name;
    i.state = model::InstallationState::kCreationRequested;
    i.size = "100users";
    i.version = "stable";
    i.image = "mattermost/mattermost-enterprise-edition";
    i.database = "aws-multitenant-rds-postgres";
    i.filestore = "aws-multitenant-s3";
    i.affinity = "multitenant";
    i.cr_version = std::string(model::kV1betaCRVersion);
    auto dto = installations_->CreateInstallation(i, {}, {name + ".example.com"},
                                                  store::EventOptions::IfChanged());
    if (!dto) {
      std::fprintf(stderr, "create installation: %s\n", dto.error().ToString().c_str());
      return {};
    }
    if (notify) Notify(dto->installation.id);
    return dto->installation.id;
  }
  void Notify(const std::string& id) { set_->Notify(ResourceKind::kInstallation, id); }

  // "state:count ..." of the installations and cluster installations (to explain a miss).
  std::string StateCounts() {
    std::string out;
    for (const char* table : {"Installation", "ClusterInstallation"}) {
      auto rows = db_.Query(std::string("SELECT State, COUNT(*) FROM ") + table +
                            " GROUP BY State ORDER BY State");
      if (!rows) continue;
      out += std::string(out.empty() ? "" : "; ") + table + ":";
      for (auto row : *rows) out += " " + row.GetString(0) + "=" + row.GetString(1);
    }
    return out;
  }

  // How many installations are stable (one cheap query).
  int64_t CountStable() {
    auto rows = db_.Query("SELECT COUNT(*) FROM Installation WHERE State = 'stable'");
    return rows && rows->size() == 1 ? rows->front().GetInt64(0) : 0;
  }

  // IDs of the stable installations among `ids` (one query).
  std::set<std::string> Stable(const std::vector<std::string>& ids) {
    std::set<std::string> out;
    Result<store::Rows> rows =
        ids.size() == 1
            ? db_.Query("SELECT ID FROM Installation WHERE State = 'stable' AND ID = $1", {ids[0]})
            : db_.Query("SELECT ID FROM Installation WHERE State = 'stable'");
    if (!rows) return out;
    for (auto row : *rows) out.insert(row.GetString(0));
    return out;
  }

 private:
  store::SqlDatabase& db_;
  std::unique_ptr<store::LockStore> locks_;
  std::unique_ptr<store::SqlClusterStore> clusters_;
  std::unique_ptr<store::SqlInstallationStore> installations_;
  std::unique_ptr<store::SqlClusterInstallationStore> cis_;
  std::unique_ptr<store::SqlGroupStore> groups_;
  std::unique_ptr<store::SqlDNSRecordStore> dns_;
  std::unique_ptr<store::SqlAnnotationStore> annotations_;
  std::unique_ptr<store::SqlBackupStore> backups_;
  std::unique_ptr<store::SqlDBMigrationStore> migrations_;
  std::unique_ptr<store::SqlDBRestorationStore> restorations_;
  std::unique_ptr<provisioner::sim::SimCloud> sim_;
  std::unique_ptr<provisioner::ProvisionerSet> provisioners_;
  std::unique_ptr<supervisor::LeaseRenewer> renewer_;
  std::unique_ptr<supervisor::SchedulerSet> set_;
  std::unique_ptr<supervisor::ClusterSupervisor> cluster_supervisor_;
  std::unique_ptr<supervisor::InstallationSupervisor> installation_supervisor_;
  std::unique_ptr<supervisor::ClusterInstallationSupervisor> ci_supervisor_;
};

// Waits until every ID of `ids` is stable (or `timeout`); returns each one's completion time
// after `start` in ms (polled every 1 ms for one ID, else every 10 ms; missing ones did not
// finish).
std::map<std::string, double> WaitStable(Stack& stack, const std::vector<std::string>& ids,
                                         Steady::time_point start, Steady::duration timeout) {
  std::map<std::string, double> done;
  const std::set<std::string> wanted(ids.begin(), ids.end());
  while (done.size() < wanted.size() && Steady::now() - start < timeout) {
    const std::set<std::string> stable = stack.Stable(ids);
    const double t = Ms(Steady::now() - start);
    for (const std::string& id : stable) {
      if (wanted.contains(id) && !done.contains(id)) done[id] = t;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(ids.size() == 1 ? 1 : 10));
  }
  return done;
}

// Runs one section ('a', 'b' or 'c') on a fresh database.
bool RunSection(const char* engine, store::SqlDatabase& db, const Options& o, char section);

bool Run(const char* engine, store::SqlDatabase& db, const Options& o, char section) {
  if (auto r = store::Migrate(db, Silent(), {}); !r) {
    std::fprintf(stderr, "migrate: %s\n", r.error().ToString().c_str());
    return false;
  }
  if (!o.count) return RunSection(engine, db, o, section);
  CountingDatabase counting(db);
  const bool ok = RunSection(engine, counting, o, section);
  const int installations = section == 'a' ? o.latency : section == 'b' ? o.burst : o.others + 1;
  counting.counts().Print(engine, installations);
  return ok;
}

bool RunSection(const char* engine, store::SqlDatabase& db, const Options& o, char section) {
  bool ok = true;
  if (section == 'a') {
    // (a) one at a time.
    Stack stack(db, o.workers);
    if (!stack.Start()) return false;
    std::vector<double> latencies;
    for (int n = 0; n < o.latency; ++n) {
      const Steady::time_point start = Steady::now();
      const std::string id = stack.CreateInstallation();
      auto done = WaitStable(stack, {id}, start, std::chrono::seconds(30));
      if (done.empty()) {
        std::fprintf(stderr, "%s: installation %s did not become stable in 30 s\n", engine,
                     id.c_str());
        return false;
      }
      latencies.push_back(done.begin()->second);
    }
    const double p50 = Percentile(latencies, 0.50);
    std::printf(
        "%-8s (a) create->stable, one at a time, %d installations: p50 %.1f ms, p99 "
        "%.1f ms, max %.1f ms  [target p50 <= 50 ms: %s]\n",
        engine, o.latency, p50, Percentile(latencies, 0.99),
        *std::max_element(latencies.begin(), latencies.end()), p50 <= 50 ? "met" : "MISSED");
    ok = ok && p50 <= 50;
  }
  if (section == 'b') {
    // (b) a burst.
    Stack stack(db, o.workers);
    if (!stack.Start()) return false;
    const Steady::time_point start = Steady::now();
    // Concurrent clients, each creating its share as the API does (store write, wake-up).
    std::vector<std::string> ids(static_cast<size_t>(o.burst));
    std::atomic<int> next = 0;
    std::vector<std::thread> creators;
    for (int t = 0; t < std::max(1, o.create_threads); ++t) {
      creators.emplace_back([&] {
        for (int n = next++; n < o.burst; n = next++) {
          ids[static_cast<size_t>(n)] = stack.CreateInstallation();
        }
      });
    }
    for (std::thread& t : creators) t.join();
    const double created_ms = Ms(Steady::now() - start);
    // Polled with a COUNT every 10 ms (the bench's own reads stay small).
    int64_t stable = 0;
    double last = 0;
    while (Steady::now() - start < std::chrono::seconds(o.burst_timeout_s)) {
      stable = stack.CountStable();
      last = Ms(Steady::now() - start);
      if (stable >= o.burst) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const size_t stable_count = static_cast<size_t>(stable);
    std::printf(
        "%-8s (b) %d installations created at once by %d clients (creates took %.0f ms): %zu "
        "stable, all stable after %.2f s  [target <= 5 s: %s]\n",
        engine, o.burst, o.create_threads, created_ms, stable_count, last / 1000,
        stable_count == ids.size() && last <= 5000 ? "met" : "MISSED");
    if (stable_count != ids.size())
      std::printf("         states: %s\n", stack.StateCounts().c_str());
    ok = ok && stable_count == ids.size() && last <= 5000;
  }
  if (section == 'c') {
    // (c) head-of-line blocking.
    Stack stack(db, o.workers);
    if (!stack.Start()) return false;
    // Let the start-up pending-work query pass first, so that it cannot pick up the slow
    // installation before its block is set.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const Steady::time_point start = Steady::now();
    const std::string slow = stack.CreateInstallation(/*notify=*/false);
    stack.sim().SetBlockFor(SimStep::kProvisionDatabase, slow, o.slow_ms);
    stack.Notify(slow);
    std::vector<std::string> ids;
    for (int n = 0; n < o.others; ++n) ids.push_back(stack.CreateInstallation());
    auto done = WaitStable(stack, ids, start, std::chrono::milliseconds(o.slow_ms));
    std::vector<double> times;
    for (const auto& [id, t] : done) times.push_back(t);
    const bool slow_done = stack.Stable({slow}).contains(slow);
    const double last = times.empty() ? 0 : *std::max_element(times.begin(), times.end());
    std::printf(
        "%-8s (c) one installation blocked %lld ms in provision-database, %d others: "
        "%zu stable, completion p50 %.1f ms, p99 %.1f ms, last %.1f ms; slow one %s  "
        "[others not delayed: %s]\n",
        engine, static_cast<long long>(o.slow_ms), o.others, times.size(), Percentile(times, 0.5),
        Percentile(times, 0.99), last,
        slow_done ? "stable (its block ended)" : "still provisioning",
        times.size() == ids.size() && last < 5000 ? "met" : "MISSED");
    if (times.size() != ids.size())
      std::printf("         states: %s\n", stack.StateCounts().c_str());
    ok = ok && times.size() == ids.size() && last < 5000;
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--engine") {
      o.engine = value;
    } else if (flag == "--latency") {
      o.latency = std::atoi(value);
    } else if (flag == "--burst") {
      o.burst = std::atoi(value);
    } else if (flag == "--others") {
      o.others = std::atoi(value);
    } else if (flag == "--workers") {
      o.workers = std::atoi(value);
    } else if (flag == "--burst-timeout-s") {
      o.burst_timeout_s = std::atoll(value);
    } else if (flag == "--create-threads") {
      o.create_threads = std::atoi(value);
    } else if (flag == "--pool") {
      o.pool = std::atoi(value);
    } else if (flag == "--sections") {
      o.sections = value;
    } else if (flag == "--count") {
      o.count = std::atoi(value) != 0;
    } else if (flag == "--slow-ms") {
      o.slow_ms = std::atoll(value);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (o.engine != "pg" && o.engine != "sqlite" && o.engine != "both") {
    std::fprintf(stderr, "--engine must be pg, sqlite or both\n");
    return 2;
  }
  bool ok = true;
  for (char section : {'a', 'b', 'c'}) {
    if (o.sections.find(section) == std::string::npos) continue;
    if (o.engine == "sqlite" || o.engine == "both") {
      const std::string path =
          (std::filesystem::temp_directory_path() / ("cloud-supervisor-bench-" + NewId() + ".db"))
              .string();
      {
        auto db = store::OpenDatabase("sqlite://" + path, Silent());
        if (!db) {
          std::fprintf(stderr, "open: %s\n", db.error().ToString().c_str());
          return 1;
        }
        ok = Run("sqlite", **db, o, section) && ok;
      }
      std::filesystem::remove(path);
    }
    if (o.engine == "pg" || o.engine == "both") {
      const char* dsn = std::getenv("CLOUD_TEST_POSTGRES_DSN");
      if (dsn == nullptr || *dsn == '\0') {
        std::printf("postgres: skipped (CLOUD_TEST_POSTGRES_DSN is not set)\n");
      } else {
        std::string schema = "bench_" + NewId();
        for (char& c : schema) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto admin = store::OpenDatabase(dsn, Silent());
        if (!admin || !(*admin)->Exec("CREATE SCHEMA " + schema)) {
          std::fprintf(stderr, "cannot create a scratch schema on the PostgreSQL database\n");
          return 1;
        }
        const std::string d(dsn);
        const std::string url = d + (d.find('?') == std::string::npos ? "?" : "&") +
                                "options=-csearch_path%3D" + schema;
        {
          auto db = store::OpenDatabase(url, Silent(), store::DatabaseOptions{.pool_size = o.pool});
          ok = (db ? Run("postgres", **db, o, section) : false) && ok;
        }
        (void)(*admin)->Exec("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }
  return ok ? 0 : 1;
}
