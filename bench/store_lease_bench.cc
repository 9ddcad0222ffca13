// Lease claims per second on PostgreSQL and SQLite, through the real LockStore:
//   batch claim     ClaimAvailable(limit = --batch) by --threads workers until no row is left
//                   (one UPDATE ... FOR UPDATE SKIP LOCKED per batch on PostgreSQL)
//   claim+release   ClaimAvailable(limit = 1) then Release, as a supervisor pass does
//   acquire+release AcquireOne + Release of a known row (API handler lock/unlock)
// PostgreSQL is read from CLOUD_TEST_POSTGRES_DSN (a scratch schema is created and dropped);
// SQLite uses a temporary file.
//   usage: store_lease_bench [--engine pg|sqlite|both] [--rows N] [--threads T] [--batch B]
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
#include "store/lock_store.h"
#include "store/migrations.h"
#include "store/sql/sql_connection.h"

namespace {

using cloud::store::ClaimRequest;
using cloud::store::LockTable;
using cloud::store::SqlDatabase;

struct Options {
  std::string engine = "both";
  int rows = 20000;
  int threads = 4;
  int batch = 50;
};

cloud::Logger Silent() { return cloud::Logger(std::make_shared<cloud::CapturingLogSink>()); }

bool Check(const cloud::Result<void>& r, const char* what) {
  if (!r) std::fprintf(stderr, "%s: %s\n", what, r.error().ToString().c_str());
  return static_cast<bool>(r);
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool Seed(SqlDatabase& db, int rows, std::vector<std::string>& ids) {
  auto tx = db.Begin();
  if (!tx) return Check(tx.error(), "begin");
  constexpr int kChunk = 500;
  for (int start = 0; start < rows; start += kChunk) {
    std::string sql =
        "INSERT INTO LogicalDatabase (ID, MultitenantDatabaseID, Name, CreateAt, DeleteAt, "
        "LockAcquiredAt) VALUES ";
    cloud::store::SqlParams params;
    for (int i = start; i < std::min(rows, start + kChunk); ++i) {
      ids.push_back(cloud::NewId());
      if (i > start) sql += ", ";
      const size_t n = params.size();
      sql += "($" + std::to_string(n + 1) + ", 'm', $" + std::to_string(n + 1) + ", $" +
             std::to_string(n + 2) + ", 0, 0)";
      params.emplace_back(ids.back());
      params.emplace_back(int64_t{i});
    }
    auto r = (*tx)->Exec(sql, params);
    if (!r) return Check(r.error(), "seed");
  }
  return Check((*tx)->Commit(), "commit");
}

bool Reset(SqlDatabase& db) {
  auto r = db.Exec("UPDATE LogicalDatabase SET LockAcquiredBy = NULL, LockAcquiredAt = 0");
  return r ? true : Check(r.error(), "reset");
}

double BatchClaim(SqlDatabase& db, const Options& o, int limit, int& total) {
  auto locks = cloud::store::MakeSqlLockStore(db, cloud::SystemClock::Instance());
  std::atomic<int> claimed{0};
  std::atomic<bool> failed{false};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      ClaimRequest request{
          LockTable::kLogicalDatabase, "worker-" + std::to_string(t), limit, "", {}, "ID"};
      for (;;) {
        auto lease = locks->ClaimAvailable(request);
        if (!lease) {
          if (!failed.exchange(true)) Check(lease.error(), "claim");
          return;
        }
        if (lease->rows.empty()) return;
        claimed += static_cast<int>(lease->rows.size());
      }
    });
  }
  for (auto& th : threads) th.join();
  total = claimed.load();
  return failed ? 0 : total / Seconds(start);
}

// Supervisor-style: claim one available row, release it, repeat (most rows stay available).
double ClaimReleaseCycles(SqlDatabase& db, const Options& o, int& total) {
  auto locks = cloud::store::MakeSqlLockStore(db, cloud::SystemClock::Instance());
  std::atomic<int> done{0};
  std::atomic<bool> failed{false};
  const int per_thread = 5000 / o.threads;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      ClaimRequest request{
          LockTable::kLogicalDatabase, "worker-" + std::to_string(t), 1, "", {}, "ID"};
      for (int i = 0; i < per_thread && !failed; ++i) {
        auto lease = locks->ClaimAvailable(request);
        if (!lease || lease->rows.empty() || !locks->Release(*lease)) {
          if (!failed.exchange(true)) std::fprintf(stderr, "claim/release failed\n");
          return;
        }
        ++done;
      }
    });
  }
  for (auto& th : threads) th.join();
  total = done.load();
  return failed ? 0 : total / Seconds(start);
}

double AcquireRelease(SqlDatabase& db, const Options& o, const std::vector<std::string>& ids,
                      int& total) {
  auto locks = cloud::store::MakeSqlLockStore(db, cloud::SystemClock::Instance());
  std::atomic<int> done{0};
  std::atomic<bool> failed{false};
  const int per_thread = std::min<int>(static_cast<int>(ids.size()), 20000) / o.threads;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      const std::string locker = "api-" + std::to_string(t);
      for (int i = t * per_thread; i < (t + 1) * per_thread && !failed; ++i) {
        auto lease = locks->AcquireOne(LockTable::kLogicalDatabase, ids[i], locker);
        if (!lease || !locks->Release(*lease)) {
          if (!failed.exchange(true)) std::fprintf(stderr, "acquire/release failed\n");
          return;
        }
        ++done;
      }
    });
  }
  for (auto& th : threads) th.join();
  total = done.load();
  return failed ? 0 : total / Seconds(start);
}

bool Run(const std::string& name, SqlDatabase& db, const Options& o) {
  if (!Check(cloud::store::Migrate(db, Silent(), {}), "migrate")) return false;
  std::vector<std::string> ids;
  if (!Seed(db, o.rows, ids)) return false;
  int total = 0;
  const double batch = BatchClaim(db, o, o.batch, total);
  std::printf("%-10s batch claim (limit %d, %d threads): %10.0f claims/s  (%d rows)\n",
              name.c_str(), o.batch, o.threads, batch, total);
  if (!Reset(db)) return false;
  const double one = ClaimReleaseCycles(db, o, total);
  std::printf("%-10s claim+release (limit 1, %d threads): %10.0f claims/s  (%d claims)\n",
              name.c_str(), o.threads, one, total);
  if (!Reset(db)) return false;
  const double cycle = AcquireRelease(db, o, ids, total);
  std::printf("%-10s acquire+release (%d threads):        %10.0f cycles/s  (%d cycles)\n",
              name.c_str(), o.threads, cycle, total);
  return batch > 0 && one > 0 && cycle > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--engine")
      o.engine = value;
    else if (flag == "--rows")
      o.rows = std::stoi(value);
    else if (flag == "--threads")
      o.threads = std::stoi(value);
    else if (flag == "--batch")
      o.batch = std::stoi(value);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  bool ok = true;
  cloud::store::DatabaseOptions db_options;
  db_options.pool_size = o.threads;
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
