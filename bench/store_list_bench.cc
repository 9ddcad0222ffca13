// List-page latency with many installations, through the real SqlInstallationStore
// (GetInstallationDTOs: the query GET /api/installations runs, plus its DNS/annotation/cluster
// lookups for the page):
//   first page         page 0, per_page 100, no filter (the CLI's default listing)
//   random page        a random page of 100 over the whole table (deep OFFSETs included),
//                      three ways: walking the OFFSET (page anchors off), from page anchors
//                      (list_page_anchors.h; the first query builds them), and from anchors while
//                      another connection creates an installation every 50 queries (anchors go
//                      stale; rebuilt at most once a second, pages in between walk the OFFSET)
//   owner filter       owner=<one of 1,000 owners>, page 0
//   state filter       state=stable, page 0
//   dns LIKE           dns_name=<prefix>% (LIKE through InstallationDNS), page 0
// Seeds --rows installations (each with one DNS record and one cluster installation) with
// multi-row INSERTs, then times --queries queries per kind and prints p50/p99/max in ms.
// PostgreSQL is read from CLOUD_TEST_POSTGRES_DSN (a scratch schema is created and dropped);
// SQLite uses a temporary file.
//   usage: store_list_bench [--engine pg|sqlite|both] [--rows N] [--queries Q]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "common/logging.h"
#include "model/filters.h"
#include "store/lock_store.h"
#include "store/migrations.h"
#include "store/sql/sql_connection.h"
#include "store/sql_installation_store.h"

namespace {

using cloud::store::SqlDatabase;
using cloud::store::SqlParams;

struct Options {
  std::string engine = "both";
  int rows = 100000;
  int queries = 300;
};

cloud::Logger Silent() { return cloud::Logger(std::make_shared<cloud::CapturingLogSink>()); }

bool Check(const cloud::Result<void>& r, const char* what) {
  if (!r) std::fprintf(stderr, "%s: %s\n", what, r.error().ToString().c_str());
  return static_cast<bool>(r);
}

std::string Placeholders(SqlParams& params, std::initializer_list<cloud::store::SqlValue> values) {
  std::string out = "(";
  for (const auto& v : values) {
    params.push_back(v);
    out += (out.size() > 1 ? ", $" : "$") + std::to_string(params.size());
  }
  return out + ")";
}

const char* kStates[] = {"stable", "stable", "stable", "hibernating", "update-in-progress"};

bool Seed(SqlDatabase& db, int rows) {
  auto tx = db.Begin();
  if (!tx) return Check(tx.error(), "begin");
  constexpr int kChunk = 200;  // 9 params a row: well under SQLite's and PostgreSQL's limits
  const int64_t base = 1'700'000'000'000;
  for (int start = 0; start < rows; start += kChunk) {
    std::string inst =
        "INSERT INTO Installation (ID, OwnerID, Version, Affinity, State, CreateAt, DeleteAt, "
        "LockAcquiredAt, Database, Filestore, Image, Name) VALUES ";
    std::string dns =
        "INSERT INTO InstallationDNS (ID, DomainName, InstallationID, IsPrimary, CreateAt, "
        "DeleteAt) VALUES ";
    std::string cis =
        "INSERT INTO ClusterInstallation (ID, ClusterID, InstallationID, Namespace, State, "
        "CreateAt, DeleteAt, LockAcquiredAt) VALUES ";
    SqlParams ip, dp, cp;
    for (int i = start; i < std::min(rows, start + kChunk); ++i) {
      const std::string id = cloud::NewId();
      const std::string name = "inst" + std::to_string(i);
      const int64_t at = base + i;
      const char* sep = i > start ? ", " : "";
      inst += sep + Placeholders(ip, {id, "owner" + std::to_string(i % 1000), "stable",
                                      "multitenant", std::string(kStates[i % 5]), at, int64_t{0},
                                      int64_t{0}, "aws-multitenant-rds-postgres", "bifrost",
                                      "mattermost/mattermost-enterprise-edition", name});
      dns +=
          sep + Placeholders(dp, {cloud::NewId(), name + ".example.com", id, true, at, int64_t{0}});
      cis += sep + Placeholders(cp, {cloud::NewId(), "cluster" + std::to_string(i % 20), id, id,
                                     "stable", at, int64_t{0}, int64_t{0}});
    }
    for (auto [sql, params] : {std::pair{&inst, &ip}, {&dns, &dp}, {&cis, &cp}}) {
      auto r = (*tx)->Exec(*sql, *params);
      if (!r) return Check(r.error(), "seed");
    }
  }
  if (!Check((*tx)->Commit(), "commit")) return false;
  // Fresh planner statistics and, on PostgreSQL, the visibility map, as autovacuum keeps them on
  // a live database. The map is only set for rows whose commit is flushed, and the test server
  // runs with synchronous_commit=off: CHECKPOINT flushes first (it needs a superuser; without it
  // VACUUM still runs and deep pages pay a heap fetch per row, as on a never-vacuumed table).
  if (db.dialect() == cloud::store::Dialect::kPostgres) {
    (void)db.Exec("CHECKPOINT");
    auto vacuumed = db.Exec("VACUUM ANALYZE");
    return vacuumed ? true : Check(vacuumed.error(), "vacuum");
  }
  auto analyzed = db.Exec("ANALYZE");
  return analyzed ? true : Check(analyzed.error(), "analyze");
}

struct Latency {
  double p50 = 0, p99 = 0, max = 0;
};

Latency Measure(int queries, const std::function<bool(int)>& query) {
  std::vector<double> ms;
  ms.reserve(queries);
  for (int q = 0; q < queries; ++q) {
    const auto start = std::chrono::steady_clock::now();
    if (!query(q)) return {};
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double p) { return ms[std::min(ms.size() - 1, size_t(p * ms.size()))]; };
  return {at(0.50), at(0.99), ms.back()};
}

bool Run(const std::string& engine, SqlDatabase& db, const std::string& url, const Options& o) {
  if (!Check(cloud::store::Migrate(db, Silent(), {}), "migrate")) return false;
  const auto seed_start = std::chrono::steady_clock::now();
  if (!Seed(db, o.rows)) return false;
  std::printf("%-10s seeded %d installations (+DNS, +cluster installations) in %.1f s\n",
              engine.c_str(), o.rows,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - seed_start).count());
  auto locks = cloud::store::MakeSqlLockStore(db, cloud::SystemClock::Instance());
  cloud::store::SqlInstallationStore store(db, *locks, cloud::SystemClock::Instance());
  cloud::store::SqlInstallationStore no_anchors(db, *locks, cloud::SystemClock::Instance(),
                                                /*page_anchor_stride=*/0);
  std::mt19937 rng(42);
  const int pages = o.rows / 100;

  bool ok = true;
  auto list_on = [&](cloud::store::SqlInstallationStore& on,
                     const cloud::model::InstallationFilter& filter, size_t at_least) {
    auto page = on.GetInstallationDTOs(filter);
    if (!page) {
      Check(page.error(), "list");
      return ok = false;
    }
    if (page->size() < at_least) {
      std::fprintf(stderr, "list returned %zu rows, expected at least %zu\n", page->size(),
                   at_least);
      return ok = false;
    }
    return true;
  };
  auto list = [&](const cloud::model::InstallationFilter& filter, size_t at_least) {
    return list_on(store, filter, at_least);
  };
  auto report = [&](const char* kind, Latency l) {
    std::printf("%-10s %-28s p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms\n", engine.c_str(), kind,
                l.p50, l.p99, l.max);
  };
  cloud::model::InstallationFilter filter;
  filter.paging.per_page = 100;
  report("first page (100)", Measure(o.queries, [&](int) { return list(filter, 100); }));
  auto random_page = [&] {
    cloud::model::InstallationFilter f = filter;
    f.paging.page = static_cast<int>(rng() % pages);
    return f;
  };
  report("random page, OFFSET walk",
         Measure(o.queries, [&](int) { return list_on(no_anchors, random_page(), 100); }));
  report("random page, anchors", Measure(o.queries, [&](int) { return list(random_page(), 100); }));
  auto stats = store.page_anchor_stats();
  std::printf("%-10s   anchors: %lld build(s), %lld hits, %lld OFFSET walks\n", engine.c_str(),
              static_cast<long long>(stats.builds), static_cast<long long>(stats.hits),
              static_cast<long long>(stats.fallbacks));
  // Another connection (another server process) creates installations meanwhile.
  auto writer_db = cloud::store::OpenDatabase(url, Silent());
  if (!writer_db) return Check(writer_db.error(), "open writer");
  auto writer_locks = cloud::store::MakeSqlLockStore(**writer_db, cloud::SystemClock::Instance());
  cloud::store::SqlInstallationStore writer(**writer_db, *writer_locks,
                                            cloud::SystemClock::Instance());
  report("random page, anchors+writes", Measure(o.queries, [&](int q) {
           if (q % 50 == 49) {
             cloud::model::Installation i;
             i.name = "churn" + std::to_string(q);
             i.owner_id = "churn";
             i.state = cloud::model::InstallationState::kStable;
             auto created = writer.CreateInstallation(i, {}, {i.name + ".example.com"},
                                                      cloud::store::EventOptions::None());
             if (!created) return Check(created.error(), "create");
           }
           return list(random_page(), 100);
         }));
  const auto after = store.page_anchor_stats();
  std::printf("%-10s   anchors: %lld build(s), %lld hits, %lld OFFSET walks\n", engine.c_str(),
              static_cast<long long>(after.builds - stats.builds),
              static_cast<long long>(after.hits - stats.hits),
              static_cast<long long>(after.fallbacks - stats.fallbacks));
  report("owner filter", Measure(o.queries, [&](int q) {
           cloud::model::InstallationFilter f = filter;
           f.owner_id = "owner" + std::to_string(q % 1000);
           return list(f, std::min(100, o.rows / 1000));
         }));
  report("state filter", Measure(o.queries, [&](int) {
           cloud::model::InstallationFilter f = filter;
           f.state = "hibernating";
           return list(f, 100);
         }));
  report("dns_name LIKE prefix%", Measure(o.queries, [&](int q) {
           cloud::model::InstallationFilter f = filter;
           f.dns = "inst" + std::to_string(q % 1000 + 1000) + "%";
           return list(f, 1);
         }));
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--engine") {
      o.engine = value;
    } else if (flag == "--rows") {
      o.rows = std::stoi(value);
    } else if (flag == "--queries") {
      o.queries = std::stoi(value);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (o.rows < 1000) {
    std::fprintf(stderr, "--rows must be at least 1000\n");
    return 2;
  }
  bool ok = true;
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
      auto db = cloud::store::OpenDatabase(url, Silent());
      ok = db ? Run("postgres", **db, url, o) : Check(db.error(), "open");
    }
    (void)(*admin)->Exec("DROP SCHEMA " + schema + " CASCADE");
  }
  if (o.engine == "sqlite" || o.engine == "both") {
    const auto path = std::filesystem::temp_directory_path() / ("list_bench_" + cloud::NewId());
    {
      const std::string url = "sqlite://" + path.string();
      auto db = cloud::store::OpenDatabase(url, Silent());
      ok = (db ? Run("sqlite", **db, url, o) : Check(db.error(), "open")) && ok;
    }
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + "-wal");
    std::filesystem::remove(path.string() + "-shm");
  }
  return ok ? 0 : 1;
}
