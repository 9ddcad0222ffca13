// Event delivery throughput and latency on PostgreSQL and SQLite, through the real store, the
// real EventDeliverer and real HTTP to a loopback receiver that answers 200 at once:
//   throughput   --events state changes queued for --subs subscriptions (and no worker
//                running), then --workers delivery workers started: deliveries per second
//                until every row is delivered
//   latency      one state change at a time, committed then Wake() (as the server does after an
//                API write): time until the receiver has it (p50, p99); and the same without
//                Wake() (a supervisor's write, found by the 200 ms idle poll)
// PostgreSQL is read from CLOUD_TEST_POSTGRES_DSN (a scratch schema is created and dropped);
// SQLite uses a temporary file.
//   usage: event_delivery_bench [--engine pg|sqlite|both] [--events N] [--subs S]
//                               [--workers W] [--samples K]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "common/logging.h"
#include "e2e/client/loopback_http_server.h"
#include "events/deliverer.h"
#include "store/event_outbox.h"
#include "store/lock_store.h"
#include "store/migrations.h"
#include "store/sql/sql_connection.h"
#include "store/sql_subscription_store.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string engine = "both";
  int events = 2000;
  int subs = 4;
  int workers = 2;
  int samples = 200;
};

cloud::Logger Silent() { return cloud::Logger(std::make_shared<cloud::CapturingLogSink>()); }

bool Check(const cloud::Error& e, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, e.ToString().c_str());
  return false;
}

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool WriteEvents(cloud::store::SqlDatabase& db, int count) {
  const cloud::Clock& clock = cloud::SystemClock::Instance();
  constexpr int kPerTx = 100;
  for (int start = 0; start < count; start += kPerTx) {
    auto tx = db.Begin();
    if (!tx) return Check(tx.error(), "begin");
    for (int i = start; i < std::min(count, start + kPerTx); ++i) {
      cloud::store::StateChangeRecord change{cloud::model::ResourceType::kInstallation,
                                             "inst" + std::to_string(i % 50),
                                             "stable",
                                             "update-requested",
                                             {{"Environment", "bench"}}};
      auto id = cloud::store::AppendStateChangeEvent(**tx, change, clock);
      if (!id) return Check(id.error(), "append");
    }
    auto committed = (*tx)->Commit();
    if (!committed) return Check(committed.error(), "commit");
  }
  return true;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

bool Run(const char* engine, cloud::store::SqlDatabase& db, const Options& o) {
  auto migrated = cloud::store::Migrate(db, Silent(), {});
  if (!migrated) return Check(migrated.error(), "migrate");
  std::atomic<size_t> received{0};
  cloud::testing::LoopbackHttpServer receiver([&](const cloud::testing::RecordedRequest&) {
    ++received;
    return cloud::testing::CannedResponse{200, "", {}};
  });
  auto locks = cloud::store::MakeSqlLockStore(db, cloud::SystemClock::Instance());
  cloud::store::SqlSubscriptionStore subscriptions(db, *locks, cloud::SystemClock::Instance());
  for (int i = 0; i < o.subs; ++i) {
    cloud::model::Subscription s;
    s.name = "bench";
    s.url = receiver.url() + "/sub" + std::to_string(i);
    s.owner_id = "bench";
    s.event_type = "resourceStateChange";
    s.secret = "bench-secret";  // sign every delivery, as a production target would
    auto created = subscriptions.CreateSubscription(s);
    if (!created) return Check(created.error(), "subscribe");
  }
  cloud::events::DelivererOptions options;
  options.workers = o.workers;
  options.targets.allow_loopback = true;
  options.max_rows_per_claim = 500;

  // Throughput.
  if (!WriteEvents(db, o.events)) return false;
  const size_t total = static_cast<size_t>(o.events) * static_cast<size_t>(o.subs);
  {
    cloud::events::EventDeliverer deliverer(db, *locks, cloud::SystemClock::Instance(), Silent(),
                                            options);
    const auto start = Clock::now();
    deliverer.Start();
    while (received.load() < total && Seconds(start) < 300) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double secs = Seconds(start);
    deliverer.Stop();
    std::printf(
        "%-8s throughput: %zu deliveries (%d events x %d subscriptions, %d workers) in "
        "%.2f s = %.0f deliveries/s\n",
        engine, received.load(), o.events, o.subs, o.workers, secs,
        static_cast<double>(received.load()) / secs);
  }

  // Latency, one state change at a time.
  cloud::events::EventDeliverer deliverer(db, *locks, cloud::SystemClock::Instance(), Silent(),
                                          options);
  deliverer.Start();
  for (bool wake : {true, false}) {
    std::vector<double> ms;
    const int samples = wake ? o.samples : std::min(o.samples, 50);
    for (int i = 0; i < samples; ++i) {
      const size_t before = received.load();
      const auto start = Clock::now();
      if (!WriteEvents(db, 1)) return false;
      if (wake) deliverer.Wake();
      while (received.load() < before + static_cast<size_t>(o.subs) && Seconds(start) < 10) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
      ms.push_back(Seconds(start) * 1000);
    }
    std::printf(
        "%-8s latency state change -> %d receivers (%s): p50 %.1f ms, p99 %.1f ms "
        "(%d samples)\n",
        engine, o.subs, wake ? "Wake() after the write" : "idle poll, no Wake()",
        Percentile(ms, 0.5), Percentile(ms, 0.99), samples);
  }
  deliverer.Stop();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--engine") {
      o.engine = value;
    } else if (flag == "--events") {
      o.events = std::stoi(value);
    } else if (flag == "--subs") {
      o.subs = std::stoi(value);
    } else if (flag == "--workers") {
      o.workers = std::stoi(value);
    } else if (flag == "--samples") {
      o.samples = std::stoi(value);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  bool ok = true;
  cloud::store::DatabaseOptions db_options;
  db_options.pool_size = o.workers + 2;
  if (o.engine == "pg" || o.engine == "both") {
    const char* dsn = std::getenv("CLOUD_TEST_POSTGRES_DSN");
    if (dsn == nullptr) {
      std::fprintf(stderr,
                   "CLOUD_TEST_POSTGRES_DSN is not set: run through scripts/with-test-services\n");
      return 2;
    }
    std::string schema = "bench_" + cloud::NewId();
    for (char& c : schema) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto admin = cloud::store::OpenDatabase(dsn, Silent());
    if (!admin || !(*admin)->Exec("CREATE SCHEMA " + schema)) {
      std::fprintf(stderr, "cannot create a scratch schema on %s\n", dsn);
      return 1;
    }
    const std::string base(dsn);
    const std::string url = base + (base.find('?') == std::string::npos ? "?" : "&") +
                            "options=-csearch_path%3D" + schema;
    {
      auto db = cloud::store::OpenDatabase(url, Silent(), db_options);
      ok = db ? Run("postgres", **db, o) : Check(db.error(), "open");
    }
    (void)(*admin)->Exec("DROP SCHEMA " + schema + " CASCADE");
  }
  if (o.engine == "sqlite" || o.engine == "both") {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("cloud-bench-" + cloud::NewId() + ".db"))
            .string();
    {
      auto db = cloud::store::OpenDatabase("sqlite://" + path, Silent(), db_options);
      ok = (db ? Run("sqlite", **db, o) : Check(db.error(), "open")) && ok;
    }
    std::error_code ec;
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s, ec);
  }
  return ok ? 0 : 1;
}
